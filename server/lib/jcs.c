/*
 * jcs.c - see jcs.h.
 */
#include "jcs.h"
#include "text.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
jcs_format_number(double d, char out[32])
{
    char digits[32], tmp[40];
    int k = 0, n, exp10;
    char *e;

    if (d == 0) { /* 0 and -0 */
        strcpy(out, "0");
        return;
    }
    /* The shortest digit string that reads back as d: %.*e rounds to
     * nearest, which is how ECMAScript picks among equally short ones. */
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    /* tmp is [-]D[.DDD]e[+-]XX: take the digits and the exponent */
    e = strchr(tmp, 'e');
    exp10 = atoi(e + 1);
    for (char *p = tmp; p < e; p++) {
        if (*p >= '0' && *p <= '9')
            digits[k++] = *p;
    }
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    /* value = 0.d1..dk x 10^n in ECMAScript's terms */
    n = exp10 + 1;
    {
        char *o = out;
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
