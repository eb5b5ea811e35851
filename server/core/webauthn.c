/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * webauthn.c - see webauthn.h.
 *
 * This file: the settings and the checks of what the browser sends, with no
 * storage (tests/unit/test_webauthn.c); webauthn_account.c: challenges,
 * credentials and the sign-in.  The byte layout of authenticatorData
 * (WebAuthn section 6.1: rpIdHash 32, flags 1, signCount 4, then the
 * attested credential data) is read here; the COSE key, the attestation
 * statement and every signature are libfido2's.
 */
#include "webauthn.h"

#include <cbor.h>
#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLAG_UP  0x01
#define FLAG_UV  0x04
#define FLAG_AT  0x40
#define AUTH_MIN 37 /* rpIdHash, flags, signCount */

static struct webauthn_settings settings = {.rp_id = "localhost",
                                            .origin = "http://localhost:8080"};

const struct webauthn_settings *
webauthn_settings(void)
{
    return &settings;
}

/* The host of an origin ("https://h:1/x" -> "h"); false when none. */
static bool
origin_host(const char *origin, char *host, size_t size)
{
    const char *s = strstr(origin, "://");
    size_t n;

    if (s == NULL)
        return false;
    s += 3;
    n = strcspn(s, ":/");
    if (n == 0 || n >= size || s[0] == '[')
        return false;
    memcpy(host, s, n);
    host[n] = '\0';
    return true;
}

/* An origin is scheme://host[:port] with nothing after. */
static bool
origin_valid(const char *o)
{
    const char *rest;
    char host[256];

    if (strncmp(o, "https://", 8) != 0 && strncmp(o, "http://", 7) != 0)
        return false;
    if (!origin_host(o, host, sizeof(host)))
        return false;
    rest = strstr(o, "://") + 3 + strlen(host);
    if (*rest == ':')
        rest += 1 + strspn(rest + 1, "0123456789");
    return *rest == '\0';
}

/* "https://h:1/cb" -> "https://h:1". */
static void
origin_of(const char *url, char *out, size_t size)
{
    const char *s = strstr(url, "://");
    size_t n = s == NULL ? 0 : (size_t)(s + 3 - url) + strcspn(s + 3, "/?#");

    snprintf(out, size, "%.*s", (int)n, url);
}

int
webauthn_configure(const char *rp_id, const char *origin, const char *redirect_uri,
                   const char *listen, struct mp_error *err)
{
    struct webauthn_settings s;
    char host[256];
    const char *port;
    size_t n;

    memset(&s, 0, sizeof(s));
    if (origin != NULL && origin[0] != '\0') {
        snprintf(s.origin, sizeof(s.origin), "%s", origin);
    } else if (redirect_uri != NULL && redirect_uri[0] != '\0') {
        origin_of(redirect_uri, s.origin, sizeof(s.origin));
    } else {
        port = listen == NULL ? NULL : strrchr(listen, ':');
        snprintf(s.origin, sizeof(s.origin), "http://localhost%s", port == NULL ? "" : port);
    }
    n = strlen(s.origin);
    if (n > 0 && s.origin[n - 1] == '/')
        s.origin[n - 1] = '\0';
    if (!origin_valid(s.origin))
        return mp_error_set(err, 500, "webauthn_origin",
                            "[auth] webauthn_origin must be an origin such as "
                            "https://incidents.example.org");
    if (rp_id != NULL && rp_id[0] != '\0') {
        snprintf(s.rp_id, sizeof(s.rp_id), "%s", rp_id);
    } else {
        (void)origin_host(s.origin, host, sizeof(host));
        snprintf(s.rp_id, sizeof(s.rp_id), "%s", host);
    }
    /* the RP ID is the origin's host or a domain it belongs to */
    (void)origin_host(s.origin, host, sizeof(host));
    n = strlen(s.rp_id);
    if (n == 0 || strlen(host) < n || strcmp(host + strlen(host) - n, s.rp_id) != 0 ||
        (strlen(host) > n && host[strlen(host) - n - 1] != '.'))
        return mp_error_set(err, 500, "webauthn_rp_id",
                            "[auth] webauthn_rp_id must be the host of webauthn_origin or a "
                            "domain it is in");
    settings = s;
    return 0;
}

/* ---- encodings ---- */

int
webauthn_b64_decode(const char *s, uint8_t *out, size_t max, size_t *len)
{
    if (s == NULL || s[0] == '\0')
        return -1;
    return sodium_base642bin(out, max, s, strlen(s), NULL, len, NULL,
                             sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

char *
webauthn_b64_encode(const uint8_t *in, size_t len)
{
    size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(n);

    if (out != NULL)
        sodium_bin2base64(out, n, in, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* ---- clientDataJSON (WebAuthn 5.8.1) ---- */

int
webauthn_client_challenge(const uint8_t *client_data, size_t len,
                          uint8_t out[WEBAUTHN_CHALLENGE_LEN])
{
    uint8_t buf[WEBAUTHN_CHALLENGE_LEN + 8];
    json_t *j = json_loadb((const char *)client_data, len, 0, NULL);
    const char *c = json_string_value(json_object_get(j, "challenge"));
    size_t n = 0;
    int rc = -1;

    if (c != NULL && webauthn_b64_decode(c, buf, sizeof(buf), &n) == 0 &&
        n == WEBAUTHN_CHALLENGE_LEN) {
        memcpy(out, buf, n);
        rc = 0;
    }
    json_decref(j);
    return rc;
}

static int
client_data_check(const struct webauthn_expect *e, const uint8_t *data, size_t len,
                  uint8_t hash[crypto_hash_sha256_BYTES], struct mp_error *err)
{
    uint8_t challenge[WEBAUTHN_CHALLENGE_LEN + 8];
    const char *type, *chal, *origin;
    json_t *j = json_loadb((const char *)data, len, 0, NULL);
    size_t n = 0;
    int rc = -1;

    if (!json_is_object(j)) {
        mp_error_set(err, 422, "clientDataJSON", "is not a JSON object");
        goto out;
    }
    type = json_string_value(json_object_get(j, "type"));
    chal = json_string_value(json_object_get(j, "challenge"));
    origin = json_string_value(json_object_get(j, "origin"));
    if (type == NULL || strcmp(type, e->type) != 0) {
        mp_error_set(err, 422, "clientDataJSON", "type must be %s", e->type);
    } else if (chal == NULL || webauthn_b64_decode(chal, challenge, sizeof(challenge), &n) != 0 ||
               n != WEBAUTHN_CHALLENGE_LEN ||
               sodium_memcmp(challenge, e->challenge, WEBAUTHN_CHALLENGE_LEN) != 0) {
        mp_error_set(err, 422, "clientDataJSON", "answers another challenge");
    } else if (origin == NULL || strcmp(origin, e->origin) != 0) {
        mp_error_set(err, 422, "clientDataJSON", "comes from another origin than %s", e->origin);
    } else if (json_is_true(json_object_get(j, "crossOrigin"))) {
        mp_error_set(err, 422, "clientDataJSON", "comes from a frame of another origin");
    } else {
        crypto_hash_sha256(hash, data, len);
        rc = 0;
    }
out:
    json_decref(j);
    return rc;
}

/* rpIdHash and the flags of authenticatorData. */
static int
auth_data_check(const struct webauthn_expect *e, const uint8_t *ad, size_t len, uint8_t need,
                struct mp_error *err)
{
    uint8_t rp_hash[crypto_hash_sha256_BYTES];

    if (len < AUTH_MIN)
        return mp_error_set(err, 422, "authenticatorData", "is too short");
    crypto_hash_sha256(rp_hash, (const uint8_t *)e->rp_id, strlen(e->rp_id));
    if (sodium_memcmp(rp_hash, ad, sizeof(rp_hash)) != 0)
        return mp_error_set(err, 422, "authenticatorData", "was made for another site than %s",
                            e->rp_id);
    if ((ad[32] & FLAG_UP) == 0)
        return mp_error_set(err, 422, "authenticatorData",
                            "the authenticator did not see the user present");
    if (e->require_uv && (ad[32] & FLAG_UV) == 0)
        return mp_error_set(err, 422, "authenticatorData",
                            "the authenticator did not verify the user (PIN or biometrics)");
    if ((ad[32] & need) != need)
        return mp_error_set(err, 422, "authenticatorData", "holds no credential");
    return 0;
}

static uint32_t
auth_count(const uint8_t *ad)
{
    return (uint32_t)ad[33] << 24 | (uint32_t)ad[34] << 16 | (uint32_t)ad[35] << 8 | ad[36];
}

/* ---- registration ---- */

struct attestation {
    char fmt[16];
    cbor_item_t *stmt; /* borrowed from the root */
    const uint8_t *auth;
    size_t auth_len;
    bool x5c;
};

/* The three members of an attestationObject (WebAuthn 6.5). */
static int
attestation_read(cbor_item_t *root, struct attestation *a, struct mp_error *err)
{
    struct cbor_pair *pairs;
    size_t n;

    memset(a, 0, sizeof(*a));
    if (root == NULL || !cbor_isa_map(root))
        return mp_error_set(err, 422, "attestationObject", "is not a CBOR map");
    pairs = cbor_map_handle(root);
    n = cbor_map_size(root);
    for (size_t i = 0; i < n; i++) {
        cbor_item_t *k = pairs[i].key, *v = pairs[i].value;
        size_t kl;
        if (!cbor_isa_string(k) || !cbor_string_is_definite(k))
            continue;
        kl = cbor_string_length(k);
        if (kl == 3 && memcmp(cbor_string_handle(k), "fmt", 3) == 0 && cbor_isa_string(v) &&
            cbor_string_is_definite(v) && cbor_string_length(v) < sizeof(a->fmt)) {
            memcpy(a->fmt, cbor_string_handle(v), cbor_string_length(v));
        } else if (kl == 7 && memcmp(cbor_string_handle(k), "attStmt", 7) == 0 && cbor_isa_map(v)) {
            a->stmt = v;
        } else if (kl == 8 && memcmp(cbor_string_handle(k), "authData", 8) == 0 &&
                   cbor_isa_bytestring(v) && cbor_bytestring_is_definite(v)) {
            a->auth = cbor_bytestring_handle(v);
            a->auth_len = cbor_bytestring_length(v);
        }
    }
    if (a->auth == NULL || a->stmt == NULL)
        return mp_error_set(err, 422, "attestationObject", "lacks authData or attStmt");
    if (strcmp(a->fmt, "none") != 0 && strcmp(a->fmt, "packed") != 0)
        return mp_error_set(err, 422, "attestationObject",
                            "attestation format %s is not taken (none or packed)",
                            a->fmt[0] ? a->fmt : "(none given)");
    pairs = cbor_map_handle(a->stmt);
    for (size_t i = 0; i < cbor_map_size(a->stmt); i++) {
        cbor_item_t *k = pairs[i].key;
        if (cbor_isa_string(k) && cbor_string_is_definite(k) && cbor_string_length(k) == 3 &&
            memcmp(cbor_string_handle(k), "x5c", 3) == 0)
            a->x5c = true;
    }
    return 0;
}

/* A packed statement's signature, by libfido2 (self attestation: the new
 * key; x5c: the certificate's, not chained). */
static int
packed_verify(fido_cred_t *c, const struct attestation *a, struct mp_error *err)
{
    unsigned char *stmt = NULL;
    size_t size = 0, len;
    int rc;

    len = cbor_serialize_alloc(a->stmt, &stmt, &size);
    if (len == 0)
        return mp_error_set(err, 422, "attestationObject", "attStmt does not encode");
    rc = fido_cred_set_attstmt(c, stmt, len);
    free(stmt);
    if (rc == FIDO_OK)
        rc = a->x5c ? fido_cred_verify(c) : fido_cred_verify_self(c);
    if (rc != FIDO_OK)
        return mp_error_set(err, 422, "attestationObject",
                            "the attestation signature does not verify (%s)", fido_strerr(rc));
    return 0;
}

/* The COSE algorithm (key 3) of the attested credential's key, which
 * libfido2 must be told before it reads authData; 0 when none. */
static int
attested_alg(const uint8_t *ad, size_t len)
{
    struct cbor_load_result res;
    cbor_item_t *key;
    size_t off = AUTH_MIN + 16, idlen;
    int alg = 0;

    if (len < off + 2)
        return 0;
    idlen = (size_t)ad[off] << 8 | ad[off + 1];
    off += 2 + idlen;
    if (len <= off)
        return 0;
    key = cbor_load(ad + off, len - off, &res);
    if (key == NULL)
        return 0;
    if (cbor_isa_map(key)) {
        struct cbor_pair *pairs = cbor_map_handle(key);
        for (size_t i = 0; i < cbor_map_size(key); i++) {
            if (cbor_isa_uint(pairs[i].key) && cbor_get_int(pairs[i].key) == 3 &&
                cbor_isa_negint(pairs[i].value) && cbor_get_int(pairs[i].value) < 65536)
                alg = -1 - (int)cbor_get_int(pairs[i].value);
        }
    }
    cbor_decref(&key);
    return alg;
}

static int
credential_read(fido_cred_t *c, const struct webauthn_expect *e, const uint8_t hash[32],
                const struct attestation *a, struct webauthn_cred_row *out, struct mp_error *err)
{
    int alg = attested_alg(a->auth, a->auth_len), rc;

    if (alg != COSE_ES256 && alg != COSE_RS256 && alg != COSE_EDDSA)
        return mp_error_set(err, 422, "attestationObject",
                            "the key's algorithm %d is not taken (ES256, RS256 or EdDSA)", alg);
    rc = fido_cred_set_type(c, alg);
    if (rc == FIDO_OK)
        rc = fido_cred_set_authdata_raw(c, a->auth, a->auth_len);
    if (rc == FIDO_OK)
        rc = fido_cred_set_clientdata_hash(c, hash, crypto_hash_sha256_BYTES);
    if (rc == FIDO_OK)
        rc = fido_cred_set_rp(c, e->rp_id, NULL);
    if (rc == FIDO_OK)
        rc = fido_cred_set_fmt(c, a->fmt);
    if (rc != FIDO_OK)
        return mp_error_set(err, 422, "attestationObject", "authData does not read (%s)",
                            fido_strerr(rc));
    if (fido_cred_id_len(c) < 16 || fido_cred_id_len(c) > sizeof(out->cred_id) ||
        fido_cred_pubkey_len(c) < 32 || fido_cred_pubkey_len(c) > sizeof(out->pk))
        return mp_error_set(err, 422, "attestationObject", "holds no usable credential");
    if (strcmp(a->fmt, "packed") == 0 && packed_verify(c, a, err) != 0)
        return -1;
    out->cred_id_len = fido_cred_id_len(c);
    memcpy(out->cred_id, fido_cred_id_ptr(c), out->cred_id_len);
    out->pk_len = fido_cred_pubkey_len(c);
    memcpy(out->pk, fido_cred_pubkey_ptr(c), out->pk_len);
    out->cose_alg = fido_cred_type(c);
    out->sign_count = fido_cred_sigcount(c);
    return 0;
}

int
webauthn_register_check(const struct webauthn_expect *e, const uint8_t *client_data,
                        size_t client_len, const uint8_t *att, size_t att_len,
                        struct webauthn_cred_row *out, char fmt[16], struct mp_error *err)
{
    uint8_t hash[crypto_hash_sha256_BYTES];
    struct cbor_load_result res;
    struct attestation a;
    cbor_item_t *root = NULL;
    fido_cred_t *c = NULL;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (client_data_check(e, client_data, client_len, hash, err) != 0)
        return -1;
    root = cbor_load(att, att_len, &res);
    if (root == NULL || res.error.code != CBOR_ERR_NONE || res.read != att_len) {
        mp_error_set(err, 422, "attestationObject", "is not CBOR");
        goto out;
    }
    if (attestation_read(root, &a, err) != 0 ||
        auth_data_check(e, a.auth, a.auth_len, FLAG_AT, err) != 0)
        goto out;
    c = fido_cred_new();
    if (c == NULL) {
        mp_error_set(err, 500, "", "out of memory");
        goto out;
    }
    rc = credential_read(c, e, hash, &a, out, err);
    snprintf(fmt, 16, "%s", a.fmt);
out:
    fido_cred_free(&c);
    if (root != NULL)
        cbor_decref(&root);
    return rc;
}

/* ---- assertion ---- */

/* fido_assert_verify() with the key of the right type. */
static int
signature_verify(const fido_assert_t *as, int alg, const uint8_t *pk, size_t pk_len)
{
    int rc = FIDO_ERR_INVALID_ARGUMENT;

    if (alg == COSE_ES256) {
        es256_pk_t *k = es256_pk_new();
        if (k != NULL && es256_pk_from_ptr(k, pk, pk_len) == FIDO_OK)
            rc = fido_assert_verify(as, 0, alg, k);
        es256_pk_free(&k);
    } else if (alg == COSE_RS256) {
        rs256_pk_t *k = rs256_pk_new();
        if (k != NULL && rs256_pk_from_ptr(k, pk, pk_len) == FIDO_OK)
            rc = fido_assert_verify(as, 0, alg, k);
        rs256_pk_free(&k);
    } else if (alg == COSE_EDDSA) {
        eddsa_pk_t *k = eddsa_pk_new();
        if (k != NULL && eddsa_pk_from_ptr(k, pk, pk_len) == FIDO_OK)
            rc = fido_assert_verify(as, 0, alg, k);
        eddsa_pk_free(&k);
    }
    return rc;
}

enum webauthn_result
webauthn_assert_check(const struct webauthn_expect *e, const uint8_t *client_data,
                      size_t client_len, const uint8_t *auth_data, size_t auth_len,
                      const uint8_t *sig, size_t sig_len, int cose_alg, const uint8_t *pk,
                      size_t pk_len, uint32_t stored_count, uint32_t *new_count,
                      struct mp_error *err)
{
    uint8_t hash[crypto_hash_sha256_BYTES];
    fido_assert_t *as;
    int rc;

    if (client_data_check(e, client_data, client_len, hash, err) != 0 ||
        auth_data_check(e, auth_data, auth_len, 0, err) != 0)
        return WEBAUTHN_BAD;
    if (sig_len == 0)
        return mp_error_set(err, 422, "signature", "is missing"), WEBAUTHN_BAD;
    as = fido_assert_new();
    if (as == NULL)
        return mp_error_set(err, 500, "", "out of memory"), WEBAUTHN_BAD;
    rc = fido_assert_set_count(as, 1);
    if (rc == FIDO_OK)
        rc = fido_assert_set_rp(as, e->rp_id);
    if (rc == FIDO_OK)
        rc = fido_assert_set_clientdata_hash(as, hash, sizeof(hash));
    if (rc == FIDO_OK)
        rc = fido_assert_set_authdata_raw(as, 0, auth_data, auth_len);
    if (rc == FIDO_OK)
        rc = fido_assert_set_sig(as, 0, sig, sig_len);
    if (rc == FIDO_OK)
        rc = fido_assert_set_up(as, FIDO_OPT_TRUE);
    if (rc == FIDO_OK)
        rc = fido_assert_set_uv(as, e->require_uv ? FIDO_OPT_TRUE : FIDO_OPT_OMIT);
    if (rc == FIDO_OK)
        rc = signature_verify(as, cose_alg, pk, pk_len);
    fido_assert_free(&as);
    if (rc != FIDO_OK)
        return mp_error_set(err, 422, "signature", "does not verify with this passkey"),
               WEBAUTHN_BAD;
    *new_count = auth_count(auth_data);
    if ((*new_count != 0 || stored_count != 0) && *new_count <= stored_count)
        return mp_error_set(err, 422, "authenticatorData",
                            "the signature counter went back (%u after %u): the passkey may "
                            "have been copied",
                            *new_count, stored_count),
               WEBAUTHN_CLONED;
    return WEBAUTHN_OK;
}
