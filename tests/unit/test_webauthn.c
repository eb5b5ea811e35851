/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_webauthn.c - core/webauthn.c and store/webauthn.c: registration
 * ("none" and "packed" self attestation) and assertions made here with a
 * real P-256 key (GnuTLS signs, as an authenticator would), checked by the
 * module through libfido2: a good assertion, and the refusals of a wrong
 * origin, a wrong type, another site's rpIdHash, a missing UP or UV flag, a
 * bad signature, a signature by another key, and a counter that went back;
 * in a real database: a challenge is spent once, expires, and belongs to its
 * session.
 */
#include "core/webauthn.h"
#include "store/db.h"
#include "store/users.h"
#include "store/webauthn.h"
#include "testutil.h"

#include <cbor.h>
#include <check.h>
#include <fido/param.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a)   ((int)(sizeof(a) / sizeof((a)[0])))
#define RP     "meldpunt.example"
#define ORIGIN "https://meldpunt.example"

struct authenticator {
    gnutls_privkey_t key;
    uint8_t x[32], y[32];
    uint8_t cred_id[32];
};

static uint8_t challenge[WEBAUTHN_CHALLENGE_LEN];

static void
fixed(const gnutls_datum_t *d, uint8_t out[32])
{
    const unsigned char *p = d->data;
    size_t n = d->size;

    while (n > 32 && *p == 0)
        p++, n--;
    ck_assert_uint_le(n, 32);
    memset(out, 0, 32);
    memcpy(out + (32 - n), p, n);
}

static void
authenticator_make(struct authenticator *a)
{
    gnutls_pubkey_t pub;
    gnutls_datum_t x, y;

    ck_assert_int_eq(gnutls_privkey_init(&a->key), 0);
    ck_assert_int_eq(gnutls_privkey_generate(a->key, GNUTLS_PK_ECDSA,
                                             GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                     0);
    ck_assert_int_eq(gnutls_pubkey_init(&pub), 0);
    ck_assert_int_eq(gnutls_pubkey_import_privkey(pub, a->key, 0, 0), 0);
    ck_assert_int_eq(gnutls_pubkey_export_ecc_raw2(pub, NULL, &x, &y, GNUTLS_EXPORT_FLAG_NO_LZ), 0);
    fixed(&x, a->x);
    fixed(&y, a->y);
    gnutls_free(x.data);
    gnutls_free(y.data);
    gnutls_pubkey_deinit(pub);
    randombytes_buf(a->cred_id, sizeof(a->cred_id));
}

/* A DER ECDSA signature (what WebAuthn carries) over a || b. */
static size_t
sign(const struct authenticator *a, const uint8_t *m1, size_t n1, const uint8_t *m2, size_t n2,
     uint8_t *out)
{
    uint8_t buf[2048];
    gnutls_datum_t data = {buf, (unsigned)(n1 + n2)}, sig;
    size_t n;

    memcpy(buf, m1, n1);
    memcpy(buf + n1, m2, n2);
    ck_assert_int_eq(gnutls_privkey_sign_data(a->key, GNUTLS_DIG_SHA256, 0, &data, &sig), 0);
    memcpy(out, sig.data, sig.size);
    n = sig.size;
    gnutls_free(sig.data);
    return n;
}

static size_t
client_data(const char *type, const uint8_t *chal, const char *origin, char *out, size_t size)
{
    char *c = webauthn_b64_encode(chal, WEBAUTHN_CHALLENGE_LEN);
    int n = snprintf(out, size, "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\"}", type, c,
                     origin);

    free(c);
    return (size_t)n;
}

/* authenticatorData: rpIdHash, flags, count, and with the AT flag the
 * attested credential (aaguid, id, COSE key). */
static size_t
auth_data(const struct authenticator *a, const char *rp, uint8_t flags, uint32_t count,
          uint8_t *out)
{
    size_t n = 37;

    crypto_hash_sha256(out, (const uint8_t *)rp, strlen(rp));
    out[32] = flags;
    out[33] = (uint8_t)(count >> 24);
    out[34] = (uint8_t)(count >> 16);
    out[35] = (uint8_t)(count >> 8);
    out[36] = (uint8_t)count;
    if (flags & 0x40) {
        cbor_item_t *cose = cbor_new_definite_map(5);
        unsigned char *buf = NULL;
        size_t size = 0, len;

        memset(out + n, 0, 16); /* aaguid */
        n += 16;
        out[n++] = 0;
        out[n++] = sizeof(a->cred_id);
        memcpy(out + n, a->cred_id, sizeof(a->cred_id));
        n += sizeof(a->cred_id);
        cbor_map_add(cose, (struct cbor_pair){cbor_move(cbor_build_uint8(1)),
                                              cbor_move(cbor_build_uint8(2))}); /* kty EC2 */
        cbor_map_add(cose, (struct cbor_pair){cbor_move(cbor_build_uint8(3)),
                                              cbor_move(cbor_build_negint8(6))}); /* alg -7 */
        cbor_map_add(cose, (struct cbor_pair){cbor_move(cbor_build_negint8(0)),
                                              cbor_move(cbor_build_uint8(1))}); /* P-256 */
        cbor_map_add(cose, (struct cbor_pair){cbor_move(cbor_build_negint8(1)),
                                              cbor_move(cbor_build_bytestring(a->x, 32))});
        cbor_map_add(cose, (struct cbor_pair){cbor_move(cbor_build_negint8(2)),
                                              cbor_move(cbor_build_bytestring(a->y, 32))});
        len = cbor_serialize_alloc(cose, &buf, &size);
        memcpy(out + n, buf, len);
        n += len;
        free(buf);
        cbor_decref(&cose);
    }
    return n;
}

/* An attestationObject: fmt none, or packed self attestation. */
static size_t
attestation(const struct authenticator *a, const char *fmt, const uint8_t *ad, size_t ad_len,
            const char *cd, size_t cd_len, uint8_t *out)
{
    cbor_item_t *root = cbor_new_definite_map(3), *stmt;
    unsigned char *buf = NULL;
    size_t size = 0, len;

    if (strcmp(fmt, "packed") == 0) {
        uint8_t hash[32], sig[128];
        size_t n;
        crypto_hash_sha256(hash, (const uint8_t *)cd, cd_len);
        n = sign(a, ad, ad_len, hash, 32, sig);
        stmt = cbor_new_definite_map(2);
        cbor_map_add(stmt, (struct cbor_pair){cbor_move(cbor_build_string("alg")),
                                              cbor_move(cbor_build_negint8(6))});
        cbor_map_add(stmt, (struct cbor_pair){cbor_move(cbor_build_string("sig")),
                                              cbor_move(cbor_build_bytestring(sig, n))});
    } else {
        stmt = cbor_new_definite_map(0);
    }
    cbor_map_add(root, (struct cbor_pair){cbor_move(cbor_build_string("fmt")),
                                          cbor_move(cbor_build_string(fmt))});
    cbor_map_add(root,
                 (struct cbor_pair){cbor_move(cbor_build_string("attStmt")), cbor_move(stmt)});
    cbor_map_add(root, (struct cbor_pair){cbor_move(cbor_build_string("authData")),
                                          cbor_move(cbor_build_bytestring(ad, ad_len))});
    len = cbor_serialize_alloc(root, &buf, &size);
    memcpy(out, buf, len);
    free(buf);
    cbor_decref(&root);
    return len;
}

static struct webauthn_expect
expect(const char *type)
{
    return (struct webauthn_expect){
        .type = type, .challenge = challenge, .origin = ORIGIN, .rp_id = RP};
}

/* A registered credential of a. */
static void
registered(const struct authenticator *a, struct webauthn_cred_row *c)
{
    struct webauthn_expect e = expect("webauthn.create");
    uint8_t ad[512], att[1024];
    char cd[512];
    size_t adn, cdn, attn;
    char fmt[16];
    struct mp_error err;

    cdn = client_data("webauthn.create", challenge, ORIGIN, cd, sizeof(cd));
    adn = auth_data(a, RP, 0x41, 0, ad);
    attn = attestation(a, "none", ad, adn, cd, cdn, att);
    ck_assert_int_eq(webauthn_register_check(&e, (uint8_t *)cd, cdn, att, attn, c, fmt, &err), 0);
}

static void
setup(void)
{
    randombytes_buf(challenge, sizeof(challenge));
}

START_TEST(test_register_none_and_packed)
{
    static const char *const fmts[] = {"none", "packed"};
    struct webauthn_expect e = expect("webauthn.create");
    struct authenticator a;
    struct webauthn_cred_row c;
    char fmt[16];
    uint8_t ad[512], att[1024];
    char cd[512];
    size_t adn, cdn, attn;
    struct mp_error err;

    authenticator_make(&a);
    cdn = client_data("webauthn.create", challenge, ORIGIN, cd, sizeof(cd));
    adn = auth_data(&a, RP, 0x45, 7, ad);
    attn = attestation(&a, fmts[_i], ad, adn, cd, cdn, att);
    ck_assert_msg(webauthn_register_check(&e, (uint8_t *)cd, cdn, att, attn, &c, fmt, &err) == 0,
                  "%s", err.message);
    ck_assert_int_eq(c.cose_alg, COSE_ES256);
    ck_assert_uint_eq(c.cred_id_len, sizeof(a.cred_id));
    ck_assert_mem_eq(c.cred_id, a.cred_id, sizeof(a.cred_id));
    ck_assert_uint_eq(c.sign_count, 7);
    ck_assert_str_eq(fmt, fmts[_i]);
    gnutls_privkey_deinit(a.key);
}
END_TEST

/* Registration refused: another origin, another type, another site, no
 * user presence, a packed signature by another key, a format not taken. */
START_TEST(test_register_refusals)
{
    struct webauthn_expect e = expect("webauthn.create");
    struct authenticator a, other;
    struct webauthn_cred_row c;
    char fmt[16];
    uint8_t ad[512], att[1024];
    char cd[512];
    size_t adn, cdn, attn;
    struct mp_error err;

    authenticator_make(&a);
    authenticator_make(&other);
    cdn = client_data("webauthn.create", challenge, "https://evil.example", cd, sizeof(cd));
    adn = auth_data(&a, RP, 0x41, 0, ad);
    attn = attestation(&a, "none", ad, adn, cd, cdn, att);
    ck_assert_int_eq(webauthn_register_check(&e, (uint8_t *)cd, cdn, att, attn, &c, fmt, &err), -1);
    ck_assert_str_eq(err.field, "clientDataJSON");

    cdn = client_data("webauthn.get", challenge, ORIGIN, cd, sizeof(cd));
    ck_assert_int_eq(webauthn_register_check(&e, (uint8_t *)cd, cdn, att, attn, &c, fmt, &err), -1);
    ck_assert_str_eq(err.field, "clientDataJSON");

    cdn = client_data("webauthn.create", challenge, ORIGIN, cd, sizeof(cd));
    adn = auth_data(&a, "evil.example", 0x41, 0, ad);
    attn = attestation(&a, "none", ad, adn, cd, cdn, att);
    ck_assert_int_eq(webauthn_register_check(&e, (uint8_t *)cd, cdn, att, attn, &c, fmt, &err), -1);
    ck_assert_str_eq(err.field, "authenticatorData");

    adn = auth_data(&a, RP, 0x40, 0, ad); /* no UP */
    attn = attestation(&a, "none", ad, adn, cd, cdn, att);
    ck_assert_int_eq(webauthn_register_check(&e, (uint8_t *)cd, cdn, att, attn, &c, fmt, &err), -1);
    ck_assert_str_eq(err.field, "authenticatorData");

    adn = auth_data(&a, RP, 0x41, 0, ad);
    attn = attestation(&other, "packed", ad, adn, cd, cdn, att); /* signed by another key */
    ck_assert_int_eq(webauthn_register_check(&e, (uint8_t *)cd, cdn, att, attn, &c, fmt, &err), -1);
    ck_assert_str_eq(err.field, "attestationObject");

    attn = attestation(&a, "fido-u2f", ad, adn, cd, cdn, att);
    ck_assert_int_eq(webauthn_register_check(&e, (uint8_t *)cd, cdn, att, attn, &c, fmt, &err), -1);
    ck_assert_str_eq(err.field, "attestationObject");

    ck_assert_int_eq(webauthn_register_check(&e, (uint8_t *)cd, cdn, att, 5, &c, fmt, &err), -1);
    ck_assert_str_eq(err.field, "attestationObject");
    gnutls_privkey_deinit(a.key);
    gnutls_privkey_deinit(other.key);
}
END_TEST

/* An assertion by signer over (rp, flags, count, origin, type). */
struct case_ {
    const char *name;
    const char *rp, *origin, *type;
    uint8_t flags;
    uint32_t count, stored;
    bool require_uv, other_key, flip_sig, other_challenge;
    enum webauthn_result want;
    const char *field;
};

static const struct case_ cases[] = {
    {"good", RP, ORIGIN, "webauthn.get", 0x01, 5, 4, false, false, false, false, WEBAUTHN_OK, ""},
    {"good, counters zero", RP, ORIGIN, "webauthn.get", 0x05, 0, 0, true, false, false, false,
     WEBAUTHN_OK, ""},
    {"wrong origin", RP, "https://meldpunt.example.evil", "webauthn.get", 0x01, 5, 4, false, false,
     false, false, WEBAUTHN_BAD, "clientDataJSON"},
    {"wrong type", RP, ORIGIN, "webauthn.create", 0x01, 5, 4, false, false, false, false,
     WEBAUTHN_BAD, "clientDataJSON"},
    {"another challenge", RP, ORIGIN, "webauthn.get", 0x01, 5, 4, false, false, false, true,
     WEBAUTHN_BAD, "clientDataJSON"},
    {"wrong rpIdHash", "evil.example", ORIGIN, "webauthn.get", 0x01, 5, 4, false, false, false,
     false, WEBAUTHN_BAD, "authenticatorData"},
    {"no user presence", RP, ORIGIN, "webauthn.get", 0x00, 5, 4, false, false, false, false,
     WEBAUTHN_BAD, "authenticatorData"},
    {"no user verification where required", RP, ORIGIN, "webauthn.get", 0x01, 5, 4, true, false,
     false, false, WEBAUTHN_BAD, "authenticatorData"},
    {"bad signature", RP, ORIGIN, "webauthn.get", 0x01, 5, 4, false, false, true, false,
     WEBAUTHN_BAD, "signature"},
    {"another key", RP, ORIGIN, "webauthn.get", 0x01, 5, 4, false, true, false, false, WEBAUTHN_BAD,
     "signature"},
    {"counter went back", RP, ORIGIN, "webauthn.get", 0x01, 3, 4, false, false, false, false,
     WEBAUTHN_CLONED, "authenticatorData"},
    {"counter stood still", RP, ORIGIN, "webauthn.get", 0x01, 4, 4, false, false, false, false,
     WEBAUTHN_CLONED, "authenticatorData"},
};

START_TEST(test_assertion)
{
    const struct case_ *t = &cases[_i];
    struct webauthn_expect e = expect("webauthn.get");
    struct authenticator a, other;
    struct webauthn_cred_row c;
    uint8_t ad[128], hash[32], sig[128], chal[WEBAUTHN_CHALLENGE_LEN];
    char cd[512];
    size_t adn, cdn, sn;
    uint32_t count = 0;
    struct mp_error err = {0};

    authenticator_make(&a);
    authenticator_make(&other);
    registered(&a, &c);
    memcpy(chal, challenge, sizeof(chal));
    if (t->other_challenge)
        chal[0] ^= 1;
    e.require_uv = t->require_uv;
    cdn = client_data(t->type, chal, t->origin, cd, sizeof(cd));
    adn = auth_data(&a, t->rp, t->flags, t->count, ad);
    crypto_hash_sha256(hash, (uint8_t *)cd, cdn);
    sn = sign(t->other_key ? &other : &a, ad, adn, hash, 32, sig);
    if (t->flip_sig)
        sig[sn - 3] ^= 0x10;
    ck_assert_msg(webauthn_assert_check(&e, (uint8_t *)cd, cdn, ad, adn, sig, sn, c.cose_alg, c.pk,
                                        c.pk_len, t->stored, &count, &err) == t->want,
                  "%s: %s", t->name, err.message);
    if (t->want == WEBAUTHN_OK)
        ck_assert_uint_eq(count, t->count);
    else
        ck_assert_msg(strcmp(err.field, t->field) == 0, "%s: field %s", t->name, err.field);
    gnutls_privkey_deinit(a.key);
    gnutls_privkey_deinit(other.key);
}
END_TEST

START_TEST(test_configure)
{
    struct mp_error err;

    ck_assert_int_eq(webauthn_configure("", "", "", "127.0.0.1:9090", &err), 0);
    ck_assert_str_eq(webauthn_settings()->origin, "http://localhost:9090");
    ck_assert_str_eq(webauthn_settings()->rp_id, "localhost");
    ck_assert_int_eq(webauthn_configure("", "", "https://ir.example.org/auth/cb", "", &err), 0);
    ck_assert_str_eq(webauthn_settings()->origin, "https://ir.example.org");
    ck_assert_str_eq(webauthn_settings()->rp_id, "ir.example.org");
    ck_assert_int_eq(
        webauthn_configure("example.org", "https://ir.example.org:8443/", "", "", &err), 0);
    ck_assert_str_eq(webauthn_settings()->origin, "https://ir.example.org:8443");
    ck_assert_str_eq(webauthn_settings()->rp_id, "example.org");
    ck_assert_int_eq(webauthn_configure("other.org", "https://ir.example.org", "", "", &err), -1);
    ck_assert_str_eq(err.field, "webauthn_rp_id");
    ck_assert_int_eq(webauthn_configure("le.org", "https://ir.example.org", "", "", &err), -1);
    ck_assert_int_eq(webauthn_configure("", "ftp://x", "", "", &err), -1);
    ck_assert_str_eq(err.field, "webauthn_origin");
    ck_assert_int_eq(webauthn_configure("", "https://x.org/path", "", "", &err), -1);
}
END_TEST

/* ---- store ---- */

static char tmpdir[PATH_MAX];
static sqlite3 *conn;
static int64_t uid;

static void
setup_db(void)
{
    struct user_row u = {.name = "alice",
                         .role = "manager",
                         .password_hash = "x",
                         .created_at = "2026-11-30T00:00:00Z",
                         .created_by = "cli:t"};
    struct mp_error err;

    tu_db_setup(tmpdir, NULL, &conn);
    ck_assert_int_eq(store_user_insert(conn, &u, &err), 0);
    uid = sqlite3_last_insert_rowid(conn);
}

static void
teardown_db(void)
{
    db_release(conn);
    tu_db_teardown(tmpdir, &conn);
}

/* A challenge answers once, only before it expires, only in its session
 * and for its purpose. */
START_TEST(test_store_challenge_once)
{
    uint8_t c1[32], c2[32];
    int64_t user = 0;
    struct mp_error err;

    randombytes_buf(c1, sizeof(c1));
    randombytes_buf(c2, sizeof(c2));
    ck_assert_int_eq(store_webauthn_challenge_put(conn, c1, "verify", 7, uid, 1000, &err), 0);
    ck_assert_int_eq(store_webauthn_challenge_take(conn, c1, "register", 7, 900, &user, &err), 0);
    ck_assert_int_eq(store_webauthn_challenge_take(conn, c1, "verify", 8, 900, &user, &err), 0);
    ck_assert_int_eq(store_webauthn_challenge_take(conn, c1, "verify", 7, 900, &user, &err), 1);
    ck_assert_int_eq(user, uid);
    /* replayed */
    ck_assert_int_eq(store_webauthn_challenge_take(conn, c1, "verify", 7, 900, &user, &err), 0);
    /* expired */
    ck_assert_int_eq(store_webauthn_challenge_put(conn, c2, "sign-in", 0, 0, 1000, &err), 0);
    ck_assert_int_eq(store_webauthn_challenge_take(conn, c2, "sign-in", 0, 1000, &user, &err), 0);
}
END_TEST

/* A credential stored, found by its id, its counter moved only forward
 * from what was read, renamed and removed only by its user. */
START_TEST(test_store_credential)
{
    struct authenticator a;
    struct webauthn_cred_row c;
    struct webauthn_cred_row row, *rows = NULL;
    struct mp_error err;
    int n = 0;

    authenticator_make(&a);
    registered(&a, &c);
    c.user_id = uid;
    snprintf(c.transports, sizeof(c.transports), "[\"internal\"]");
    snprintf(c.name, sizeof(c.name), "Laptop");
    ck_assert_int_eq(store_webauthn_cred_insert(conn, &c, "2026-11-30T00:00:00Z", &err), 0);
    ck_assert_int_eq(store_webauthn_cred_find(conn, c.cred_id, c.cred_id_len, &row, &err), 1);
    ck_assert_int_eq(row.user_id, uid);
    ck_assert_str_eq(row.name, "Laptop");
    ck_assert_uint_eq(row.pk_len, c.pk_len);
    ck_assert_int_eq(store_webauthn_cred_used(conn, row.id, 0, 5, "2026-11-30T00:00:01Z", &err), 1);
    ck_assert_int_eq(store_webauthn_cred_used(conn, row.id, 0, 6, "2026-11-30T00:00:02Z", &err), 0);
    ck_assert_int_eq(store_webauthn_cred_rename(conn, uid + 1, row.id, "x", &err), 0);
    ck_assert_int_eq(store_webauthn_cred_rename(conn, uid, row.id, "Phone", &err), 1);
    ck_assert_int_eq(store_webauthn_cred_list(conn, uid, &rows, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(rows[0].name, "Phone");
    ck_assert_uint_eq(rows[0].sign_count, 5);
    free(rows);
    ck_assert_int_eq(store_webauthn_cred_delete(conn, uid + 1, row.id, &err), 0);
    ck_assert_int_eq(store_webauthn_cred_delete(conn, uid, row.id, &err), 1);
    ck_assert_int_eq(store_webauthn_cred_find(conn, c.cred_id, c.cred_id_len, &row, &err), 0);
    gnutls_privkey_deinit(a.key);
}
END_TEST

static Suite *
webauthn_suite(void)
{
    Suite *s = suite_create("webauthn");
    TCase *tc = tcase_create("checks");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_loop_test(tc, test_register_none_and_packed, 0, 2);
    tcase_add_test(tc, test_register_refusals);
    tcase_add_loop_test(tc, test_assertion, 0, N(cases));
    tcase_add_test(tc, test_configure);
    suite_add_tcase(s, tc);
    tc = tcase_create("store");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_add_test(tc, test_store_challenge_once);
    tcase_add_test(tc, test_store_credential);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    if (sodium_init() < 0)
        return 2;
    return tu_run(webauthn_suite());
}
