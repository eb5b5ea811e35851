/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * jws.h - a JSON Web Signature in compact form (RFC 7515) checked against a
 * JSON Web Key Set (RFC 7517), for OpenID Connect ID tokens.
 *
 * Only RS256 (RSASSA-PKCS1-v1_5 with SHA-256, keys of 2048 bits or more)
 * and ES256 (ECDSA P-256 with SHA-256) are accepted: the algorithms OpenID
 * Connect providers sign with.  "none", the HMAC algorithms (HS256 with a
 * public key as the secret is the classic forgery) and everything else are
 * refused before any key is looked at, and the key must be of the kind the
 * algorithm names.  The signatures are checked by GnuTLS; nothing here is
 * cryptography of our own, only the parsing around it.
 */
#ifndef MP_JWS_H
#define MP_JWS_H

#include <jansson.h>
#include <stddef.h>

enum jws_result {
    JWS_OK = 0,
    JWS_MALFORMED,     /* not three base64url parts of JSON */
    JWS_ALG,           /* an algorithm other than RS256 and ES256 */
    JWS_NO_KEY,        /* no key in the set for its kid and algorithm */
    JWS_BAD_SIGNATURE, /* the signature does not verify */
};

#define JWS_TOKEN_MAX 16384

/* Verifies token against jwks ({"keys": [...]}).  JWS_OK: *payload is the
 * decoded claims object (the caller decrefs).  Otherwise why says what
 * failed (no secret in it).  kid (may be NULL) receives the header's kid. */
enum jws_result jws_verify(const char *token, const json_t *jwks, json_t **payload, char kid[128],
                           char *why, size_t why_len);

/* base64url without padding, decoded into a malloc'd buffer (*len bytes,
 * NUL added); NULL when malformed. */
unsigned char *jws_b64url_decode(const char *s, size_t n, size_t *len);

#endif
