/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_checkpoint.c - core/checkpoint.c and store/checkpoints.c: signed
 * checkpoints of the audit chain, made in a real data directory, and the
 * check that catches what the chain alone cannot: a chain recomputed after
 * tampering, or cut short.
 */
#include "core/checkpoint.h"
#include "core/signing.h"
#include "datadir.h"
#include "lib/hashchain.h"
#include "lib/minisign.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/writer.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tests pass this fixed time wherever the code takes `now`; they never
 * read the clock, so they pass on any date. */
static const int64_t NOW = 1796000000; /* 2026-11-30T00:53:20Z */

static char tmpdir[PATH_MAX], datadir[PATH_MAX], dbfile[PATH_MAX];
static sqlite3 *conn; /* for tampering, behind the triggers' back */

static void
setup(void)
{
    char token[TOKEN_TEXT_LEN + 1];
    struct mp_error err;

    tu_mkdtemp(tmpdir);
    tu_path(datadir, tmpdir, "data");
    tu_path(dbfile, datadir, "meldpunt.db");
    mp_error_clear(&err);
    ck_assert_msg(datadir_init(datadir, "test", NOW, token, &err) == 0, "%s", err.message);
    conn = db_connect(dbfile, false, &err);
    ck_assert_ptr_nonnull(conn);
    checkpoint_chain_forget(); /* a new database: nothing walked yet */
}

static void
teardown(void)
{
    sqlite3_close_v2(conn);
    datadir_close();
    tu_rmrf(tmpdir);
}

static void
exec_ok(const char *sql)
{
    char *msg = NULL;

    ck_assert_msg(sqlite3_exec(conn, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql,
                  msg ? msg : "?");
}

static int
append_one(sqlite3 *db, void *arg, struct mp_error *err)
{
    return store_audit_append(db, NOW, "test", "test.act", (const char *)arg, "{}", err);
}

static void
append(int n)
{
    struct mp_error err;

    for (int i = 0; i < n; i++)
        ck_assert_msg(store_write(append_one, "obj", &err) == 0, "%s", err.message);
}

static int64_t
head_seq(void)
{
    sqlite3_stmt *st;
    int64_t v;

    ck_assert_int_eq(sqlite3_prepare_v2(conn, "SELECT max(seq) FROM audit", -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* A checkpoint now, as its JSON text. */
static char *
make_checkpoint(json_t **out)
{
    struct mp_error err;
    json_t *cp = NULL;
    char *text;

    mp_error_clear(&err);
    ck_assert_msg(checkpoint_create("test", NOW, "demand", false, &cp, &err) == 1, "%s",
                  err.message);
    text = json_dumps(cp, JSON_COMPACT);
    if (out)
        *out = cp;
    else
        json_decref(cp);
    return text;
}

static bool
verify(const char *text, char *why, size_t size)
{
    struct mp_error err;
    sqlite3 *db = db_reader(&err);
    bool ok;

    ck_assert_ptr_nonnull(db);
    ck_assert_msg(checkpoint_verify(db, text, &ok, why, size, &err) == 0, "%s", err.message);
    return ok;
}

/* Rewrites the principal of entry `from` and recomputes every hash after
 * it: a chain that verifies on its own, as someone with write access to
 * the file could make it. */
static void
rewrite_chain_from(int64_t from)
{
    sqlite3_stmt *sel, *upd;
    uint8_t prev[CHAIN_HASH_LEN] = {0}, h[CHAIN_HASH_LEN];

    exec_ok("DROP TRIGGER audit_no_update");
    ck_assert_int_eq(sqlite3_prepare_v2(conn,
                                        "SELECT seq, at, principal, action, object, payload_hash, "
                                        "hash FROM audit ORDER BY seq",
                                        -1, &sel, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(conn,
                                        "UPDATE audit SET principal = ?, prev_hash = ?, hash = ? "
                                        "WHERE seq = ?",
                                        -1, &upd, NULL),
                     SQLITE_OK);
    while (sqlite3_step(sel) == SQLITE_ROW) {
        struct chain_entry e;
        char principal[80];

        e.seq = sqlite3_column_int64(sel, 0);
        e.at = (const char *)sqlite3_column_text(sel, 1);
        snprintf(principal, sizeof(principal), "%s",
                 e.seq == from ? "evil" : (const char *)sqlite3_column_text(sel, 2));
        e.principal = principal;
        e.action = (const char *)sqlite3_column_text(sel, 3);
        e.object = (const char *)sqlite3_column_text(sel, 4);
        memcpy(e.payload_hash, sqlite3_column_blob(sel, 5), CHAIN_HASH_LEN);
        if (e.seq < from) {
            memcpy(prev, sqlite3_column_blob(sel, 6), CHAIN_HASH_LEN);
            continue;
        }
        chain_hash_entry(prev, &e, h);
        sqlite3_bind_text(upd, 1, principal, -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(upd, 2, prev, CHAIN_HASH_LEN, SQLITE_TRANSIENT);
        sqlite3_bind_blob(upd, 3, h, CHAIN_HASH_LEN, SQLITE_TRANSIENT);
        sqlite3_bind_int64(upd, 4, e.seq);
        ck_assert_int_eq(sqlite3_step(upd), SQLITE_DONE);
        sqlite3_reset(upd);
        memcpy(prev, h, CHAIN_HASH_LEN);
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
}

START_TEST(test_checkpoint_signs_the_head)
{
    struct audit_verify_result r;
    struct minisign_key pub;
    struct mp_error err;
    char hex[65], trusted[512], want[64];
    const char *why;
    json_t *cp, *doc;
    char *text, *pubtext;
    char pubpath[PATH_MAX];
    size_t len;

    append(3);
    text = make_checkpoint(&cp);
    ck_assert_int_eq(store_audit_verify(conn, &r, &err), 0);
    sodium_bin2hex(hex, sizeof(hex), r.head_hash, CHAIN_HASH_LEN);
    ck_assert_int_eq(json_integer_value(json_object_get(cp, "audit_seq")), head_seq());
    ck_assert_str_eq(json_string_value(json_object_get(cp, "audit_hash")), hex);
    ck_assert_str_eq(json_string_value(json_object_get(cp, "reason")), "demand");
    ck_assert_int_eq(json_integer_value(json_object_get(cp, "id")), 1);

    /* the signed bytes say the same, and verify with the public key file */
    doc = json_loads(json_string_value(json_object_get(cp, "document")), 0, NULL);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "meldpunt")), "audit-checkpoint");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(doc, "audit"), "seq")),
                     head_seq());
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "audit"), "hash")),
                     hex);
    tu_path(pubpath, datadir, "signing.pub");
    pubtext = tu_read_file(pubpath);
    ck_assert_int_eq(minisign_parse_public(pubtext, &pub, &why), 0);
    len = strlen(json_string_value(json_object_get(cp, "document")));
    ck_assert_msg(minisign_verify(&pub, json_string_value(json_object_get(cp, "document")), len,
                                  json_string_value(json_object_get(cp, "signature")), trusted,
                                  sizeof(trusted), &why) == 0,
                  "%s", why);
    snprintf(want, sizeof(want), "seq=%lld hash=", (long long)head_seq());
    ck_assert_msg(strstr(trusted, want) != NULL, "%s", trusted);
    free(pubtext);
    json_decref(doc);
    json_decref(cp);
    free(text);
}
END_TEST

START_TEST(test_only_when_the_chain_moved)
{
    struct mp_error err;
    json_t *cp = NULL, *list;

    append(1);
    ck_assert_int_eq(checkpoint_create("meldpunt", NOW, "interval", true, &cp, &err), 1);
    json_decref(cp);
    ck_assert_int_eq(checkpoint_create("meldpunt", NOW, "interval", true, &cp, &err), 0);
    ck_assert_ptr_null(cp);
    append(1);
    ck_assert_int_eq(checkpoint_create("meldpunt", NOW, "interval", true, &cp, &err), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(cp, "id")), 2);
    json_decref(cp);
    /* on demand always */
    ck_assert_int_eq(checkpoint_create("test", NOW, "demand", false, NULL, &err), 1);

    ck_assert_int_eq(checkpoint_list(0, 100, &list, &err), 0);
    ck_assert_int_eq(json_array_size(json_object_get(list, "items")), 3);
    json_decref(list);
    ck_assert_int_eq(checkpoint_list(2, 100, &list, &err), 0);
    ck_assert_int_eq(json_array_size(json_object_get(list, "items")), 1);
    ck_assert_int_eq(json_integer_value(
                         json_object_get(json_array_get(json_object_get(list, "items"), 0), "id")),
                     3);
    json_decref(list);
}
END_TEST

START_TEST(test_verify_ok_as_the_chain_grows)
{
    char why[300], *text;

    append(2);
    text = make_checkpoint(NULL);
    ck_assert_msg(verify(text, why, sizeof(why)), "%s", why);
    append(5);
    ck_assert_msg(verify(text, why, sizeof(why)), "%s", why);
    free(text);
}
END_TEST

/* The chain verifies on its own after being recomputed; the checkpoint
 * taken before does not match it. */
START_TEST(test_verify_catches_a_recomputed_chain)
{
    struct audit_verify_result r;
    struct mp_error err;
    char why[300], *text;

    append(4);
    text = make_checkpoint(NULL);
    append(2);
    rewrite_chain_from(2);
    ck_assert_int_eq(store_audit_verify(conn, &r, &err), 0);
    ck_assert_msg(r.ok, "the recomputed chain verifies alone: %s", r.reason);
    ck_assert(!verify(text, why, sizeof(why)));
    ck_assert_msg(strstr(why, "rewritten") != NULL, "%s", why);
    free(text);
}
END_TEST

START_TEST(test_verify_catches_a_shortened_chain)
{
    char why[300], *text;

    append(4);
    text = make_checkpoint(NULL);
    exec_ok("DROP TRIGGER audit_no_delete");
    exec_ok("DELETE FROM audit WHERE seq >= 4");
    ck_assert(!verify(text, why, sizeof(why)));
    ck_assert_msg(strstr(why, "missing") != NULL, "%s", why);
    free(text);
}
END_TEST

/* Changing what the checkpoint says breaks its signature. */
START_TEST(test_verify_refuses_a_forged_checkpoint)
{
    char why[300], *text, *forged, *doctext;
    json_t *cp, *doc;

    append(3);
    text = make_checkpoint(&cp);
    doc = json_loads(json_string_value(json_object_get(cp, "document")), 0, NULL);
    json_object_set_new(json_object_get(doc, "audit"), "seq", json_integer(2));
    doctext = json_dumps(doc, JSON_COMPACT);
    json_object_set_new(cp, "document", json_string(doctext));
    free(doctext);
    forged = json_dumps(cp, JSON_COMPACT);
    ck_assert(!verify(forged, why, sizeof(why)));
    ck_assert_msg(strstr(why, "signature") != NULL, "%s", why);
    ck_assert(!verify("{\"not\":\"a checkpoint\"}", why, sizeof(why)));
    ck_assert(!verify("not even JSON", why, sizeof(why)));
    free(forged);
    free(text);
    json_decref(doc);
    json_decref(cp);
}
END_TEST

START_TEST(test_verify_after_key_rotation)
{
    struct mp_error err;
    char why[300], *text, old_id[17], new_id[17];

    append(2);
    text = make_checkpoint(NULL);
    ck_assert_msg(datadir_rotate_key(datadir, old_id, new_id, &err) == 0, "%s", err.message);
    ck_assert_msg(datadir_load_signing(datadir, &err) == 0, "%s", err.message);
    ck_assert_msg(verify(text, why, sizeof(why)), "%s", why);
    free(text);
}
END_TEST

/* Start-up and a new checkpoint walk the chain from the newest checkpoint
 * on: what it signed was verified when it was signed.  A break after it is
 * found; one before it is left to the walk of the whole chain. */
START_TEST(test_chain_walked_from_the_checkpoint)
{
    struct audit_verify_result r;
    struct mp_error err;
    sqlite3 *db;
    int64_t from, signed_seq;
    char *text;

    append(5);
    text = make_checkpoint(NULL);
    free(text);
    signed_seq = head_seq();
    append(3);
    db = db_reader(&err);
    ck_assert_ptr_nonnull(db);
    ck_assert_int_eq(checkpoint_chain_verify(db, &r, &from, &err), 0);
    ck_assert(r.ok);
    ck_assert_int_eq(from, signed_seq);
    ck_assert_int_eq(r.entries, signed_seq + 3);
    ck_assert_int_eq(r.head_seq, head_seq());

    /* before the checkpoint: not walked again; the whole walk finds it */
    exec_ok("DROP TRIGGER audit_no_update; UPDATE audit SET principal = 'mallory' WHERE seq = 2");
    checkpoint_chain_forget(); /* as a new process: from the checkpoint */
    ck_assert_int_eq(checkpoint_chain_verify(db, &r, &from, &err), 0);
    ck_assert(r.ok);
    ck_assert_int_eq(from, signed_seq);
    ck_assert_int_eq(store_audit_verify(db, &r, &err), 0);
    ck_assert(!r.ok);
    ck_assert_int_eq(r.bad_seq, 2);
    /* a new checkpoint does not walk the whole chain in the writer */
    text = make_checkpoint(NULL);
    free(text);

    /* after the newest checkpoint: found, by the entry */
    append(2);
    {
        char sql[160];
        snprintf(sql, sizeof(sql), "UPDATE audit SET principal = 'mallory' WHERE seq = %lld",
                 (long long)head_seq() - 1);
        exec_ok(sql);
    }
    ck_assert_int_eq(checkpoint_chain_verify(db, &r, &from, &err), 0);
    ck_assert(!r.ok);
    ck_assert_int_eq(r.bad_seq, head_seq() - 1);
    ck_assert_int_eq(r.entries, head_seq() - 2);
}
END_TEST

/* Without a checkpoint, start-up walks the whole chain once; the first
 * checkpoint then walks only what came after that walk (not the whole
 * chain again, in the writer), and a walk after it starts at it. */
START_TEST(test_first_checkpoint_walks_from_start_up)
{
    struct audit_verify_result r;
    struct mp_error err;
    sqlite3 *db;
    int64_t from, walked;
    char *text, sql[160];

    append(20);
    db = db_reader(&err);
    ck_assert_ptr_nonnull(db);
    /* start-up: no checkpoint, the whole chain */
    ck_assert_int_eq(checkpoint_chain_verify(db, &r, &from, &err), 0);
    ck_assert(r.ok);
    ck_assert_int_eq(from, 0);
    walked = head_seq();
    ck_assert_int_eq(r.entries, walked);

    /* an entry start-up walked is changed behind the server's back: the
     * first checkpoint does not walk it again (a whole walk would refuse
     * to sign: 503); the whole walk still finds it */
    append(3);
    exec_ok("DROP TRIGGER audit_no_update; UPDATE audit SET principal = 'mallory' WHERE seq = 2");
    text = make_checkpoint(NULL);
    free(text);
    ck_assert_int_eq(store_audit_verify(db, &r, &err), 0);
    ck_assert(!r.ok);
    ck_assert_int_eq(r.bad_seq, 2);

    /* what came after the start-up walk is walked: a change there is found
     * and no checkpoint is signed over it */
    append(2);
    snprintf(sql, sizeof(sql), "UPDATE audit SET principal = 'mallory' WHERE seq = %lld",
             (long long)head_seq());
    exec_ok(sql);
    mp_error_clear(&err);
    ck_assert_int_eq(checkpoint_create("test", NOW, "demand", false, NULL, &err), -1);
    ck_assert_int_eq(err.status, 503);
    ck_assert_int_eq(checkpoint_chain_verify(db, &r, &from, &err), 0);
    ck_assert(!r.ok);
    ck_assert_int_eq(r.bad_seq, head_seq());
    ck_assert_int_eq(from, walked + 3); /* the checkpoint's entry */

    /* a new process starts at the checkpoint, not at the beginning */
    checkpoint_chain_forget();
    ck_assert_int_eq(checkpoint_chain_verify(db, &r, &from, &err), 0);
    ck_assert_int_eq(from, walked + 3);
}
END_TEST

/* A checkpoint whose entry no longer has the hash it signed vouches for
 * nothing: the whole chain is walked. */
START_TEST(test_checkpoint_that_does_not_vouch)
{
    struct audit_verify_result r;
    struct mp_error err;
    sqlite3 *db;
    int64_t from;
    char *text, sql[160];

    append(3);
    text = make_checkpoint(NULL);
    free(text);
    snprintf(sql, sizeof(sql),
             "DROP TRIGGER audit_no_update; UPDATE audit SET hash = zeroblob(32) WHERE seq = %lld",
             (long long)head_seq());
    append(1);
    exec_ok(sql);
    db = db_reader(&err);
    ck_assert_int_eq(checkpoint_chain_verify(db, &r, &from, &err), 0);
    ck_assert_int_eq(from, 0);
    ck_assert(!r.ok);
    ck_assert_int_eq(r.bad_seq, head_seq() - 1);
}
END_TEST

START_TEST(test_checkpoints_cannot_be_changed)
{
    append(1);
    free(make_checkpoint(NULL));
    ck_assert_int_ne(
        sqlite3_exec(conn, "UPDATE audit_checkpoints SET audit_seq = 0", NULL, NULL, NULL),
        SQLITE_OK);
    ck_assert_int_ne(sqlite3_exec(conn, "DELETE FROM audit_checkpoints", NULL, NULL, NULL),
                     SQLITE_OK);
}
END_TEST

static Suite *
checkpoint_suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("checkpoint");

    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_checkpoint_signs_the_head);
    tcase_add_test(tc, test_only_when_the_chain_moved);
    tcase_add_test(tc, test_verify_ok_as_the_chain_grows);
    tcase_add_test(tc, test_verify_catches_a_recomputed_chain);
    tcase_add_test(tc, test_verify_catches_a_shortened_chain);
    tcase_add_test(tc, test_verify_refuses_a_forged_checkpoint);
    tcase_add_test(tc, test_verify_after_key_rotation);
    tcase_add_test(tc, test_checkpoints_cannot_be_changed);
    tcase_add_test(tc, test_chain_walked_from_the_checkpoint);
    tcase_add_test(tc, test_first_checkpoint_walks_from_start_up);
    tcase_add_test(tc, test_checkpoint_that_does_not_vouch);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(checkpoint_suite());
}
