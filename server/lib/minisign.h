/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * minisign.h - Ed25519 keys in the minisign file format.
 *
 * meldpunt signs what it exports so that anyone can check it with the
 * standard `minisign` tool.  Keys are therefore kept in minisign's own files:
 *   public key:  "untrusted comment: …\n" base64("Ed" || keyid[8] || pk[32])
 *   secret key:  "untrusted comment: …\n" base64("Ed" || kdf_alg[2] ||
 *                "B2" || salt[32] || opslimit[8] || memlimit[8] ||
 *                keyid[8] || sk[64] || chk[32])
 * The secret key is stored unencrypted (kdf_alg 0, as `minisign -G -W`
 * writes it); it is protected by file permissions (0600) or, under systemd,
 * by a credential.  The key id is printed as 16 upper-case hex digits of the
 * little-endian 64-bit number, as minisign prints it.
 */
#ifndef MP_MINISIGN_H
#define MP_MINISIGN_H

#include "buf.h"

#include <sodium.h>
#include <stdint.h>

struct minisign_key {
    uint8_t keyid[8];
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
};

void minisign_key_generate(struct minisign_key *key);
/* 16 hex digits + NUL. */
void minisign_keyid_hex(const uint8_t keyid[8], char out[17]);
void minisign_format_public(const struct minisign_key *key, struct buf *out);
void minisign_format_secret(const struct minisign_key *key, struct buf *out);
/* Reads a secret key file's text; returns 0 or -1 with a reason. */
int minisign_parse_secret(const char *text, struct minisign_key *key, const char **reason);
/* Reads a public key file's text (or its second line alone). */
int minisign_parse_public(const char *text, struct minisign_key *key, const char **reason);

/* Signs data in minisign's format (prehashed "ED": Ed25519 over the
 * BLAKE2b-512 of the data, plus a global signature over that signature and
 * the trusted comment), appending the four lines to out.  The comments
 * must be single lines. */
int minisign_sign(const struct minisign_key *key, const void *data, size_t len,
                  const char *untrusted_comment, const char *trusted_comment, struct buf *out);

/* Checks a signature file's text against data and a public key: 0 when
 * both signatures hold (trusted comment copied to trusted, may be NULL),
 * -1 with a reason otherwise.  Both of minisign's algorithms are accepted,
 * as minisign -V accepts them: prehashed "ED" and legacy "Ed" (Ed25519
 * over the data itself, `minisign -S -l`). */
int minisign_verify(const struct minisign_key *pub, const void *data, size_t len,
                    const char *sig_text, char *trusted, size_t trusted_size, const char **reason);

#endif
