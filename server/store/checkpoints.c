/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * checkpoints.c - see checkpoints.h.
 */
#include "checkpoints.h"
#include "db.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
store_checkpoint_insert(sqlite3 *db, struct checkpoint *c, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT coalesce(max(id), 0) + 1 FROM audit_checkpoints");
    int rc;

    if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
        if (st)
            sqlite3_reset(st);
        return db_fail(db, err, "numbering the checkpoint");
    }
    c->id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    st = db_stmt(db, "INSERT INTO audit_checkpoints(id, at, reason, audit_seq, audit_hash, key_id, "
                     "document, signature, created_by) VALUES (?,?,?,?,?,?,?,?,?)");
    if (st == NULL)
        return db_fail(db, err, "storing the checkpoint");
    sqlite3_bind_int64(st, 1, c->id);
    sqlite3_bind_text(st, 2, c->at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, c->audit_seq);
    sqlite3_bind_text(st, 5, c->audit_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, c->key_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, c->document, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, c->signature, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, c->created_by, -1, SQLITE_STATIC);
    rc = db_done(db, st, "storing the checkpoint", err);
    return rc;
}

static void
row(sqlite3_stmt *st, struct checkpoint *c, bool texts)
{
    memset(c, 0, sizeof(*c));
    c->id = sqlite3_column_int64(st, 0);
    snprintf(c->at, sizeof(c->at), "%s", db_col_text(st, 1));
    snprintf(c->reason, sizeof(c->reason), "%s", db_col_text(st, 2));
    c->audit_seq = sqlite3_column_int64(st, 3);
    snprintf(c->audit_hash, sizeof(c->audit_hash), "%s", db_col_text(st, 4));
    snprintf(c->key_id, sizeof(c->key_id), "%s", db_col_text(st, 5));
    snprintf(c->created_by, sizeof(c->created_by), "%s", db_col_text(st, 6));
    if (texts) {
        c->document = strdup(db_col_text(st, 7));
        c->signature = strdup(db_col_text(st, 8));
    }
}

int
store_checkpoint_last(sqlite3 *db, struct checkpoint *out, bool texts, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT id, at, reason, audit_seq, audit_hash, key_id, "
                                   "created_by, document, signature FROM audit_checkpoints "
                                   "ORDER BY id DESC LIMIT 1");
    int step;

    if (st == NULL)
        return db_fail(db, err, "reading the last checkpoint");
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        row(st, out, texts);
    sqlite3_reset(st);
    if (step == SQLITE_ROW && texts && (out->document == NULL || out->signature == NULL)) {
        free(out->document);
        free(out->signature);
        return mp_error_set(err, 500, "", "out of memory");
    }
    if (step == SQLITE_ROW)
        return 1;
    return step == SQLITE_DONE ? 0 : db_fail(db, err, "reading the last checkpoint");
}

/* A row with its texts, for db_rows(). */
static int
read_listed(sqlite3_stmt *st, void *item)
{
    struct checkpoint *c = item;

    row(st, c, true);
    if (c->document == NULL || c->signature == NULL) { /* out of memory */
        free(c->document);
        free(c->signature);
        return -1;
    }
    return 0;
}

static void
drop_listed(void *item)
{
    struct checkpoint *c = item;

    free(c->document);
    free(c->signature);
}

int
store_checkpoint_list(sqlite3 *db, int64_t after, int limit, struct checkpoint **out, int *count,
                      struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT id, at, reason, audit_seq, audit_hash, key_id, "
                                   "created_by, document, signature FROM audit_checkpoints "
                                   "WHERE id > ? ORDER BY id LIMIT ?");
    void *items = NULL;
    int rc;

    *out = NULL;
    *count = 0;
    if (st == NULL)
        return db_fail(db, err, "reading the checkpoints");
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int(st, 2, limit);
    rc = db_rows(db, st, sizeof(struct checkpoint), limit, read_listed, drop_listed, &items, count,
                 "the checkpoints", err);
    sqlite3_reset(st);
    *out = items;
    return rc;
}

void
store_checkpoint_free(struct checkpoint *v, int count)
{
    for (int i = 0; v != NULL && i < count; i++) {
        free(v[i].document);
        free(v[i].signature);
    }
    free(v);
}
