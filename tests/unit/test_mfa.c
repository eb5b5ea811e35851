/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_mfa.c - core/mfa.c and store/mfa.c: the TOTP check against the test
 * vectors of RFC 6238 (appendix B, SHA-1) through liboath, its window and
 * refusal of replayed time steps, recovery codes (their shape, what is
 * accepted as typed), the sealing of the secret, the require_mfa list, the
 * refusals a session gets, and in a real database: a time step accepted
 * once, a recovery code spent once.
 */
#include "core/mfa.h"
#include "store/db.h"
#include "store/users.h"
#include "testutil.h"

#include <check.h>
#include <liboath/oath.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* RFC 6238's SHA-1 key: the ASCII of "12345678901234567890". */
static const char RFC_KEY[] = "12345678901234567890";

/* RFC 6238 appendix B: time, the 8-digit SHA-1 code. */
static const struct {
    int64_t t;
    const char *code8;
} vectors[] = {
    {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
    {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
};

/* liboath computes the RFC's own codes (8 digits) ... */
START_TEST(test_rfc6238_vectors_liboath)
{
    char out[16];

    ck_assert_int_eq(oath_init(), OATH_OK);
    ck_assert_int_eq(oath_totp_generate2(RFC_KEY, 20, (time_t)vectors[_i].t, 30, 0, 8, 0, out),
                     OATH_OK);
    ck_assert_str_eq(out, vectors[_i].code8);
}
END_TEST

/* ... and our check accepts the 6-digit form of each (the same number
 * mod 10^6), giving its time step. */
START_TEST(test_rfc6238_vectors_check)
{
    int64_t counter = -1;
    const char *code6 = vectors[_i].code8 + 2;

    ck_assert_int_eq(
        mfa_totp_check((const uint8_t *)RFC_KEY, 20, vectors[_i].t, code6, -1, &counter),
        MFA_CODE_OK);
    ck_assert_int_eq(counter, vectors[_i].t / 30);
}
END_TEST

/* One step either side of now, not two. */
START_TEST(test_window)
{
    const uint8_t *k = (const uint8_t *)RFC_KEY;
    int64_t t = 1111111111, c = -1;
    const char *code = "050471"; /* step t/30 */

    ck_assert_int_eq(mfa_totp_check(k, 20, t + 30, code, -1, &c), MFA_CODE_OK);
    ck_assert_int_eq(c, t / 30);
    ck_assert_int_eq(mfa_totp_check(k, 20, t - 30, code, -1, &c), MFA_CODE_OK);
    ck_assert_int_eq(mfa_totp_check(k, 20, t + 90, code, -1, &c), MFA_CODE_WRONG);
    ck_assert_int_eq(mfa_totp_check(k, 20, t - 90, code, -1, &c), MFA_CODE_WRONG);
}
END_TEST

/* A step at or before the last accepted one is a replay. */
START_TEST(test_replay)
{
    const uint8_t *k = (const uint8_t *)RFC_KEY;
    int64_t t = 1234567890, step = t / 30, c = -1;

    ck_assert_int_eq(mfa_totp_check(k, 20, t, "005924", step - 1, &c), MFA_CODE_OK);
    ck_assert_int_eq(c, step);
    c = -7;
    ck_assert_int_eq(mfa_totp_check(k, 20, t, "005924", step, &c), MFA_CODE_REPLAYED);
    ck_assert_int_eq(mfa_totp_check(k, 20, t, "005924", step + 1, &c), MFA_CODE_REPLAYED);
    ck_assert_int_eq(c, -7); /* untouched */
}
END_TEST

static const char *const malformed[] = {"",        "05924",   "0005924", "00592a",
                                        " 005924", "005924 ", "-05924"};

START_TEST(test_malformed_codes)
{
    int64_t c;
    ck_assert_int_eq(
        mfa_totp_check((const uint8_t *)RFC_KEY, 20, 1234567890, malformed[_i], -1, &c),
        MFA_CODE_WRONG);
}
END_TEST

START_TEST(test_recovery_codes)
{
    char codes[200][MFA_RECOVERY_SHOWN + 1], norm[MFA_RECOVERY_CHARS + 1];

    for (int i = 0; i < 200; i++) {
        mfa_recovery_generate(codes[i]);
        ck_assert_uint_eq(strlen(codes[i]), 11);
        ck_assert_int_eq(codes[i][5], '-');
        ck_assert(mfa_recovery_normalise(codes[i], norm));
        ck_assert_uint_eq(strlen(norm), 10);
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(codes[i], codes[j]);
    }
    /* as typed: upper case, spaces, no dash */
    ck_assert(mfa_recovery_normalise(" ABCDE fghij ", norm));
    ck_assert_str_eq(norm, "abcdefghij");
    ck_assert(mfa_recovery_normalise("abcdefghij", norm));
    ck_assert(mfa_recovery_normalise("a-b-c-d-e-2-3-4-5-7", norm));
    ck_assert(!mfa_recovery_normalise("abcde-fghi", norm));
    ck_assert(!mfa_recovery_normalise("abcde-fghijk", norm));
    ck_assert(!mfa_recovery_normalise("abcde-fgh1j", norm)); /* 1 is not base32 */
    ck_assert(!mfa_recovery_normalise("", norm));
}
END_TEST

START_TEST(test_seal_open)
{
    uint8_t secret[TOKEN_SECRET_LEN], raw[MFA_SECRET_LEN], back[MFA_SECRET_LEN];
    struct mfa_totp_row r;

    randombytes_buf(secret, sizeof(secret));
    token_set_secret(secret);
    randombytes_buf(raw, sizeof(raw));
    mfa_secret_seal(raw, &r);
    ck_assert_uint_eq(r.secret_len, MFA_SECRET_LEN + crypto_secretbox_MACBYTES);
    ck_assert(memcmp(r.secret, raw, sizeof(raw)) != 0); /* not kept in clear */
    ck_assert(mfa_secret_open(&r, back));
    ck_assert_mem_eq(back, raw, sizeof(raw));
    r.secret[3] ^= 1; /* damaged */
    ck_assert(!mfa_secret_open(&r, back));
    r.secret[3] ^= 1;
    secret[0] ^= 1; /* another data directory's key */
    token_set_secret(secret);
    ck_assert(!mfa_secret_open(&r, back));
}
END_TEST

START_TEST(test_uri)
{
    char uri[MFA_URI_MAX];

    ck_assert_int_eq(mfa_totp_uri("alice.b", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", uri), 0);
    ck_assert_str_eq(uri, "otpauth://totp/meldpunt:alice.b?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
                          "&issuer=meldpunt&algorithm=SHA1&digits=6&period=30");
}
END_TEST

START_TEST(test_parse_roles)
{
    unsigned m;

    ck_assert_int_eq(mfa_parse_roles("manager, admin", &m), 0);
    ck_assert_uint_eq(m, ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_ADMIN));
    ck_assert_int_eq(mfa_parse_roles("", &m), 0);
    ck_assert_uint_eq(m, 0);
    ck_assert_int_eq(mfa_parse_roles("viewer,analyst", &m), 0);
    ck_assert_uint_eq(m, ROLE_BIT(ROLE_VIEWER) | ROLE_BIT(ROLE_ANALYST));
    ck_assert_int_eq(mfa_parse_roles("ingest", &m), -1);
    ck_assert_int_eq(mfa_parse_roles("admin, boss", &m), -1);
}
END_TEST

/* What a session may do: the second step first, then enrolment, then a
 * fresh check on step-up routes; API tokens are never asked. */
START_TEST(test_refusals)
{
    struct mfa_settings s = {.step_up_window = 600};
    struct principal p = {.session = true};
    const int64_t now = 1796000000;

    mfa_configure(&s);
    ck_assert_ptr_null(mfa_refusal(&p, now, false, false, true)); /* no factor: nothing asked */
    p.mfa_enrolled = true;
    p.mfa_pending = true;
    ck_assert_ptr_nonnull(strstr(mfa_refusal(&p, now, false, true, false), "second sign-in step"));
    ck_assert_ptr_null(mfa_refusal(&p, now, true, false, false));
    p.mfa_pending = false;
    p.mfa_verified = now - 599;
    ck_assert_ptr_null(mfa_refusal(&p, now, false, false, true));
    p.mfa_verified = now - 600;
    ck_assert_ptr_nonnull(strstr(mfa_refusal(&p, now, false, false, true), "step-up"));
    ck_assert_ptr_null(mfa_refusal(&p, now, false, false, false));
    p.mfa_enrolled = false;
    p.mfa_enrol = true;
    ck_assert_ptr_nonnull(strstr(mfa_refusal(&p, now, true, false, false), "must be set up"));
    ck_assert_ptr_null(mfa_refusal(&p, now, false, true, false));
    p.session = false; /* an API token */
    ck_assert_ptr_null(mfa_refusal(&p, now, false, false, true));
}
END_TEST

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

START_TEST(test_store_step_once)
{
    struct mfa_totp_row r = {.secret_len = 36}, got;
    struct mfa_session_state st;
    struct mp_error err;

    ck_assert_int_eq(store_mfa_totp_put(conn, uid, &r, "2026-11-30T00:00:00Z", &err), 0);
    ck_assert_int_eq(store_mfa_state(conn, 0, uid, &st, &err), 0);
    ck_assert(!st.enrolled); /* not before one code */
    ck_assert_int_eq(store_mfa_totp_accept(conn, uid, 100, "2026-11-30T00:00:01Z", &err), 1);
    ck_assert_int_eq(store_mfa_state(conn, 0, uid, &st, &err), 0);
    ck_assert(st.enrolled);
    ck_assert_int_eq(store_mfa_totp_accept(conn, uid, 100, NULL, &err), 0);
    ck_assert_int_eq(store_mfa_totp_accept(conn, uid, 99, NULL, &err), 0);
    ck_assert_int_eq(store_mfa_totp_accept(conn, uid, 101, NULL, &err), 1);
    ck_assert_int_eq(store_mfa_totp_get(conn, uid, &got, &err), 1);
    ck_assert_int_eq(got.last_counter, 101);
    ck_assert(got.confirmed);
}
END_TEST

START_TEST(test_store_recovery_once)
{
    uint8_t h[2][32];
    struct mfa_session_state st;
    struct mp_error err;

    randombytes_buf(h, sizeof(h));
    ck_assert_int_eq(store_mfa_recovery_replace(conn, uid, (const uint8_t(*)[32])h, 2, &err), 0);
    ck_assert_int_eq(store_mfa_recovery_use(conn, uid, h[0], "2026-11-30T00:00:00Z", &err), 1);
    ck_assert_int_eq(store_mfa_recovery_use(conn, uid, h[0], "2026-11-30T00:00:01Z", &err), 0);
    ck_assert_int_eq(store_mfa_state(conn, 0, uid, &st, &err), 0);
    ck_assert_int_eq(st.recovery_left, 1);
    /* another user's code is not this user's */
    ck_assert_int_eq(store_mfa_recovery_use(conn, uid + 1, h[1], "2026-11-30T00:00:02Z", &err), 0);
    /* a new set replaces the old whole */
    ck_assert_int_eq(store_mfa_recovery_replace(conn, uid, (const uint8_t(*)[32])h + 1, 1, &err),
                     0);
    ck_assert_int_eq(store_mfa_recovery_use(conn, uid, h[0], "2026-11-30T00:00:03Z", &err), 0);
    ck_assert_int_eq(store_mfa_recovery_use(conn, uid, h[1], "2026-11-30T00:00:03Z", &err), 1);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
mfa_suite(void)
{
    Suite *s = suite_create("mfa");
    TCase *tc = tcase_create("totp");

    tcase_add_loop_test(tc, test_rfc6238_vectors_liboath, 0, N(vectors));
    tcase_add_loop_test(tc, test_rfc6238_vectors_check, 0, N(vectors));
    tcase_add_test(tc, test_window);
    tcase_add_test(tc, test_replay);
    tcase_add_loop_test(tc, test_malformed_codes, 0, N(malformed));
    tcase_add_test(tc, test_recovery_codes);
    tcase_add_test(tc, test_seal_open);
    tcase_add_test(tc, test_uri);
    tcase_add_test(tc, test_parse_roles);
    tcase_add_test(tc, test_refusals);
    suite_add_tcase(s, tc);

    tc = tcase_create("storage");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_add_test(tc, test_store_step_once);
    tcase_add_test(tc, test_store_recovery_once);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    if (sodium_init() < 0)
        return 2;
    return tu_run(mfa_suite());
}
