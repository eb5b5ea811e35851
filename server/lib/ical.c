/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * ical.c - see ical.h.
 */
#include "ical.h"
#include "timeutil.h"

#include <string.h>

#define FOLD_AT 75 /* octets of a line, CRLF not counted (RFC 5545 3.1) */

/* Appends the logical line s (len octets) folded, with CRLF. */
static void
fold(struct buf *b, const char *s, size_t len)
{
    size_t room = FOLD_AT;

    while (len > room) {
        size_t n = room;
        /* back off to the start of a UTF-8 character */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        if (n == 0)
            n = room; /* not UTF-8: cut where the octets end */
        buf_append(b, s, n);
        buf_append(b, "\r\n ", 3);
        s += n;
        len -= n;
        room = FOLD_AT - 1; /* the leading space counts */
    }
    buf_append(b, s, len);
    buf_append(b, "\r\n", 2);
}

void
ical_line(struct buf *b, const char *name, const char *value)
{
    struct buf line = BUF_INIT;

    buf_printf(&line, "%s:%s", name, value ? value : "");
    if (buf_failed(&line))
        b->failed = true; /* the line is lost: so is the document */
    else
        fold(b, line.data, line.len);
    buf_free(&line);
}

void
ical_text(struct buf *b, const char *name, const char *text)
{
    struct buf line = BUF_INIT;

    buf_printf(&line, "%s:", name);
    for (const char *p = text ? text : ""; *p; p++) {
        switch (*p) {
        case '\\':
            buf_puts(&line, "\\\\");
            break;
        case ';':
            buf_puts(&line, "\\;");
            break;
        case ',':
            buf_puts(&line, "\\,");
            break;
        case '\n':
            buf_puts(&line, "\\n");
            break;
        case '\r':
            break; /* CRLF in the text is one newline */
        default:
            buf_append(&line, p, 1);
        }
    }
    if (buf_failed(&line))
        b->failed = true;
    else
        fold(b, line.data, line.len);
    buf_free(&line);
}

void
ical_time(struct buf *b, const char *name, int64_t t)
{
    char iso[TIME_RFC3339_LEN], v[20];

    time_format_rfc3339(t, iso, sizeof(iso)); /* YYYY-MM-DDTHH:MM:SSZ */
    memcpy(v, iso, 4);
    memcpy(v + 4, iso + 5, 2);
    memcpy(v + 6, iso + 8, 2);
    v[8] = 'T';
    memcpy(v + 9, iso + 11, 2);
    memcpy(v + 11, iso + 14, 2);
    memcpy(v + 13, iso + 17, 2);
    v[15] = 'Z';
    v[16] = '\0';
    ical_line(b, name, v);
}
