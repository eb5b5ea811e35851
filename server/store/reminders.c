/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * reminders.c - see reminders.h.
 */
#include "reminders.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
store_reminder_policy_read(sqlite3 *db, char **doc, int64_t *version, char updated_at[32],
                           struct mp_error *err)
{
    sqlite3_stmt *st =
        db_stmt(db, "SELECT doc, version, updated_at FROM reminder_policy WHERE id = 1");
    int step, rc = -1;

    *doc = NULL;
    if (st == NULL)
        return db_fail(db, err, "reading the reminder policy");
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *doc = strdup((const char *)sqlite3_column_text(st, 0));
        *version = sqlite3_column_int64(st, 1);
        snprintf(updated_at, 32, "%s", (const char *)sqlite3_column_text(st, 2));
        rc = *doc ? 1 : mp_error_set(err, 500, "", "out of memory");
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        db_fail(db, err, "reading the reminder policy");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_reminder_policy_write(sqlite3 *db, const char *doc, const char *at, const char *by,
                            int64_t *version, struct mp_error *err)
{
    sqlite3_stmt *st =
        db_stmt(db, "INSERT INTO reminder_policy (id, doc, version, updated_at, updated_by) "
                    "VALUES (1, ?1, 1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET doc = ?1, "
                    "version = version + 1, updated_at = ?2, updated_by = ?3 RETURNING version");
    int step;

    if (st == NULL)
        return db_fail(db, err, "saving the reminder policy");
    sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    if (step == SQLITE_ROW)
        step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step != SQLITE_DONE)
        return db_fail(db, err, "saving the reminder policy");
    return 0;
}
