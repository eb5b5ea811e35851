/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * ical.h - iCalendar text (RFC 5545) into a buffer: each content line
 * NAME:VALUE ends in CRLF and is folded after 75 octets (3.1: CRLF and a
 * space), never inside a UTF-8 character; TEXT values are escaped (3.3.11:
 * backslash, semicolon, comma, newline).
 */
#ifndef MP_ICAL_H
#define MP_ICAL_H

#include "buf.h"

#include <stdint.h>

/* NAME:VALUE with value as it is (a date-time, a URI, a keyword). */
void ical_line(struct buf *b, const char *name, const char *value);
/* NAME:VALUE with text escaped as a TEXT value. */
void ical_text(struct buf *b, const char *name, const char *text);
/* NAME:YYYYMMDDTHHMMSSZ, t in Unix seconds (UTC). */
void ical_time(struct buf *b, const char *name, int64_t t);

#endif
