/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * uuid.c - see uuid.h.
 */
#include "uuid.h"
#include "clock.h"

#include <gnutls/crypto.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
uuid_format(const uint8_t b[16], char out[UUID_TEXT_LEN + 1])
{
    snprintf(out, UUID_TEXT_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

void
uuid7_generate(char out[UUID_TEXT_LEN + 1])
{
    uint8_t b[16];
    uint64_t ms = (uint64_t)(clock_now_us() / 1000);

    randombytes_buf(b, sizeof(b));
    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t)(ms >> (40 - 8 * i));
    b[6] = (uint8_t)(0x70 | (b[6] & 0x0f)); /* version 7 */
    b[8] = (uint8_t)(0x80 | (b[8] & 0x3f)); /* variant 10 */
    uuid_format(b, out);
}

int
uuid5_generate(const char *ns, const char *name, size_t len, char out[UUID_TEXT_LEN + 1])
{
    uint8_t nsb[16], digest[20];
    char hex[33];
    unsigned char *in;
    size_t k = 0, bin = 0;

    if (strlen(ns) != UUID_TEXT_LEN)
        return -1;
    for (size_t i = 0; i < UUID_TEXT_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (ns[i] != '-')
                return -1;
        } else {
            hex[k++] = ns[i];
        }
    }
    hex[k] = '\0';
    if (sodium_hex2bin(nsb, sizeof(nsb), hex, k, NULL, &bin, NULL) != 0 || bin != sizeof(nsb))
        return -1;
    in = malloc(16 + len);
    if (in == NULL)
        return -1;
    memcpy(in, nsb, 16);
    memcpy(in + 16, name, len);
    k = gnutls_hash_fast(GNUTLS_DIG_SHA1, in, 16 + len, digest) == 0;
    free(in);
    if (!k)
        return -1;
    digest[6] = (uint8_t)(0x50 | (digest[6] & 0x0f)); /* version 5 */
    digest[8] = (uint8_t)(0x80 | (digest[8] & 0x3f)); /* variant 10 */
    uuid_format(digest, out);
    return 0;
}
