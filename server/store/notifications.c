/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * notifications.c - see notifications.h.
 */
#include "notifications.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS                                                                                    \
    "id, incident_id, obligation_id, regime, stage, recipient, language, state, version, "         \
    "supersedes, fields, document, signature, key_id, signed_at, signed_by, submitted_at, "        \
    "channel, authority_ref, submitted_by, created_at, created_by, updated_at"

void
notification_free(struct notification *n)
{
    free(n->fields);
    free(n->document);
    free(n->signature);
    n->fields = n->document = n->signature = NULL;
}

static void
col(char *dst, size_t size, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

static void
read_row(sqlite3_stmt *st, struct notification *n)
{
    memset(n, 0, sizeof(*n));
    col(n->id, sizeof(n->id), st, 0);
    col(n->incident_id, sizeof(n->incident_id), st, 1);
    col(n->obligation_id, sizeof(n->obligation_id), st, 2);
    col(n->regime, sizeof(n->regime), st, 3);
    col(n->stage, sizeof(n->stage), st, 4);
    col(n->recipient, sizeof(n->recipient), st, 5);
    col(n->language, sizeof(n->language), st, 6);
    col(n->state, sizeof(n->state), st, 7);
    n->version = sqlite3_column_int64(st, 8);
    col(n->supersedes, sizeof(n->supersedes), st, 9);
    n->fields = db_col_dup(st, 10);
    n->document = db_col_dup(st, 11);
    n->signature = db_col_dup(st, 12);
    col(n->key_id, sizeof(n->key_id), st, 13);
    col(n->signed_at, sizeof(n->signed_at), st, 14);
    col(n->signed_by, sizeof(n->signed_by), st, 15);
    col(n->submitted_at, sizeof(n->submitted_at), st, 16);
    col(n->channel, sizeof(n->channel), st, 17);
    col(n->authority_ref, sizeof(n->authority_ref), st, 18);
    col(n->submitted_by, sizeof(n->submitted_by), st, 19);
    col(n->created_at, sizeof(n->created_at), st, 20);
    col(n->created_by, sizeof(n->created_by), st, 21);
    col(n->updated_at, sizeof(n->updated_at), st, 22);
}

static void
opt(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Binds columns 3.. (obligation_id to updated_at) from n. */
static void
bind_rest(sqlite3_stmt *st, int first, const struct notification *n)
{
    int i = first;

    opt(st, i++, n->obligation_id);
    sqlite3_bind_text(st, i++, n->regime, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, n->stage, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, n->recipient, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, n->language, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, n->state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, i++, n->version);
    opt(st, i++, n->supersedes);
    sqlite3_bind_text(st, i++, n->fields ? n->fields : "{}", -1, SQLITE_STATIC);
    opt(st, i++, n->document);
    opt(st, i++, n->signature);
    opt(st, i++, n->key_id);
    opt(st, i++, n->signed_at);
    opt(st, i++, n->signed_by);
    opt(st, i++, n->submitted_at);
    opt(st, i++, n->channel);
    opt(st, i++, n->authority_ref);
    opt(st, i++, n->submitted_by);
    sqlite3_bind_text(st, i++, n->created_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, n->created_by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, n->updated_at, -1, SQLITE_STATIC);
}

int
store_notification_insert(sqlite3 *db, const struct notification *n, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO notifications(" COLUMNS ") VALUES "
                                   "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "creating the notification");
    sqlite3_bind_text(st, 1, n->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, n->incident_id, -1, SQLITE_STATIC);
    bind_rest(st, 3, n);
    rc = db_done(db, st, "creating the notification", err);
    return rc;
}

int
store_notification_update(sqlite3 *db, const struct notification *n, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(
        db, "UPDATE notifications SET obligation_id = ?, regime = ?, stage = ?, recipient = ?, "
            "language = ?, state = ?, version = ?, supersedes = ?, fields = ?, document = ?, "
            "signature = ?, key_id = ?, signed_at = ?, signed_by = ?, submitted_at = ?, "
            "channel = ?, authority_ref = ?, submitted_by = ?, created_at = ?, created_by = ?, "
            "updated_at = ? WHERE id = ?");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "updating the notification");
    bind_rest(st, 1, n);
    sqlite3_bind_text(st, 22, n->id, -1, SQLITE_STATIC);
    rc = db_done(db, st, "updating the notification", err);
    return rc;
}

int
store_notification_get(sqlite3 *db, const char *id, struct notification *out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " COLUMNS " FROM notifications WHERE id = ?");
    int step, rc;

    if (st == NULL)
        return db_fail(db, err, "reading the notification");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        read_row(st, out);
        rc = 1;
    } else {
        rc = step == SQLITE_DONE ? 0 : db_fail(db, err, "reading the notification");
    }
    sqlite3_reset(st);
    return rc;
}

static int
read_item(sqlite3_stmt *st, void *item)
{
    read_row(st, item);
    return 0;
}

static void
drop_item(void *item)
{
    notification_free(item);
}

int
store_notification_list(sqlite3 *db, const char *incident_id, struct notification **out, int *count,
                        struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " COLUMNS " FROM notifications WHERE incident_id = ? "
                                   "ORDER BY created_at, id");
    int rc;

    *out = NULL;
    *count = 0;
    if (st == NULL)
        return db_fail(db, err, "reading notifications");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    rc = db_rows(db, st, sizeof(struct notification), 0, read_item, drop_item, (void **)out, count,
                 "reading notifications", err);
    sqlite3_reset(st);
    return rc;
}
