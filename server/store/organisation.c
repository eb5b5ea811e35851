/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * organisation.c - see organisation.h.
 */
#include "organisation.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
store_organisation_version(sqlite3 *db, int64_t *version, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT version FROM organisation WHERE id = 1");
    int step;

    if (st == NULL)
        return db_fail(db, err, "reading the profile");
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (step == SQLITE_ROW)
        return 0;
    if (step == SQLITE_DONE)
        return mp_error_set(err, 500, "", "no organisation profile (database not initialised?)");
    return db_fail(db, err, "reading the profile");
}

int
store_organisation_read(sqlite3 *db, char **doc, int64_t *version, char updated_at[32],
                        struct mp_error *err)
{
    sqlite3_stmt *st =
        db_stmt(db, "SELECT doc, version, updated_at FROM organisation WHERE id = 1");
    int step, rc = -1;

    *doc = NULL;
    if (st == NULL)
        return db_fail(db, err, "reading the profile");
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *doc = strdup((const char *)sqlite3_column_text(st, 0));
        *version = sqlite3_column_int64(st, 1);
        snprintf(updated_at, 32, "%s", (const char *)sqlite3_column_text(st, 2));
        rc = *doc ? 0 : mp_error_set(err, 500, "", "out of memory");
    } else if (step == SQLITE_DONE) {
        mp_error_set(err, 500, "", "no organisation profile (database not initialised?)");
    } else {
        db_fail(db, err, "reading the profile");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_organisation_write(sqlite3 *db, const char *doc, const char *at, const char *by,
                         struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE organisation SET doc = ?, version = version + 1, "
                                   "updated_at = ?, updated_by = ? WHERE id = 1");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "saving the profile");
    sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
    rc = db_done(db, st, "saving the profile", err);
    return rc;
}
