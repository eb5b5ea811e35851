/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * minisign.c - see minisign.h.
 */
#include "minisign.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_BLOB_LEN (2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32)
#define PUBLIC_BLOB_LEN (2 + 8 + 32)

void
minisign_key_generate(struct minisign_key *key)
{
    crypto_sign_keypair(key->pk, key->sk);
    randombytes_buf(key->keyid, sizeof(key->keyid));
}

void
minisign_keyid_hex(const uint8_t keyid[8], char out[17])
{
    static const char hex[] = "0123456789ABCDEF";

    for (int i = 0; i < 8; i++) {
        out[(size_t)i * 2] = hex[keyid[7 - i] >> 4];
        out[(size_t)i * 2 + 1] = hex[keyid[7 - i] & 0xf];
    }
    out[16] = '\0';
}

static void
append_b64(struct buf *out, const uint8_t *bin, size_t len)
{
    char b64[sodium_base64_ENCODED_LEN(SECRET_BLOB_LEN, sodium_base64_VARIANT_ORIGINAL)];

    sodium_bin2base64(b64, sizeof(b64), bin, len, sodium_base64_VARIANT_ORIGINAL);
    buf_puts(out, b64);
}

void
minisign_format_public(const struct minisign_key *key, struct buf *out)
{
    uint8_t blob[PUBLIC_BLOB_LEN];
    char id[17];

    memcpy(blob, "Ed", 2);
    memcpy(blob + 2, key->keyid, 8);
    memcpy(blob + 10, key->pk, 32);
    minisign_keyid_hex(key->keyid, id);
    buf_printf(out, "untrusted comment: minisign public key %s\n", id);
    append_b64(out, blob, sizeof(blob));
    buf_puts(out, "\n");
}

void
minisign_format_secret(const struct minisign_key *key, struct buf *out)
{
    uint8_t blob[SECRET_BLOB_LEN];

    memset(blob, 0, sizeof(blob));
    memcpy(blob, "Ed", 2);
    /* kdf_alg stays 0,0: not encrypted */
    memcpy(blob + 4, "B2", 2);
    memcpy(blob + 54, key->keyid, 8);
    memcpy(blob + 62, key->sk, 64);
    buf_puts(out, "untrusted comment: minisign encrypted secret key\n");
    append_b64(out, blob, sizeof(blob));
    buf_puts(out, "\n");
    sodium_memzero(blob, sizeof(blob));
}

int
minisign_parse_secret(const char *text, struct minisign_key *key, const char **reason)
{
    uint8_t blob[SECRET_BLOB_LEN + 8], pk[crypto_sign_PUBLICKEYBYTES],
        sk[crypto_sign_SECRETKEYBYTES];
    const char *line = strchr(text, '\n');
    size_t bin_len = 0;
    const char *end;
    int rc = -1;

    if (strncmp(text, "untrusted comment:", 18) != 0 || line == NULL) {
        *reason = "not a minisign secret key (no comment line)";
        return -1;
    }
    line++;
    end = line + strcspn(line, "\r\n");
    if (sodium_base642bin(blob, sizeof(blob), line, (size_t)(end - line), NULL, &bin_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        bin_len != SECRET_BLOB_LEN) {
        *reason = "not a minisign secret key (bad base64 or length)";
        goto out;
    }
    if (memcmp(blob, "Ed", 2) != 0 || memcmp(blob + 4, "B2", 2) != 0) {
        *reason = "not an Ed25519 minisign secret key";
        goto out;
    }
    if (blob[2] != 0 || blob[3] != 0) {
        *reason = "the secret key is password-protected; meldpunt needs an unencrypted key "
                  "(minisign -G -W)";
        goto out;
    }
    /* Ed25519's 64-byte secret key is the seed and then the public key.
     * libsodium signs with the public half as written, so a damaged one
     * would make signatures that verify under no key: the public half
     * must be the one the seed gives. */
    crypto_sign_seed_keypair(pk, sk, blob + 62);
    if (sodium_memcmp(sk, blob + 62, sizeof(sk)) != 0) {
        *reason = "the secret key is damaged (its public half does not match its seed)";
        goto out;
    }
    memcpy(key->keyid, blob + 54, 8);
    memcpy(key->sk, blob + 62, 64);
    memcpy(key->pk, pk, sizeof(pk));
    rc = 0;
out:
    sodium_memzero(blob, sizeof(blob));
    sodium_memzero(sk, sizeof(sk));
    return rc;
}

/* The n-th line of text (0-based) without its end of line, into out. */
static int
nth_line(const char *text, int n, char *out, size_t size)
{
    const char *p = text;
    size_t len;

    for (int i = 0; i < n; i++) {
        p = strchr(p, '\n');
        if (p == NULL)
            return -1;
        p++;
    }
    len = strcspn(p, "\r\n");
    if (len >= size)
        return -1;
    memcpy(out, p, len);
    out[len] = '\0';
    return 0;
}

int
minisign_parse_public(const char *text, struct minisign_key *key, const char **reason)
{
    uint8_t blob[PUBLIC_BLOB_LEN + 4];
    char line[128];
    size_t bin_len = 0;

    if (nth_line(text, strncmp(text, "untrusted comment:", 18) == 0 ? 1 : 0, line, sizeof(line)) !=
            0 ||
        sodium_base642bin(blob, sizeof(blob), line, strlen(line), NULL, &bin_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        bin_len != PUBLIC_BLOB_LEN || memcmp(blob, "Ed", 2) != 0) {
        *reason = "not a minisign Ed25519 public key";
        return -1;
    }
    memset(key, 0, sizeof(*key));
    memcpy(key->keyid, blob + 2, 8);
    memcpy(key->pk, blob + 10, 32);
    return 0;
}

int
minisign_sign(const struct minisign_key *key, const void *data, size_t len,
              const char *untrusted_comment, const char *trusted_comment, struct buf *out)
{
    uint8_t hash[crypto_generichash_BYTES_MAX], sig[2 + 8 + 64], global[64];
    size_t tlen = strlen(trusted_comment);
    uint8_t *msg;

    if (strchr(untrusted_comment, '\n') || strchr(trusted_comment, '\n'))
        return -1;
    crypto_generichash(hash, sizeof(hash), data, len, NULL, 0);
    memcpy(sig, "ED", 2);
    memcpy(sig + 2, key->keyid, 8);
    crypto_sign_detached(sig + 10, NULL, hash, sizeof(hash), key->sk);
    msg = malloc(64 + tlen);
    if (msg == NULL)
        return -1;
    memcpy(msg, sig + 10, 64);
    memcpy(msg + 64, trusted_comment, tlen);
    crypto_sign_detached(global, NULL, msg, 64 + tlen, key->sk);
    free(msg);
    buf_printf(out, "untrusted comment: %s\n", untrusted_comment);
    append_b64(out, sig, sizeof(sig));
    buf_printf(out, "\ntrusted comment: %s\n", trusted_comment);
    append_b64(out, global, sizeof(global));
    buf_puts(out, "\n");
    return buf_failed(out) ? -1 : 0;
}

int
minisign_verify(const struct minisign_key *pub, const void *data, size_t len, const char *sig_text,
                char *trusted, size_t trusted_size, const char **reason)
{
    uint8_t sig[2 + 8 + 64 + 4], global[64 + 4], hash[crypto_generichash_BYTES_MAX];
    char line[512], tline[1024];
    size_t n = 0, tlen;
    uint8_t *msg;
    bool legacy;
    int ok;

    if (strncmp(sig_text, "untrusted comment:", 18) != 0 ||
        nth_line(sig_text, 1, line, sizeof(line)) != 0 ||
        sodium_base642bin(sig, sizeof(sig), line, strlen(line), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != 74) {
        *reason = "not a minisign signature";
        return -1;
    }
    /* "ED" (minisign's default since 0.8, and ours): Ed25519 over the
     * BLAKE2b-512 of the data; "Ed" (legacy, `minisign -S -l`): over the
     * data itself.  minisign -V accepts both, and so do we. */
    legacy = memcmp(sig, "Ed", 2) == 0;
    if (!legacy && memcmp(sig, "ED", 2) != 0) {
        *reason = "not an Ed25519 minisign signature (algorithm neither ED nor Ed)";
        return -1;
    }
    if (memcmp(sig + 2, pub->keyid, 8) != 0) {
        *reason = "signed with another key (key id differs)";
        return -1;
    }
    if (legacy) {
        ok = crypto_sign_verify_detached(sig + 10, data, len, pub->pk) == 0;
    } else {
        crypto_generichash(hash, sizeof(hash), data, len, NULL, 0);
        ok = crypto_sign_verify_detached(sig + 10, hash, sizeof(hash), pub->pk) == 0;
    }
    if (!ok) {
        *reason = "the signature does not match the data";
        return -1;
    }
    if (nth_line(sig_text, 2, tline, sizeof(tline)) != 0 ||
        strncmp(tline, "trusted comment: ", 17) != 0 ||
        nth_line(sig_text, 3, line, sizeof(line)) != 0 ||
        sodium_base642bin(global, sizeof(global), line, strlen(line), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != 64) {
        *reason = "no trusted comment and global signature";
        return -1;
    }
    tlen = strlen(tline + 17);
    msg = malloc(64 + tlen);
    if (msg == NULL) {
        *reason = "out of memory";
        return -1;
    }
    memcpy(msg, sig + 10, 64);
    memcpy(msg + 64, tline + 17, tlen);
    ok = crypto_sign_verify_detached(global, msg, 64 + tlen, pub->pk) == 0;
    free(msg);
    if (!ok) {
        *reason = "the trusted comment was altered";
        return -1;
    }
    if (trusted != NULL)
        snprintf(trusted, trusted_size, "%s", tline + 17);
    return 0;
}
