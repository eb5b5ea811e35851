/*
 * buf.h - the one growable byte buffer.
 *
 * Used wherever a string is built piece by piece (responses, log lines,
 * metrics text) instead of ad-hoc malloc/snprintf arithmetic.  The buffer is
 * always NUL-terminated once anything was appended.  An allocation failure
 * makes the buffer "failed": later appends do nothing and buf_failed() says
 * so, so callers check once at the end instead of after every append.
 */
#ifndef MP_BUF_H
#define MP_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
};

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0, false                                                                          \
    }

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
/* Appends s as HTML text: < > & " ' escaped (NULL appends nothing). */
void buf_puts_html(struct buf *b, const char *s);
/* Appends s as one CSV field (RFC 4180): quoted when it holds a comma,
 * quote or line break; text a spreadsheet would run as a formula (= + - @)
 * gets a leading ' unless number is true. */
void buf_csv_field(struct buf *b, const char *s, bool number);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
bool buf_failed(const struct buf *b);
/* Hands the data to the caller (who frees it) and leaves b empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
