/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * webauthn.c - see webauthn.h.
 */
#include "webauthn.h"
#include "db.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int
store_webauthn_challenge_put(sqlite3 *db, const uint8_t *challenge, const char *purpose,
                             int64_t session_id, int64_t user_id, int64_t expires_unix,
                             struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM webauthn_challenges WHERE expires_unix <= ?");

    if (st == NULL)
        return db_fail(db, err, "dropping old challenges");
    sqlite3_bind_int64(st, 1, expires_unix - 86400);
    if (db_done(db, st, "dropping old challenges", err) != 0)
        return -1;
    st = db_stmt(db, "INSERT INTO webauthn_challenges(challenge, purpose, session_id, user_id, "
                     "expires_unix) VALUES (?, ?, ?, ?, ?)");
    if (st == NULL)
        return db_fail(db, err, "keeping a challenge");
    sqlite3_bind_blob(st, 1, challenge, WEBAUTHN_CHALLENGE_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
    if (session_id > 0)
        sqlite3_bind_int64(st, 3, session_id);
    else
        sqlite3_bind_null(st, 3);
    if (user_id > 0)
        sqlite3_bind_int64(st, 4, user_id);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_int64(st, 5, expires_unix);
    return db_done(db, st, "keeping a challenge", err);
}

int
store_webauthn_challenge_take(sqlite3 *db, const uint8_t *challenge, const char *purpose,
                              int64_t session_id, int64_t now, int64_t *user_id,
                              struct mp_error *err)
{
    sqlite3_stmt *st;
    int step, rc;

    /* one statement inside the writer's transaction: two answers to one
     * challenge cannot both find it */
    st = db_stmt(db, "DELETE FROM webauthn_challenges WHERE challenge = ? AND purpose = ? "
                     "AND coalesce(session_id, 0) = ? AND expires_unix > ? RETURNING user_id");
    if (st == NULL)
        return db_fail(db, err, "spending a challenge");
    sqlite3_bind_blob(st, 1, challenge, WEBAUTHN_CHALLENGE_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, session_id);
    sqlite3_bind_int64(st, 4, now);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *user_id = sqlite3_column_int64(st, 0);
        rc = 1;
        step = sqlite3_step(st);
    } else {
        rc = 0;
    }
    if (step != SQLITE_DONE)
        rc = db_fail(db, err, "spending a challenge");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int
store_webauthn_challenge_live(sqlite3 *db, const uint8_t *challenge, const char *purpose,
                              int64_t session_id, int64_t now, struct mp_error *err)
{
    sqlite3_stmt *st;
    int step, rc;

    st = db_stmt(db, "SELECT 1 FROM webauthn_challenges WHERE challenge = ? AND purpose = ? "
                     "AND coalesce(session_id, 0) = ? AND expires_unix > ?");
    if (st == NULL)
        return db_fail(db, err, "reading a challenge");
    sqlite3_bind_blob(st, 1, challenge, WEBAUTHN_CHALLENGE_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, session_id);
    sqlite3_bind_int64(st, 4, now);
    step = sqlite3_step(st);
    rc = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : db_fail(db, err, "reading a challenge");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int
store_webauthn_handle(sqlite3 *db, int64_t user_id, bool create, uint8_t *handle,
                      struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT handle FROM webauthn_users WHERE user_id = ?");
    int step, rc = 0;

    if (st == NULL)
        return db_fail(db, err, "reading a passkey handle");
    sqlite3_bind_int64(st, 1, user_id);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW && sqlite3_column_bytes(st, 0) == WEBAUTHN_HANDLE_LEN) {
        memcpy(handle, sqlite3_column_blob(st, 0), WEBAUTHN_HANDLE_LEN);
        rc = 1;
    } else if (step != SQLITE_DONE && step != SQLITE_ROW) {
        rc = db_fail(db, err, "reading a passkey handle");
    }
    sqlite3_reset(st);
    if (rc != 0 || !create)
        return rc;
    randombytes_buf(handle, WEBAUTHN_HANDLE_LEN);
    st = db_stmt(db, "INSERT INTO webauthn_users(user_id, handle) VALUES (?, ?)");
    if (st == NULL)
        return db_fail(db, err, "keeping a passkey handle");
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_blob(st, 2, handle, WEBAUTHN_HANDLE_LEN, SQLITE_STATIC);
    return db_done(db, st, "keeping a passkey handle", err) == 0 ? 1 : -1;
}

int
store_webauthn_cred_insert(sqlite3 *db, struct webauthn_cred_row *r, const char *at,
                           struct mp_error *err)
{
    sqlite3_stmt *st;

    st = db_stmt(db, "INSERT INTO webauthn_credentials(user_id, credential_id, cose_alg, "
                     "public_key, sign_count, transports, name, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (st == NULL)
        return db_fail(db, err, "storing a passkey");
    sqlite3_bind_int64(st, 1, r->user_id);
    sqlite3_bind_blob(st, 2, r->cred_id, (int)r->cred_id_len, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, r->cose_alg);
    sqlite3_bind_blob(st, 4, r->pk, (int)r->pk_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, r->sign_count);
    sqlite3_bind_text(st, 6, r->transports[0] ? r->transports : "[]", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, at, -1, SQLITE_STATIC);
    if (db_done(db, st, "storing a passkey", err) != 0)
        return -1;
    r->id = sqlite3_last_insert_rowid(db);
    snprintf(r->created_at, sizeof(r->created_at), "%s", at);
    return 0;
}

#define CRED_COLUMNS                                                                               \
    "id, user_id, credential_id, cose_alg, public_key, sign_count, transports, name, "             \
    "created_at, last_used_at, (SELECT name FROM users WHERE users.id = user_id)"

static int
read_cred(sqlite3_stmt *st, void *item)
{
    struct webauthn_cred_row *r = item;
    int n = sqlite3_column_bytes(st, 2), m = sqlite3_column_bytes(st, 4);

    if (n <= 0 || n > WEBAUTHN_CRED_ID_MAX || m <= 0 || m > WEBAUTHN_PK_MAX)
        return -1;
    r->id = sqlite3_column_int64(st, 0);
    r->user_id = sqlite3_column_int64(st, 1);
    memcpy(r->cred_id, sqlite3_column_blob(st, 2), (size_t)n);
    r->cred_id_len = (size_t)n;
    r->cose_alg = sqlite3_column_int(st, 3);
    memcpy(r->pk, sqlite3_column_blob(st, 4), (size_t)m);
    r->pk_len = (size_t)m;
    r->sign_count = (uint32_t)sqlite3_column_int64(st, 5);
    db_col_copy(r->transports, sizeof(r->transports), st, 6);
    db_col_copy(r->name, sizeof(r->name), st, 7);
    db_col_copy(r->created_at, sizeof(r->created_at), st, 8);
    db_col_copy(r->last_used_at, sizeof(r->last_used_at), st, 9);
    db_col_copy(r->user_name, sizeof(r->user_name), st, 10);
    return 0;
}

int
store_webauthn_cred_find(sqlite3 *db, const uint8_t *cred_id, size_t len,
                         struct webauthn_cred_row *r, struct mp_error *err)
{
    sqlite3_stmt *st;
    int step, rc;

    st = db_stmt(db, "SELECT " CRED_COLUMNS " FROM webauthn_credentials WHERE credential_id = ?");
    if (st == NULL)
        return db_fail(db, err, "reading a passkey");
    sqlite3_bind_blob(st, 1, cred_id, (int)len, SQLITE_STATIC);
    memset(r, 0, sizeof(*r));
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        rc = read_cred(st, r) == 0 ? 1 : mp_error_set(err, 500, "", "a stored passkey is damaged");
    else if (step == SQLITE_DONE)
        rc = 0;
    else
        rc = db_fail(db, err, "reading a passkey");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int
store_webauthn_cred_list(sqlite3 *db, int64_t user_id, struct webauthn_cred_row **rows, int *count,
                         struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc;

    st = db_stmt(db, "SELECT " CRED_COLUMNS " FROM webauthn_credentials WHERE user_id = ? "
                     "ORDER BY id");
    if (st == NULL)
        return db_fail(db, err, "listing passkeys");
    sqlite3_bind_int64(st, 1, user_id);
    rc = db_rows(db, st, sizeof(**rows), 0, read_cred, NULL, (void **)rows, count,
                 "listing passkeys", err);
    sqlite3_reset(st);
    return rc;
}

/* Runs st (bound) and answers whether it changed one row. */
static int
changed_one(sqlite3 *db, sqlite3_stmt *st, const char *what, struct mp_error *err)
{
    if (db_done(db, st, what, err) != 0)
        return -1;
    return sqlite3_changes(db) == 1 ? 1 : 0;
}

int
store_webauthn_cred_used(sqlite3 *db, int64_t id, uint32_t old_count, uint32_t new_count,
                         const char *at, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE webauthn_credentials SET sign_count = ?, "
                                   "last_used_at = ? WHERE id = ? AND sign_count = ?");

    if (st == NULL)
        return db_fail(db, err, "recording a passkey's use");
    sqlite3_bind_int64(st, 1, new_count);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, id);
    sqlite3_bind_int64(st, 4, old_count);
    return changed_one(db, st, "recording a passkey's use", err);
}

int
store_webauthn_cred_rename(sqlite3 *db, int64_t user_id, int64_t id, const char *name,
                           struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE webauthn_credentials SET name = ? "
                                   "WHERE id = ? AND user_id = ?");

    if (st == NULL)
        return db_fail(db, err, "renaming a passkey");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, user_id);
    return changed_one(db, st, "renaming a passkey", err);
}

int
store_webauthn_cred_delete(sqlite3 *db, int64_t user_id, int64_t id, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM webauthn_credentials WHERE id = ? AND user_id = ?");

    if (st == NULL)
        return db_fail(db, err, "removing a passkey");
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, user_id);
    return changed_one(db, st, "removing a passkey", err);
}

int
store_webauthn_delete_all(sqlite3 *db, int64_t user_id, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM webauthn_credentials WHERE user_id = ?");

    if (st == NULL)
        return db_fail(db, err, "removing passkeys");
    sqlite3_bind_int64(st, 1, user_id);
    return db_done(db, st, "removing passkeys", err);
}
