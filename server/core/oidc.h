/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * oidc.h - signing in through an OpenID Connect provider: the
 * authorization code flow with PKCE (RFC 7636, S256), state and nonce.
 *
 * oidc_start() makes the provider's authorization address for a browser
 * and remembers, for ten minutes and for one use, the state, nonce and PKCE
 * verifier it sent; oidc_finish() takes the code the browser brings back,
 * exchanges it at the token endpoint (client_secret_basic), checks the ID
 * token (signature against the provider's JWKS, iss, aud/azp, exp, iat,
 * nbf with 60 s leeway, nonce) and maps its claims onto a user: created at
 * the first sign-in, role, TLP limit and full name updated at each, and
 * disabled when no configured group gives a role or the disabled group is
 * present.  Users are linked by (iss, sub), never by the name shown.
 *
 * The client secret is read from a file or a systemd credential, kept in
 * memory only, and never logged or stored.  Everything with a time takes
 * now (lib/clock.h); the provider's discovery document is kept an hour
 * and its key set until an ID token names a key it does not hold, which
 * reloads it at most once a minute (key rotation).
 */
#ifndef MP_OIDC_H
#define MP_OIDC_H

#include "core/user.h"
#include "lib/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define OIDC_LEEWAY      60  /* seconds of clock difference allowed */
#define OIDC_PENDING_TTL 600 /* seconds from start to callback */
#define OIDC_STATE_LEN   43

/* The [oidc] section as read from the config file. */
struct oidc_settings {
    const char *issuer, *client_id, *client_secret_file, *redirect_uri, *scopes, *label;
    const char *username_claim, *name_claim, *groups_claim;
    const char *role_map, *tlp_map, *disabled_group, *ca_file;
};

/* Reads the settings (the secret from data_dir or $CREDENTIALS_DIRECTORY).
 * An empty issuer turns sign-in with a provider off.  -1 with err naming
 * the key at fault. */
int oidc_configure(const struct oidc_settings *s, const char *data_dir, struct mp_error *err);
void oidc_reset(void);
bool oidc_enabled(void);
const char *oidc_label(void);

/* What the claims of a valid ID token say about the person. */
struct oidc_identity {
    char issuer[512];
    char subject[256];
    char name[72];       /* username_claim; may be invalid as a name */
    char full_name[404]; /* name_claim, cut to 100 characters */
    char role[16];       /* "" when no group maps to a role */
    char tlp_max[16];    /* "" no limit */
    bool disabled;       /* in the disabled group */
};

/* Checks the claims of a verified ID token: iss, aud (and azp), exp, iat,
 * nbf, nonce, sub.  0, or -1 with err (401, field the claim at fault). */
int oidc_check_claims(const json_t *claims, const char *issuer, const char *client_id,
                      const char *nonce, int64_t now, struct mp_error *err);
/* Maps checked claims onto an identity by the configured claim names and
 * group maps. */
void oidc_map_claims(const json_t *claims, struct oidc_identity *id);
/* Verifies the ID token's signature against jwks and checks its claims;
 * *claims (decref'd by the caller) on success.  1: signed by no key in the
 * set (the caller may reload the set once); 0 valid; -1 refused (err). */
int oidc_verify_id_token(const char *token, const json_t *jwks, const char *nonce, int64_t now,
                         json_t **claims, struct mp_error *err);

/* Why a sign-in through the provider failed, as a word the sign-in page
 * shows in the reader's language. */
enum oidc_failure {
    OIDC_FAIL_NONE = 0,
    OIDC_FAIL_UNAVAILABLE, /* the provider did not answer */
    OIDC_FAIL_STATE,       /* unknown, used or expired state; another browser */
    OIDC_FAIL_REFUSED,     /* the code or the ID token was refused */
    OIDC_FAIL_NO_ROLE,     /* no group gives a role: disabled */
    OIDC_FAIL_DISABLED,    /* the disabled group, or disabled here */
    OIDC_FAIL_NAME,        /* the name is taken by a local user or not valid */
    OIDC_FAIL_COUNT
};
const char *oidc_failure_word(enum oidc_failure f);

/* The provider's authorization address for a new sign-in (url) and its
 * state (for the browser's cookie).  0, or -1 with *fail and err. */
int oidc_start(int64_t now, char *url, size_t url_len, char state[OIDC_STATE_LEN + 1],
               enum oidc_failure *fail, struct mp_error *err);
/* The browser came back with code and state; cookie_state is the state in
 * its cookie (binds the sign-in to the browser that started it); user_agent
 * names the browser in the session list.  0 and a
 * session in out, or -1 with *fail and err. */
int oidc_finish(int64_t now, const char *state, const char *cookie_state, const char *code,
                const char *address, const char *user_agent, struct sign_in *out,
                enum oidc_failure *fail, struct mp_error *err);

#endif
