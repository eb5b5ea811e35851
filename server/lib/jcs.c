/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * jcs.c - see jcs.h.
 *
 * Numbers.  ECMAScript's Number::toString (which RFC 8785 adopts) writes
 * the fewest significant digits k such that the decimal s x 10^(n-k) reads
 * back as the same double, and among k-digit candidates the one closest
 * to the double (the even one on a tie).  We find k with the C library,
 * whose printf rounds exactly (%.*e: the nearest k-digit decimal, ties to
 * even) and whose strtod reads exactly (round to nearest even), so that a
 * round trip through strtod is the test "reads back as the same double".
 *
 * The subtle part is which k-digit decimals can read back.  The doubles
 * that read back as d are those within d's rounding interval, half the gap
 * to each neighbour.  Usually the gaps are equal, the interval is
 * symmetric, and if any k-digit decimal lies in it the nearest one does:
 * one candidate per k.  At a power of two (a zero fraction, above the
 * smallest normal exponent) the gap below is half the gap above.  The
 * nearest k-digit decimal can then lie below d, just outside the narrow
 * half, while the next one up lies inside the wide half: 2^-24 is
 * 5.9604644775390625e-8 exactly, and 5.960464477539062e-8 (nearest) does
 * not read back where 5.960464477539063e-8 does.  So there, when the
 * nearest fails, the next k-digit decimal above is tried as well; it is
 * the only other candidate (any further one is beyond it, and anything
 * below the nearest is further out of the narrow half).  That decimal,
 * when it reads back, is then the closest one that does.
 *
 * Fifteen digits first.  For a normal double the rounding interval is at
 * most 2^-53 of its value on either side, while 15-digit decimals are at
 * least 10^-15 of it apart: at most one lies in the interval, and it is
 * then the nearest (%.14e).  So when that one reads back, it is the answer
 * (without its trailing zeros: every shorter candidate is also a 15-digit
 * decimal in the interval, so it is the same number).  When it does not,
 * the answer has 16 digits (the nearest, or at a power of two the next one
 * up) or else 17: the nearest 17-digit decimal always reads back, being at
 * most 5 x 10^-17 of the value away, inside even the narrow half (2^-54).
 * That is one to three printf/strtod pairs per number.
 *
 * Subnormals have fewer bits and those bounds do not hold: for them, k is
 * found by bisection over 1..17, reading back being monotonic in k (a
 * k-digit decimal is also a (k+1)-digit one).  Their gaps are all equal.
 *
 * Integers below 2^53 in magnitude are written directly: they are exact,
 * and the exact integer is the shortest form.
 */
#include "jcs.h"
#include "text.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A decimal: digits d1..dk (no sign, no point) times 10^(exp10 - k + 1),
 * i.e. d1.d2..dk x 10^exp10, as printf's %e writes it. */
struct decimal {
    char digits[24];
    int k;
    int exp10;
};

/* Reads printf's [-]D[.DDD]e[+-]XX into dec. */
static void
decimal_from_e(const char *s, struct decimal *dec)
{
    const char *e = strchr(s, 'e');

    dec->k = 0;
    for (const char *p = s; p < e; p++) {
        if (*p >= '0' && *p <= '9')
            dec->digits[dec->k++] = *p;
    }
    dec->digits[dec->k] = '\0';
    dec->exp10 = (int)strtol(e + 1, NULL, 10);
}

/* Whether dec reads back (strtod) as x, a positive double. */
static bool
decimal_reads_as(const struct decimal *dec, double x)
{
    char s[48];

    snprintf(s, sizeof(s), "%.1s.%se%d", dec->digits, dec->digits + 1, dec->exp10);
    return strtod(s, NULL) == x;
}

/* The k-digit decimal closest to x (positive) that reads back as x, in
 * dec; false when there is none.  asym: x is a power of two with a
 * narrower gap below (see the top of the file). */
static bool
shortest_try(double x, int k, bool asym, struct decimal *dec)
{
    char s[40];
    int i;

    snprintf(s, sizeof(s), "%.*e", k - 1, x);
    decimal_from_e(s, dec);
    if (strtod(s, NULL) == x)
        return true;
    if (!asym || strtod(s, NULL) > x)
        return false;
    /* the nearest is below x, outside the narrow half: the next k-digit
     * decimal up (9.99 goes to 1.00 of the next decade) */
    for (i = k - 1; i >= 0 && dec->digits[i] == '9'; i--)
        dec->digits[i] = '0';
    if (i >= 0) {
        dec->digits[i]++;
    } else {
        dec->digits[0] = '1';
        dec->exp10++;
    }
    return decimal_reads_as(dec, x);
}

/* The shortest decimal that reads back as x (positive, finite), the one
 * closest to x among those. */
static void
shortest(double x, struct decimal *out)
{
    uint64_t bits;
    bool asym;
    int lo = 1, hi = 17;
    struct decimal dec;

    memcpy(&bits, &x, sizeof(bits));
    if ((bits >> 52) != 0) { /* normal */
        asym = (bits & 0xfffffffffffffULL) == 0 && (bits >> 52) > 1;
        if (!shortest_try(x, 15, false, out) && !shortest_try(x, 16, asym, out)) {
            char s[40];
            snprintf(s, sizeof(s), "%.16e", x); /* 17 digits: reads back */
            decimal_from_e(s, out);
        }
    } else { /* subnormal: bisection; 17 digits (hi) always read back */
        shortest_try(x, hi, false, out);
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (shortest_try(x, mid, false, &dec)) {
                *out = dec;
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
    }
    while (out->k > 1 && out->digits[out->k - 1] == '0')
        out->digits[--out->k] = '\0';
}

void
jcs_format_number(double d, char out[32])
{
    struct decimal dec;
    const char *digits;
    char *o = out;
    int k, n;

    if (d == 0) { /* 0 and -0 */
        memcpy(out, "0", 2);
        return;
    }
    if (fabs(d) < 9007199254740992.0 && d == (double)(int64_t)d) {
        snprintf(out, 32, "%lld", (long long)d);
        return;
    }
    shortest(fabs(d), &dec);
    digits = dec.digits;
    k = dec.k;
    /* value = 0.d1..dk x 10^n in ECMAScript's terms */
    n = dec.exp10 + 1;
    if (d < 0)
        *o++ = '-';
    if (k <= n && n <= 21) {
        memcpy(o, digits, (size_t)k);
        o += k;
        for (int i = 0; i < n - k; i++)
            *o++ = '0';
    } else if (0 < n && n <= 21) {
        memcpy(o, digits, (size_t)n);
        o += n;
        *o++ = '.';
        memcpy(o, digits + n, (size_t)(k - n));
        o += k - n;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -n; i++)
            *o++ = '0';
        memcpy(o, digits, (size_t)k);
        o += k;
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)(k - 1));
            o += k - 1;
        }
        o += sprintf(o, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
    *o = '\0';
}

/* Compares two UTF-8 names by their UTF-16 code units (RFC 8785 3.2.3). */
static int
utf16_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    size_t i = 0, j = 0;
    uint16_t pa[2], qa[2];
    int np = 0, nq = 0, ip = 0, iq = 0;

    for (;;) {
        uint32_t cp;
        size_t n;

        if (ip == np) {
            if (i >= alen)
                return (j < blen || iq < nq) ? -1 : 0;
            n = text_utf8_next(p + i, alen - i, &cp);
            if (n == 0)
                n = 1, cp = p[i];
            i += n;
            if (cp >= 0x10000) {
                cp -= 0x10000;
                pa[0] = (uint16_t)(0xd800 | (cp >> 10));
                pa[1] = (uint16_t)(0xdc00 | (cp & 0x3ff));
                np = 2;
            } else {
                pa[0] = (uint16_t)cp;
                np = 1;
            }
            ip = 0;
        }
        if (iq == nq) {
            if (j >= blen)
                return 1;
            n = text_utf8_next(q + j, blen - j, &cp);
            if (n == 0)
                n = 1, cp = q[j];
            j += n;
            if (cp >= 0x10000) {
                cp -= 0x10000;
                qa[0] = (uint16_t)(0xd800 | (cp >> 10));
                qa[1] = (uint16_t)(0xdc00 | (cp & 0x3ff));
                nq = 2;
            } else {
                qa[0] = (uint16_t)cp;
                nq = 1;
            }
            iq = 0;
        }
        if (pa[ip] != qa[iq])
            return pa[ip] < qa[iq] ? -1 : 1;
        ip++;
        iq++;
    }
}

static int
string_out(const char *s, size_t len, struct buf *out)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    buf_puts(out, "\"");
    while (i < len) {
        uint32_t cp;
        size_t n = text_utf8_next(p + i, len - i, &cp);

        if (n == 0)
            return -1;
        switch (cp) {
        case '"':
            buf_puts(out, "\\\"");
            break;
        case '\\':
            buf_puts(out, "\\\\");
            break;
        case '\b':
            buf_puts(out, "\\b");
            break;
        case '\f':
            buf_puts(out, "\\f");
            break;
        case '\n':
            buf_puts(out, "\\n");
            break;
        case '\r':
            buf_puts(out, "\\r");
            break;
        case '\t':
            buf_puts(out, "\\t");
            break;
        default:
            if (cp < 0x20) {
                char esc[7] = {'\\', 'u', '0', '0', hex[cp >> 4], hex[cp & 0xf], 0};
                buf_puts(out, esc);
            } else {
                buf_append(out, p + i, n);
            }
        }
        i += n;
    }
    buf_puts(out, "\"");
    return 0;
}

struct member {
    const char *key;
    size_t len;
    json_t *value;
};

static int
member_cmp(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    return utf16_cmp(x->key, x->len, y->key, y->len);
}

int
jcs_serialize(const json_t *v, struct buf *out)
{
    char num[32];

    switch (json_typeof(v)) {
    case JSON_NULL:
        buf_puts(out, "null");
        return 0;
    case JSON_TRUE:
        buf_puts(out, "true");
        return 0;
    case JSON_FALSE:
        buf_puts(out, "false");
        return 0;
    case JSON_INTEGER:
        /* JSON numbers are IEEE 754 doubles in RFC 8785 */
        jcs_format_number((double)json_integer_value(v), num);
        buf_puts(out, num);
        return 0;
    case JSON_REAL:
        if (!isfinite(json_real_value(v)))
            return -1;
        jcs_format_number(json_real_value(v), num);
        buf_puts(out, num);
        return 0;
    case JSON_STRING:
        return string_out(json_string_value(v), json_string_length(v), out);
    case JSON_ARRAY: {
        size_t i;
        json_t *x;

        buf_puts(out, "[");
        json_array_foreach((json_t *)v, i, x)
        {
            if (i > 0)
                buf_puts(out, ",");
            if (jcs_serialize(x, out) != 0)
                return -1;
        }
        buf_puts(out, "]");
        return 0;
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(v), k = 0;
        struct member *m = calloc(n ? n : 1, sizeof(*m));
        const char *key;
        json_t *x;
        int rc = 0;

        if (m == NULL)
            return -1;
        json_object_foreach((json_t *)v, key, x)
        {
            m[k].key = key;
            m[k].len = strlen(key);
            m[k].value = x;
            k++;
        }
        qsort(m, n, sizeof(*m), member_cmp);
        buf_puts(out, "{");
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (i > 0)
                buf_puts(out, ",");
            rc = string_out(m[i].key, m[i].len, out);
            buf_puts(out, ":");
            if (rc == 0)
                rc = jcs_serialize(m[i].value, out);
        }
        buf_puts(out, "}");
        free(m);
        return rc;
    }
    }
    return -1;
}
