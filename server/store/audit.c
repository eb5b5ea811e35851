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

/* Is row r the acknowledgement of the break at break_seq, appended right
 * after the row whose stored hash is last_hash?  See audit.h. */
static bool
acknowledges(const struct audit_row *r, int64_t last_seq, const uint8_t *last_hash,
             int64_t break_seq)
{
    char object[48];

    snprintf(object, sizeof(object), AUDIT_ACK_OBJECT_FMT, (long long)break_seq);
    return r->e.seq == last_seq + 1 && strcmp(r->e.action, AUDIT_ACK_ACTION) == 0 &&
           strcmp(r->e.object, object) == 0 && r->prev_hash_len == CHAIN_HASH_LEN &&
           memcmp(r->prev_hash, last_hash, CHAIN_HASH_LEN) == 0;
}

/* The first reason row r (seq expect) does not follow prev, or NULL. */
static const char *
entry_check(struct audit_row *r, int64_t expect, const uint8_t *prev, uint8_t hash[CHAIN_HASH_LEN])
{
    struct chain_entry *e = &r->e;

    if (e->seq != expect)
        return "the sequence has a gap";
    chain_hash_payload(r->payload, strlen(r->payload), e->payload_hash);
    if (r->payload_hash_len != CHAIN_HASH_LEN ||
        memcmp(e->payload_hash, r->payload_hash, CHAIN_HASH_LEN) != 0)
        return "payload does not match its hash";
    if (r->prev_hash_len != CHAIN_HASH_LEN || memcmp(prev, r->prev_hash, CHAIN_HASH_LEN) != 0)
        return "prev_hash is not the previous entry's hash";
    chain_hash_entry(prev, e, hash);
    if (r->hash_len != CHAIN_HASH_LEN || memcmp(hash, r->hash, CHAIN_HASH_LEN) != 0)
        return "entry does not match its hash";
    return NULL;
}

void
store_audit_walk_start(struct audit_walk *w, int64_t from_seq,
                       const uint8_t from_hash[CHAIN_HASH_LEN], struct audit_verify_result *out)
{
    memset(w, 0, sizeof(*w));
    memset(out, 0, sizeof(*out));
    w->out = out;
    memcpy(w->prev, from_hash, CHAIN_HASH_LEN);
    memcpy(w->last_hash, from_hash, CHAIN_HASH_LEN);
    w->last_seq = w->verified = from_seq;
    w->expect = from_seq + 1;
}

void
store_audit_walk_row(struct audit_walk *w, struct audit_row *r)
{
    struct audit_verify_result *out = w->out;
    uint8_t hash[CHAIN_HASH_LEN];
    const char *why;

    if (w->broken && acknowledges(r, w->last_seq, w->last_hash, out->bad_seq)) {
        /* a new segment starts here, on the head as it was stored */
        w->broken = false;
        out->acknowledged++;
        memcpy(w->prev, w->last_hash, CHAIN_HASH_LEN);
        w->expect = r->e.seq;
    }
    if (!w->broken) {
        why = entry_check(r, w->expect, w->prev, hash);
        if (why != NULL) {
            w->broken = true;
            out->bad_seq = r->e.seq == w->expect ? r->e.seq : w->expect;
            if (r->e.seq != w->expect)
                snprintf(out->reason, sizeof(out->reason), "expected entry %lld, found %lld",
                         (long long)w->expect, (long long)r->e.seq);
            else
                snprintf(out->reason, sizeof(out->reason), "%s", why);
            out->entries = w->verified;
        } else {
            memcpy(w->prev, hash, CHAIN_HASH_LEN);
            w->verified++;
            w->expect++;
        }
    }
    w->last_seq = r->e.seq;
    memset(w->last_hash, 0, CHAIN_HASH_LEN);
    if (r->hash_len == CHAIN_HASH_LEN)
        memcpy(w->last_hash, r->hash, CHAIN_HASH_LEN);
}

void
store_audit_walk_end(struct audit_walk *w)
{
    struct audit_verify_result *out = w->out;

    out->ok = !w->broken;
    if (out->ok) {
        out->bad_seq = 0;
        out->entries = w->last_seq;
        out->head_seq = w->last_seq;
        memcpy(out->head_hash, w->prev, CHAIN_HASH_LEN);
    }
    out->last_seq = w->last_seq;
    memcpy(out->last_hash, w->last_hash, CHAIN_HASH_LEN);
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
    struct audit_walk w;
    sqlite3_stmt *st = NULL;
    int step;

    store_audit_walk_start(&w, from_seq, from_hash, out);
    if (sqlite3_prepare_v2(db,
                           "SELECT seq, at, principal, action, object, payload, payload_hash, "
                           "prev_hash, hash FROM audit WHERE seq > ? ORDER BY seq",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err, "reading the audit chain");
    sqlite3_bind_int64(st, 1, from_seq);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct audit_row r = {
            .e = {.seq = sqlite3_column_int64(st, 0),
                  .at = db_col_text(st, 1),
                  .principal = db_col_text(st, 2),
                  .action = db_col_text(st, 3),
                  .object = db_col_text(st, 4)},
            .payload = db_col_text(st, 5),
            .payload_hash = sqlite3_column_blob(st, 6),
            .payload_hash_len = (size_t)sqlite3_column_bytes(st, 6),
            .prev_hash = sqlite3_column_blob(st, 7),
            .prev_hash_len = (size_t)sqlite3_column_bytes(st, 7),
            .hash = sqlite3_column_blob(st, 8),
            .hash_len = (size_t)sqlite3_column_bytes(st, 8),
        };
        store_audit_walk_row(&w, &r);
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return db_fail(db, err, "reading the audit chain");
    store_audit_walk_end(&w);
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
