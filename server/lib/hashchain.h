/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * hashchain.h - the hash of one audit-chain entry.
 *
 * Each audit entry's hash covers the previous entry's hash and the entry's
 * own fields, so changing, inserting or removing any entry changes every hash
 * after it.  hash = BLAKE2b-256(prev_hash || enc(seq) || enc(at) ||
 * enc(principal) || enc(action) || enc(object) || payload_hash), where enc()
 * of a string is its length as 8 bytes big-endian followed by its bytes and
 * enc(seq) is 8 bytes big-endian: length prefixes make the encoding
 * unambiguous ("ab"+"c" and "a"+"bc" hash differently).  The first entry's
 * prev_hash is 32 zero bytes.
 */
#ifndef MP_HASHCHAIN_H
#define MP_HASHCHAIN_H

#include <stddef.h>
#include <stdint.h>

#define CHAIN_HASH_LEN 32

struct chain_entry {
    int64_t seq;
    const char *at;
    const char *principal;
    const char *action;
    const char *object;
    uint8_t payload_hash[CHAIN_HASH_LEN];
};

void chain_hash_entry(const uint8_t prev[CHAIN_HASH_LEN], const struct chain_entry *e,
                      uint8_t out[CHAIN_HASH_LEN]);
/* BLAKE2b-256 of a payload (the `payload_hash` of an entry). */
void chain_hash_payload(const void *data, size_t len, uint8_t out[CHAIN_HASH_LEN]);

#endif
