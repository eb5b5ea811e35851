/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * users.c - see users.h.
 */
#include "users.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_COLUMNS                                                                               \
    "u.id, u.name, u.role, u.must_change_password, u.tlp_max, u.language, u.created_at, "          \
    "u.created_by, u.disabled_at, u.last_sign_in_at, u.full_name, u.job_title"

/* Reads USER_COLUMNS starting at column first. */
static void
read_user(sqlite3_stmt *st, int first, struct user_row *u)
{
    memset(u, 0, sizeof(*u));
    u->id = sqlite3_column_int64(st, first);
    db_col_copy(u->name, sizeof(u->name), st, first + 1);
    db_col_copy(u->role, sizeof(u->role), st, first + 2);
    u->must_change_password = sqlite3_column_int(st, first + 3) != 0;
    db_col_copy(u->tlp_max, sizeof(u->tlp_max), st, first + 4);
    db_col_copy(u->language, sizeof(u->language), st, first + 5);
    db_col_copy(u->created_at, sizeof(u->created_at), st, first + 6);
    db_col_copy(u->created_by, sizeof(u->created_by), st, first + 7);
    db_col_copy(u->disabled_at, sizeof(u->disabled_at), st, first + 8);
    db_col_copy(u->last_sign_in_at, sizeof(u->last_sign_in_at), st, first + 9);
    db_col_copy(u->full_name, sizeof(u->full_name), st, first + 10);
    db_col_copy(u->job_title, sizeof(u->job_title), st, first + 11);
}

int
store_user_insert(sqlite3 *db, const struct user_row *u, struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc = -1;

    st = db_stmt(db, "INSERT INTO users(name, role, password_hash, must_change_password, "
                     "tlp_max, language, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (st == NULL)
        return db_fail(db, err, "creating user");
    sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, u->role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, u->password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, u->must_change_password ? 1 : 0);
    db_bind_opt(st, 5, u->tlp_max);
    db_bind_opt(st, 6, u->language);
    sqlite3_bind_text(st, 7, u->created_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, u->created_by, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_DONE)
        rc = 0;
    else if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
        mp_error_set(err, 409, "name", "a user named '%s' exists", u->name);
    else
        db_fail(db, err, "creating user");
    sqlite3_reset(st);
    return rc;
}

int
store_user_find(sqlite3 *db, const char *name, bool with_hash, struct user_row *u,
                struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc, step;

    st = db_stmt(db, "SELECT " USER_COLUMNS ", u.password_hash FROM users u WHERE u.name = ?");
    if (st == NULL)
        return db_fail(db, err, "looking up user");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        read_user(st, 0, u);
        if (with_hash)
            db_col_copy(u->password_hash, sizeof(u->password_hash), st, 12);
        rc = 1;
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = db_fail(db, err, "looking up user");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_user_update(sqlite3 *db, const struct user_row *u, const char *disabled_by,
                  struct mp_error *err)
{
    sqlite3_stmt *st;

    st = db_stmt(db, "UPDATE users SET role = ?, must_change_password = ?, tlp_max = ?, "
                     "language = ?, disabled_at = ?, "
                     "disabled_by = CASE WHEN ? IS NULL THEN NULL ELSE coalesce(disabled_by, ?) "
                     "END, password_hash = coalesce(?, password_hash), full_name = ?, "
                     "job_title = ? WHERE id = ?");
    if (st == NULL)
        return db_fail(db, err, "changing user");
    sqlite3_bind_text(st, 1, u->role, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, u->must_change_password ? 1 : 0);
    db_bind_opt(st, 3, u->tlp_max);
    db_bind_opt(st, 4, u->language);
    db_bind_opt(st, 5, u->disabled_at);
    db_bind_opt(st, 6, u->disabled_at);
    sqlite3_bind_text(st, 7, disabled_by ? disabled_by : "-", -1, SQLITE_STATIC);
    db_bind_opt(st, 8, u->password_hash);
    db_bind_opt(st, 9, u->full_name);
    db_bind_opt(st, 10, u->job_title);
    sqlite3_bind_int64(st, 11, u->id);
    return db_done(db, st, "changing user", err);
}

int
store_user_signed_in(sqlite3 *db, int64_t user_id, const char *at, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE users SET last_sign_in_at = ? WHERE id = ?");

    if (st == NULL)
        return db_fail(db, err, "recording sign-in");
    sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    return db_done(db, st, "recording sign-in", err);
}

/* A user of a list, for db_rows(). */
static int
read_user_item(sqlite3_stmt *st, void *item)
{
    read_user(st, 0, item);
    return 0;
}

int
store_user_list(sqlite3 *db, struct user_row **rows, int *count, struct mp_error *err)
{
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    *rows = NULL;
    *count = 0;
    st = db_stmt(db, "SELECT " USER_COLUMNS " FROM users u ORDER BY u.name");
    if (st == NULL)
        return db_fail(db, err, "listing users");
    rc = db_rows(db, st, sizeof(struct user_row), 0, read_user_item, NULL, &items, count,
                 "listing users", err);
    sqlite3_reset(st);
    *rows = items;
    return rc;
}

int
store_user_count(sqlite3 *db, int64_t *n, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM users");
    int rc = -1;

    if (st == NULL)
        return db_fail(db, err, "counting users");
    if (sqlite3_step(st) == SQLITE_ROW) {
        *n = sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        db_fail(db, err, "counting users");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_session_insert(sqlite3 *db, const uint8_t hash[32], int64_t user_id, const char *csrf,
                     const char *address, const char *user_agent, int64_t now, int64_t *id,
                     struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc = -1;

    st = db_stmt(db, "INSERT INTO sessions(hash, user_id, csrf, address, created_unix, seen_unix, "
                     "user_agent) VALUES (?, ?, ?, ?, ?, ?, substr(?, 1, 512))");
    if (st == NULL)
        return db_fail(db, err, "creating session");
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_text(st, 3, csrf, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, address, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_int64(st, 6, now);
    db_bind_opt(st, 7, user_agent);
    if (sqlite3_step(st) == SQLITE_DONE) {
        *id = sqlite3_last_insert_rowid(db);
        rc = 0;
    } else {
        db_fail(db, err, "creating session");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_session_find(sqlite3 *db, const uint8_t hash[32], struct session_row *s, struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc, step;

    st = db_stmt(db, "SELECT s.id, s.user_id, s.csrf, s.created_unix, s.seen_unix, " USER_COLUMNS
                     " FROM sessions s JOIN users u ON u.id = s.user_id "
                     "WHERE s.hash = ? AND s.ended_at IS NULL");
    if (st == NULL)
        return db_fail(db, err, "looking up session");
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        s->id = sqlite3_column_int64(st, 0);
        s->user_id = sqlite3_column_int64(st, 1);
        db_col_copy(s->csrf, sizeof(s->csrf), st, 2);
        s->created_unix = sqlite3_column_int64(st, 3);
        s->seen_unix = sqlite3_column_int64(st, 4);
        read_user(st, 5, &s->user);
        rc = 1;
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = db_fail(db, err, "looking up session");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_session_touch(sqlite3 *db, int64_t id, int64_t now, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE sessions SET seen_unix = ? WHERE id = ?");

    if (st == NULL)
        return db_fail(db, err, "refreshing session");
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, id);
    return db_done(db, st, "refreshing session", err);
}

int
store_session_end(sqlite3 *db, int64_t id, int64_t user_id, const char *at, struct mp_error *err)
{
    sqlite3_stmt *st;

    st = id > 0
             ? db_stmt(db, "UPDATE sessions SET ended_at = ?1 WHERE id = ?2 AND ended_at IS NULL")
             : db_stmt(db, "UPDATE sessions SET ended_at = ?1 "
                           "WHERE user_id = ?2 AND ended_at IS NULL");
    if (st == NULL)
        return db_fail(db, err, "ending session");
    sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id > 0 ? id : user_id);
    return db_done(db, st, "ending session", err);
}

int
store_session_end_others(sqlite3 *db, int64_t user_id, int64_t keep, const char *at,
                         struct mp_error *err)
{
    int ended;

    return store_session_end_user(db, user_id, 0, keep, at, &ended, err);
}

static int
read_session_info(sqlite3_stmt *st, void *item)
{
    struct session_info *s = item;

    s->id = sqlite3_column_int64(st, 0);
    db_col_copy(s->address, sizeof(s->address), st, 1);
    db_col_copy(s->user_agent, sizeof(s->user_agent), st, 2);
    s->created_unix = sqlite3_column_int64(st, 3);
    s->seen_unix = sqlite3_column_int64(st, 4);
    return 0;
}

int
store_session_list(sqlite3 *db, int64_t user_id, int64_t seen_since, int64_t created_since,
                   struct session_info **rows, int *count, struct mp_error *err)
{
    sqlite3_stmt *st = NULL;
    void *items = NULL;
    int rc;

    *rows = NULL;
    *count = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, address, user_agent, created_unix, seen_unix FROM sessions "
                           "WHERE user_id = ? AND ended_at IS NULL AND seen_unix >= ? "
                           "AND created_unix >= ? ORDER BY seen_unix DESC, id DESC",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err, "listing sessions");
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, seen_since);
    sqlite3_bind_int64(st, 3, created_since);
    rc = db_rows(db, st, sizeof(struct session_info), 0, read_session_info, NULL, &items, count,
                 "listing sessions", err);
    sqlite3_finalize(st);
    *rows = items;
    return rc;
}

int
store_session_end_user(sqlite3 *db, int64_t user_id, int64_t id, int64_t keep, const char *at,
                       int *ended, struct mp_error *err)
{
    sqlite3_stmt *st;

    *ended = 0;
    st = db_stmt(db, "UPDATE sessions SET ended_at = ?1 WHERE user_id = ?2 AND ended_at IS NULL "
                     "AND (?3 = 0 OR id = ?3) AND id != ?4");
    if (st == NULL)
        return db_fail(db, err, "ending sessions");
    sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, id);
    sqlite3_bind_int64(st, 4, keep);
    if (db_done(db, st, "ending sessions", err) != 0)
        return -1;
    *ended = sqlite3_changes(db);
    return 0;
}

/* ---- calendar feeds ---- */

int
store_calendar_set(sqlite3 *db, int64_t user_id, const uint8_t hash[32], const char *at,
                   struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT OR REPLACE INTO calendar_feeds(user_id, token_hash, "
                                   "created_at) VALUES (?, ?, ?)");

    if (st == NULL)
        return db_fail(db, err, "creating the calendar feed");
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
    return db_done(db, st, "creating the calendar feed", err);
}

int
store_calendar_delete(sqlite3 *db, int64_t user_id, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM calendar_feeds WHERE user_id = ?");

    if (st == NULL)
        return db_fail(db, err, "revoking the calendar feed");
    sqlite3_bind_int64(st, 1, user_id);
    if (db_done(db, st, "revoking the calendar feed", err) != 0)
        return -1;
    return sqlite3_changes(db) > 0;
}

int
store_calendar_get(sqlite3 *db, int64_t user_id, char created_at[32], struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT created_at FROM calendar_feeds WHERE user_id = ?");
    int step, rc;

    if (st == NULL)
        return db_fail(db, err, "reading the calendar feed");
    sqlite3_bind_int64(st, 1, user_id);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        db_col_copy(created_at, 32, st, 0);
        rc = 1;
    } else {
        rc = step == SQLITE_DONE ? 0 : db_fail(db, err, "reading the calendar feed");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_calendar_user(sqlite3 *db, const uint8_t hash[32], struct user_row *u, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " USER_COLUMNS " FROM calendar_feeds c "
                                   "JOIN users u ON u.id = c.user_id WHERE c.token_hash = ?");
    int step, rc;

    if (st == NULL)
        return db_fail(db, err, "reading the calendar feed");
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        read_user(st, 0, u);
        rc = 1;
    } else {
        rc = step == SQLITE_DONE ? 0 : db_fail(db, err, "reading the calendar feed");
    }
    sqlite3_reset(st); /* ends the read transaction: never hold a snapshot */
    return rc;
}
