/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * tokens.c - see tokens.h.
 */
#include "tokens.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_COLUMNS                                                                              \
    "id, name, role, created_at, created_by, revoked_at, revoked_by, tlp_max, expires_at, "        \
    "allowed_sources"

static void
read_row(sqlite3_stmt *st, struct token_row *row)
{
    row->id = sqlite3_column_int64(st, 0);
    db_col_copy(row->name, sizeof(row->name), st, 1);
    db_col_copy(row->role, sizeof(row->role), st, 2);
    db_col_copy(row->created_at, sizeof(row->created_at), st, 3);
    db_col_copy(row->created_by, sizeof(row->created_by), st, 4);
    db_col_copy(row->revoked_at, sizeof(row->revoked_at), st, 5);
    db_col_copy(row->revoked_by, sizeof(row->revoked_by), st, 6);
    db_col_copy(row->tlp_max, sizeof(row->tlp_max), st, 7);
    db_col_copy(row->expires_at, sizeof(row->expires_at), st, 8);
    db_col_copy(row->allowed_sources, sizeof(row->allowed_sources), st, 9);
}

int
store_token_insert(sqlite3 *db, const struct token_row *t, const uint8_t hash[32],
                   struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc = -1;

    st = db_stmt(db, "INSERT INTO tokens(name, role, hash, created_at, created_by, tlp_max, "
                     "expires_at, allowed_sources) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (st == NULL)
        return db_fail(db, err, "creating token");
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t->role, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, t->created_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, t->created_by, -1, SQLITE_STATIC);
    db_bind_opt(st, 6, t->tlp_max);
    db_bind_opt(st, 7, t->expires_at);
    db_bind_opt(st, 8, t->allowed_sources);
    if (sqlite3_step(st) == SQLITE_DONE)
        rc = 0;
    else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
        mp_error_set(err, 409, "name", "an active token named '%s' exists", t->name);
    else
        db_fail(db, err, "creating token");
    sqlite3_reset(st);
    return rc;
}

int
store_token_revoke(sqlite3 *db, const char *name, const char *at, const char *by,
                   struct token_row *row, struct mp_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = -1, step;

    if (sqlite3_prepare_v2(db,
                           "UPDATE tokens SET revoked_at = ?, revoked_by = ? "
                           "WHERE name = ? AND revoked_at IS NULL RETURNING " TOKEN_COLUMNS,
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err, "revoking token");
    sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        read_row(st, row);
        rc = 0;
    } else if (step == SQLITE_DONE) {
        mp_error_set(err, 404, "name", "no active token named '%s'", name);
    } else {
        db_fail(db, err, "revoking token");
    }
    sqlite3_finalize(st);
    return rc;
}

int
store_token_find(sqlite3 *db, const uint8_t hash[32], struct token_row *row, struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc, step;

    st = db_stmt(db, "SELECT " TOKEN_COLUMNS " FROM tokens WHERE hash = ? AND revoked_at IS NULL");
    if (st == NULL)
        return db_fail(db, err, "looking up token");
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        read_row(st, row);
        rc = 1;
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = db_fail(db, err, "looking up token");
    }
    sqlite3_reset(st); /* ends the read transaction: never hold a snapshot */
    return rc;
}

/* A token of a list, for db_rows(). */
static int
read_row_item(sqlite3_stmt *st, void *item)
{
    read_row(st, item);
    return 0;
}

int
store_token_list(sqlite3 *db, bool include_revoked, struct token_row **rows, int *count,
                 struct mp_error *err)
{
    sqlite3_stmt *st = NULL;
    void *items = NULL;
    int rc;

    *rows = NULL;
    *count = 0;
    if (sqlite3_prepare_v2(db,
                           include_revoked ? "SELECT " TOKEN_COLUMNS " FROM tokens "
                                             "ORDER BY revoked_at IS NOT NULL, name, id"
                                           : "SELECT " TOKEN_COLUMNS " FROM tokens "
                                             "WHERE revoked_at IS NULL ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err, "listing tokens");
    rc = db_rows(db, st, sizeof(struct token_row), 0, read_row_item, NULL, &items, count,
                 "listing tokens", err);
    sqlite3_finalize(st);
    *rows = items;
    return rc;
}
