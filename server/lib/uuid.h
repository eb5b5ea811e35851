/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * uuid.h - UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then
 * random bits.  Time-ordered ids keep SQLite's indexes appending.
 *
 * And UUID version 5 (RFC 9562 section 5.5: SHA-1 of a namespace and a
 * name): the same inputs give the same id, for exports whose ids must stay
 * the same from one export to the next (STIX, MISP).
 */
#ifndef MP_UUID_H
#define MP_UUID_H

#include <stddef.h>

#define UUID_TEXT_LEN 36

/* Writes a new id as 36 lower-case characters and a NUL. */
void uuid7_generate(char out[UUID_TEXT_LEN + 1]);

/* The version 5 id of name (len bytes) in namespace ns (36-character
 * text).  0, or -1 when ns is not a UUID. */
int uuid5_generate(const char *ns, const char *name, size_t len, char out[UUID_TEXT_LEN + 1]);

#endif
