/*
 * minisign.c - see minisign.h.
 */
#include "minisign.h"

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
        out[2 * i] = hex[keyid[7 - i] >> 4];
        out[2 * i + 1] = hex[keyid[7 - i] & 0xf];
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
    uint8_t blob[SECRET_BLOB_LEN + 8];
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
    memcpy(key->keyid, blob + 54, 8);
    memcpy(key->sk, blob + 62, 64);
    crypto_sign_ed25519_sk_to_pk(key->pk, key->sk);
    rc = 0;
out:
    sodium_memzero(blob, sizeof(blob));
    return rc;
}
