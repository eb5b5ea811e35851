/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * users.h - people who sign in, and their sessions, in the database.
 *
 * Writes run inside a change (writer.h); lookups on the calling thread's
 * reader.  Users are never deleted (disabled instead) and session rows stay
 * after they end, so the audit chain's names always resolve.
 */
#ifndef MP_STORE_USERS_H
#define MP_STORE_USERS_H

#include "lib/error.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct user_row {
    int64_t id;
    char name[72];
    char role[16];
    char password_hash[160]; /* crypto_pwhash_str; empty when not asked for */
    bool must_change_password;
    char tlp_max[16]; /* empty: no limit */
    char language[8]; /* empty: not chosen */
    char created_at[32];
    char created_by[96];
    char disabled_at[32]; /* empty while enabled */
    char last_sign_in_at[32];
    char full_name[404]; /* at most 100 characters; empty: not given */
    char job_title[404]; /* the function the person signs in ("CISO") */
};

/* 409 when the name is taken. */
int store_user_insert(sqlite3 *db, const struct user_row *u, struct mp_error *err);
/* 1 found, 0 not found, -1 error.  with_hash also reads the password hash. */
int store_user_find(sqlite3 *db, const char *name, bool with_hash, struct user_row *u,
                    struct mp_error *err);
/* Writes role, must_change_password, tlp_max, language, full_name,
 * job_title, disabled_at/by and
 * (when password_hash is not empty) the hash, for the user with u->id. */
int store_user_update(sqlite3 *db, const struct user_row *u, const char *disabled_by,
                      struct mp_error *err);
int store_user_signed_in(sqlite3 *db, int64_t user_id, const char *at, struct mp_error *err);
/* All users by name, malloc'd array (no password hashes). */
int store_user_list(sqlite3 *db, struct user_row **rows, int *count, struct mp_error *err);
/* Number of users (0 on a fresh data directory). */
int store_user_count(sqlite3 *db, int64_t *n, struct mp_error *err);

struct session_row {
    int64_t id;
    int64_t user_id;
    char csrf[48];
    int64_t created_unix, seen_unix;
    struct user_row user; /* without the password hash */
};

/* user_agent: the browser's header (NULL: none), cut to 512 bytes. */
int store_session_insert(sqlite3 *db, const uint8_t hash[32], int64_t user_id, const char *csrf,
                         const char *address, const char *user_agent, int64_t now, int64_t *id,
                         struct mp_error *err);
/* The session with this hash that has not ended, joined with its user:
 * 1 found, 0 not found, -1 error.  The caller checks timeouts and whether
 * the user is disabled. */
int store_session_find(sqlite3 *db, const uint8_t hash[32], struct session_row *s,
                       struct mp_error *err);
int store_session_touch(sqlite3 *db, int64_t id, int64_t now, struct mp_error *err);
/* Ends one session (id > 0) or every session of user_id (id == 0). */
int store_session_end(sqlite3 *db, int64_t id, int64_t user_id, const char *at,
                      struct mp_error *err);
/* Ends every session of user_id except keep. */
int store_session_end_others(sqlite3 *db, int64_t user_id, int64_t keep, const char *at,
                             struct mp_error *err);

/* A session as its user sees it in the list of their sessions. */
struct session_info {
    int64_t id;
    char address[64];
    char user_agent[516]; /* empty: not known */
    int64_t created_unix, seen_unix;
};
/* The sessions of user_id that have not ended and were seen at or after
 * seen_since and created at or after created_since (the timeouts), the
 * most recently seen first; malloc'd array. */
int store_session_list(sqlite3 *db, int64_t user_id, int64_t seen_since, int64_t created_since,
                       struct session_info **rows, int *count, struct mp_error *err);
/* Ends user_id's session id (id > 0), or every session of user_id but keep
 * (id == 0; keep 0: all); *ended: how many ended (0: none of the user's
 * was live). */
int store_session_end_user(sqlite3 *db, int64_t user_id, int64_t id, int64_t keep, const char *at,
                           int *ended, struct mp_error *err);

/* A person's calendar feed (schema 0014): its token's keyed hash. */
/* Replaces user_id's feed with this hash. */
int store_calendar_set(sqlite3 *db, int64_t user_id, const uint8_t hash[32], const char *at,
                       struct mp_error *err);
/* Deletes user_id's feed: 1 when there was one, 0 when not, -1 error. */
int store_calendar_delete(sqlite3 *db, int64_t user_id, struct mp_error *err);
/* The feed's creation time (created_at, 32 bytes) of user_id: 1 found, 0
 * none, -1 error. */
int store_calendar_get(sqlite3 *db, int64_t user_id, char created_at[32], struct mp_error *err);
/* The user whose feed has this hash: 1 found (u, without the password
 * hash), 0 none, -1 error.  The caller checks whether the user is disabled. */
int store_calendar_user(sqlite3 *db, const uint8_t hash[32], struct user_row *u,
                        struct mp_error *err);

#endif
