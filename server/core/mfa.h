/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * mfa.h - the second factor: TOTP (RFC 6238), recovery codes, the sign-in's
 * second step, step-up, the require_mfa policy and break-glass accounts.
 *
 * TOTP: a 160-bit secret, SHA-1, 6 digits, 30-second steps (what every
 * authenticator app reads from an otpauth:// URI), checked by Debian's
 * liboath one step either side of now.  The secret is shown once, when
 * enrolment starts, and kept sealed with libsodium's secretbox under a key
 * derived from the token secret (outside the database); it is never logged
 * or audited.  Enrolment counts only once one correct code has been typed.
 * The time step of each accepted code is stored and a code is accepted only
 * when its step is later: no code works twice, even within its window.
 *
 * Recovery codes: ten, 50 random bits each ("abcde-fghij"), shown once and
 * kept as keyed BLAKE2b hashes; each works once.
 *
 * Sign-in: after the password, a user with a factor holds a session that is
 * "pending": it answers only the second step (POST /api/v1/session/mfa),
 * reading itself and signing out.  A wrong code counts against the same
 * throttle as a wrong password (per name and per address), and is audited.
 *
 * Policy ([auth] in the config): require_mfa lists roles whose users must
 * enrol before anything else; a break-glass account must too.  Step-up:
 * routes marked step_up in http/routes.c need a second-factor check in this
 * session within step_up_window seconds, for users who have a factor (with
 * require_mfa covering managers and admins, everyone on those routes).
 * local_passwords = break-glass-only leaves passwords to the break-glass
 * accounts (the others sign in through single sign-on).
 *
 * Break-glass: admins marked so (`meldpunt user add --break-glass`); each
 * sign-in of one is audited as session.break_glass, logged at warning level
 * and listed to every admin until one acknowledges it.
 */
#ifndef MP_MFA_H
#define MP_MFA_H

#include "core/token.h"
#include "core/webauthn.h"
#include "lib/error.h"
#include "store/mfa.h"
#include "store/users.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MFA_SECRET_LEN     20 /* bytes of a TOTP secret (RFC 4226's advice) */
#define MFA_SECRET_B32     32 /* its base32 text */
#define MFA_DIGITS         6
#define MFA_STEP           30 /* seconds */
#define MFA_WINDOW         1  /* steps either side of now */
#define MFA_RECOVERY_COUNT 10
#define MFA_RECOVERY_CHARS 10                       /* base32 characters of a code */
#define MFA_RECOVERY_SHOWN (MFA_RECOVERY_CHARS + 1) /* with its dash */
#define MFA_URI_MAX        256

enum mfa_local_passwords { MFA_PASSWORDS_ALL = 0, MFA_PASSWORDS_BREAK_GLASS_ONLY };

struct mfa_settings {
    unsigned require_roles;  /* ROLE_BIT()s that must have a second factor */
    unsigned step_up_window; /* seconds */
    enum mfa_local_passwords local_passwords;
};

void mfa_configure(const struct mfa_settings *s);
const struct mfa_settings *mfa_settings(void);
/* require_mfa names role r. */
bool mfa_role_required(enum role r);

/* "manager, admin" to ROLE_BIT()s (people's roles only); -1 when a word is
 * not one.  "" is no role. */
int mfa_parse_roles(const char *s, unsigned *mask);

/* ---- pure parts (tests/unit/test_mfa.c) ---- */

enum mfa_check { MFA_CODE_OK, MFA_CODE_WRONG, MFA_CODE_REPLAYED };

/* Checks a 6-digit code against secret at now: OK with *counter its time
 * step when the step is after last_counter, REPLAYED when it matches a step
 * not after it, WRONG otherwise (also for anything but 6 digits). */
enum mfa_check mfa_totp_check(const uint8_t *secret, size_t len, int64_t now, const char *code,
                              int64_t last_counter, int64_t *counter);
/* The otpauth:// URI an authenticator app reads (the account name is
 * [A-Za-z0-9._-], as user names are). */
int mfa_totp_uri(const char *account, const char *b32, char out[MFA_URI_MAX]);
/* A recovery code as typed ("ABCDE-fghij", spaces and dashes anywhere) to
 * its MFA_RECOVERY_CHARS lower-case characters; false when it is not one. */
bool mfa_recovery_normalise(const char *in, char out[MFA_RECOVERY_CHARS + 1]);
void mfa_recovery_generate(char out[MFA_RECOVERY_SHOWN + 1]);
/* Seals raw (MFA_SECRET_LEN bytes) into r, and opens it again (false when
 * it does not open: another token secret, or damage). */
void mfa_secret_seal(const uint8_t raw[MFA_SECRET_LEN], struct mfa_totp_row *r);
bool mfa_secret_open(const struct mfa_totp_row *r, uint8_t raw[MFA_SECRET_LEN]);

/* ---- hooks of the sign-in (core/user.c) ---- */

/* After a correct password for u: 0 with *pending (the second step is
 * owed) and *break_glass; -1 with err 403 when local passwords are off for
 * u. */
int mfa_after_password(const struct user_row *u, bool *pending, bool *break_glass,
                       struct mp_error *err);
/* After a passkey signed u in (core/webauthn.h): *break_glass. */
int mfa_after_passkey(const struct user_row *u, bool *break_glass, struct mp_error *err);
/* In the sign-in's own write: the new session's second-step state (owed,
 * or checked at verified), and a break-glass use. */
int mfa_session_begin(sqlite3 *db, int64_t session_id, int64_t user_id, bool pending,
                      int64_t verified, bool break_glass, const char *at, const char *address,
                      struct mp_error *err);
/* For each request with a session: fills p's mfa_ fields. */
int mfa_principal(sqlite3 *db, struct principal *p, struct mp_error *err);
/* A refusal for p on a route (NULL: none): step names whether the route
 * answers a pending session, enrol whether it answers before enrolment,
 * step_up whether it needs a fresh check. */
const char *mfa_refusal(const struct principal *p, int64_t now, bool step, bool enrol,
                        bool step_up);

/* ---- the signed-in user's own factor (api/mfa.c) ---- */

struct mfa_status {
    bool enrolled, pending, required, break_glass;
    bool totp;    /* a TOTP app is set up */
    int passkeys; /* how many passkeys */
    char confirmed_at[32];
    int recovery_left;
    int64_t verified_unix;
};

int mfa_status(const struct principal *p, struct mfa_status *out, struct mp_error *err);
/* Starts (or restarts) enrolment: the secret as base32 and the URI, shown
 * this once.  409 when a factor is set up already. */
int mfa_enrol_start(const struct principal *p, int64_t now, char b32[MFA_SECRET_B32 + 1],
                    char uri[MFA_URI_MAX], struct mp_error *err);

/* A code typed by the user: TOTP (code) or recovery (recovery_code), or a
 * passkey's answer (core/webauthn.h); one of the three. */
struct mfa_proof {
    const char *code;
    const char *recovery_code;
    const struct webauthn_assertion *passkey;
    bool cloned; /* the passkey's counter went back */
    const char *address;
    int64_t retry_after; /* seconds, with a 429 */
};

/* Confirms enrolment with a TOTP code; fills codes, shown once. */
int mfa_enrol_confirm(const struct principal *p, int64_t now, struct mfa_proof *proof,
                      char codes[MFA_RECOVERY_COUNT][MFA_RECOVERY_SHOWN + 1], struct mp_error *err);
/* The second step of a sign-in, and step-up: this session's check. */
int mfa_verify(const struct principal *p, int64_t now, struct mfa_proof *proof,
               struct mp_error *err);
/* Turns the factor off (409 when the role or break-glass requires one). */
int mfa_disable(const struct principal *p, int64_t now, struct mfa_proof *proof,
                struct mp_error *err);
/* A new set of recovery codes in place of the old. */
int mfa_recovery_renew(const struct principal *p, int64_t now, struct mfa_proof *proof,
                       char codes[MFA_RECOVERY_COUNT][MFA_RECOVERY_SHOWN + 1],
                       struct mp_error *err);

/* A passkey checked by webauthn_register() becomes one of p's factors
 * (the challenge spent in the same write); when p had no recovery codes,
 * *ncodes new ones, shown once. */
int mfa_passkey_enrol(const struct principal *p, int64_t now, struct webauthn_cred_row *cred,
                      const uint8_t *challenge, const char *fmt,
                      char codes[MFA_RECOVERY_COUNT][MFA_RECOVERY_SHOWN + 1], int *ncodes,
                      struct mp_error *err);
/* Renames (name) or removes (NULL) p's passkey id: 404 not p's; removing
 * the last factor of an account that must have one: 409. */
int mfa_passkey_change(const struct principal *p, int64_t now, int64_t id, const char *name,
                       struct mp_error *err);

/* ---- break-glass ---- */

/* Marks (on) or unmarks user name; only admins may be break-glass. */
int mfa_break_glass_set(const char *actor, int64_t now, const char *name, bool on,
                        struct mp_error *err);
int mfa_break_glass_open(struct break_glass_use **rows, int *count, struct mp_error *err);
int mfa_break_glass_ack(const char *actor, int64_t now, int64_t id, struct mp_error *err);
/* An admin's way out for a user who lost both the phone and the recovery
 * codes (`meldpunt user mfa-reset`): removes the factor and its codes, and
 * ends the user's sessions; audited as mfa.reset.  404 for no such user. */
int mfa_reset(const char *actor, int64_t now, const char *name, struct mp_error *err);

#endif
