/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * buf.h - the one growable byte buffer.
 *
 * Used wherever a string is built piece by piece (responses, log lines,
 * metrics text) instead of ad-hoc malloc/snprintf arithmetic.  The buffer is
 * always NUL-terminated once anything was appended.  An allocation failure
 * makes the buffer "failed": later appends do nothing and buf_failed() says
 * so, so callers check once at the end instead of after every append.
 *
 * A buffer that takes input from outside (a request body) gets a cap, as
 * curl's dynbuf has: BUF_INIT_MAX(n) or buf_set_max().  The append that
 * would make it hold more than n bytes fails the buffer the same way, and
 * buf_too_big() tells that failure from running out of memory.  What the
 * buffer held before stays (the caller frees it); the cap stays through
 * buf_reset(), buf_free() and buf_detach().
 */
#ifndef MP_BUF_H
#define MP_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data;
    size_t len;
    size_t cap;   /* bytes allocated */
    size_t max;   /* most bytes it may hold (len); 0: no cap */
    bool failed;  /* an append failed: later ones do nothing */
    bool too_big; /* ... because it would have gone past max */
};

#define BUF_INIT_MAX(max)                                                                          \
    {                                                                                              \
        NULL, 0, 0, (max), false, false                                                            \
    }
#define BUF_INIT BUF_INIT_MAX(0)

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
/* Caps b at max bytes (0: no cap); what it holds already counts. */
void buf_set_max(struct buf *b, size_t max);
/* True when b failed because an append would have gone past its cap. */
bool buf_too_big(const struct buf *b);
/* Hands the data to the caller (who frees it) and leaves b empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
