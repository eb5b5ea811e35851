/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_user.c - core/throttle.c (growing waits, locks, the rate bucket, a
 * full table) and core/user.c on a real temporary database: password
 * rules, Argon2id storage, sessions (authenticate, timeouts, sign-out,
 * disabling, password changes), TLP limits on the principal.
 */
#include "core/throttle.h"
#include "core/sessions.h"
#include "core/user.h"
#include "store/db.h"
#include "store/incidents.h"
#include "testutil.h"

#include <check.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tests pass this fixed time wherever the code takes `now`; they never
 * read the clock, so they pass on any date. */
static const int64_t NOW = 1796000000; /* 2026-11-30T00:53:20Z */

#define ACTOR "cli:tester"
#define PW    "correct horse battery"
#define S     1000000LL /* a second in microseconds */

static char tmpdir[PATH_MAX];
static char dbfile[PATH_MAX];

/* ---- throttle ---- */

START_TEST(test_throttle_growing_wait_then_lock)
{
    int64_t t = 1000 * S;
    const char *key = "growing";

    throttle_clear(THROTTLE_ACCOUNT, key);
    ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, key, t), 0);
    /* three free failures */
    for (int i = 0; i < 2; i++) {
        ck_assert(!throttle_fail(THROTTLE_ACCOUNT, key, t, 3, 6, 600));
        ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, key, t), 0);
    }
    /* the 3rd: wait 1 s, then 2 s, 4 s */
    ck_assert(!throttle_fail(THROTTLE_ACCOUNT, key, t, 3, 6, 600));
    ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, key, t), 1);
    ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, key, t + S), 0);
    t += S;
    ck_assert(!throttle_fail(THROTTLE_ACCOUNT, key, t, 3, 6, 600));
    ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, key, t), 2);
    t += 2 * S;
    ck_assert(!throttle_fail(THROTTLE_ACCOUNT, key, t, 3, 6, 600));
    ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, key, t), 4);
    t += 4 * S;
    /* the 6th locks, once */
    ck_assert(throttle_fail(THROTTLE_ACCOUNT, key, t, 3, 6, 600));
    ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, key, t), 600);
    ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, key, t + 599 * S), 1);
    ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, key, t + 600 * S), 0);
    ck_assert(!throttle_fail(THROTTLE_ACCOUNT, key, t + 600 * S, 3, 6, 600));
    ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, key, t + 600 * S), 600);
    /* kinds and keys are separate; clear forgets */
    ck_assert_int_eq(throttle_wait(THROTTLE_ADDRESS, key, t), 0);
    ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, "other", t), 0);
    throttle_clear(THROTTLE_ACCOUNT, key);
    ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, key, t), 0);
}
END_TEST

START_TEST(test_throttle_wait_caps_at_a_minute)
{
    int64_t t = 5000 * S;

    for (int i = 0; i < 40; i++)
        throttle_fail(THROTTLE_ADDRESS, "capped", t, 3, 0, 0); /* 0: never lock */
    ck_assert_int_eq(throttle_wait(THROTTLE_ADDRESS, "capped", t), THROTTLE_MAX_DELAY_S);
    throttle_clear(THROTTLE_ADDRESS, "capped");
}
END_TEST

START_TEST(test_throttle_forgets_old_failures)
{
    int64_t t = 9000 * S;

    for (int i = 0; i < 5; i++)
        throttle_fail(THROTTLE_ACCOUNT, "old", t, 3, 10, 60);
    ck_assert_int_gt(throttle_wait(THROTTLE_ACCOUNT, "old", t), 0);
    /* an hour after the wait ended, a failure counts as the first */
    t += 2 * 3600 * S;
    ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, "old", t), 0);
    throttle_fail(THROTTLE_ACCOUNT, "old", t, 3, 10, 60);
    ck_assert_int_eq(throttle_wait(THROTTLE_ACCOUNT, "old", t), 0);
}
END_TEST

START_TEST(test_throttle_rate_bucket)
{
    int64_t t = 100 * S, retry = 0;

    for (int i = 0; i < 4; i++)
        ck_assert(throttle_rate("bucket", t, 2.0, 4.0, &retry));
    ck_assert(!throttle_rate("bucket", t, 2.0, 4.0, &retry));
    ck_assert_int_eq(retry, 1);
    /* half a second at 2/s gives one back */
    ck_assert(throttle_rate("bucket", t + S / 2, 2.0, 4.0, &retry));
    ck_assert(!throttle_rate("bucket", t + S / 2, 2.0, 4.0, &retry));
    /* a long pause refills only to the burst */
    t += 3600 * S;
    for (int i = 0; i < 4; i++)
        ck_assert(throttle_rate("bucket", t, 2.0, 4.0, &retry));
    ck_assert(!throttle_rate("bucket", t, 2.0, 4.0, &retry));
    /* another address has its own bucket */
    ck_assert(throttle_rate("bucket-2", t, 2.0, 4.0, &retry));
}
END_TEST

START_TEST(test_throttle_full_table_keeps_working)
{
    int64_t t = 20000 * S;
    char key[32];

    /* a lock set first survives a flood of other keys better than their
     * own entries: entries that make someone wait are evicted last */
    for (int i = 0; i < 10; i++)
        throttle_fail(THROTTLE_ACCOUNT, "locked-one", t, 3, 10, 900);
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof(key), "flood-%d", i);
        throttle_fail(THROTTLE_ADDRESS, key, t + i, 3, 10, 900);
    }
    ck_assert_int_gt(throttle_wait(THROTTLE_ACCOUNT, "locked-one", t + 200000), 800);
}
END_TEST

/* ---- users and sessions on a database ---- */

static void
setup_db(void)
{
    uint8_t secret[TOKEN_SECRET_LEN];

    tu_db_setup(tmpdir, dbfile, NULL);
    randombytes_buf(secret, sizeof(secret));
    token_set_secret(secret);
    user_configure(&(struct auth_settings){.session_idle = 1800,
                                           .session_max = 43200,
                                           .password_min = 12,
                                           .lockout_after = 10,
                                           .lockout_time = 900});
}

static void
teardown_db(void)
{
    tu_db_teardown(tmpdir, NULL);
}

static void
add(const char *name, const char *role, const char *tlp)
{
    struct field_errors fe = {0};
    ck_assert_msg(user_create(ACTOR, NOW, name, role, PW, tlp, NULL, NULL, &fe) == 0, "%s: %s",
                  name, fe.count ? fe.items[0].message : "?");
}

static const struct {
    const char *name, *role, *password, *tlp, *field;
} bad_users[] = {
    {"", "viewer", PW, NULL, "name"},
    {"with space", "viewer", PW, NULL, "name"},
    {"ok", "ingest", PW, NULL, "role"},
    {"ok", "superuser", PW, NULL, "role"},
    {"ok", "viewer", "elevenchars", NULL, "password"},
    {"henk", "viewer", "my name is HENK ok", NULL, "password"},
    {"ok", "viewer", "control\tcharacter!", NULL, "password"},
    {"ok", "viewer", PW, "white", "tlp_max"},
};

START_TEST(test_user_rejects)
{
    struct field_errors fe = {0};
    struct user_row row;
    struct mp_error err;

    ck_assert_int_eq(user_create(ACTOR, NOW, bad_users[_i].name, bad_users[_i].role,
                                 bad_users[_i].password, bad_users[_i].tlp, NULL, NULL, &fe),
                     -1);
    ck_assert_int_ge(fe.count, 1);
    ck_assert_int_eq(fe.items[0].status, 422);
    ck_assert_str_eq(fe.items[0].field, bad_users[_i].field);
    /* nothing was stored */
    ck_assert_int_eq(user_get("ok", &row, &err), -1);
    ck_assert_int_eq(err.status, 404);
}
END_TEST

START_TEST(test_password_min_counts_characters)
{
    struct field_errors fe = {0};

    /* 12 characters, 24 bytes */
    ck_assert_int_eq(
        user_create(ACTOR, NOW, "utf", "viewer", "éééééééééééé", NULL, NULL, NULL, &fe), 0);
    fe.count = 0;
    ck_assert_int_eq(
        user_create(ACTOR, NOW, "utf2", "viewer", "ééééééééééé", NULL, NULL, NULL, &fe), -1);
    ck_assert_str_eq(fe.items[0].field, "password");
}
END_TEST

START_TEST(test_password_stored_as_argon2id)
{
    struct field_errors fe = {0};
    char generated[USER_PASSWORD_GEN + 1];
    struct user_row row;
    sqlite3 *c;
    sqlite3_stmt *st;

    add("hash", "viewer", NULL);
    ck_assert_int_eq(user_create(ACTOR, NOW, "gen", "analyst", NULL, NULL, generated, &row, &fe),
                     0);
    ck_assert_uint_eq(strlen(generated), USER_PASSWORD_GEN);
    ck_assert(row.must_change_password);
    ck_assert_int_eq(sqlite3_open(dbfile, &c), SQLITE_OK);
    ck_assert_int_eq(
        sqlite3_prepare_v2(c, "SELECT password_hash FROM users ORDER BY id", -1, &st, NULL),
        SQLITE_OK);
    for (int i = 0; i < 2; i++) {
        const char *h;
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        h = (const char *)sqlite3_column_text(st, 0);
        ck_assert_msg(strncmp(h, "$argon2id$", 10) == 0, "%s", h);
        ck_assert(strstr(h, PW) == NULL && strstr(h, generated) == NULL);
        ck_assert_int_eq(
            crypto_pwhash_str_verify(h, i == 0 ? PW : generated, strlen(i == 0 ? PW : generated)),
            0);
    }
    sqlite3_finalize(st);
    sqlite3_close(c);
}
END_TEST

START_TEST(test_session_lifecycle)
{
    struct sign_in si;
    struct principal p = {0};
    struct mp_error err;
    char bad[SESSION_TEXT_LEN + 1];

    add("ann", "manager", "amber");
    ck_assert_int_eq(session_sign_in(NOW, "ann", "wrong password!", "192.0.2.1", NULL, &si, &err),
                     -1);
    ck_assert_int_eq(err.status, 401);
    ck_assert_int_eq(session_sign_in(NOW, "nobody", PW, "192.0.2.1", NULL, &si, &err), -1);
    ck_assert_int_eq(err.status, 401);
    ck_assert_msg(session_sign_in(NOW, "ann", PW, "192.0.2.1", NULL, &si, &err) == 0, "%s",
                  err.message);
    ck_assert_uint_eq(strlen(si.cookie), SESSION_TEXT_LEN);
    ck_assert_str_ne(si.cookie, si.csrf);

    ck_assert_int_eq(session_authenticate(si.cookie, NOW, &p, &err), 1);
    ck_assert(p.session);
    ck_assert_int_eq(p.role, ROLE_MANAGER);
    ck_assert_int_eq(p.tlp_max, TLP_AMBER);
    ck_assert_str_eq(p.name, "user:ann");
    ck_assert_str_eq(p.csrf, si.csrf);
    /* a cookie one character off, or malformed, is nobody */
    memcpy(bad, si.cookie, sizeof(bad));
    bad[0] = bad[0] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(session_authenticate(bad, NOW, &p, &err), 0);
    ck_assert_int_eq(session_authenticate("short", NOW, &p, &err), 0);
    ck_assert_int_eq(session_authenticate("", NOW, &p, &err), 0);

    ck_assert_int_eq(session_authenticate(si.cookie, NOW, &p, &err), 1);
    ck_assert_int_eq(session_sign_out(&p, NOW, &err), 0);
    ck_assert_int_eq(session_authenticate(si.cookie, NOW, &p, &err), 0);
}
END_TEST

START_TEST(test_session_timeouts)
{
    struct sign_in a, b;
    struct principal p = {0};
    struct mp_error err;

    add("tim", "viewer", NULL);
    ck_assert_int_eq(session_sign_in(NOW, "tim", PW, "-", NULL, &a, &err), 0);
    ck_assert_int_eq(session_sign_in(NOW, "tim", PW, "-", NULL, &b, &err), 0);
    ck_assert_int_eq(session_authenticate(a.cookie, NOW, &p, &err), 1);
    ck_assert_int_eq(p.tlp_max, TLP_RED);
    /* idle: 1800 s without a request; the time is an input, so the
     * boundary is exact (sessions are touched at most once a minute) */
    ck_assert_int_eq(session_authenticate(a.cookie, NOW + 1800, &p, &err), 0);
    ck_assert_int_eq(session_sign_in(NOW, "tim", PW, "-", NULL, &a, &err), 0);
    ck_assert_int_eq(session_authenticate(a.cookie, NOW + 1799, &p, &err), 1);
    /* that request counted: idle time starts again from it */
    ck_assert_int_eq(session_authenticate(a.cookie, NOW + 1799 + 1799, &p, &err), 1);
    /* absolute: 12 h after signing in, however busy the session was */
    for (int64_t t = NOW + 1500; t < NOW + 43200; t += 1500)
        ck_assert_int_eq(session_authenticate(b.cookie, t, &p, &err), 1);
    ck_assert_int_eq(session_authenticate(b.cookie, NOW + 43199, &p, &err), 1);
    ck_assert_int_eq(session_authenticate(b.cookie, NOW + 43200, &p, &err), 0);
}
END_TEST

START_TEST(test_disable_and_reset_end_sessions)
{
    struct sign_in a;
    struct principal p = {0};
    struct user_change off = {.disabled = 1}, on = {.disabled = 0};
    struct field_errors fe = {0};
    struct mp_error err;
    char generated[USER_PASSWORD_GEN + 1];
    int64_t ra;

    add("dis", "analyst", NULL);
    ck_assert_int_eq(session_sign_in(NOW, "dis", PW, "-", NULL, &a, &err), 0);
    ck_assert_int_eq(user_update(ACTOR, NOW, "dis", &off, NULL, &fe), 0);
    ck_assert_int_eq(session_authenticate(a.cookie, NOW, &p, &err), 0);
    ck_assert_int_eq(session_sign_in(NOW, "dis", PW, "-", NULL, &a, &err), -1);
    ck_assert_int_eq(err.status, 401);
    ck_assert_int_eq(user_update(ACTOR, NOW, "dis", &on, NULL, &fe), 0);
    ck_assert_int_eq(session_sign_in(NOW, "dis", PW, "-", NULL, &a, &err), 0);
    ck_assert_int_eq(user_reset_password(ACTOR, NOW, "dis", NULL, generated, &err), 0);
    ck_assert_int_eq(session_authenticate(a.cookie, NOW, &p, &err), 0);
    ck_assert_int_eq(session_sign_in(NOW, "dis", generated, "-", NULL, &a, &err), 0);
    ck_assert(a.user.must_change_password);
    ck_assert_int_eq(session_authenticate(a.cookie, NOW, &p, &err), 1);
    ck_assert(p.must_change_password);
    ck_assert_int_eq(
        session_change_password(&p, NOW, generated, "a brand new secret", "-", &ra, &err), 0);
    ck_assert_int_eq(session_authenticate(a.cookie, NOW, &p, &err), 1);
    ck_assert(!p.must_change_password);
}
END_TEST

START_TEST(test_change_password_ends_other_sessions)
{
    struct sign_in a, b;
    struct principal pa = {0}, pb = {0};
    struct mp_error err;
    int64_t ra;

    add("two", "viewer", NULL);
    ck_assert_int_eq(session_sign_in(NOW, "two", PW, "-", NULL, &a, &err), 0);
    ck_assert_int_eq(session_sign_in(NOW, "two", PW, "-", NULL, &b, &err), 0);
    ck_assert_int_eq(session_authenticate(a.cookie, NOW, &pa, &err), 1);
    ck_assert_int_eq(
        session_change_password(&pa, NOW, "not the password", "whatever it is now", "-", &ra, &err),
        -1);
    ck_assert_str_eq(err.field, "current");
    ck_assert_int_eq(session_change_password(&pa, NOW, PW, "a brand new secret", "-", &ra, &err),
                     0);
    ck_assert_int_eq(session_authenticate(a.cookie, NOW, &pa, &err), 1);
    ck_assert_int_eq(session_authenticate(b.cookie, NOW, &pb, &err), 0);
    ck_assert_int_eq(session_sign_in(NOW, "two", PW, "-", NULL, &b, &err), -1);
    ck_assert_int_eq(session_sign_in(NOW, "two", "a brand new secret", "-", NULL, &b, &err), 0);
}
END_TEST

START_TEST(test_sign_in_throttled_after_failures)
{
    struct sign_in si;
    struct mp_error err;

    add("thr", "viewer", NULL);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(
            session_sign_in(NOW, "thr", "bad password!!", "192.0.2.77", NULL, &si, &err), -1);
    /* now even the right password must wait */
    ck_assert_int_eq(session_sign_in(NOW, "thr", PW, "192.0.2.78", NULL, &si, &err), -1);
    ck_assert_int_eq(err.status, 429);
    ck_assert_int_ge(si.retry_after, 1);
    /* names are compared without case: "THR" is the same account */
    ck_assert_int_eq(session_sign_in(NOW, "THR", PW, "192.0.2.79", NULL, &si, &err), -1);
    ck_assert_int_eq(err.status, 429);
}
END_TEST

START_TEST(test_change_password_throttled_like_sign_in)
{
    struct sign_in si;
    struct principal p = {0};
    struct mp_error err;
    int64_t ra;

    add("chg", "viewer", NULL);
    ck_assert_int_eq(session_sign_in(NOW, "chg", PW, "192.0.2.90", NULL, &si, &err), 0);
    ck_assert_int_eq(session_authenticate(si.cookie, NOW, &p, &err), 1);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(session_change_password(&p, NOW, "a wrong guess!", "a brand new secret",
                                                 "192.0.2.91", &ra, &err),
                         -1);
        ck_assert_int_eq(err.status, 422);
        ck_assert_str_eq(err.field, "current");
    }
    /* the 4th must wait, even with the right password */
    ck_assert_int_eq(
        session_change_password(&p, NOW, PW, "a brand new secret", "192.0.2.92", &ra, &err), -1);
    ck_assert_int_eq(err.status, 429);
    ck_assert_int_ge(ra, 1);
    /* the same count as signing in to that account */
    ck_assert_int_eq(session_sign_in(NOW, "chg", PW, "192.0.2.93", NULL, &si, &err), -1);
    ck_assert_int_eq(err.status, 429);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* core/sessions.c: the list of one's live sessions, and ending one, the
 * others, all; an admin's view and ending of a user's. */
START_TEST(test_sessions_list_and_end)
{
    struct sign_in a, b, c, o;
    struct principal pa = {0}, pb = {0}, po = {0};
    struct session_info *rows;
    struct mp_error err;
    int n, ended;

    add("lis", "viewer", NULL);
    add("oth", "viewer", NULL);
    ck_assert_int_eq(
        session_sign_in(NOW, "lis", PW, "192.0.2.1", "Firefox/128.0 (X11; Linux)", &a, &err), 0);
    ck_assert_int_eq(session_sign_in(NOW + 5, "lis", PW, "192.0.2.2", NULL, &b, &err), 0);
    ck_assert_int_eq(session_sign_in(NOW + 9, "lis", PW, "192.0.2.3", NULL, &c, &err), 0);
    ck_assert_int_eq(session_sign_in(NOW, "oth", PW, "192.0.2.9", NULL, &o, &err), 0);
    ck_assert_int_eq(session_authenticate(a.cookie, NOW + 10, &pa, &err), 1);
    ck_assert_int_eq(session_authenticate(b.cookie, NOW + 10, &pb, &err), 1);
    ck_assert_int_eq(session_authenticate(o.cookie, NOW + 10, &po, &err), 1);

    /* the most recently seen first; the other user's is not there */
    ck_assert_int_eq(sessions_own(&pa, NOW + 10, &rows, &n, &err), 0);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(rows[0].address, "192.0.2.3");
    ck_assert_str_eq(rows[2].address, "192.0.2.1");
    ck_assert_str_eq(rows[2].user_agent, "Firefox/128.0 (X11; Linux)");
    ck_assert_str_eq(rows[1].user_agent, "");
    ck_assert_int_eq(rows[2].created_unix, NOW);
    free(rows);
    /* a session idle for session_idle is no longer listed */
    ck_assert_int_eq(sessions_own(&pa, NOW + 9 + 1800, &rows, &n, &err), 0);
    ck_assert_int_eq(n, 0);
    free(rows);

    /* one: not another user's, then pb's own from pa */
    ck_assert_int_eq(sessions_end_own(&pa, NOW + 20, po.session_id, false, &ended, &err), -1);
    ck_assert_int_eq(err.status, 404);
    ck_assert_int_eq(session_authenticate(o.cookie, NOW + 20, &po, &err), 1);
    ck_assert_int_eq(sessions_end_own(&pa, NOW + 20, pb.session_id, false, &ended, &err), 0);
    ck_assert_int_eq(ended, 1);
    ck_assert_int_eq(session_authenticate(b.cookie, NOW + 20, &pb, &err), 0);
    /* the others: c ends, a stays */
    ck_assert_int_eq(sessions_end_own(&pa, NOW + 21, 0, true, &ended, &err), 0);
    ck_assert_int_eq(ended, 1);
    ck_assert_int_eq(session_authenticate(c.cookie, NOW + 21, &pb, &err), 0);
    ck_assert_int_eq(session_authenticate(a.cookie, NOW + 21, &pa, &err), 1);
    /* an admin: the list by name, then all of them */
    ck_assert_int_eq(sessions_of_user("lis", NOW + 22, &rows, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(rows[0].id, pa.session_id);
    free(rows);
    ck_assert_int_eq(sessions_of_user("nobody", NOW + 22, &rows, &n, &err), -1);
    ck_assert_int_eq(err.status, 404);
    ck_assert_int_eq(sessions_end_user(ACTOR, NOW + 23, "lis", po.session_id, &ended, &err), -1);
    ck_assert_int_eq(err.status, 404);
    ck_assert_int_eq(sessions_end_user(ACTOR, NOW + 23, "lis", 0, &ended, &err), 0);
    ck_assert_int_eq(ended, 1);
    ck_assert_int_eq(session_authenticate(a.cookie, NOW + 23, &pa, &err), 0);
    ck_assert_int_eq(session_authenticate(o.cookie, NOW + 23, &po, &err), 1);
    /* an API token has no sessions of its own */
    {
        struct principal tok = {.authenticated = true};
        ck_assert_int_eq(sessions_own(&tok, NOW, &rows, &n, &err), -1);
        ck_assert_int_eq(err.status, 404);
        ck_assert_int_eq(sessions_end_own(&tok, NOW, 0, false, &ended, &err), -1);
    }
}
END_TEST

static Suite *
user_suite(void)
{
    Suite *s = suite_create("user");
    TCase *tc;

    tc = tcase_create("throttle");
    tcase_add_test(tc, test_throttle_growing_wait_then_lock);
    tcase_add_test(tc, test_throttle_wait_caps_at_a_minute);
    tcase_add_test(tc, test_throttle_forgets_old_failures);
    tcase_add_test(tc, test_throttle_rate_bucket);
    tcase_add_test(tc, test_throttle_full_table_keeps_working);
    suite_add_tcase(s, tc);

    tc = tcase_create("users");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_add_loop_test(tc, test_user_rejects, 0, N(bad_users));
    tcase_add_test(tc, test_password_min_counts_characters);
    tcase_add_test(tc, test_password_stored_as_argon2id);
    tcase_add_test(tc, test_session_lifecycle);
    tcase_add_test(tc, test_session_timeouts);
    tcase_add_test(tc, test_sessions_list_and_end);
    tcase_add_test(tc, test_disable_and_reset_end_sessions);
    tcase_add_test(tc, test_change_password_ends_other_sessions);
    tcase_add_test(tc, test_sign_in_throttled_after_failures);
    tcase_add_test(tc, test_change_password_throttled_like_sign_in);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    if (sodium_init() < 0)
        return 2;
    return tu_run(user_suite());
}
