/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_token.c - core/token.c: token text, hashing, names, roles, and the
 * token lifecycle on a real temporary database (create, authenticate,
 * revoke, list), without and with the writer thread.
 */
#include "core/token.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/writer.h"
#include "lib/cidr.h"
#include "testutil.h"

#include <check.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* Tests pass this fixed time wherever the code takes `now`; they never
 * read the clock, so they pass on any date. */
static const int64_t NOW = 1796000000; /* 2026-11-30T00:53:20Z */

#define ACTOR "cli:tester"

static char tmpdir[PATH_MAX];
static char dbfile[PATH_MAX];
static uint8_t secret[TOKEN_SECRET_LEN];

static void
setup_db(void)
{
    tu_db_setup(tmpdir, dbfile, NULL);
    randombytes_buf(secret, sizeof(secret));
    token_set_secret(secret);
}

static void
teardown_db(void)
{
    tu_db_teardown(tmpdir, NULL);
}

static bool
b64url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* ---- token text ---- */

START_TEST(test_generate_shape)
{
    char t[TOKEN_TEXT_LEN + 1];

    for (int n = 0; n < 200; n++) {
        memset(t, 'X', sizeof(t));
        token_generate(t);
        ck_assert_uint_eq(strlen(t), 46);
        ck_assert_uint_eq(strlen(t), TOKEN_TEXT_LEN);
        ck_assert(strncmp(t, "mp_", 3) == 0);
        for (int i = 3; i < TOKEN_TEXT_LEN; i++)
            ck_assert_msg(b64url_char(t[i]), "bad character '%c' in %s", t[i], t);
        ck_assert_msg(token_well_formed(t), "%s not well formed", t);
    }
}
END_TEST

START_TEST(test_generate_differs)
{
    char a[TOKEN_TEXT_LEN + 1], b[TOKEN_TEXT_LEN + 1];

    token_generate(a);
    token_generate(b);
    ck_assert_str_ne(a, b);
    /* and the random part decodes to 32 bytes */
    {
        uint8_t raw[64];
        size_t len = 0;
        ck_assert_int_eq(sodium_base642bin(raw, sizeof(raw), a + 3, 43, NULL, &len, NULL,
                                           sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                         0);
        ck_assert_uint_eq(len, TOKEN_RANDOM_LEN);
    }
}
END_TEST

struct wf_case {
    const char *text;
    bool ok;
};

static const struct wf_case wf_cases[] = {
    {"mp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", true},
    {"mp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_9", true},
    {"mp_-------------------------------------------", true},
    {"", false},
    {"mp_", false},
    {"mp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},   /* 42 */
    {"mp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false}, /* 44 */
    {"MP_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},
    {"xp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},
    {"mp-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},
    {"mpAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},
    {"mp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", false},
    {"mp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/", false},
    {"mp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", false},
    {"mp_AAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAA", false},
    {"mp_AAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAA", false},
    {"mp_AAAAAAAAAAAAAAAAAAAAA\xc3\xa9"
     "AAAAAAAAAAAAAAAAAAAA",
     false},
    {"Bearer mp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},
};

START_TEST(test_well_formed)
{
    const struct wf_case *c = &wf_cases[_i];

    ck_assert_msg(token_well_formed(c->text) == c->ok, "token_well_formed(\"%s\") != %d", c->text,
                  c->ok);
}
END_TEST

START_TEST(test_hash)
{
    uint8_t s1[TOKEN_SECRET_LEN], s2[TOKEN_SECRET_LEN];
    uint8_t h1[TOKEN_HASH_LEN], h2[TOKEN_HASH_LEN], h3[TOKEN_HASH_LEN], h4[TOKEN_HASH_LEN];
    uint8_t want[TOKEN_HASH_LEN];
    char t1[TOKEN_TEXT_LEN + 1], t2[TOKEN_TEXT_LEN + 1];

    memset(s1, 1, sizeof(s1));
    memcpy(s2, s1, sizeof(s2));
    s2[31] ^= 0x80;
    token_generate(t1);
    memcpy(t2, t1, sizeof(t2));
    t2[TOKEN_TEXT_LEN - 1] = t2[TOKEN_TEXT_LEN - 1] == 'A' ? 'B' : 'A';

    token_hash(s1, t1, h1);
    token_hash(s1, t1, h2);
    ck_assert_mem_eq(h1, h2, TOKEN_HASH_LEN); /* deterministic */
    token_hash(s2, t1, h3);
    ck_assert(memcmp(h1, h3, TOKEN_HASH_LEN) != 0); /* depends on the secret */
    token_hash(s1, t2, h4);
    ck_assert(memcmp(h1, h4, TOKEN_HASH_LEN) != 0); /* depends on the token */

    /* it is keyed BLAKE2b-256 of the token text, as token.h documents */
    crypto_generichash(want, sizeof(want), (const unsigned char *)t1, strlen(t1), s1, sizeof(s1));
    ck_assert_mem_eq(h1, want, TOKEN_HASH_LEN);
}
END_TEST

struct name_case {
    const char *name;
    bool ok;
};

static const struct name_case name_cases[] = {
    {"", false},
    {"a", true},
    {"A", true},
    {"7", true},
    {"ci.bot_1-x", true},
    {"admin", true},
    {"a.b.c", true},
    {"x-", true},
    {"-x", false},
    {".x", false},
    {"_x", false},
    {"ci bot", false},
    {"ci/bot", false},
    {"ci\\bot", false},
    {"ci\"bot", false},
    {"ci:bot", false},
    {"ci\nbot", false},
    {"caf\xc3\xa9", false},
    {"1234567890123456789012345678901234567890123456789012345678901234", true},   /* 64 */
    {"12345678901234567890123456789012345678901234567890123456789012345", false}, /* 65 */
};

START_TEST(test_name_valid)
{
    const struct name_case *c = &name_cases[_i];

    ck_assert_msg(token_name_valid(c->name) == c->ok, "token_name_valid(\"%s\") != %d", c->name,
                  c->ok);
}
END_TEST

START_TEST(test_roles)
{
    static const char *const names[] = {"viewer", "analyst", "manager", "admin", "ingest"};
    enum role r;

    ck_assert_int_eq(ROLE_COUNT, 5);
    for (int i = 0; i < ROLE_COUNT; i++) {
        ck_assert_str_eq(role_name((enum role)i), names[i]);
        r = ROLE_COUNT;
        ck_assert_int_eq(role_parse(names[i], &r), 0);
        ck_assert_int_eq(r, i);
        ck_assert_int_eq(role_parse(role_name(r), &r), 0);
        ck_assert_int_eq(r, i);
    }
    ck_assert_str_eq(role_name(ROLE_COUNT), "?");
    r = ROLE_ADMIN;
    ck_assert_int_eq(role_parse("root", &r), -1);
    ck_assert_int_eq(role_parse("Admin", &r), -1);
    ck_assert_int_eq(role_parse("admin ", &r), -1);
    ck_assert_int_eq(role_parse("", &r), -1);
    ck_assert_int_eq(role_parse("?", &r), -1);
    ck_assert_int_eq(r, ROLE_ADMIN); /* untouched */

    /* the role masks used by the route table */
    ck_assert_uint_eq(ROLES_ADMIN, 1u << ROLE_ADMIN);
    ck_assert(ROLES_READ & ROLE_BIT(ROLE_VIEWER));
    ck_assert(!(ROLES_READ & ROLE_BIT(ROLE_INGEST)));
}
END_TEST

/* ---- on a database ---- */

static int
audit_count(const char *action)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int n;

    ck_assert_int_eq(sqlite3_open_v2(dbfile, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(
        sqlite3_prepare_v2(db, "SELECT count(*) FROM audit WHERE action = ?", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close_v2(db);
    return n;
}

static void
create_ok(const char *name, const char *role, char out[TOKEN_TEXT_LEN + 1])
{
    struct token_row row;
    struct mp_error err;

    mp_error_clear(&err);
    ck_assert_msg(token_create(ACTOR, NOW, name, role, NULL, 0, NULL, 0, out, &row, &err) == 0,
                  "create %s: %s", name, err.message);
    ck_assert(token_well_formed(out));
    ck_assert_str_eq(row.name, name);
    ck_assert_str_eq(row.role, role);
    ck_assert_str_eq(row.created_by, ACTOR);
    ck_assert_uint_eq(strlen(row.created_at), 20);
    ck_assert_str_eq(row.revoked_at, "");
}

START_TEST(test_expiry)
{
    char tok[TOKEN_TEXT_LEN + 1], t2[TOKEN_TEXT_LEN + 1];
    struct token_row row;
    struct principal p;
    struct mp_error err;

    /* valid up to the second before expires_at, nobody from it on */
    ck_assert_msg(token_create(ACTOR, NOW, "short-lived", "viewer", NULL, NOW + 3600, NULL, 0, tok,
                               &row, &err) == 0,
                  "%s", err.message);
    ck_assert_str_eq(row.expires_at, "2026-11-30T01:53:20Z");
    ck_assert_int_eq(token_authenticate(tok, NOW, "127.0.0.1", &p, &err), 1);
    ck_assert_int_eq(token_authenticate(tok, NOW + 3599, "127.0.0.1", &p, &err), 1);
    ck_assert_int_eq(token_authenticate(tok, NOW + 3600, "127.0.0.1", &p, &err), 0);
    /* the holder of a real token learns that it expired, and when */
    ck_assert_int_eq(err.status, 401);
    ck_assert_str_eq(err.field, "expires_at");
    ck_assert_ptr_nonnull(strstr(err.message, "2026-11-30T01:53:20Z"));
    ck_assert_int_eq(token_authenticate(tok, NOW + 86400 * 365, "127.0.0.1", &p, &err), 0);
    /* a token without an end keeps working */
    create_ok("long-lived", "viewer", t2);
    ck_assert_int_eq(token_authenticate(t2, NOW + 86400 * 3650, "127.0.0.1", &p, &err), 1);
    /* an end in the past, now, or more than five years ahead is refused */
    ck_assert_int_eq(token_create(ACTOR, NOW, "x1", "viewer", NULL, NOW, NULL, 0, t2, NULL, &err),
                     -1);
    ck_assert_str_eq(err.field, "expires_at");
    ck_assert_int_eq(err.status, 422);
    ck_assert_int_eq(
        token_create(ACTOR, NOW, "x2", "viewer", NULL, NOW - 1, NULL, 0, t2, NULL, &err), -1);
    ck_assert_str_eq(err.field, "expires_at");
    ck_assert_int_eq(token_create(ACTOR, NOW, "x3", "viewer", NULL, NOW + TOKEN_LIFETIME_MAX + 1,
                                  NULL, 0, t2, NULL, &err),
                     -1);
    ck_assert_str_eq(err.field, "expires_at");
    ck_assert_int_eq(token_create(ACTOR, NOW, "x4", "viewer", NULL, NOW + TOKEN_LIFETIME_MAX, NULL,
                                  0, t2, NULL, &err),
                     0);
}
END_TEST

START_TEST(test_allowed_sources)
{
    static const char *const office[] = {"192.0.2.0/24", "2001:DB8::/32"};
    static const char *const bad[] = {"10.0.0.0/8", "10.1.2.3/8"};
    static const char *const anywhere[] = {"0.0.0.0/0", "::/0"};
    char tok[TOKEN_TEXT_LEN + 1], t2[TOKEN_TEXT_LEN + 1];
    struct token_row row;
    struct principal p;
    struct mp_error err;

    ck_assert_msg(
        token_create(ACTOR, NOW, "office", "analyst", NULL, 0, office, 2, tok, &row, &err) == 0,
        "%s", err.message);
    ck_assert_str_eq(row.allowed_sources, "192.0.2.0/24,2001:db8::/32");
    ck_assert_int_eq(token_authenticate(tok, NOW, "192.0.2.200", &p, &err), 1);
    ck_assert_str_eq(p.name, "token:office");
    ck_assert_int_eq(token_authenticate(tok, NOW, "2001:db8:1::5", &p, &err), 1);
    memset(&p, 0, sizeof(p));
    ck_assert_int_eq(token_authenticate(tok, NOW, "198.51.100.1", &p, &err), 0);
    ck_assert(!p.authenticated);
    ck_assert_int_eq(err.status, 403);
    ck_assert_str_eq(err.field, "allowed_sources");
    ck_assert_ptr_nonnull(strstr(err.message, "198.51.100.1"));
    /* an unknown address is outside every list */
    ck_assert_int_eq(token_authenticate(tok, NOW, NULL, &p, &err), 0);
    ck_assert_int_eq(err.status, 403);
    /* a token without a list: from anywhere, and from nowhere known */
    create_ok("no-list", "viewer", t2);
    ck_assert_int_eq(token_authenticate(t2, NOW, "198.51.100.1", &p, &err), 1);
    ck_assert_int_eq(token_authenticate(t2, NOW, NULL, &p, &err), 1);
    /* the block at fault is named by its place; nothing is created */
    ck_assert_int_eq(
        token_create(ACTOR, NOW, "bad-list", "viewer", NULL, 0, bad, 2, t2, NULL, &err), -1);
    ck_assert_int_eq(err.status, 422);
    ck_assert_str_eq(err.field, "allowed_sources[1]");
    ck_assert_int_eq(token_create(ACTOR, NOW, "bad-list", "viewer", NULL, 0, bad, CIDR_LIST_MAX + 1,
                                  t2, NULL, &err),
                     -1);
    ck_assert_str_eq(err.field, "allowed_sources");
    ck_assert_int_eq(
        token_create(ACTOR, NOW, "anywhere", "viewer", NULL, 0, anywhere, 2, t2, &row, &err), 0);
    ck_assert_int_eq(token_authenticate(t2, NOW, "::1", &p, &err), 1);
    ck_assert_int_eq(token_authenticate(t2, NOW, "203.0.113.1", &p, &err), 1);
}
END_TEST

START_TEST(test_create_authenticate)
{
    char tok[TOKEN_TEXT_LEN + 1];
    struct principal p;
    struct mp_error err;

    create_ok("ci.bot_1-x", "analyst", tok);
    memset(&p, 0, sizeof(p));
    mp_error_clear(&err);
    ck_assert_int_eq(token_authenticate(tok, NOW, "127.0.0.1", &p, &err), 1);
    ck_assert(p.authenticated);
    ck_assert_int_eq(p.role, ROLE_ANALYST);
    ck_assert_str_eq(p.name, "token:ci.bot_1-x");
    ck_assert_int_eq(audit_count("token.create"), 1);

    /* every role round-trips through storage */
    {
        static const char *const roles[] = {"viewer", "manager", "admin", "ingest"};
        static const enum role want[] = {ROLE_VIEWER, ROLE_MANAGER, ROLE_ADMIN, ROLE_INGEST};
        for (int i = 0; i < 4; i++) {
            char name[16];
            snprintf(name, sizeof(name), "r%d", i);
            create_ok(name, roles[i], tok);
            ck_assert_int_eq(token_authenticate(tok, NOW, "127.0.0.1", &p, &err), 1);
            ck_assert_int_eq(p.role, want[i]);
        }
    }
}
END_TEST

START_TEST(test_authenticate_unknown)
{
    char tok[TOKEN_TEXT_LEN + 1], other[TOKEN_TEXT_LEN + 1];
    struct principal p;
    struct mp_error err;

    create_ok("one", "viewer", tok);
    memset(&p, 0, sizeof(p));
    token_generate(other);
    ck_assert_int_eq(token_authenticate(other, NOW, "127.0.0.1", &p, &err), 0);
    ck_assert_int_eq(token_authenticate("", NOW, "127.0.0.1", &p, &err), 0);
    ck_assert_int_eq(token_authenticate("mp_short", NOW, "127.0.0.1", &p, &err), 0);
    /* the same token with one character changed */
    memcpy(other, tok, sizeof(other));
    other[10] = other[10] == 'a' ? 'b' : 'a';
    ck_assert_int_eq(token_authenticate(other, NOW, "127.0.0.1", &p, &err), 0);
    ck_assert(!p.authenticated);
    /* an unknown token learns nothing more: a 401 without a field */
    ck_assert_int_eq(err.status, 401);
    ck_assert_str_eq(err.field, "");
    ck_assert_int_eq(token_authenticate(tok, NOW, "127.0.0.1", &p, &err), 1);

    /* under another secret the stored hash no longer matches */
    {
        uint8_t s2[TOKEN_SECRET_LEN];
        memcpy(s2, secret, sizeof(s2));
        s2[0] ^= 1;
        token_set_secret(s2);
        ck_assert_int_eq(token_authenticate(tok, NOW, "127.0.0.1", &p, &err), 0);
        token_set_secret(secret);
        ck_assert_int_eq(token_authenticate(tok, NOW, "127.0.0.1", &p, &err), 1);
    }
}
END_TEST

START_TEST(test_create_duplicate_name)
{
    char t1[TOKEN_TEXT_LEN + 1], t2[TOKEN_TEXT_LEN + 1];
    struct principal p;
    struct mp_error err;
    struct token_row *rows;
    int n;

    create_ok("dup", "viewer", t1);
    mp_error_clear(&err);
    ck_assert_int_eq(token_create(ACTOR, NOW, "dup", "admin", NULL, 0, NULL, 0, t2, NULL, &err),
                     -1);
    ck_assert_int_eq(err.status, 409);
    ck_assert_str_eq(err.field, "name");
    /* the failed change left nothing behind: no row, no audit entry */
    ck_assert_int_eq(token_list(true, &rows, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    free(rows);
    ck_assert_int_eq(audit_count("token.create"), 1);
    ck_assert_int_eq(token_authenticate(t1, NOW, "127.0.0.1", &p, &err), 1);
    ck_assert_int_eq(p.role, ROLE_VIEWER);
}
END_TEST

START_TEST(test_create_bad_input)
{
    char t[TOKEN_TEXT_LEN + 1];
    struct mp_error err;

    mp_error_clear(&err);
    ck_assert_int_eq(token_create(ACTOR, NOW, "ok-name", "root", NULL, 0, NULL, 0, t, NULL, &err),
                     -1);
    ck_assert_int_eq(err.status, 422);
    ck_assert_str_eq(err.field, "role");

    mp_error_clear(&err);
    ck_assert_int_eq(token_create(ACTOR, NOW, "bad name", "admin", NULL, 0, NULL, 0, t, NULL, &err),
                     -1);
    ck_assert_int_eq(err.status, 422);
    ck_assert_str_eq(err.field, "name");

    mp_error_clear(&err);
    ck_assert_int_eq(token_create(ACTOR, NOW, "", "admin", NULL, 0, NULL, 0, t, NULL, &err), -1);
    ck_assert_int_eq(err.status, 422);
    ck_assert_str_eq(err.field, "name");

    ck_assert_int_eq(audit_count("token.create"), 0);
}
END_TEST

START_TEST(test_revoke)
{
    char tok[TOKEN_TEXT_LEN + 1], tok2[TOKEN_TEXT_LEN + 1];
    struct token_row row;
    struct principal p;
    struct mp_error err;

    create_ok("gone", "manager", tok);
    mp_error_clear(&err);
    ck_assert_msg(token_revoke("cli:other", NOW, "gone", &row, &err) == 0, "%s", err.message);
    ck_assert_str_eq(row.name, "gone");
    ck_assert_str_eq(row.role, "manager");
    ck_assert_str_eq(row.created_by, ACTOR);
    ck_assert_str_eq(row.revoked_by, "cli:other");
    ck_assert_uint_eq(strlen(row.revoked_at), 20);
    ck_assert_int_gt(row.id, 0);
    ck_assert_int_eq(token_authenticate(tok, NOW, "127.0.0.1", &p, &err), 0);
    ck_assert_int_eq(audit_count("token.revoke"), 1);

    /* again: nothing active under that name */
    mp_error_clear(&err);
    ck_assert_int_eq(token_revoke(ACTOR, NOW, "gone", &row, &err), -1);
    ck_assert_int_eq(err.status, 404);
    ck_assert_str_eq(err.field, "name");
    ck_assert_int_eq(audit_count("token.revoke"), 1);

    /* never existed, and not even a valid name */
    ck_assert_int_eq(token_revoke(ACTOR, NOW, "never", NULL, &err), -1);
    ck_assert_int_eq(err.status, 404);
    ck_assert_int_eq(token_revoke(ACTOR, NOW, "../x", NULL, &err), -1);
    ck_assert_int_eq(err.status, 404);

    /* the name can be used again; only the new token works */
    create_ok("gone", "viewer", tok2);
    ck_assert_int_eq(token_authenticate(tok2, NOW, "127.0.0.1", &p, &err), 1);
    ck_assert_int_eq(p.role, ROLE_VIEWER);
    ck_assert_int_eq(token_authenticate(tok, NOW, "127.0.0.1", &p, &err), 0);
}
END_TEST

START_TEST(test_list)
{
    char t[TOKEN_TEXT_LEN + 1];
    struct token_row *rows;
    struct mp_error err;
    int n;

    mp_error_clear(&err);
    ck_assert_int_eq(token_list(true, &rows, &n, &err), 0);
    ck_assert_int_eq(n, 0);
    free(rows);

    create_ok("charlie", "viewer", t);
    create_ok("alpha", "admin", t);
    create_ok("bravo", "ingest", t);
    ck_assert_int_eq(token_revoke(ACTOR, NOW, "alpha", NULL, &err), 0);
    create_ok("alpha", "analyst", t);
    ck_assert_int_eq(token_revoke(ACTOR, NOW, "charlie", NULL, &err), 0);

    ck_assert_int_eq(token_list(false, &rows, &n, &err), 0);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(rows[0].name, "alpha");
    ck_assert_str_eq(rows[0].role, "analyst");
    ck_assert_str_eq(rows[0].revoked_at, "");
    ck_assert_str_eq(rows[1].name, "bravo");
    ck_assert_str_eq(rows[1].role, "ingest");
    free(rows);

    ck_assert_int_eq(token_list(true, &rows, &n, &err), 0);
    ck_assert_int_eq(n, 4);
    /* active first (by name), then revoked (by name) */
    ck_assert_str_eq(rows[0].name, "alpha");
    ck_assert_str_eq(rows[0].revoked_at, "");
    ck_assert_str_eq(rows[1].name, "bravo");
    ck_assert_str_eq(rows[2].name, "alpha");
    ck_assert_str_eq(rows[2].role, "admin");
    ck_assert_str_ne(rows[2].revoked_at, "");
    ck_assert_str_eq(rows[2].revoked_by, ACTOR);
    ck_assert_str_eq(rows[3].name, "charlie");
    ck_assert_str_ne(rows[3].revoked_at, "");
    free(rows);
}
END_TEST

/* The audit chain records each change with the actor, and verifies. */
START_TEST(test_audit_records_changes)
{
    char t[TOKEN_TEXT_LEN + 1];
    struct audit_verify_result v;
    struct audit_entry *e;
    struct mp_error err;
    sqlite3 *db;
    int n;

    create_ok("audited", "admin", t);
    ck_assert_int_eq(token_revoke("cli:root", NOW, "audited", NULL, &err), 0);
    db = db_reader(&err);
    ck_assert_ptr_nonnull(db);
    ck_assert_int_eq(store_audit_verify(db, &v, &err), 0);
    ck_assert_msg(v.ok, "%s", v.reason);
    ck_assert_int_eq(v.entries, 2);
    ck_assert_int_eq(store_audit_list(db, 0, 10, &e, &n, &err), 0);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(e[0].principal, ACTOR);
    ck_assert_str_eq(e[0].action, "token.create");
    ck_assert_str_eq(e[0].object, "audited");
    ck_assert_str_eq(e[0].payload, "{\"name\":\"audited\",\"role\":\"admin\"}");
    ck_assert_str_eq(e[1].principal, "cli:root");
    ck_assert_str_eq(e[1].action, "token.revoke");
    ck_assert_ptr_null(strstr(e[0].payload, t));
    store_audit_free(e, n);
}
END_TEST

/* Searches every file of the data directory (database, WAL) for needle. */
static bool
dir_contains_bytes(const char *dir, const char *needle)
{
    static const char *const names[] = {"meldpunt.db", "meldpunt.db-wal", "meldpunt.db-shm",
                                        "meldpunt.db-journal"};
    size_t nl = strlen(needle);

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char p[PATH_MAX];
        FILE *f;
        char *data;
        long size;
        bool found = false;

        tu_path(p, dir, names[i]);
        f = fopen(p, "rb");
        if (f == NULL)
            continue;
        fseek(f, 0, SEEK_END);
        size = ftell(f);
        fseek(f, 0, SEEK_SET);
        data = malloc((size_t)size + 1);
        ck_assert_ptr_nonnull(data);
        ck_assert_uint_eq(fread(data, 1, (size_t)size, f), (size_t)size);
        fclose(f);
        for (long k = 0; !found && k + (long)nl <= size; k++)
            found = memcmp(data + k, needle, nl) == 0;
        free(data);
        if (found)
            return true;
    }
    return false;
}

START_TEST(test_token_never_stored)
{
    char tok[TOKEN_TEXT_LEN + 1];
    uint8_t hash[TOKEN_HASH_LEN];
    sqlite3 *db;
    sqlite3_stmt *st;
    int rows = 0;

    create_ok("secretive", "admin", tok);

    ck_assert_int_eq(sqlite3_open_v2(dbfile, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT * FROM tokens", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows++;
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const void *v = sqlite3_column_blob(st, c);
            int len = sqlite3_column_bytes(st, c);
            ck_assert_msg(!(len == TOKEN_TEXT_LEN && memcmp(v, tok, TOKEN_TEXT_LEN) == 0),
                          "column %s holds the token", sqlite3_column_name(st, c));
            if (len >= TOKEN_TEXT_LEN - 3)
                for (int k = 0; k + (TOKEN_TEXT_LEN - 3) <= len; k++)
                    ck_assert_msg(memcmp((const char *)v + k, tok + 3, TOKEN_TEXT_LEN - 3) != 0,
                                  "column %s contains the token", sqlite3_column_name(st, c));
        }
    }
    sqlite3_finalize(st);
    ck_assert_int_eq(rows, 1);

    /* what is stored is the keyed hash */
    token_hash(secret, tok, hash);
    ck_assert_int_eq(
        sqlite3_prepare_v2(db, "SELECT count(*) FROM tokens WHERE hash = ?", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close_v2(db);

    /* nor anywhere in the files (audit rows, WAL frames) */
    ck_assert(!dir_contains_bytes(tmpdir, tok + 3));
}
END_TEST

/* ---- through the writer thread (group commit) ---- */

#define WRITER_THREADS 6
#define WRITER_EACH    5

struct worker {
    int id;
    int failures;
};

static void *
worker_main(void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < WRITER_EACH; i++) {
        char name[32], tok[TOKEN_TEXT_LEN + 1];
        struct mp_error err;

        snprintf(name, sizeof(name), "w%d-%d", w->id, i);
        if (token_create(ACTOR, NOW, name, "viewer", NULL, 0, NULL, 0, tok, NULL, &err) != 0)
            w->failures++;
    }
    /* one conflicting create each: fails alone, the others still commit */
    {
        char tok[TOKEN_TEXT_LEN + 1];
        struct mp_error err;
        if (token_create(ACTOR, NOW, "taken", "viewer", NULL, 0, NULL, 0, tok, NULL, &err) == 0 ||
            err.status != 409)
            w->failures++;
    }
    return NULL;
}

START_TEST(test_writer_thread)
{
    pthread_t th[WRITER_THREADS];
    struct worker w[WRITER_THREADS];
    struct store_writer_stats stats;
    struct audit_verify_result v;
    struct token_row *rows;
    struct mp_error err;
    int n;

    {
        char tok[TOKEN_TEXT_LEN + 1];
        create_ok("taken", "viewer", tok); /* directly, before the thread runs */
    }
    mp_error_clear(&err);
    ck_assert_msg(store_writer_start(4, &err) == 0, "%s", err.message);
    for (int i = 0; i < WRITER_THREADS; i++) {
        w[i].id = i;
        w[i].failures = 0;
        ck_assert_int_eq(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < WRITER_THREADS; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(w[i].failures, 0);
    }
    store_writer_stop();
    store_writer_stats(&stats);
    ck_assert_uint_eq(stats.changes, WRITER_THREADS * (WRITER_EACH + 1));
    ck_assert_uint_eq(stats.failures, WRITER_THREADS);
    ck_assert_uint_ge(stats.commits, 1);

    ck_assert_int_eq(token_list(false, &rows, &n, &err), 0);
    ck_assert_int_eq(n, WRITER_THREADS * WRITER_EACH + 1);
    free(rows);
    ck_assert_int_eq(store_audit_verify(db_reader(&err), &v, &err), 0);
    ck_assert_msg(v.ok, "%s", v.reason);
    ck_assert_int_eq(v.entries, WRITER_THREADS * WRITER_EACH + 1);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
token_suite(void)
{
    Suite *s = suite_create("token");
    TCase *tc;

    tc = tcase_create("text");
    tcase_add_test(tc, test_generate_shape);
    tcase_add_test(tc, test_generate_differs);
    tcase_add_loop_test(tc, test_well_formed, 0, N(wf_cases));
    tcase_add_test(tc, test_hash);
    tcase_add_loop_test(tc, test_name_valid, 0, N(name_cases));
    tcase_add_test(tc, test_roles);
    suite_add_tcase(s, tc);

    tc = tcase_create("storage");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_add_test(tc, test_create_authenticate);
    tcase_add_test(tc, test_expiry);
    tcase_add_test(tc, test_allowed_sources);
    tcase_add_test(tc, test_authenticate_unknown);
    tcase_add_test(tc, test_create_duplicate_name);
    tcase_add_test(tc, test_create_bad_input);
    tcase_add_test(tc, test_revoke);
    tcase_add_test(tc, test_list);
    tcase_add_test(tc, test_audit_records_changes);
    tcase_add_test(tc, test_token_never_stored);
    tcase_add_test(tc, test_writer_thread);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    if (sodium_init() < 0)
        return 2;
    return tu_run(token_suite());
}
