/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_audit.c - lib/hashchain.c (the entry hash) and store/audit.c
 * (appending, verifying, listing) on a temporary database, including
 * tampering with rows behind the triggers' back.
 */
#include "lib/hashchain.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/writer.h"
#include "testutil.h"

#include <check.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* Tests pass this fixed time wherever the code takes `now`; they never
 * read the clock, so they pass on any date. */
static const int64_t NOW = 1796000000; /* 2026-11-30T00:53:20Z */

/* ---- the entry hash ---- */

static void
sample_entry(struct chain_entry *e)
{
    e->seq = 42;
    e->at = "2026-11-29T02:30:00Z";
    e->principal = "token:admin";
    e->action = "token.create";
    e->object = "ci-bot";
    chain_hash_payload("{\"name\":\"ci-bot\"}", strlen("{\"name\":\"ci-bot\"}"), e->payload_hash);
}

START_TEST(test_hash_deterministic)
{
    uint8_t prev[CHAIN_HASH_LEN], a[CHAIN_HASH_LEN], b[CHAIN_HASH_LEN];
    struct chain_entry e1, e2;
    char at[] = "2026-11-29T02:30:00Z";

    memset(prev, 7, sizeof(prev));
    sample_entry(&e1);
    sample_entry(&e2);
    e2.at = at; /* equal contents at another address */
    chain_hash_entry(prev, &e1, a);
    chain_hash_entry(prev, &e2, b);
    ck_assert_mem_eq(a, b, CHAIN_HASH_LEN);
}
END_TEST

/* Changing any one input changes the hash. */
START_TEST(test_hash_every_field_counts)
{
    uint8_t prev[CHAIN_HASH_LEN], base[CHAIN_HASH_LEN], h[CHAIN_HASH_LEN];
    struct chain_entry e;

    memset(prev, 7, sizeof(prev));
    sample_entry(&e);
    chain_hash_entry(prev, &e, base);

    switch (_i) {
    case 0:
        prev[31] ^= 1;
        break;
    case 1:
        e.seq = 43;
        break;
    case 2:
        e.at = "2026-11-29T02:30:01Z";
        break;
    case 3:
        e.principal = "token:admim";
        break;
    case 4:
        e.action = "token.revoke";
        break;
    case 5:
        e.object = "ci-bot2";
        break;
    case 6:
        e.payload_hash[0] ^= 0x80;
        break;
    case 7:
        e.seq = 42 + ((int64_t)1 << 40); /* high bytes of seq count too */
        break;
    case 8:
        e.object = "";
        break;
    }
    chain_hash_entry(prev, &e, h);
    ck_assert_msg(memcmp(base, h, CHAIN_HASH_LEN) != 0, "mutation %d did not change the hash", _i);
}
END_TEST

/* Length prefixes: moving a boundary between fields changes the hash. */
START_TEST(test_hash_boundaries)
{
    uint8_t prev[CHAIN_HASH_LEN] = {0}, a[CHAIN_HASH_LEN], b[CHAIN_HASH_LEN];
    struct chain_entry e1, e2;

    sample_entry(&e1);
    sample_entry(&e2);
    e1.principal = "ab";
    e1.action = "c";
    e2.principal = "a";
    e2.action = "bc";
    chain_hash_entry(prev, &e1, a);
    chain_hash_entry(prev, &e2, b);
    ck_assert(memcmp(a, b, CHAIN_HASH_LEN) != 0);

    sample_entry(&e1);
    sample_entry(&e2);
    e1.action = "x";
    e1.object = "";
    e2.action = "";
    e2.object = "x";
    chain_hash_entry(prev, &e1, a);
    chain_hash_entry(prev, &e2, b);
    ck_assert(memcmp(a, b, CHAIN_HASH_LEN) != 0);

    sample_entry(&e1);
    sample_entry(&e2);
    e1.at = "2026-11-29T02:30:00Zt";
    e1.principal = "oken:admin";
    e2.at = "2026-11-29T02:30:00Z";
    e2.principal = "token:admin";
    chain_hash_entry(prev, &e1, a);
    chain_hash_entry(prev, &e2, b);
    ck_assert(memcmp(a, b, CHAIN_HASH_LEN) != 0);
}
END_TEST

static void
put_u64_be(crypto_generichash_state *st, uint64_t v)
{
    uint8_t b[8];

    for (int i = 7; i >= 0; i--) {
        b[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
    crypto_generichash_update(st, b, 8);
}

static void
put_str(crypto_generichash_state *st, const char *s)
{
    put_u64_be(st, strlen(s));
    crypto_generichash_update(st, (const unsigned char *)s, strlen(s));
}

/* The encoding documented in hashchain.h, computed independently, so an
 * outside verifier following the documentation gets the same hashes. */
START_TEST(test_hash_matches_documented_encoding)
{
    uint8_t prev[CHAIN_HASH_LEN], got[CHAIN_HASH_LEN], want[CHAIN_HASH_LEN];
    uint8_t ph[CHAIN_HASH_LEN];
    crypto_generichash_state st;
    struct chain_entry e;
    static const char payload[] = "{\"name\":\"ci-bot\"}";

    for (int i = 0; i < CHAIN_HASH_LEN; i++)
        prev[i] = (uint8_t)i;
    sample_entry(&e);
    e.seq = 0x0102030405060708LL;

    crypto_generichash(ph, sizeof(ph), (const unsigned char *)payload, strlen(payload), NULL, 0);
    ck_assert_mem_eq(ph, e.payload_hash, CHAIN_HASH_LEN);

    crypto_generichash_init(&st, NULL, 0, CHAIN_HASH_LEN);
    crypto_generichash_update(&st, prev, CHAIN_HASH_LEN);
    put_u64_be(&st, (uint64_t)e.seq);
    put_str(&st, e.at);
    put_str(&st, e.principal);
    put_str(&st, e.action);
    put_str(&st, e.object);
    crypto_generichash_update(&st, ph, CHAIN_HASH_LEN);
    crypto_generichash_final(&st, want, CHAIN_HASH_LEN);

    chain_hash_entry(prev, &e, got);
    ck_assert_mem_eq(got, want, CHAIN_HASH_LEN);
}
END_TEST

START_TEST(test_payload_hash)
{
    uint8_t a[CHAIN_HASH_LEN], b[CHAIN_HASH_LEN];

    chain_hash_payload("{}", 2, a);
    chain_hash_payload("{}", 2, b);
    ck_assert_mem_eq(a, b, CHAIN_HASH_LEN);
    chain_hash_payload("{ }", 3, b);
    ck_assert(memcmp(a, b, CHAIN_HASH_LEN) != 0);
    chain_hash_payload("{}x", 2, b); /* only len bytes count */
    ck_assert_mem_eq(a, b, CHAIN_HASH_LEN);
}
END_TEST

/* ---- in the database ---- */

static char tmpdir[PATH_MAX];
static char dbfile[PATH_MAX];
static sqlite3 *conn;

static void
setup_db(void)
{
    tu_db_setup(tmpdir, dbfile, &conn);
}

static void
teardown_db(void)
{
    tu_db_teardown(tmpdir, &conn);
}

static void
exec_ok(const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(conn, sql, NULL, NULL, &msg);

    ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : "?");
}

/* Appends n entries in one transaction on conn: principal "user:I",
 * action "act.I", object "obj-I", payload {"i":I}, I counting from first. */
static void
append_entries(int first, int n)
{
    struct mp_error err;

    exec_ok("BEGIN IMMEDIATE");
    for (int i = first; i < first + n; i++) {
        char principal[32], action[32], object[32], payload[64];

        snprintf(principal, sizeof(principal), "user:%d", i);
        snprintf(action, sizeof(action), "act.%d", i);
        snprintf(object, sizeof(object), "obj-%d", i);
        snprintf(payload, sizeof(payload), "{\"i\":%d}", i);
        mp_error_clear(&err);
        ck_assert_msg(store_audit_append(conn, NOW, principal, action, object, payload, &err) == 0,
                      "append %d: %s", i, err.message);
    }
    exec_ok("COMMIT");
}

static void
verify(struct audit_verify_result *v)
{
    struct mp_error err;

    mp_error_clear(&err);
    ck_assert_msg(store_audit_verify(conn, v, &err) == 0, "%s", err.message);
}

static void
row_hash(const char *column, int64_t seq, uint8_t out[CHAIN_HASH_LEN])
{
    char sql[128];
    sqlite3_stmt *st;

    snprintf(sql, sizeof(sql), "SELECT %s FROM audit WHERE seq = ?", column);
    ck_assert_int_eq(sqlite3_prepare_v2(conn, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, seq);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_bytes(st, 0), CHAIN_HASH_LEN);
    memcpy(out, sqlite3_column_blob(st, 0), CHAIN_HASH_LEN);
    sqlite3_finalize(st);
}

START_TEST(test_verify_empty)
{
    struct audit_verify_result v;
    uint8_t zero[CHAIN_HASH_LEN] = {0};

    verify(&v);
    ck_assert(v.ok);
    ck_assert_int_eq(v.entries, 0);
    ck_assert_int_eq(v.head_seq, 0);
    ck_assert_int_eq(v.bad_seq, 0);
    ck_assert_mem_eq(v.head_hash, zero, CHAIN_HASH_LEN);
}
END_TEST

START_TEST(test_append_and_verify)
{
    struct audit_verify_result v;
    uint8_t zero[CHAIN_HASH_LEN] = {0}, h[CHAIN_HASH_LEN], p[CHAIN_HASH_LEN];

    append_entries(1, 3);
    append_entries(4, 2);
    verify(&v);
    ck_assert_msg(v.ok, "%s", v.reason);
    ck_assert_int_eq(v.entries, 5);
    ck_assert_int_eq(v.head_seq, 5);
    ck_assert_int_eq(v.bad_seq, 0);
    row_hash("hash", 5, h);
    ck_assert_mem_eq(v.head_hash, h, CHAIN_HASH_LEN);

    /* the links: entry 1 starts from zeros, each next one from its
     * predecessor's hash */
    row_hash("prev_hash", 1, p);
    ck_assert_mem_eq(p, zero, CHAIN_HASH_LEN);
    for (int64_t s = 2; s <= 5; s++) {
        row_hash("hash", s - 1, h);
        row_hash("prev_hash", s, p);
        ck_assert_mem_eq(p, h, CHAIN_HASH_LEN);
    }
}
END_TEST

/* A change that rolls back takes its audit entry with it. */
START_TEST(test_append_rolled_back)
{
    struct audit_verify_result v;
    struct mp_error err;

    append_entries(1, 2);
    exec_ok("BEGIN IMMEDIATE");
    ck_assert_int_eq(store_audit_append(conn, NOW, "user:x", "act.x", "obj-x", "{}", &err), 0);
    exec_ok("ROLLBACK");
    append_entries(3, 1);
    verify(&v);
    ck_assert_msg(v.ok, "%s", v.reason);
    ck_assert_int_eq(v.entries, 3);
}
END_TEST

struct append_arg {
    const char *principal;
    bool fail_after;
};

static int
append_change(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct append_arg *a = arg;

    if (store_audit_append(db, NOW, a->principal, "write.test", "obj", "{\"via\":\"store_write\"}",
                           err) != 0)
        return -1;
    if (a->fail_after)
        return mp_error_set(err, 409, "x", "change refused after auditing");
    return 0;
}

START_TEST(test_append_through_store_write)
{
    struct append_arg ok = {"cli:a", false}, bad = {"cli:b", true};
    struct audit_verify_result v;
    struct audit_entry *e;
    struct mp_error err;
    int n;

    append_entries(1, 1);
    mp_error_clear(&err);
    ck_assert_msg(store_write(append_change, &ok, &err) == 0, "%s", err.message);
    ck_assert_int_eq(store_write(append_change, &bad, &err), -1);
    ck_assert_int_eq(err.status, 409);
    ck_assert_msg(store_write(append_change, &ok, &err) == 0, "%s", err.message);
    verify(&v);
    ck_assert_msg(v.ok, "%s", v.reason);
    ck_assert_int_eq(v.entries, 3);
    ck_assert_int_eq(store_audit_list(conn, 1, 10, &e, &n, &err), 0);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(e[0].principal, "cli:a");
    ck_assert_str_eq(e[1].principal, "cli:a");
    ck_assert_str_eq(e[0].payload, "{\"via\":\"store_write\"}");
    store_audit_free(e, n);
}
END_TEST

/* Read-only (the server's answer to a broken chain): every change is
 * refused with 503 and the reason, nothing is written; the probe still
 * runs; cleared, changes are taken again. */
START_TEST(test_writer_read_only)
{
    struct append_arg ok = {"cli:a", false};
    struct audit_verify_result v;
    struct mp_error err;

    append_entries(1, 1);
    store_writer_read_only("read-only: the chain is broken");
    mp_error_clear(&err);
    ck_assert_int_eq(store_write(append_change, &ok, &err), -1);
    ck_assert_int_eq(err.status, 503);
    ck_assert_str_eq(err.message, "read-only: the chain is broken");
    verify(&v);
    ck_assert_int_eq(v.entries, 1);
    ck_assert_msg(store_write_unguarded(append_change, &ok, &err) == 0, "%s", err.message);
    store_writer_read_only(NULL);
    ck_assert_msg(store_write(append_change, &ok, &err) == 0, "%s", err.message);
    verify(&v);
    ck_assert_int_eq(v.entries, 3);
}
END_TEST

START_TEST(test_triggers_refuse_changes)
{
    struct audit_verify_result v;
    char *msg = NULL;

    append_entries(1, 3);
    ck_assert_int_ne(
        sqlite3_exec(conn, "UPDATE audit SET principal = 'evil' WHERE seq = 2", NULL, NULL, &msg),
        SQLITE_OK);
    ck_assert_ptr_nonnull(msg);
    ck_assert_msg(strstr(msg, "cannot be changed") != NULL, "%s", msg);
    sqlite3_free(msg);
    msg = NULL;
    ck_assert_int_ne(sqlite3_exec(conn, "DELETE FROM audit WHERE seq = 2", NULL, NULL, &msg),
                     SQLITE_OK);
    ck_assert_ptr_nonnull(msg);
    ck_assert_msg(strstr(msg, "cannot be deleted") != NULL, "%s", msg);
    sqlite3_free(msg);
    verify(&v);
    ck_assert(v.ok);
    ck_assert_int_eq(v.entries, 3);
}
END_TEST

struct tamper_case {
    const char *sql;
    int64_t bad_seq;
    const char *reason;
};

static const struct tamper_case tamper_cases[] = {
    {"UPDATE audit SET principal = 'user:evil' WHERE seq = 2", 2, "entry does not match"},
    {"UPDATE audit SET payload = '{\"i\":99}' WHERE seq = 2", 2, "payload"},
    {"UPDATE audit SET at = '2000-01-01T00:00:00Z' WHERE seq = 2", 2, "entry does not match"},
    {"UPDATE audit SET action = 'act.x' WHERE seq = 2", 2, "entry does not match"},
    {"UPDATE audit SET object = 'obj-x' WHERE seq = 2", 2, "entry does not match"},
    {"UPDATE audit SET hash = zeroblob(32) WHERE seq = 2", 2, "entry does not match"},
    {"UPDATE audit SET prev_hash = zeroblob(32) WHERE seq = 2", 2, "prev_hash"},
    {"UPDATE audit SET prev_hash = randomblob(32) WHERE seq = 1", 1, "prev_hash"},
    /* payload and its hash changed together: the entry hash still breaks */
    {"UPDATE audit SET payload = '{\"i\":4}', payload_hash = "
     "(SELECT payload_hash FROM audit WHERE seq = 4) WHERE seq = 2",
     2, "entry does not match"},
    {"UPDATE audit SET principal = 'user:evil' WHERE seq = 5", 5, "entry does not match"},
};

START_TEST(test_tamper_update)
{
    const struct tamper_case *t = &tamper_cases[_i];
    struct audit_verify_result v;

    append_entries(1, 5);
    exec_ok("DROP TRIGGER audit_no_update");
    exec_ok(t->sql);
    ck_assert_int_eq(sqlite3_changes(conn), 1);
    verify(&v);
    ck_assert_msg(!v.ok, "%s not detected", t->sql);
    ck_assert_msg(v.bad_seq == t->bad_seq, "%s: bad_seq %lld, expected %lld", t->sql,
                  (long long)v.bad_seq, (long long)t->bad_seq);
    ck_assert_msg(strstr(v.reason, t->reason) != NULL, "%s: reason \"%s\"", t->sql, v.reason);
    ck_assert_int_eq(v.entries, t->bad_seq - 1); /* entries verified before it */
}
END_TEST

/* Rewriting entry 2 consistently (payload, payload hash and its own hash)
 * still breaks the link from entry 3. */
START_TEST(test_tamper_rehashed_entry)
{
    struct audit_verify_result v;
    struct chain_entry e;
    uint8_t prev[CHAIN_HASH_LEN], h[CHAIN_HASH_LEN];
    sqlite3_stmt *st;
    char at[32];
    static const char payload[] = "{\"i\":666}";

    append_entries(1, 4);
    exec_ok("DROP TRIGGER audit_no_update");
    row_hash("prev_hash", 2, prev);
    ck_assert_int_eq(sqlite3_prepare_v2(conn, "SELECT at FROM audit WHERE seq = 2", -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    snprintf(at, sizeof(at), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);

    e.seq = 2;
    e.at = at;
    e.principal = "user:evil";
    e.action = "act.2";
    e.object = "obj-2";
    chain_hash_payload(payload, strlen(payload), e.payload_hash);
    chain_hash_entry(prev, &e, h);
    ck_assert_int_eq(sqlite3_prepare_v2(conn,
                                        "UPDATE audit SET principal = ?, payload = ?, "
                                        "payload_hash = ?, hash = ? WHERE seq = 2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, e.principal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, payload, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, e.payload_hash, CHAIN_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, h, CHAIN_HASH_LEN, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);

    verify(&v);
    ck_assert(!v.ok);
    ck_assert_int_eq(v.bad_seq, 3);
    ck_assert_msg(strstr(v.reason, "prev_hash") != NULL, "%s", v.reason);
    ck_assert_int_eq(v.entries, 2);
}
END_TEST

START_TEST(test_tamper_delete_middle)
{
    struct audit_verify_result v;

    append_entries(1, 5);
    exec_ok("DROP TRIGGER audit_no_delete");
    exec_ok("DELETE FROM audit WHERE seq = 3");
    verify(&v);
    ck_assert(!v.ok);
    ck_assert_int_eq(v.bad_seq, 3);
    ck_assert_msg(strstr(v.reason, "expected entry 3, found 4") != NULL, "%s", v.reason);
    ck_assert_int_eq(v.entries, 2);
}
END_TEST

START_TEST(test_tamper_delete_first)
{
    struct audit_verify_result v;

    append_entries(1, 3);
    exec_ok("DROP TRIGGER audit_no_delete");
    exec_ok("DELETE FROM audit WHERE seq = 1");
    verify(&v);
    ck_assert(!v.ok);
    ck_assert_int_eq(v.bad_seq, 1);
    ck_assert_msg(strstr(v.reason, "expected entry 1, found 2") != NULL, "%s", v.reason);
}
END_TEST

/* Renumbering the rows after a deletion to close the gap breaks the links. */
START_TEST(test_tamper_delete_and_renumber)
{
    struct audit_verify_result v;

    append_entries(1, 5);
    exec_ok("DROP TRIGGER audit_no_delete");
    exec_ok("DROP TRIGGER audit_no_update");
    exec_ok("DELETE FROM audit WHERE seq = 3");
    exec_ok("UPDATE audit SET seq = 3 WHERE seq = 4");
    exec_ok("UPDATE audit SET seq = 4 WHERE seq = 5");
    verify(&v);
    ck_assert(!v.ok);
    ck_assert_int_eq(v.bad_seq, 3);
}
END_TEST

/* ---- acknowledged breaks (store/audit.h) ---- */

static void
append_one(const char *action, const char *object)
{
    struct mp_error err;

    exec_ok("BEGIN IMMEDIATE");
    mp_error_clear(&err);
    ck_assert_msg(store_audit_append(conn, NOW, "cli:root", action, object, "{}", &err) == 0, "%s",
                  err.message);
    exec_ok("COMMIT");
}

/* Entries 1-5 with entry 2 edited: broken at 2. */
static void
broken_at_2(void)
{
    append_entries(1, 5);
    exec_ok("DROP TRIGGER audit_no_update");
    exec_ok("UPDATE audit SET principal = 'user:evil' WHERE seq = 2");
}

START_TEST(test_ack_starts_a_verified_segment)
{
    struct audit_verify_result v;
    uint8_t h[CHAIN_HASH_LEN];

    broken_at_2();
    append_one(AUDIT_ACK_ACTION, "audit/2");
    verify(&v);
    ck_assert_msg(v.ok, "%s", v.reason);
    ck_assert_int_eq(v.acknowledged, 1);
    ck_assert_int_eq(v.entries, 6);
    ck_assert_int_eq(v.head_seq, 6);
    row_hash("hash", 6, h);
    ck_assert_mem_eq(v.head_hash, h, CHAIN_HASH_LEN);
    /* what follows is chained and verified as usual */
    append_entries(7, 2);
    verify(&v);
    ck_assert(v.ok);
    ck_assert_int_eq(v.head_seq, 8);
    /* and a later break is a break again */
    exec_ok("UPDATE audit SET principal = 'user:evil' WHERE seq = 7");
    verify(&v);
    ck_assert(!v.ok);
    ck_assert_int_eq(v.bad_seq, 7);
    ck_assert_int_eq(v.acknowledged, 1);
}
END_TEST

/* An acknowledgement of another entry, an ordinary entry, or one whose
 * head was changed afterwards does not mend the break. */
START_TEST(test_ack_must_name_the_break_and_its_head)
{
    struct audit_verify_result v;

    broken_at_2();
    append_one(AUDIT_ACK_ACTION, "audit/3");
    append_one("token.create", "audit/2");
    verify(&v);
    ck_assert(!v.ok);
    ck_assert_int_eq(v.bad_seq, 2);
    ck_assert_int_eq(v.entries, 1);
    ck_assert_int_eq(v.last_seq, 7);

    append_one(AUDIT_ACK_ACTION, "audit/2");
    verify(&v);
    ck_assert(v.ok);
    /* the head it was made on, rewritten later: the link no longer holds */
    exec_ok("UPDATE audit SET hash = zeroblob(32) WHERE seq = 7");
    verify(&v);
    ck_assert(!v.ok);
    ck_assert_int_eq(v.bad_seq, 2);
}
END_TEST

START_TEST(test_ack_of_a_gap)
{
    struct audit_verify_result v;

    append_entries(1, 5);
    exec_ok("DROP TRIGGER audit_no_delete");
    exec_ok("DELETE FROM audit WHERE seq = 3");
    verify(&v);
    ck_assert(!v.ok);
    ck_assert_int_eq(v.bad_seq, 3);
    append_one(AUDIT_ACK_ACTION, "audit/3");
    verify(&v);
    ck_assert_msg(v.ok, "%s", v.reason);
    ck_assert_int_eq(v.head_seq, 6);
}
END_TEST

START_TEST(test_list_paging)
{
    struct audit_entry *e;
    struct mp_error err;
    struct audit_verify_result v;
    uint8_t h[CHAIN_HASH_LEN];
    int n;

    append_entries(1, 7);
    mp_error_clear(&err);

    ck_assert_int_eq(store_audit_list(conn, 0, 3, &e, &n, &err), 0);
    ck_assert_int_eq(n, 3);
    for (int i = 0; i < 3; i++) {
        char want[32];
        ck_assert_int_eq(e[i].seq, i + 1);
        snprintf(want, sizeof(want), "user:%d", i + 1);
        ck_assert_str_eq(e[i].principal, want);
        snprintf(want, sizeof(want), "act.%d", i + 1);
        ck_assert_str_eq(e[i].action, want);
        snprintf(want, sizeof(want), "obj-%d", i + 1);
        ck_assert_str_eq(e[i].object, want);
        snprintf(want, sizeof(want), "{\"i\":%d}", i + 1);
        ck_assert_str_eq(e[i].payload, want);
        ck_assert_uint_eq(strlen(e[i].at), 20);
        row_hash("hash", i + 1, h);
        ck_assert_mem_eq(e[i].hash, h, CHAIN_HASH_LEN);
    }
    store_audit_free(e, n);

    ck_assert_int_eq(store_audit_list(conn, 3, 3, &e, &n, &err), 0);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(e[0].seq, 4);
    ck_assert_int_eq(e[2].seq, 6);
    store_audit_free(e, n);

    ck_assert_int_eq(store_audit_list(conn, 6, 3, &e, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(e[0].seq, 7);
    verify(&v);
    ck_assert_mem_eq(e[0].hash, v.head_hash, CHAIN_HASH_LEN);
    store_audit_free(e, n);

    ck_assert_int_eq(store_audit_list(conn, 7, 3, &e, &n, &err), 0);
    ck_assert_int_eq(n, 0);
    store_audit_free(e, n);

    ck_assert_int_eq(store_audit_list(conn, 0, 100, &e, &n, &err), 0);
    ck_assert_int_eq(n, 7);
    store_audit_free(e, n);

    ck_assert_int_eq(store_audit_list(conn, 0, 0, &e, &n, &err), 0);
    ck_assert_int_eq(n, 0);
    store_audit_free(e, n);

    ck_assert_int_eq(store_audit_list(conn, -5, 1, &e, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(e[0].seq, 1);
    store_audit_free(e, n);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
audit_suite(void)
{
    Suite *s = suite_create("audit");
    TCase *tc;

    tc = tcase_create("hashchain");
    tcase_add_test(tc, test_hash_deterministic);
    tcase_add_loop_test(tc, test_hash_every_field_counts, 0, 9);
    tcase_add_test(tc, test_hash_boundaries);
    tcase_add_test(tc, test_hash_matches_documented_encoding);
    tcase_add_test(tc, test_payload_hash);
    suite_add_tcase(s, tc);

    tc = tcase_create("store");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_add_test(tc, test_verify_empty);
    tcase_add_test(tc, test_append_and_verify);
    tcase_add_test(tc, test_append_rolled_back);
    tcase_add_test(tc, test_append_through_store_write);
    tcase_add_test(tc, test_writer_read_only);
    tcase_add_test(tc, test_triggers_refuse_changes);
    tcase_add_loop_test(tc, test_tamper_update, 0, N(tamper_cases));
    tcase_add_test(tc, test_tamper_rehashed_entry);
    tcase_add_test(tc, test_tamper_delete_middle);
    tcase_add_test(tc, test_tamper_delete_first);
    tcase_add_test(tc, test_tamper_delete_and_renumber);
    tcase_add_test(tc, test_ack_starts_a_verified_segment);
    tcase_add_test(tc, test_ack_must_name_the_break_and_its_head);
    tcase_add_test(tc, test_ack_of_a_gap);
    tcase_add_test(tc, test_list_paging);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    if (sodium_init() < 0)
        return 2;
    return tu_run(audit_suite());
}
