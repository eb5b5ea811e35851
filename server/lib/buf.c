/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * buf.c - see buf.h.
 */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
buf_grow(struct buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->failed)
        return false;
    if (b->max != 0 && (b->len > b->max || extra > b->max - b->len)) {
        b->failed = b->too_big = true;
        return false;
    }
    if (extra > SIZE_MAX - b->len - 1) {
        b->failed = true;
        return false;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = realloc(b->data, cap);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void
buf_append(struct buf *b, const void *data, size_t len)
{
    if (!buf_grow(b, len))
        return;
    if (len > 0)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void
buf_puts_html(struct buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        case '\'':
            buf_puts(b, "&#39;");
            break;
        default:
            buf_append(b, s, 1);
        }
    }
}

void
buf_csv_field(struct buf *b, const char *s, bool number)
{
    bool formula, quote;

    if (s == NULL)
        return;
    formula = !number && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
    quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        buf_append(b, "\"", 1);
    if (formula)
        buf_append(b, "'", 1);
    for (; *s; s++) {
        if (*s == '"')
            buf_append(b, "\"", 1);
        buf_append(b, s, 1);
    }
    if (quote)
        buf_append(b, "\"", 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if (!buf_grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
buf_reset(struct buf *b)
{
    b->len = 0;
    b->failed = b->too_big = false;
    if (b->data)
        b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = b->too_big = false;
}

bool
buf_failed(const struct buf *b)
{
    return b->failed;
}

void
buf_set_max(struct buf *b, size_t max)
{
    b->max = max;
}

bool
buf_too_big(const struct buf *b)
{
    return b->too_big;
}

char *
buf_detach(struct buf *b, size_t *len)
{
    char *p = b->data;

    if (len)
        *len = b->len;
    if (p == NULL)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
