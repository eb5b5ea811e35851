/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * text.c - see text.h.
 */
#include "text.h"

#include <stdint.h>
#include <string.h>

size_t
text_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* Length of the Unicode space at s (ASCII white space, NBSP, U+2000-U+200B,
 * U+2028/9, U+202F, U+205F, U+3000, U+FEFF), 0 when s is not one. */
static size_t
space_len(const unsigned char *s)
{
    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
        return 1;
    if (s[0] == 0xc2 && s[1] == 0xa0)
        return 2;
    if (s[0] == 0xe2 && s[1] == 0x80 &&
        (s[2] <= 0x8b || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
        return 3;
    if ((s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) ||
        (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) ||
        (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf))
        return 3;
    return 0;
}

bool
text_blank(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (p && *p) {
        size_t n = space_len(p);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

size_t
text_utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    size_t n, i;

    if (len == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0)
        n = 2, *cp = s[0] & 0x1f;
    else if ((s[0] & 0xf0) == 0xe0)
        n = 3, *cp = s[0] & 0x0f;
    else if ((s[0] & 0xf8) == 0xf0)
        n = 4, *cp = s[0] & 0x07;
    else
        return 0;
    if (len < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = *cp << 6 | (s[i] & 0x3f);
    }
    /* overlong forms, surrogates and beyond U+10FFFF are not UTF-8 */
    if ((n == 2 && *cp < 0x80) || (n == 3 && *cp < 0x800) || (n == 4 && *cp < 0x10000) ||
        *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return n;
}

/* Length of the valid UTF-8 sequence at s (NUL-terminated), 0 if none. */
static size_t
utf8_len(const unsigned char *s)
{
    uint32_t cp;

    return text_utf8_next(s, strnlen((const char *)s, 4), &cp);
}

bool
text_valid_utf8(const char *s, bool no_controls)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t n = utf8_len(p);
        if (n == 0 || (no_controls && (*p < 0x20 || *p == 0x7f)))
            return false;
        p += n;
    }
    return true;
}

void
text_copy_utf8(char *dst, size_t size, const char *src)
{
    const unsigned char *p = (const unsigned char *)src;
    size_t used = 0;

    if (size == 0)
        return;
    while (*p) {
        size_t n = utf8_len(p);
        const char *piece = (const char *)p;
        size_t plen = n;

        if (n == 0) {
            piece = "\xef\xbf\xbd"; /* U+FFFD for a stray byte */
            plen = 3;
            n = 1;
        }
        if (used + plen + 1 > size)
            break;
        memcpy(dst + used, piece, plen);
        used += plen;
        p += n;
    }
    dst[used] = '\0';
}
