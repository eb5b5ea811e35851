/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * text.h - small facts about UTF-8 text from requests.
 */
#ifndef MP_TEXT_H
#define MP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Characters (code points) in s, which is UTF-8. */
size_t text_chars(const char *s);
/* True when s is NULL, empty, or only white space (ASCII and Unicode
 * spaces such as U+00A0 and U+3000). */
bool text_blank(const char *s);

/* Decodes the UTF-8 sequence at s (len bytes left) into *cp; returns its
 * length, or 0 when it is not valid UTF-8 (overlong, surrogate, too large,
 * cut short). */
size_t text_utf8_next(const unsigned char *s, size_t len, uint32_t *cp);
/* True when s is valid UTF-8 without control characters (below U+0020,
 * U+007F) when no_controls is set. */
bool text_valid_utf8(const char *s, bool no_controls);
/* Copies src into dst (size bytes), replacing each byte that is not part of
 * valid UTF-8 by U+FFFD and cutting only between characters. */
void text_copy_utf8(char *dst, size_t size, const char *src);

#endif
