/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * oidc.c - see oidc.h.
 */
#include "oidc.h"
#include "db.h"

#include <string.h>

int
store_oidc_find(sqlite3 *db, const char *issuer, const char *subject, struct user_row *u,
                struct mp_error *err)
{
    sqlite3_stmt *st;
    char name[72];
    int step;

    st = db_stmt(db, "SELECT name FROM users WHERE oidc_issuer = ? AND oidc_subject = ?");
    if (st == NULL)
        return db_fail(db, err, "looking up an OpenID Connect user");
    sqlite3_bind_text(st, 1, issuer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        db_col_copy(name, sizeof(name), st, 0);
    sqlite3_reset(st);
    if (step == SQLITE_DONE)
        return 0;
    if (step != SQLITE_ROW)
        return db_fail(db, err, "looking up an OpenID Connect user");
    return store_user_find(db, name, false, u, err);
}

int
store_oidc_link(sqlite3 *db, int64_t user_id, const char *issuer, const char *subject,
                struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc = -1;

    st = db_stmt(db, "UPDATE users SET oidc_issuer = ?, oidc_subject = ? WHERE id = ?");
    if (st == NULL)
        return db_fail(db, err, "linking an OpenID Connect user");
    sqlite3_bind_text(st, 1, issuer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, user_id);
    if (sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1)
        rc = 0;
    else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
        mp_error_set(err, 409, "sub", "this subject is linked to another user");
    else
        db_fail(db, err, "linking an OpenID Connect user");
    sqlite3_reset(st);
    return rc;
}
