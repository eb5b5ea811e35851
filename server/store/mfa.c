/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * mfa.c - see mfa.h.
 */
#include "mfa.h"
#include "db.h"

#include <stdio.h>
#include <string.h>

int
store_mfa_totp_get(sqlite3 *db, int64_t user_id, struct mfa_totp_row *r, struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc, step;

    st = db_stmt(db, "SELECT secret, nonce, last_counter, confirmed_at FROM mfa_totp "
                     "WHERE user_id = ?");
    if (st == NULL)
        return db_fail(db, err, "reading the second factor");
    sqlite3_bind_int64(st, 1, user_id);
    step = sqlite3_step(st);
    memset(r, 0, sizeof(*r));
    if (step == SQLITE_ROW) {
        int n = sqlite3_column_bytes(st, 0);
        int m = sqlite3_column_bytes(st, 1);
        if (n <= 0 || n > STORE_MFA_SECRET_MAX || m != STORE_MFA_NONCE_LEN) {
            rc = mp_error_set(err, 500, "", "the stored second factor is damaged");
        } else {
            memcpy(r->secret, sqlite3_column_blob(st, 0), (size_t)n);
            r->secret_len = (size_t)n;
            memcpy(r->nonce, sqlite3_column_blob(st, 1), STORE_MFA_NONCE_LEN);
            r->last_counter = sqlite3_column_int64(st, 2);
            r->confirmed = sqlite3_column_type(st, 3) != SQLITE_NULL;
            db_col_copy(r->confirmed_at, sizeof(r->confirmed_at), st, 3);
            rc = 1;
        }
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = db_fail(db, err, "reading the second factor");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_mfa_totp_put(sqlite3 *db, int64_t user_id, const struct mfa_totp_row *r, const char *at,
                   struct mp_error *err)
{
    sqlite3_stmt *st;

    st = db_stmt(db, "INSERT OR REPLACE INTO mfa_totp(user_id, secret, nonce, last_counter, "
                     "created_at, confirmed_at) VALUES (?, ?, ?, -1, ?, NULL)");
    if (st == NULL)
        return db_fail(db, err, "storing the second factor");
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_blob(st, 2, r->secret, (int)r->secret_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, r->nonce, STORE_MFA_NONCE_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
    return db_done(db, st, "storing the second factor", err);
}

int
store_mfa_totp_accept(sqlite3 *db, int64_t user_id, int64_t counter, const char *confirm_at,
                      struct mp_error *err)
{
    sqlite3_stmt *st;

    /* The comparison is in the statement, inside the writer's transaction:
     * two requests with the same code cannot both pass it. */
    st = db_stmt(db, "UPDATE mfa_totp SET last_counter = ?, "
                     "confirmed_at = coalesce(confirmed_at, ?) "
                     "WHERE user_id = ? AND last_counter < ?");
    if (st == NULL)
        return db_fail(db, err, "recording a code");
    sqlite3_bind_int64(st, 1, counter);
    db_bind_opt(st, 2, confirm_at);
    sqlite3_bind_int64(st, 3, user_id);
    sqlite3_bind_int64(st, 4, counter);
    if (db_done(db, st, "recording a code", err) != 0)
        return -1;
    return sqlite3_changes(db) == 1 ? 1 : 0;
}

int
store_mfa_delete(sqlite3 *db, int64_t user_id, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM mfa_totp WHERE user_id = ?");

    if (st == NULL)
        return db_fail(db, err, "removing the second factor");
    sqlite3_bind_int64(st, 1, user_id);
    if (db_done(db, st, "removing the second factor", err) != 0)
        return -1;
    st = db_stmt(db, "DELETE FROM mfa_recovery WHERE user_id = ?");
    if (st == NULL)
        return db_fail(db, err, "removing recovery codes");
    sqlite3_bind_int64(st, 1, user_id);
    return db_done(db, st, "removing recovery codes", err);
}

int
store_mfa_recovery_replace(sqlite3 *db, int64_t user_id, const uint8_t (*hashes)[32], int n,
                           struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM mfa_recovery WHERE user_id = ?");

    if (st == NULL)
        return db_fail(db, err, "replacing recovery codes");
    sqlite3_bind_int64(st, 1, user_id);
    if (db_done(db, st, "replacing recovery codes", err) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        st = db_stmt(db, "INSERT INTO mfa_recovery(user_id, hash) VALUES (?, ?)");
        if (st == NULL)
            return db_fail(db, err, "storing recovery codes");
        sqlite3_bind_int64(st, 1, user_id);
        sqlite3_bind_blob(st, 2, hashes[i], 32, SQLITE_STATIC);
        if (db_done(db, st, "storing recovery codes", err) != 0)
            return -1;
    }
    return 0;
}

int
store_mfa_recovery_use(sqlite3 *db, int64_t user_id, const uint8_t hash[32], const char *at,
                       struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE mfa_recovery SET used_at = ? "
                                   "WHERE user_id = ? AND hash = ? AND used_at IS NULL");

    if (st == NULL)
        return db_fail(db, err, "spending a recovery code");
    sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
    if (db_done(db, st, "spending a recovery code", err) != 0)
        return -1;
    return sqlite3_changes(db) == 1 ? 1 : 0;
}

int
store_mfa_state(sqlite3 *db, int64_t session_id, int64_t user_id, struct mfa_session_state *s,
                struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc;

    st = db_stmt(db,
                 "SELECT (SELECT pending FROM session_mfa WHERE session_id = ?1), "
                 "(SELECT verified_unix FROM session_mfa WHERE session_id = ?1), "
                 "EXISTS (SELECT 1 FROM mfa_totp WHERE user_id = ?2 AND confirmed_at IS NOT NULL), "
                 "EXISTS (SELECT 1 FROM break_glass WHERE user_id = ?2), "
                 "(SELECT count(*) FROM mfa_recovery WHERE user_id = ?2 AND used_at IS NULL), "
                 "(SELECT count(*) FROM webauthn_credentials WHERE user_id = ?2)");
    if (st == NULL)
        return db_fail(db, err, "reading the second-factor state");
    sqlite3_bind_int64(st, 1, session_id);
    sqlite3_bind_int64(st, 2, user_id);
    memset(s, 0, sizeof(*s));
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->pending = sqlite3_column_int(st, 0) != 0;
        s->verified_unix = sqlite3_column_int64(st, 1);
        s->totp = sqlite3_column_int(st, 2) != 0;
        s->break_glass = sqlite3_column_int(st, 3) != 0;
        s->recovery_left = sqlite3_column_int(st, 4);
        s->passkeys = sqlite3_column_int(st, 5);
        s->enrolled = s->totp || s->passkeys > 0;
        rc = 0;
    } else {
        rc = db_fail(db, err, "reading the second-factor state");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_mfa_session_put(sqlite3 *db, int64_t session_id, bool pending, int64_t verified_unix,
                      struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT OR REPLACE INTO session_mfa(session_id, pending, "
                                   "verified_unix) VALUES (?, ?, ?)");

    if (st == NULL)
        return db_fail(db, err, "recording the second step");
    sqlite3_bind_int64(st, 1, session_id);
    sqlite3_bind_int(st, 2, pending ? 1 : 0);
    if (verified_unix > 0)
        sqlite3_bind_int64(st, 3, verified_unix);
    else
        sqlite3_bind_null(st, 3);
    return db_done(db, st, "recording the second step", err);
}

int
store_break_glass_set(sqlite3 *db, int64_t user_id, bool on, const char *at, const char *by,
                      struct mp_error *err)
{
    sqlite3_stmt *st;

    if (!on) {
        st = db_stmt(db, "DELETE FROM break_glass WHERE user_id = ?");
        if (st == NULL)
            return db_fail(db, err, "unmarking a break-glass account");
        sqlite3_bind_int64(st, 1, user_id);
        return db_done(db, st, "unmarking a break-glass account", err);
    }
    st = db_stmt(db, "INSERT OR IGNORE INTO break_glass(user_id, marked_at, marked_by) "
                     "VALUES (?, ?, ?)");
    if (st == NULL)
        return db_fail(db, err, "marking a break-glass account");
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
    return db_done(db, st, "marking a break-glass account", err);
}

int
store_break_glass_use(sqlite3 *db, int64_t user_id, const char *at, const char *address,
                      struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO break_glass_uses(user_id, at, address) "
                                   "VALUES (?, ?, ?)");

    if (st == NULL)
        return db_fail(db, err, "recording a break-glass sign-in");
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, address, -1, SQLITE_STATIC);
    return db_done(db, st, "recording a break-glass sign-in", err);
}

static int
read_use(sqlite3_stmt *st, void *item)
{
    struct break_glass_use *u = item;

    u->id = sqlite3_column_int64(st, 0);
    db_col_copy(u->user, sizeof(u->user), st, 1);
    db_col_copy(u->at, sizeof(u->at), st, 2);
    db_col_copy(u->address, sizeof(u->address), st, 3);
    return 0;
}

int
store_break_glass_open(sqlite3 *db, struct break_glass_use **rows, int *count, struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc;

    st = db_stmt(db, "SELECT b.id, u.name, b.at, b.address FROM break_glass_uses b "
                     "JOIN users u ON u.id = b.user_id WHERE b.acknowledged_at IS NULL "
                     "ORDER BY b.id");
    if (st == NULL)
        return db_fail(db, err, "listing break-glass sign-ins");
    rc = db_rows(db, st, sizeof(**rows), 0, read_use, NULL, (void **)rows, count,
                 "listing break-glass sign-ins", err);
    sqlite3_reset(st);
    return rc;
}

int
store_break_glass_ack(sqlite3 *db, int64_t id, const char *at, const char *by, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE break_glass_uses SET acknowledged_at = ?, "
                                   "acknowledged_by = ? WHERE id = ? AND acknowledged_at IS NULL");

    if (st == NULL)
        return db_fail(db, err, "acknowledging a break-glass sign-in");
    sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, id);
    if (db_done(db, st, "acknowledging a break-glass sign-in", err) != 0)
        return -1;
    return sqlite3_changes(db) == 1 ? 1 : 0;
}
