/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * uuid.h - UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then
 * random bits.  Time-ordered ids keep SQLite's indexes appending.
 */
#ifndef MP_UUID_H
#define MP_UUID_H

#define UUID_TEXT_LEN 36

/* Writes a new id as 36 lower-case characters and a NUL. */
void uuid7_generate(char out[UUID_TEXT_LEN + 1]);

#endif
