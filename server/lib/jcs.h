/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * jcs.h - the JSON Canonicalization Scheme (RFC 8785).
 *
 * Signed documents are serialised canonically so that anyone can re-create
 * the exact bytes from the same data: object members sorted by their names'
 * UTF-16 code units, no white space, strings escaped as ECMAScript's
 * JSON.stringify does, and numbers written as ECMAScript writes an IEEE 754
 * double (shortest round-trip digits, exponent rules, -0 as 0).  jansson's
 * JSON_SORT_KEYS|JSON_COMPACT is *not* this: it sorts by bytes and prints
 * numbers its own way.
 */
#ifndef MP_JCS_H
#define MP_JCS_H

#include "buf.h"

#include <jansson.h>

/* Appends the canonical form of v to out.  Returns 0, or -1 when v holds
 * a number JSON cannot carry (NaN, infinity) or a string that is not valid
 * UTF-8. */
int jcs_serialize(const json_t *v, struct buf *out);

/* Writes the ECMAScript form of d (finite) into out (at least 32 bytes). */
void jcs_format_number(double d, char out[32]);

#endif
