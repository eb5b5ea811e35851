/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * webauthn.h - passkeys (W3C WebAuthn Level 2): a second factor next to
 * TOTP (it satisfies require_mfa, step-up and break-glass as TOTP does) and
 * a way to sign in without a password.
 *
 * The checks of what a browser sends are here (webauthn.c, pure: tested in
 * tests/unit/test_webauthn.c with keys made by GnuTLS); the ceremonies that
 * hand out challenges and store credentials are in webauthn_account.c.
 *
 * Registration (navigator.credentials.create): the attestation formats
 * "none" and "packed" (self attestation, or with a certificate, which is
 * checked by libfido2 but not chained to any root: we do not decide which
 * authenticators people may use).  Assertion (navigator.credentials.get):
 * libfido2's fido_assert_verify() checks the signature over
 * authenticatorData || SHA-256(clientDataJSON) with the stored COSE key;
 * no signature code is ours.  CBOR is read with libfido2 and libcbor.
 *
 * What each check stops (docs/SECURITY.md, "Passkeys"):
 *   - type, challenge, origin in clientDataJSON: a page elsewhere (phishing
 *     proxy) or an answer to another question;
 *   - rpIdHash in authenticatorData: a credential made for another site;
 *   - the UP flag (and UV for passwordless sign-in, where the passkey is
 *     the only factor): an answer made without the person;
 *   - the challenge, single-use and short-lived, kept server-side and bound
 *     to the session (or, for passwordless sign-in, to nothing but itself):
 *     a replay;
 *   - the signature counter: when either count is non-zero, an assertion
 *     whose count is not above the stored one means two authenticators hold
 *     the key (a clone): refused and audited (webauthn.counter).
 */
#ifndef MP_WEBAUTHN_H
#define MP_WEBAUTHN_H

#include "core/token.h"
#include "lib/error.h"
#include "store/webauthn.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEBAUTHN_TIMEOUT      300 /* seconds a challenge is good for */
#define WEBAUTHN_MAX_PER_USER 20

struct webauthn_settings {
    char rp_id[256];  /* a domain: "incidents.example.org" */
    char origin[256]; /* "https://incidents.example.org" */
};

/* The RP ID and origin ([auth] webauthn_rp_id, webauthn_origin).  Empty
 * origin: from the OpenID redirect URI when set, else http://localhost and
 * the listen port; empty RP ID: the origin's host. */
int webauthn_configure(const char *rp_id, const char *origin, const char *redirect_uri,
                       const char *listen, struct mp_error *err);
const struct webauthn_settings *webauthn_settings(void);

/* ---- pure parts ---- */

/* What the answer must match. */
struct webauthn_expect {
    const char *type; /* "webauthn.create" or "webauthn.get" */
    const uint8_t *challenge;
    const char *origin;
    const char *rp_id;
    bool require_uv;
};

/* Checks a registration's clientDataJSON and attestationObject (bytes, not
 * base64): 0 with out's cred_id, cose_alg (COSE_ES256, COSE_RS256,
 * COSE_EDDSA), pk and sign_count filled, and fmt; -1 with err 422 naming
 * the field. */
int webauthn_register_check(const struct webauthn_expect *e, const uint8_t *client_data,
                            size_t client_len, const uint8_t *att, size_t att_len,
                            struct webauthn_cred_row *out, char fmt[16], struct mp_error *err);

enum webauthn_result { WEBAUTHN_OK = 0, WEBAUTHN_BAD = -1, WEBAUTHN_CLONED = -2 };

/* Checks an assertion against the stored key and count: OK with
 * *new_count; BAD with err 422; CLONED (a genuine signature with a counter
 * that went back) with err 422. */
enum webauthn_result webauthn_assert_check(const struct webauthn_expect *e,
                                           const uint8_t *client_data, size_t client_len,
                                           const uint8_t *auth_data, size_t auth_len,
                                           const uint8_t *sig, size_t sig_len, int cose_alg,
                                           const uint8_t *pk, size_t pk_len, uint32_t stored_count,
                                           uint32_t *new_count, struct mp_error *err);

/* The challenge clientDataJSON answers (to find it among those kept). */
int webauthn_client_challenge(const uint8_t *client_data, size_t len,
                              uint8_t out[WEBAUTHN_CHALLENGE_LEN]);

/* base64url without padding, both ways (out's size: decoded at most max). */
int webauthn_b64_decode(const char *s, uint8_t *out, size_t max, size_t *len);
char *webauthn_b64_encode(const uint8_t *in, size_t len); /* malloc'd */

/* ---- ceremonies (webauthn_account.c) ---- */

/* What the browser's navigator.credentials call needs (base64url). */
struct webauthn_options {
    char challenge[48];
    char handle[48];                 /* registration: user.id */
    char user[96];                   /* registration: user.name */
    struct webauthn_cred_row *creds; /* the user's passkeys (malloc'd) */
    int ncreds;
};
void webauthn_options_free(struct webauthn_options *o);

/* 0 when p (a person with a factor) has checked it within the step-up
 * window; 403 step-up otherwise (for every role: adding or removing a
 * passkey). */
int webauthn_fresh_check(const struct principal *p, int64_t now, struct mp_error *err);
/* Registration's options for the signed-in user (a challenge of this
 * session). */
int webauthn_register_options(const struct principal *p, int64_t now, struct webauthn_options *o,
                              struct mp_error *err);

/* A registration as the browser sends it (base64url), with its name. */
struct webauthn_registration {
    const char *client_data;
    const char *attestation;
    const char *transports; /* a JSON array as text, NULL: none */
    const char *name;
};

/* Stores the new passkey (*out); when it is the user's first factor, the
 * session counts as checked now and codes (10) are the recovery codes
 * (*ncodes 10), shown once. */
int webauthn_register(const struct principal *p, int64_t now, const struct webauthn_registration *r,
                      struct webauthn_cred_row *out, char codes[][12], int *ncodes,
                      struct mp_error *err);

/* Options for the second step or step-up (a challenge of this session, the
 * user's passkeys), or, p NULL, for passwordless sign-in (a challenge of no
 * one). */
int webauthn_assert_options(const struct principal *p, int64_t now, struct webauthn_options *o,
                            struct mp_error *err);

/* An assertion as the browser sends it (base64url). */
struct webauthn_assertion {
    const char *id; /* rawId */
    const char *client_data;
    const char *auth_data;
    const char *signature;
    const char *user_handle; /* NULL: none */
};

/* What a checked assertion will change, in the write that accepts it. */
struct webauthn_use {
    int64_t cred;    /* the passkey's row */
    int64_t user_id; /* its user */
    int64_t session_id;
    const char *purpose;
    uint32_t old_count, new_count;
    uint8_t challenge[WEBAUTHN_CHALLENGE_LEN];
    char name[WEBAUTHN_NAME_MAX + 1];
    char user[72];
    bool cloned; /* refused: the counter went back */
};

/* Checks a for user_id (0: whoever the passkey belongs to, for
 * passwordless sign-in, which needs user verification too) against what is
 * stored; fills u.  -1 with err 422 naming the field (u->cloned for a
 * counter that went back). */
int webauthn_proof_check(int64_t user_id, int64_t session_id, int64_t now,
                         const struct webauthn_assertion *a, struct webauthn_use *u,
                         struct mp_error *err);
/* In the write: spends the challenge and moves the counter (422 when the
 * challenge was spent already or expired: a replay). */
int webauthn_proof_accept(sqlite3 *db, const struct webauthn_use *u, int64_t now, const char *at,
                          struct mp_error *err);

/* Passwordless sign-in: a session for the passkey's user (as
 * session_sign_in, with the second factor checked). */
struct sign_in;
int webauthn_sign_in(int64_t now, const struct webauthn_assertion *a, const char *address,
                     const char *user_agent, struct sign_in *out, struct mp_error *err);

/* The signed-in user's passkeys, renaming and removing one (removing the
 * last factor where one is required: 409). */
int webauthn_list(const struct principal *p, struct webauthn_cred_row **rows, int *count,
                  struct mp_error *err);
int webauthn_rename(const struct principal *p, int64_t now, int64_t id, const char *name,
                    struct mp_error *err);
int webauthn_remove(const struct principal *p, int64_t now, int64_t id, struct mp_error *err);

#endif
