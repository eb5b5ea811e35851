/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * user.h - people who sign in from a browser, and their sessions.
 *
 * Tools authenticate with API tokens (token.h); people sign in with a name
 * and password and get a session cookie.  Both end up as a struct
 * principal, so routes and roles do not care which.
 *
 * Passwords: Argon2id through libsodium's crypto_pwhash_str at the
 * "interactive" limits (USER_PWHASH_OPS, USER_PWHASH_MEM), at least
 * password_min characters, never containing the user's name.  A password an
 * admin did not choose for the user (generated, or reset) must be changed
 * at the next sign-in: until then only the session routes answer.
 *
 * Sessions: the cookie holds 256 random bits; the database holds only its
 * keyed BLAKE2b hash.  A session ends on sign-out, after session_idle
 * seconds without a request, session_max seconds after sign-in, and at once
 * when its user is disabled or given a new password by an admin.  Each
 * session has a CSRF token that unsafe requests made with the cookie must
 * echo in X-CSRF-Token.
 *
 * Sign-in failures are limited per name typed and per client address
 * (throttle.h): a growing wait, then a lock; unknown names are answered
 * exactly like wrong passwords (same status, same text, same hashing cost)
 * and every failure is audited.  A wrong current password when changing
 * one's own counts against the same limits, and is audited too.
 */
#ifndef MP_USER_H
#define MP_USER_H

#include "core/token.h"
#include "lib/error.h"
#include "store/users.h"

#include <stdbool.h>
#include <stdint.h>

#define SESSION_COOKIE    "mp_session"
#define SESSION_TEXT_LEN  43 /* base64url of 32 bytes */
#define PASSWORD_MAX      1024
#define USER_PASSWORD_GEN 20 /* characters of a generated password */
#define USER_PWHASH_OPS   crypto_pwhash_OPSLIMIT_INTERACTIVE
#define USER_PWHASH_MEM   crypto_pwhash_MEMLIMIT_INTERACTIVE

struct auth_settings {
    unsigned session_idle; /* seconds */
    unsigned session_max;  /* seconds */
    unsigned password_min; /* characters */
    unsigned lockout_after;
    unsigned lockout_time; /* seconds */
};

void user_configure(const struct auth_settings *s);
const struct auth_settings *user_settings(void);

/* Fields of a change; NULL (or -1) leaves a field as it is. */
struct user_change {
    const char *role;
    int disabled;        /* -1 keep, 0 enable, 1 disable (ends the sessions) */
    const char *tlp_max; /* "" removes the limit */
    const char *language;
    const char *full_name; /* "" removes it */
    const char *job_title; /* "" removes it */
};

/* Creates a user.  password NULL: one is generated into generated (shown
 * once) and must be changed at first sign-in.  errs lists every field at
 * fault, or the one other reason it failed. */
int user_create(const char *actor, int64_t now, const char *name, const char *role,
                const char *password, const char *tlp_max, char generated[USER_PASSWORD_GEN + 1],
                struct user_row *out, struct field_errors *errs);
int user_get(const char *name, struct user_row *out, struct mp_error *err);
int user_list(struct user_row **rows, int *count, struct mp_error *err);
int user_update(const char *actor, int64_t now, const char *name, const struct user_change *ch,
                struct user_row *out, struct field_errors *errs);
/* An admin sets a user's password (NULL: generated into generated); the
 * user must change it at the next sign-in and every session ends. */
int user_reset_password(const char *actor, int64_t now, const char *name, const char *password,
                        char generated[USER_PASSWORD_GEN + 1], struct mp_error *err);

struct sign_in {
    char cookie[SESSION_TEXT_LEN + 1]; /* the session cookie's value (secret) */
    char csrf[SESSION_TEXT_LEN + 1];
    int64_t expires_unix;
    int64_t retry_after; /* seconds, with a 429 */
    struct user_row user;
    /* core/mfa.h: the second step is owed; a factor must be set up first */
    bool mfa_pending, mfa_enrol;
};

/* 0 signed in; -1 with err: 401 wrong name or password (the same for every
 * cause), 429 wait out->retry_after seconds, 422 a missing field.
 * user_agent (NULL: none) is kept with the session for the list of
 * sessions (core/sessions.h). */
int session_sign_in(int64_t now, const char *name, const char *password, const char *address,
                    const char *user_agent, struct sign_in *out, struct mp_error *err);
/* How a session is opened: method for the audit ("oidc"; NULL a password),
 * the browser's User-Agent (NULL none), and what the password's check of the
 * second factor found (core/mfa.h). */
struct session_how {
    const char *method;
    const char *user_agent;
    bool mfa_pending, break_glass;
    int64_t mfa_verified; /* a second factor was checked at this time (a passkey): 0 none */
};
/* Opens a session for u, who has proven who they are (a password, or some
 * other way): the cookie and CSRF token in out, audited as session.create
 * (session.break_glass for a break-glass account). */
int session_open(int64_t now, const struct user_row *u, const char *address,
                 const struct session_how *how, struct sign_in *out, struct mp_error *err);
/* Checks a cookie value: 1 and *p filled for a live session, 0 when not
 * (malformed, unknown, ended, timed out, user disabled), -1 with err. */
int session_authenticate(const char *cookie, int64_t now, struct principal *p,
                         struct mp_error *err);
int session_sign_out(const struct principal *p, int64_t now, struct mp_error *err);
/* The signed-in user's own row. */
int session_user(const struct principal *p, struct user_row *out, struct mp_error *err);
int session_set_language(const struct principal *p, int64_t now, const char *language,
                         struct user_row *out, struct mp_error *err);
/* Changes the signed-in user's own password; ends their other sessions.
 * A wrong current password counts against the sign-in throttle of the
 * account and of address (the client's), and is audited; while either
 * must wait: 429 with *retry_after seconds. */
int session_change_password(const struct principal *p, int64_t now, const char *current,
                            const char *new_pw, const char *address, int64_t *retry_after,
                            struct mp_error *err);

/* The sign-in throttle for other checks of a secret (core/mfa.c: second
 * factor codes), per user name and address: as the password's. */
int session_guess_wait(const char *name, const char *address, const char *what,
                       int64_t *retry_after, struct mp_error *err);
bool session_guess_failed(const char *name, const char *address);
void session_guess_clear(const char *name);

#endif
