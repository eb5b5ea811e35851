/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * webauthn.h - passkeys in the database (schema 0023): credentials, each
 * user's random handle, and the challenges handed out and not yet used.
 *
 * Writes run inside a change (writer.h); reads on the calling thread's
 * reader.  What a signature or a challenge means is core/webauthn.c's.
 */
#ifndef MP_STORE_WEBAUTHN_H
#define MP_STORE_WEBAUTHN_H

#include "lib/error.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEBAUTHN_CHALLENGE_LEN 32
#define WEBAUTHN_HANDLE_LEN    32 /* user.id */
#define WEBAUTHN_CRED_ID_MAX   1023
#define WEBAUTHN_PK_MAX        1024
#define WEBAUTHN_NAME_MAX      64

struct webauthn_cred_row {
    int64_t id;
    int64_t user_id;
    uint8_t cred_id[WEBAUTHN_CRED_ID_MAX];
    size_t cred_id_len;
    int cose_alg;
    uint8_t pk[WEBAUTHN_PK_MAX];
    size_t pk_len;
    uint32_t sign_count;
    char transports[128]; /* a JSON array */
    char name[WEBAUTHN_NAME_MAX + 1];
    char created_at[32];
    char last_used_at[32];
    char user_name[72]; /* read, not written */
};

/* Keeps a challenge (32 bytes) until expires_unix, and drops those long
 * expired (a day before it).  session_id and user_id 0: none. */
int store_webauthn_challenge_put(sqlite3 *db, const uint8_t *challenge, const char *purpose,
                                 int64_t session_id, int64_t user_id, int64_t expires_unix,
                                 struct mp_error *err);
/* Spends the challenge of this purpose and session, unexpired at now: 1
 * spent (*user_id the one it was given for, 0 none), 0 no such challenge
 * (never given, used already, expired, another session's), -1 error. */
int store_webauthn_challenge_take(sqlite3 *db, const uint8_t *challenge, const char *purpose,
                                  int64_t session_id, int64_t now, int64_t *user_id,
                                  struct mp_error *err);

/* 1 when the challenge is there to be spent (as _take would find it), 0
 * not, -1 error: a reader's early answer, before the write's own. */
int store_webauthn_challenge_live(sqlite3 *db, const uint8_t *challenge, const char *purpose,
                                  int64_t session_id, int64_t now, struct mp_error *err);

/* The user's handle, made (random) when create and there is none: 1
 * found or made, 0 none, -1 error. */
int store_webauthn_handle(sqlite3 *db, int64_t user_id, bool create, uint8_t *handle,
                          struct mp_error *err);

/* Stores r (its user_id, cred_id, cose_alg, pk, sign_count, transports,
 * name); r->id is set. */
int store_webauthn_cred_insert(sqlite3 *db, struct webauthn_cred_row *r, const char *at,
                               struct mp_error *err);
/* 1 found, 0 none, -1 error. */
int store_webauthn_cred_find(sqlite3 *db, const uint8_t *cred_id, size_t len,
                             struct webauthn_cred_row *r, struct mp_error *err);
/* The user's passkeys, oldest first (malloc'd). */
int store_webauthn_cred_list(sqlite3 *db, int64_t user_id, struct webauthn_cred_row **rows,
                             int *count, struct mp_error *err);
/* Records a use: the counter moves from old_count to new_count (1), or
 * another use came first (0). */
int store_webauthn_cred_used(sqlite3 *db, int64_t id, uint32_t old_count, uint32_t new_count,
                             const char *at, struct mp_error *err);
/* 1 done, 0 no such passkey of this user. */
int store_webauthn_cred_rename(sqlite3 *db, int64_t user_id, int64_t id, const char *name,
                               struct mp_error *err);
int store_webauthn_cred_delete(sqlite3 *db, int64_t user_id, int64_t id, struct mp_error *err);
/* Removes all of the user's passkeys (meldpunt user mfa-reset). */
int store_webauthn_delete_all(sqlite3 *db, int64_t user_id, struct mp_error *err);

#endif
