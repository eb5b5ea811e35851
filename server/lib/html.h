/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * html.h - printable pages built with escaping by default.
 *
 * html_printf() is printf into a buffer where every %s argument is written
 * as HTML text (< > & " ' escaped), so a value from a person or a tool can
 * never become markup.  Markup comes only from the format string, which is
 * code.  The three printable pages (a signed notification, the risk
 * register, an applicability assessment) are built with it.
 */
#ifndef MP_HTML_H
#define MP_HTML_H

#include "buf.h"

/* Conversions: %s (escaped; NULL writes nothing), %d %i %u %x, with l, ll
 * or z, %c, %f %g with a precision, and %%.  Another conversion fails the
 * buffer. */
void html_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
