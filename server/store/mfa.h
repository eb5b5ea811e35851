/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * mfa.h - the second factor in the database (schema 0017): TOTP secrets
 * (encrypted by core/mfa.c before they get here), recovery-code hashes,
 * (passkeys: store/webauthn.h, counted in the state here)
 * each session's second-step state, break-glass accounts and their uses.
 *
 * Writes run inside a change (writer.h); reads on the calling thread's
 * reader.  Nothing here knows what a code is: core/mfa.c does.
 */
#ifndef MP_STORE_MFA_H
#define MP_STORE_MFA_H

#include "lib/error.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_MFA_SECRET_MAX 64
#define STORE_MFA_NONCE_LEN  24
#define STORE_MFA_HASH_LEN   32

struct mfa_totp_row {
    uint8_t secret[STORE_MFA_SECRET_MAX]; /* encrypted */
    size_t secret_len;
    uint8_t nonce[STORE_MFA_NONCE_LEN];
    int64_t last_counter; /* -1: none accepted yet */
    bool confirmed;
    char confirmed_at[32];
};

/* 1 found, 0 none, -1 error. */
int store_mfa_totp_get(sqlite3 *db, int64_t user_id, struct mfa_totp_row *r, struct mp_error *err);
/* Puts a new, unconfirmed secret in place of any other. */
int store_mfa_totp_put(sqlite3 *db, int64_t user_id, const struct mfa_totp_row *r, const char *at,
                       struct mp_error *err);
/* Records counter as the last accepted step when it is later than the one
 * stored (and confirms the secret when confirm_at is not NULL): 1 done, 0
 * the step was not later (a replay), -1 error. */
int store_mfa_totp_accept(sqlite3 *db, int64_t user_id, int64_t counter, const char *confirm_at,
                          struct mp_error *err);
/* Removes the user's secret and recovery codes. */
int store_mfa_delete(sqlite3 *db, int64_t user_id, struct mp_error *err);

/* Replaces the user's recovery codes with these n hashes. */
int store_mfa_recovery_replace(sqlite3 *db, int64_t user_id, const uint8_t (*hashes)[32], int n,
                               struct mp_error *err);
/* Spends the unused code with this hash: 1 spent, 0 no such unused code. */
int store_mfa_recovery_use(sqlite3 *db, int64_t user_id, const uint8_t hash[32], const char *at,
                           struct mp_error *err);

/* What a session's request needs to know, in one read. */
struct mfa_session_state {
    bool pending;          /* the second step is owed */
    int64_t verified_unix; /* last check of a second factor in it; 0: none */
    bool enrolled;         /* a second factor: totp or a passkey */
    bool totp;             /* a confirmed TOTP secret */
    int passkeys;          /* store/webauthn.h */
    bool break_glass;
    int recovery_left;
};

/* State of session_id of user_id (session_id 0: only the user's part). */
int store_mfa_state(sqlite3 *db, int64_t session_id, int64_t user_id, struct mfa_session_state *s,
                    struct mp_error *err);
int store_mfa_session_put(sqlite3 *db, int64_t session_id, bool pending, int64_t verified_unix,
                          struct mp_error *err);

/* Marks (on) or unmarks user_id as a break-glass account. */
int store_break_glass_set(sqlite3 *db, int64_t user_id, bool on, const char *at, const char *by,
                          struct mp_error *err);
int store_break_glass_use(sqlite3 *db, int64_t user_id, const char *at, const char *address,
                          struct mp_error *err);

struct break_glass_use {
    int64_t id;
    char user[72];
    char at[32];
    char address[64];
};

/* Uses no admin has acknowledged, oldest first (malloc'd). */
int store_break_glass_open(sqlite3 *db, struct break_glass_use **rows, int *count,
                           struct mp_error *err);
/* 1 acknowledged, 0 no such open use, -1 error. */
int store_break_glass_ack(sqlite3 *db, int64_t id, const char *at, const char *by,
                          struct mp_error *err);

#endif
