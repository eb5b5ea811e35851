/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * audit.c - see audit.h.
 */
#include "audit.h"
#include "db.h"
#include "lib/timeutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
store_audit_append(sqlite3 *db, int64_t now, const char *principal, const char *action,
                   const char *object, const char *payload, struct mp_error *err)
{
    uint8_t prev[CHAIN_HASH_LEN] = {0}, hash[CHAIN_HASH_LEN];
    char at[TIME_RFC3339_LEN];
    struct chain_entry e;
    sqlite3_stmt *st;
    int rc;

    e.seq = 1;
    st = db_stmt(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    if (st == NULL)
        return db_fail(db, err, "reading the audit head");
    switch (sqlite3_step(st)) {
    case SQLITE_ROW:
        e.seq = sqlite3_column_int64(st, 0) + 1;
        if (sqlite3_column_bytes(st, 1) == CHAIN_HASH_LEN)
            memcpy(prev, sqlite3_column_blob(st, 1), CHAIN_HASH_LEN);
        break;
    case SQLITE_DONE:
        break;
    default:
        sqlite3_reset(st);
        return db_fail(db, err, "reading the audit head");
    }
    sqlite3_reset(st);

    time_format_rfc3339(now, at, sizeof(at));
    e.at = at;
    e.principal = principal;
    e.action = action;
    e.object = object;
    chain_hash_payload(payload, strlen(payload), e.payload_hash);
    chain_hash_entry(prev, &e, hash);

    st = db_stmt(db, "INSERT INTO audit(seq, at, principal, action, object, payload, "
                     "payload_hash, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)");
    if (st == NULL)
        return db_fail(db, err, "appending to the audit chain");
    sqlite3_bind_int64(st, 1, e.seq);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, principal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, object, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, payload, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, e.payload_hash, CHAIN_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 8, prev, CHAIN_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, hash, CHAIN_HASH_LEN, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(db, err, "appending to the audit chain");
    else
        rc = 0;
    sqlite3_reset(st);
    return rc;
}

/* Is row st (seq, action, object, prev_hash) the acknowledgement of the
 * break at break_seq, appended right after the row whose stored hash is
 * last_hash?  See audit.h. */
static bool
acknowledges(sqlite3_stmt *st, int64_t seq, int64_t last_seq, const uint8_t *last_hash,
             int64_t break_seq)
{
    char object[48];

    snprintf(object, sizeof(object), AUDIT_ACK_OBJECT_FMT, (long long)break_seq);
    return seq == last_seq + 1 && strcmp(db_col_text(st, 3), AUDIT_ACK_ACTION) == 0 &&
           strcmp(db_col_text(st, 4), object) == 0 &&
           sqlite3_column_bytes(st, 7) == CHAIN_HASH_LEN &&
           memcmp(sqlite3_column_blob(st, 7), last_hash, CHAIN_HASH_LEN) == 0;
}

/* The first reason entry e (seq expect) does not follow prev, or NULL. */
static const char *
entry_check(sqlite3_stmt *st, struct chain_entry *e, int64_t expect, const uint8_t *prev,
            uint8_t hash[CHAIN_HASH_LEN])
{
    const char *payload = db_col_text(st, 5);

    if (e->seq != expect)
        return "the sequence has a gap";
    chain_hash_payload(payload, strlen(payload), e->payload_hash);
    if (sqlite3_column_bytes(st, 6) != CHAIN_HASH_LEN ||
        memcmp(e->payload_hash, sqlite3_column_blob(st, 6), CHAIN_HASH_LEN) != 0)
        return "payload does not match its hash";
    if (sqlite3_column_bytes(st, 7) != CHAIN_HASH_LEN ||
        memcmp(prev, sqlite3_column_blob(st, 7), CHAIN_HASH_LEN) != 0)
        return "prev_hash is not the previous entry's hash";
    chain_hash_entry(prev, e, hash);
    if (sqlite3_column_bytes(st, 8) != CHAIN_HASH_LEN ||
        memcmp(hash, sqlite3_column_blob(st, 8), CHAIN_HASH_LEN) != 0)
        return "entry does not match its hash";
    return NULL;
}

int
store_audit_verify(sqlite3 *db, struct audit_verify_result *out, struct mp_error *err)
{
    static const uint8_t genesis[CHAIN_HASH_LEN] = {0};

    return store_audit_verify_from(db, 0, genesis, out, err);
}

int
store_audit_verify_from(sqlite3 *db, int64_t from_seq, const uint8_t from_hash[CHAIN_HASH_LEN],
                        struct audit_verify_result *out, struct mp_error *err)
{
    uint8_t prev[CHAIN_HASH_LEN], hash[CHAIN_HASH_LEN];
    uint8_t last_hash[CHAIN_HASH_LEN]; /* the stored hash of the last row read */
    int64_t last_seq = from_seq, verified = from_seq;
    sqlite3_stmt *st = NULL;
    bool broken = false;
    int64_t expect = from_seq + 1;
    int step;

    memset(out, 0, sizeof(*out));
    memcpy(prev, from_hash, CHAIN_HASH_LEN);
    memcpy(last_hash, from_hash, CHAIN_HASH_LEN);
    if (sqlite3_prepare_v2(db,
                           "SELECT seq, at, principal, action, object, payload, payload_hash, "
                           "prev_hash, hash FROM audit WHERE seq > ? ORDER BY seq",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err, "reading the audit chain");
    sqlite3_bind_int64(st, 1, from_seq);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct chain_entry e;
        const char *why;

        e.seq = sqlite3_column_int64(st, 0);
        e.at = db_col_text(st, 1);
        e.principal = db_col_text(st, 2);
        e.action = db_col_text(st, 3);
        e.object = db_col_text(st, 4);
        if (broken && acknowledges(st, e.seq, last_seq, last_hash, out->bad_seq)) {
            /* a new segment starts here, on the head as it was stored */
            broken = false;
            out->acknowledged++;
            memcpy(prev, last_hash, CHAIN_HASH_LEN);
            expect = e.seq;
        }
        if (!broken) {
            why = entry_check(st, &e, expect, prev, hash);
            if (why != NULL) {
                broken = true;
                out->bad_seq = e.seq == expect ? e.seq : expect;
                if (e.seq != expect)
                    snprintf(out->reason, sizeof(out->reason), "expected entry %lld, found %lld",
                             (long long)expect, (long long)e.seq);
                else
                    snprintf(out->reason, sizeof(out->reason), "%s", why);
                out->entries = verified;
            } else {
                memcpy(prev, hash, CHAIN_HASH_LEN);
                verified++;
                expect++;
            }
        }
        last_seq = e.seq;
        memset(last_hash, 0, CHAIN_HASH_LEN);
        if (sqlite3_column_bytes(st, 8) == CHAIN_HASH_LEN)
            memcpy(last_hash, sqlite3_column_blob(st, 8), CHAIN_HASH_LEN);
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return db_fail(db, err, "reading the audit chain");
    out->ok = !broken;
    if (out->ok) {
        out->bad_seq = 0;
        out->entries = last_seq;
        out->head_seq = last_seq;
        memcpy(out->head_hash, prev, CHAIN_HASH_LEN);
    }
    out->last_seq = last_seq;
    memcpy(out->last_hash, last_hash, CHAIN_HASH_LEN);
    return 0;
}

int
store_audit_list(sqlite3 *db, int64_t after, int limit, struct audit_entry **out, int *count,
                 struct mp_error *err)
{
    sqlite3_stmt *st = NULL;
    struct audit_entry *v;
    int n = 0;

    *out = NULL;
    *count = 0;
    v = calloc((size_t)(limit > 0 ? limit : 1), sizeof(*v));
    if (v == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    if (sqlite3_prepare_v2(db,
                           "SELECT seq, at, principal, action, object, payload, hash FROM audit "
                           "WHERE seq > ? ORDER BY seq LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK) {
        free(v);
        return db_fail(db, err, "reading the audit chain");
    }
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int(st, 2, limit);
    while (n < limit && sqlite3_step(st) == SQLITE_ROW) {
        struct audit_entry *e = &v[n++];
        e->seq = sqlite3_column_int64(st, 0);
        snprintf(e->at, sizeof(e->at), "%s", db_col_text(st, 1));
        snprintf(e->principal, sizeof(e->principal), "%s", db_col_text(st, 2));
        snprintf(e->action, sizeof(e->action), "%s", db_col_text(st, 3));
        snprintf(e->object, sizeof(e->object), "%s", db_col_text(st, 4));
        e->payload = strdup(db_col_text(st, 5));
        if (sqlite3_column_bytes(st, 6) == CHAIN_HASH_LEN)
            memcpy(e->hash, sqlite3_column_blob(st, 6), CHAIN_HASH_LEN);
    }
    sqlite3_finalize(st);
    *out = v;
    *count = n;
    return 0;
}

void
store_audit_free(struct audit_entry *entries, int count)
{
    for (int i = 0; i < count; i++)
        free(entries[i].payload);
    free(entries);
}

int
store_audit_append_json(sqlite3 *db, int64_t now, const char *principal, const char *action,
                        const char *object, const json_t *payload, struct mp_error *err)
{
    char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    int rc;

    if (text == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    rc = store_audit_append(db, now, principal, action, object, text, err);
    free(text);
    return rc;
}

int
store_audit_head(sqlite3 *db, int64_t *seq, uint8_t hash[CHAIN_HASH_LEN], struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    int step, rc;

    if (st == NULL)
        return db_fail(db, err, "reading the audit head");
    step = sqlite3_step(st);
    if (step == SQLITE_ROW && sqlite3_column_bytes(st, 1) == CHAIN_HASH_LEN) {
        *seq = sqlite3_column_int64(st, 0);
        memcpy(hash, sqlite3_column_blob(st, 1), CHAIN_HASH_LEN);
        rc = 1;
    } else {
        rc = step == SQLITE_DONE ? 0 : db_fail(db, err, "reading the audit head");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_audit_hash_at(sqlite3 *db, int64_t seq, uint8_t hash[CHAIN_HASH_LEN], struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT hash FROM audit WHERE seq = ?");
    int step, rc;

    if (st == NULL)
        return db_fail(db, err, "reading the audit chain");
    sqlite3_bind_int64(st, 1, seq);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW && sqlite3_column_bytes(st, 0) == CHAIN_HASH_LEN) {
        memcpy(hash, sqlite3_column_blob(st, 0), CHAIN_HASH_LEN);
        rc = 1;
    } else {
        rc = step == SQLITE_DONE || step == SQLITE_ROW
                 ? 0
                 : db_fail(db, err, "reading the audit chain");
    }
    sqlite3_reset(st);
    return rc;
}
