/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_oidc.c - the ID token's checks (lib/jws.c, core/oidc.c) with keys
 * generated here by GnuTLS: RS256 and ES256 tokens verify; a changed
 * payload, another key, "none", HS256 with the public key as the secret,
 * an RSA key under ES256, a short RSA key are refused; iss, aud, azp, exp,
 * iat, nbf and nonce are each checked; the groups map to the highest role
 * and TLP limit, and the disabled group is seen.
 */
#define _GNU_SOURCE /* asprintf */
#include "core/oidc.h"
#include "lib/jws.h"
#include "testutil.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <sodium.h>

#define ISS    "https://idp.example"
#define CLIENT "meldpunt"
#define NONCE  "n0nce-of-this-sign-in"
#define NOW    1800000000

struct key {
    gnutls_privkey_t priv;
    json_t *jwk;
    bool ec;
};

static char *
b64url(const unsigned char *p, size_t n)
{
    size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(cap);

    sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* d as exactly size bytes (left-padded with zeros), base64url. */
static json_t *
b64_fixed(const gnutls_datum_t *d, size_t size)
{
    unsigned char buf[512] = {0};
    const unsigned char *p = d->data;
    size_t n = d->size;
    char *s;
    json_t *j;

    while (n > size && *p == 0)
        p++, n--;
    ck_assert_uint_le(n, size);
    memcpy(buf + (size - n), p, n);
    s = b64url(buf, size);
    j = json_string(s);
    free(s);
    return j;
}

static void
key_make(struct key *k, bool ec, unsigned bits, const char *kid)
{
    gnutls_pubkey_t pub;
    gnutls_datum_t a, b;

    memset(k, 0, sizeof(*k));
    k->ec = ec;
    ck_assert_int_eq(gnutls_privkey_init(&k->priv), 0);
    ck_assert_int_eq(
        gnutls_privkey_generate(k->priv, ec ? GNUTLS_PK_ECDSA : GNUTLS_PK_RSA,
                                ec ? GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1) : bits, 0),
        0);
    ck_assert_int_eq(gnutls_pubkey_init(&pub), 0);
    ck_assert_int_eq(gnutls_pubkey_import_privkey(pub, k->priv, 0, 0), 0);
    if (ec) {
        ck_assert_int_eq(gnutls_pubkey_export_ecc_raw2(pub, NULL, &a, &b, GNUTLS_EXPORT_FLAG_NO_LZ),
                         0);
        k->jwk = json_pack("{s:s, s:s, s:o, s:o, s:s, s:s}", "kty", "EC", "crv", "P-256", "x",
                           b64_fixed(&a, 32), "y", b64_fixed(&b, 32), "kid", kid, "use", "sig");
    } else {
        ck_assert_int_eq(gnutls_pubkey_export_rsa_raw2(pub, &a, &b, GNUTLS_EXPORT_FLAG_NO_LZ), 0);
        k->jwk = json_pack("{s:s, s:o, s:o, s:s, s:s}", "kty", "RSA", "n", b64_fixed(&a, a.size),
                           "e", b64_fixed(&b, b.size), "kid", kid, "alg", "RS256");
    }
    gnutls_free(a.data);
    gnutls_free(b.data);
    gnutls_pubkey_deinit(pub);
}

static void
key_free(struct key *k)
{
    gnutls_privkey_deinit(k->priv);
    json_decref(k->jwk);
}

/* A compact JWS of claims with header, signed by k (ES256 as raw r||s). */
static char *
sign_token(const struct key *k, json_t *header, json_t *claims)
{
    char *hj = json_dumps(header, JSON_COMPACT), *cj = json_dumps(claims, JSON_COMPACT);
    char *h = b64url((unsigned char *)hj, strlen(hj)), *c = b64url((unsigned char *)cj, strlen(cj));
    char *input = NULL, *sig64, *out = NULL;
    gnutls_datum_t data, sig;

    ck_assert_int_gt(asprintf(&input, "%s.%s", h, c), 0);
    data.data = (unsigned char *)input;
    data.size = (unsigned)strlen(input);
    ck_assert_int_eq(gnutls_privkey_sign_data(k->priv, GNUTLS_DIG_SHA256, 0, &data, &sig), 0);
    if (k->ec) {
        gnutls_datum_t r, s;
        unsigned char raw[64] = {0};
        ck_assert_int_eq(gnutls_decode_rs_value(&sig, &r, &s), 0);
        json_t *jr = b64_fixed(&r, 32), *js = b64_fixed(&s, 32);
        size_t n;
        ck_assert_int_eq(sodium_base642bin(raw, 32, json_string_value(jr), 43, NULL, &n, NULL,
                                           sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                         0);
        ck_assert_int_eq(sodium_base642bin(raw + 32, 32, json_string_value(js), 43, NULL, &n, NULL,
                                           sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                         0);
        sig64 = b64url(raw, 64);
        json_decref(jr);
        json_decref(js);
        gnutls_free(r.data);
        gnutls_free(s.data);
    } else {
        sig64 = b64url(sig.data, sig.size);
    }
    ck_assert_int_gt(asprintf(&out, "%s.%s", input, sig64), 0);
    gnutls_free(sig.data);
    free(hj), free(cj), free(h), free(c), free(input), free(sig64);
    json_decref(header);
    json_decref(claims);
    return out;
}

static json_t *
good_claims(void)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:[s,s]}", "iss", ISS, "sub", "u-1",
                     "aud", CLIENT, "exp", (json_int_t)NOW + 300, "iat", (json_int_t)NOW, "nonce",
                     NONCE, "preferred_username", "olga", "groups", "soc", "ciso");
}

static json_t *
jwks_of(const struct key *a, const struct key *b)
{
    json_t *keys = json_array();

    json_array_append(keys, a->jwk);
    if (b)
        json_array_append(keys, b->jwk);
    return json_pack("{s:o}", "keys", keys);
}

static struct key rsa, ec, other;

static void
keys_setup(void)
{
    key_make(&rsa, false, 2048, "r1");
    key_make(&ec, true, 0, "e1");
    key_make(&other, false, 2048, "r1"); /* same kid, another key */
}

static void
keys_teardown(void)
{
    key_free(&rsa);
    key_free(&ec);
    key_free(&other);
}

static enum jws_result
verify(const char *token, json_t *jwks)
{
    json_t *claims = NULL;
    char why[160];
    enum jws_result r = jws_verify(token, jwks, &claims, NULL, why, sizeof(why));

    ck_assert(r == JWS_OK ? claims != NULL : claims == NULL);
    json_decref(claims);
    return r;
}

START_TEST(test_rs256_and_es256_verify)
{
    json_t *set = jwks_of(&rsa, &ec);
    char *t1 =
        sign_token(&rsa, json_pack("{s:s, s:s}", "alg", "RS256", "kid", "r1"), good_claims());
    char *t2 = sign_token(&ec, json_pack("{s:s, s:s}", "alg", "ES256", "kid", "e1"), good_claims());

    ck_assert_int_eq(verify(t1, set), JWS_OK);
    ck_assert_int_eq(verify(t2, set), JWS_OK);
    free(t1), free(t2);
    json_decref(set);
}
END_TEST

START_TEST(test_tampered_and_wrong_key_refused)
{
    json_t *set = jwks_of(&rsa, &ec), *other_set = jwks_of(&other, NULL);
    char *t = sign_token(&rsa, json_pack("{s:s, s:s}", "alg", "RS256", "kid", "r1"), good_claims());
    char *dot = strchr(t, '.') + 1;

    ck_assert_int_eq(verify(t, other_set), JWS_BAD_SIGNATURE);
    dot[2] = dot[2] == 'A' ? 'B' : 'A'; /* one character of the payload */
    ck_assert_int_ne(verify(t, set), JWS_OK);
    free(t);
    /* an ES256 signature with a kid the set lacks */
    t = sign_token(&ec, json_pack("{s:s, s:s}", "alg", "ES256", "kid", "e9"), good_claims());
    ck_assert_int_eq(verify(t, set), JWS_NO_KEY);
    free(t);
    /* ES256 named in the header but the kid is an RSA key: no such key */
    t = sign_token(&rsa, json_pack("{s:s, s:s}", "alg", "ES256", "kid", "r1"), good_claims());
    ck_assert_int_eq(verify(t, set), JWS_NO_KEY);
    free(t);
    json_decref(set);
    json_decref(other_set);
}
END_TEST

/* "none" and HS256 keyed with the public key: refused before any key. */
START_TEST(test_none_and_hs256_refused)
{
    json_t *set = jwks_of(&rsa, NULL);
    const char *n64 = json_string_value(json_object_get(rsa.jwk, "n"));
    json_t *gc = good_claims();
    char *hj = "{\"alg\":\"HS256\",\"kid\":\"r1\"}", *cj = json_dumps(gc, JSON_COMPACT);
    char *h = b64url((unsigned char *)hj, strlen(hj)), *c = b64url((unsigned char *)cj, strlen(cj));
    char *input = NULL, *tok = NULL, *mac64;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];

    ck_assert_int_gt(asprintf(&input, "%s.%s", h, c), 0);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)n64, strlen(n64));
    crypto_auth_hmacsha256_update(&st, (unsigned char *)input, strlen(input));
    crypto_auth_hmacsha256_final(&st, mac);
    mac64 = b64url(mac, sizeof(mac));
    ck_assert_int_gt(asprintf(&tok, "%s.%s", input, mac64), 0);
    ck_assert_int_eq(verify(tok, set), JWS_ALG);
    free(tok);
    free(h);
    h = b64url((const unsigned char *)"{\"alg\":\"none\"}", 14);
    ck_assert_int_gt(asprintf(&tok, "%s.%s.", h, c), 0);
    ck_assert_int_eq(verify(tok, set), JWS_MALFORMED); /* empty signature */
    free(tok);
    ck_assert_int_gt(asprintf(&tok, "%s.%s.AAAA", h, c), 0);
    ck_assert_int_eq(verify(tok, set), JWS_ALG);
    free(tok);
    free(h), free(c), free(cj), free(input), free(mac64);
    json_decref(gc);
    json_decref(set);
}
END_TEST

START_TEST(test_short_rsa_key_refused)
{
    struct key weak;
    json_t *set;
    char *t;

    key_make(&weak, false, 1024, "w1");
    set = jwks_of(&weak, NULL);
    t = sign_token(&weak, json_pack("{s:s, s:s}", "alg", "RS256", "kid", "w1"), good_claims());
    ck_assert_int_ne(verify(t, set), JWS_OK);
    free(t);
    json_decref(set);
    key_free(&weak);
}
END_TEST

/* One claim spoiled at a time: the field the refusal names. */
static const struct {
    const char *key;
    const char *json; /* the claim's new value; NULL: removed */
    const char *field;
} claim_cases[] = {
    {"iss", "\"https://evil.example\"", "iss"},
    {"aud", "\"another-client\"", "aud"},
    {"aud", "[\"meldpunt\", \"other\"]", "azp"},
    {"azp", "\"other\"", "azp"},
    {"exp", "1799999900", "exp"},
    {"exp", NULL, "exp"},
    {"iat", "1800000500", "iat"},
    {"nbf", "1800000500", "iat"},
    {"nonce", "\"another nonce\"", "nonce"},
    {"nonce", NULL, "nonce"},
    {"sub", NULL, "sub"},
    {"aud", "[\"meldpunt\"]", NULL}, /* one audience in a list: fine */
    {"exp", "1799999990", NULL},     /* expired 10 s ago: within the leeway */
    {"azp", "\"meldpunt\"", NULL},   /* azp is us */
};

START_TEST(test_claims)
{
    json_t *c = good_claims();
    struct mp_error err = {0};
    int rc;

    if (claim_cases[_i].json == NULL)
        json_object_del(c, claim_cases[_i].key);
    else
        json_object_set_new(c, claim_cases[_i].key,
                            json_loads(claim_cases[_i].json, JSON_DECODE_ANY, NULL));
    rc = oidc_check_claims(c, ISS, CLIENT, NONCE, NOW, &err);
    if (claim_cases[_i].field == NULL) {
        ck_assert_msg(rc == 0, "case %d: %s", _i, err.message);
    } else {
        ck_assert_int_eq(rc, -1);
        ck_assert_int_eq(err.status, 401);
        ck_assert_str_eq(err.field, claim_cases[_i].field);
    }
    json_decref(c);
}
END_TEST

static char secret_dir[PATH_MAX];

static void
configure(void)
{
    char path[PATH_MAX + 16];
    struct mp_error err = {0};
    FILE *f;

    tu_mkdtemp(secret_dir);
    snprintf(path, sizeof(path), "%s/secret", secret_dir);
    f = fopen(path, "w");
    fputs("s3cret\n", f);
    fclose(f);
    ck_assert_msg(oidc_configure(&(struct oidc_settings){.issuer = ISS,
                                                         .client_id = CLIENT,
                                                         .client_secret_file = "secret",
                                                         .redirect_uri = "https://m.example/cb",
                                                         .scopes = "openid profile",
                                                         .label = "IdP",
                                                         .username_claim = "preferred_username",
                                                         .name_claim = "name",
                                                         .groups_claim = "groups",
                                                         .role_map = "soc=analyst, ciso = manager",
                                                         .tlp_map = "soc=amber,ciso=red",
                                                         .disabled_group = "leavers",
                                                         .ca_file = ""},
                                 secret_dir, &err) == 0,
                  "%s", err.message);
}

START_TEST(test_verify_id_token_and_map)
{
    json_t *set = jwks_of(&ec, NULL), *claims = NULL;
    struct mp_error err = {0};
    struct oidc_identity id;
    char *t;

    configure();
    t = sign_token(&ec, json_pack("{s:s, s:s}", "alg", "ES256", "kid", "e1"), good_claims());
    ck_assert_int_eq(oidc_verify_id_token(t, set, NONCE, NOW, &claims, &err), 0);
    oidc_map_claims(claims, &id);
    ck_assert_str_eq(id.subject, "u-1");
    ck_assert_str_eq(id.name, "olga");
    ck_assert_str_eq(id.role, "manager");
    ck_assert_str_eq(id.tlp_max, "red");
    ck_assert(!id.disabled);
    json_decref(claims);
    ck_assert_int_eq(oidc_verify_id_token(t, set, "other", NOW, &claims, &err), -1);
    ck_assert_str_eq(err.field, "nonce");
    ck_assert_int_eq(oidc_verify_id_token(t, set, NONCE, NOW + 400, &claims, &err), -1);
    ck_assert_str_eq(err.field, "exp");
    free(t);
    /* an unknown kid: 1, so the caller may reload the key set once */
    t = sign_token(&rsa, json_pack("{s:s, s:s}", "alg", "RS256", "kid", "r1"), good_claims());
    ck_assert_int_eq(oidc_verify_id_token(t, set, NONCE, NOW, &claims, &err), 1);
    free(t);
    /* groups: no mapped one, and the disabled group */
    claims = json_pack("{s:s, s:s, s:[s]}", "iss", ISS, "sub", "u-2", "groups", "staff");
    oidc_map_claims(claims, &id);
    ck_assert_str_eq(id.role, "");
    ck_assert_str_eq(id.tlp_max, "clear");
    json_decref(claims);
    claims = json_pack("{s:s, s:s, s:[s,s]}", "iss", ISS, "sub", "u-3", "groups", "soc", "leavers");
    oidc_map_claims(claims, &id);
    ck_assert_str_eq(id.role, "analyst");
    ck_assert(id.disabled);
    json_decref(claims);
    json_decref(set);
    oidc_reset();
    tu_rmrf(secret_dir);
}
END_TEST

START_TEST(test_configure_refuses)
{
    struct mp_error err = {0};
    struct oidc_settings s = {.issuer = "http://idp.example",
                              .client_id = "c",
                              .client_secret_file = "/nonexistent",
                              .redirect_uri = "https://x/cb",
                              .scopes = "openid",
                              .role_map = "a=admin",
                              .tlp_map = "",
                              .label = "",
                              .username_claim = "",
                              .name_claim = "",
                              .groups_claim = "",
                              .disabled_group = "",
                              .ca_file = ""};

    ck_assert_int_eq(oidc_configure(&s, "/tmp", &err), -1);
    ck_assert_str_eq(err.field, "issuer"); /* plain http off this machine */
    s.issuer = ISS;
    s.role_map = "a=ingest";
    ck_assert_int_eq(oidc_configure(&s, "/tmp", &err), -1);
    ck_assert_str_eq(err.field, "role_map");
    s.role_map = "a=admin";
    s.tlp_map = "a=purple";
    ck_assert_int_eq(oidc_configure(&s, "/tmp", &err), -1);
    ck_assert_str_eq(err.field, "tlp_map");
    s.tlp_map = "";
    s.scopes = "profile";
    ck_assert_int_eq(oidc_configure(&s, "/tmp", &err), -1);
    ck_assert_str_eq(err.field, "scopes");
    s.scopes = "openid";
    ck_assert_int_eq(oidc_configure(&s, "/tmp", &err), -1);
    ck_assert_str_eq(err.field, "client_secret_file");
    ck_assert(!oidc_enabled());
}
END_TEST

static Suite *
oidc_suite(void)
{
    Suite *s = suite_create("oidc");
    TCase *tc = tcase_create("id_token");

    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, keys_setup, keys_teardown);
    tcase_add_test(tc, test_rs256_and_es256_verify);
    tcase_add_test(tc, test_tampered_and_wrong_key_refused);
    tcase_add_test(tc, test_none_and_hs256_refused);
    tcase_add_test(tc, test_short_rsa_key_refused);
    tcase_add_loop_test(tc, test_claims, 0, (int)(sizeof(claim_cases) / sizeof(claim_cases[0])));
    tcase_add_test(tc, test_verify_id_token_and_map);
    tcase_add_test(tc, test_configure_refuses);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    if (sodium_init() < 0 || gnutls_global_init() < 0)
        return 2;
    return tu_run(oidc_suite());
}
