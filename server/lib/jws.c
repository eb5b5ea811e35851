/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * jws.c - see jws.h.
 *
 * The order matters: the header's algorithm is checked against the two
 * allowed before a key is chosen, and the key chosen must be of the
 * algorithm's kind (RSA for RS256, EC P-256 for ES256) and, when it names
 * one, of the same "alg" and "use" sig.  A header "crit" is refused (we
 * understand no extension).  ES256 signatures are the raw r||s of RFC 7518
 * section 3.4, turned into the DER GnuTLS verifies.
 */
#include "jws.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned char *
jws_b64url_decode(const char *s, size_t n, size_t *len)
{
    unsigned char *out = malloc(n * 3 / 4 + 2);

    if (out == NULL)
        return NULL;
    if (n == 0 || sodium_base642bin(out, n * 3 / 4 + 1, s, n, NULL, len, NULL,
                                    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        free(out);
        return NULL;
    }
    out[*len] = '\0';
    return out;
}

static json_t *
decode_json(const char *s, size_t n)
{
    size_t len;
    unsigned char *raw = jws_b64url_decode(s, n, &len);
    json_t *j;

    if (raw == NULL)
        return NULL;
    j = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
    free(raw);
    if (j != NULL && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* A member of a JWK decoded from base64url into d (gnutls_free'd by the
 * caller through free()). */
static bool
jwk_member(const json_t *jwk, const char *name, gnutls_datum_t *d)
{
    const char *v = json_string_value(json_object_get(jwk, name));
    size_t len;

    d->data = v ? jws_b64url_decode(v, strlen(v), &len) : NULL;
    d->size = d->data ? (unsigned)len : 0;
    return d->data != NULL;
}

static int
import_key(const json_t *jwk, bool ec, gnutls_pubkey_t pk)
{
    gnutls_datum_t a = {0}, b = {0};
    int rc = -1;

    if (ec) {
        if (jwk_member(jwk, "x", &a) && jwk_member(jwk, "y", &b) && a.size == 32 && b.size == 32)
            rc = gnutls_pubkey_import_ecc_raw(pk, GNUTLS_ECC_CURVE_SECP256R1, &a, &b);
    } else {
        if (jwk_member(jwk, "n", &a) && jwk_member(jwk, "e", &b))
            rc = gnutls_pubkey_import_rsa_raw(pk, &a, &b);
    }
    free(a.data);
    free(b.data);
    if (rc == 0 && !ec) {
        unsigned bits = 0;
        gnutls_pubkey_get_pk_algorithm(pk, &bits);
        if (bits < 2048)
            rc = -1;
    }
    return rc == 0 ? 0 : -1;
}

/* The key in jwks that fits alg (and kid, when the header names one). */
static const json_t *
find_key(const json_t *jwks, bool ec, const char *alg, const char *kid)
{
    const json_t *keys = json_object_get(jwks, "keys"), *k;
    size_t i;

    json_array_foreach(keys, i, k)
    {
        const char *kty = json_string_value(json_object_get(k, "kty"));
        const char *kalg = json_string_value(json_object_get(k, "alg"));
        const char *use = json_string_value(json_object_get(k, "use"));
        const char *kkid = json_string_value(json_object_get(k, "kid"));
        const char *crv = json_string_value(json_object_get(k, "crv"));

        if (kty == NULL || strcmp(kty, ec ? "EC" : "RSA") != 0)
            continue;
        if (ec && (crv == NULL || strcmp(crv, "P-256") != 0))
            continue;
        if ((kalg && strcmp(kalg, alg) != 0) || (use && strcmp(use, "sig") != 0))
            continue;
        if (kid != NULL && (kkid == NULL || strcmp(kid, kkid) != 0))
            continue;
        return k;
    }
    return NULL;
}

static enum jws_result
check_signature(const json_t *jwk, bool ec, const char *signed_part, size_t signed_len,
                const char *sig64, char *why, size_t why_len)
{
    gnutls_pubkey_t pk = NULL;
    gnutls_datum_t data = {(unsigned char *)signed_part, (unsigned)signed_len};
    gnutls_datum_t sig = {0}, der = {0};
    size_t len = 0;
    enum jws_result res = JWS_BAD_SIGNATURE;
    int rc;

    sig.data = jws_b64url_decode(sig64, strlen(sig64), &len);
    sig.size = (unsigned)len;
    if (sig.data == NULL || gnutls_pubkey_init(&pk) != 0) {
        snprintf(why, why_len, "the signature is not base64url");
        res = JWS_MALFORMED;
        goto out;
    }
    if (import_key(jwk, ec, pk) != 0) {
        snprintf(why, why_len, "the provider's key cannot be used");
        res = JWS_NO_KEY;
        goto out;
    }
    if (ec) {
        gnutls_datum_t r = {sig.data, 32}, s = {sig.data + 32, 32};
        if (sig.size != 64 || gnutls_encode_rs_value(&der, &r, &s) != 0) {
            snprintf(why, why_len, "an ES256 signature is 64 bytes");
            goto out;
        }
        rc = gnutls_pubkey_verify_data2(pk, GNUTLS_SIGN_ECDSA_SHA256, 0, &data, &der);
    } else {
        rc = gnutls_pubkey_verify_data2(pk, GNUTLS_SIGN_RSA_SHA256, 0, &data, &sig);
    }
    if (rc >= 0)
        res = JWS_OK;
    else
        snprintf(why, why_len, "the signature does not verify");
out:
    gnutls_free(der.data);
    free(sig.data);
    if (pk)
        gnutls_pubkey_deinit(pk);
    return res;
}

enum jws_result
jws_verify(const char *token, const json_t *jwks, json_t **payload, char kid[128], char *why,
           size_t why_len)
{
    const char *dot1, *dot2, *alg, *hkid;
    json_t *header = NULL, *claims = NULL;
    const json_t *jwk;
    enum jws_result res = JWS_MALFORMED;
    bool ec;

    *payload = NULL;
    if (kid)
        kid[0] = '\0';
    snprintf(why, why_len, "the token is not a signed JWT");
    if (strlen(token) > JWS_TOKEN_MAX || (dot1 = strchr(token, '.')) == NULL ||
        (dot2 = strchr(dot1 + 1, '.')) == NULL || strchr(dot2 + 1, '.') != NULL)
        return JWS_MALFORMED;
    header = decode_json(token, (size_t)(dot1 - token));
    claims = decode_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (header == NULL || claims == NULL || dot2[1] == '\0')
        goto out;
    alg = json_string_value(json_object_get(header, "alg"));
    hkid = json_string_value(json_object_get(header, "kid"));
    if (kid && hkid)
        snprintf(kid, 128, "%s", hkid);
    if (alg == NULL || (strcmp(alg, "RS256") != 0 && strcmp(alg, "ES256") != 0) ||
        json_object_get(header, "crit") != NULL) {
        snprintf(why, why_len, "the algorithm %.20s is not accepted (RS256 or ES256 only)",
                 alg ? alg : "(none)");
        res = JWS_ALG;
        goto out;
    }
    ec = strcmp(alg, "ES256") == 0;
    jwk = find_key(jwks, ec, alg, hkid);
    if (jwk == NULL) {
        snprintf(why, why_len, "no %s key with kid %.60s in the provider's key set", alg,
                 hkid ? hkid : "(none)");
        res = JWS_NO_KEY;
        goto out;
    }
    res = check_signature(jwk, ec, token, (size_t)(dot2 - token), dot2 + 1, why, why_len);
    if (res == JWS_OK) {
        *payload = claims;
        claims = NULL;
        why[0] = '\0';
    }
out:
    json_decref(header);
    json_decref(claims);
    return res;
}
