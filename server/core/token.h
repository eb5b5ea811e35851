/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * token.h - API tokens and roles.
 *
 * A token is "mp_" followed by 43 base64url characters: 256 random bits.
 * It is shown once, when created, and stored only as a keyed BLAKE2b-256 hash
 * (the key is the data directory's token secret, kept outside the database),
 * so a copy of the database alone lets nobody authenticate or test guesses.
 *
 * Roles are a fixed set.  viewer < analyst < manager < admin form a ladder
 * for people and tools that read and work incidents; ingest stands apart: it
 * may only post alerts and incidents, never read.  Routes name the roles they
 * allow as a bit mask (see http/routes.c), so "who may do what" is one table.
 */
#ifndef MP_TOKEN_H
#define MP_TOKEN_H

#include "lib/error.h"
#include "store/tokens.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_PREFIX     "mp_"
#define TOKEN_RANDOM_LEN 32
#define TOKEN_TEXT_LEN   (3 + 43)
#define TOKEN_HASH_LEN   32
#define TOKEN_SECRET_LEN 32
#define TOKEN_NAME_MAX   64

enum role { ROLE_VIEWER = 0, ROLE_ANALYST, ROLE_MANAGER, ROLE_ADMIN, ROLE_INGEST, ROLE_COUNT };

#define ROLE_BIT(r) (1u << (r))
/* Everyone who may read incident data. */
#define ROLES_READ                                                                                 \
    (ROLE_BIT(ROLE_VIEWER) | ROLE_BIT(ROLE_ANALYST) | ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_ADMIN))
#define ROLES_ADMIN ROLE_BIT(ROLE_ADMIN)

const char *role_name(enum role r);
int role_parse(const char *s, enum role *out);

/* Writes a new token (TOKEN_TEXT_LEN chars + NUL). */
void token_generate(char out[TOKEN_TEXT_LEN + 1]);
/* True when s has the shape of a token (prefix, length, alphabet). */
bool token_well_formed(const char *s);
void token_hash(const uint8_t secret[TOKEN_SECRET_LEN], const char *token,
                uint8_t out[TOKEN_HASH_LEN]);
/* Names: 1-64 of [A-Za-z0-9._-], starting with a letter or digit. */
bool token_name_valid(const char *name);

/* Who is making a request or running a command.  `name` is what the audit
 * chain and the logs record: "token:NAME" for API tokens, "cli:USER" for
 * the command line, "-" for nobody. */
struct principal {
    bool authenticated;
    enum role role;
    char name[96];
    int tlp_max; /* highest enum incident_tlp it may see (TLP_RED: all) */
    /* A person signed in with a session cookie (core/user.h): unsafe
     * requests must carry csrf in X-CSRF-Token. */
    bool session;
    bool must_change_password;
    int64_t session_id, user_id;
    int64_t session_expires; /* unix seconds: the absolute timeout */
    char csrf[48];
    /* The second factor (core/mfa.h), for sessions: the second step is
     * owed; enrolment is required first; a factor is set up; when one was
     * last checked in this session (unix seconds, 0: never). */
    bool mfa_pending, mfa_enrol, mfa_enrolled;
    int64_t mfa_verified;
};

/* A TLP limit, "clear" .. "red", to enum incident_tlp; -1 when it is not
 * a level. */
int tlp_parse(const char *s);

/* The data directory's token secret; set once before any token call. */
void token_set_secret(const uint8_t secret[TOKEN_SECRET_LEN]);
/* token_hash() under the data directory's secret (also for session ids). */
void token_hash_secret(const char *text, uint8_t out[TOKEN_HASH_LEN]);
/* Random text of 256 bits: 43 base64url characters and a NUL. */
void token_random_text(char out[44]);

/* The token has an end and it has come at `now` (valid up to the second
 * before expires_at). */
bool token_expired(const struct token_row *row, int64_t now);
/* Looks token up at `now` for a request from address client (text; NULL:
 * unknown): 1 and *p filled when it is a valid, active token that may be
 * used from there; 0 with err when it is not: 401 without a field when it
 * is malformed, unknown or revoked.  Once the token is known to be a real
 * one its holder may learn why it is refused: 401 with field "expires_at"
 * when it has expired (from its expires_at second on), 403 with field
 * "allowed_sources" when client lies outside its allowed sources.  -1 with
 * err when storage fails. */
int token_authenticate(const char *token, int64_t now, const char *client, struct principal *p,
                       struct mp_error *err);

/* Creates a token and audits it; the token text is written to out (shown
 * once, never stored).  tlp_max (NULL: none) limits what it may see;
 * expires_at (Unix seconds, 0: never) ends it, and must lie after now and
 * at most TOKEN_LIFETIME_MAX ahead; sources (nsources CIDR blocks or
 * addresses, lib/cidr.h; none: anywhere) are where it may be used from.
 * err->field names the input at fault ("allowed_sources[2]"). */
#define TOKEN_LIFETIME_MAX ((int64_t)5 * 366 * 86400)
int token_create(const char *actor, int64_t now, const char *name, const char *role,
                 const char *tlp_max, int64_t expires_at, const char *const sources[],
                 size_t nsources, char out[TOKEN_TEXT_LEN + 1], struct token_row *row,
                 struct mp_error *err);
int token_revoke(const char *actor, int64_t now, const char *name, struct token_row *row,
                 struct mp_error *err);
int token_list(bool include_revoked, struct token_row **rows, int *count, struct mp_error *err);

#endif
