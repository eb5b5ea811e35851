/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * hashchain.c - see hashchain.h.
 */
#include "hashchain.h"

#include <sodium.h>
#include <string.h>

static void
put_u64(crypto_generichash_state *st, uint64_t v)
{
    uint8_t b[8];

    for (int i = 7; i >= 0; i--) {
        b[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
    crypto_generichash_update(st, b, sizeof(b));
}

static void
put_str(crypto_generichash_state *st, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    put_u64(st, (uint64_t)n);
    if (n)
        crypto_generichash_update(st, (const unsigned char *)s, n);
}

void
chain_hash_entry(const uint8_t prev[CHAIN_HASH_LEN], const struct chain_entry *e,
                 uint8_t out[CHAIN_HASH_LEN])
{
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, CHAIN_HASH_LEN);
    crypto_generichash_update(&st, prev, CHAIN_HASH_LEN);
    put_u64(&st, (uint64_t)e->seq);
    put_str(&st, e->at);
    put_str(&st, e->principal);
    put_str(&st, e->action);
    put_str(&st, e->object);
    crypto_generichash_update(&st, e->payload_hash, CHAIN_HASH_LEN);
    crypto_generichash_final(&st, out, CHAIN_HASH_LEN);
}

void
chain_hash_payload(const void *data, size_t len, uint8_t out[CHAIN_HASH_LEN])
{
    crypto_generichash(out, CHAIN_HASH_LEN, data, len, NULL, 0);
}
