/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * jcs.c - fuzz target: RFC 8785 canonical JSON (lib/jcs.c).
 *
 * The input, parsed as the API parses a body, is serialised; what comes out
 * must be JSON that serialises to the same bytes again (canonical form is a
 * fixed point; JCS numbers are doubles, so they are read back as doubles).  The first 8 bytes, read
 * as a double, go through jcs_format_number: the text must read back as the same double and be no
 * longer than the nearest decimal of the fewest digits that reads back
 * (a shortest form can only be shorter).
 */
#include "fuzz.h"
#include "lib/buf.h"
#include "lib/jcs.h"

#include <math.h>

/* Significant digits of a number as JCS writes it ("-1.5e-7": 2). */
static int
digits(const char *s)
{
    int n = 0, lead = 1, zeros = 0;

    for (; *s != '\0' && *s != 'e'; s++) {
        if (*s < '0' || *s > '9')
            continue;
        if (*s == '0' && lead)
            continue;
        lead = 0;
        if (*s == '0') {
            zeros++; /* trailing zeros of an integer count only when followed */
            continue;
        }
        n += zeros + 1;
        zeros = 0;
    }
    return n == 0 ? 1 : n;
}

/* The fewest digits k whose nearest k-digit decimal reads back as d. */
static int
nearest_digits(double d)
{
    char s[40];

    for (int k = 1; k <= 17; k++) {
        snprintf(s, sizeof(s), "%.*e", k - 1, d);
        if (strtod(s, NULL) == d)
            return k;
    }
    return 17;
}

static void
check_number(const uint8_t *data)
{
    char out[32];
    double d;

    memcpy(&d, data, sizeof(d));
    if (!isfinite(d))
        return;
    jcs_format_number(d, out);
    FUZZ_ASSERT(strtod(out, NULL) == d);
    /* an integer's trailing zeros are not a choice: 1e21 and up use an
     * exponent, below that every digit is written */
    if (fabs(d) < 1e21 && d == trunc(d))
        return;
    FUZZ_ASSERT(digits(out) <= nearest_digits(d));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf a = BUF_INIT, b = BUF_INIT;
    json_t *v, *again;

    if (size >= sizeof(double))
        check_number(data);
    v = fuzz_json(data, size);
    if (v == NULL)
        return 0;
    if (jcs_serialize(v, &a) == 0 && !buf_failed(&a)) {
        /* every number as a double: canonical JSON writes 1e20 as 21
         * digits, which jansson's integers (int64) do not hold */
        again =
            json_loadb(a.data, a.len,
                       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, NULL);
        FUZZ_ASSERT(again != NULL);
        FUZZ_ASSERT(jcs_serialize(again, &b) == 0);
        FUZZ_ASSERT(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
        json_decref(again);
    }
    buf_free(&a);
    buf_free(&b);
    json_decref(v);
    return 0;
}
