/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * webauthn_account.c - the passkey ceremonies: challenges handed out,
 * registration, the checks of an assertion for the second step, step-up
 * and passwordless sign-in, and a person's list of passkeys.  See
 * webauthn.h.
 *
 * A challenge is 32 random bytes kept in webauthn_challenges until its
 * answer comes or WEBAUTHN_TIMEOUT passes; the answer is checked against
 * the reader first (webauthn_proof_check) and the challenge is spent in the
 * write that accepts it (webauthn_proof_accept, one DELETE ... RETURNING in
 * the writer's transaction), so a replayed answer, or two at once, find it
 * gone.  The counter is moved there too, from the value the check read.
 * The writes of the second factor (audit, session state, recovery codes,
 * the throttle) are mfa_account.c's: a passkey is one more kind of proof.
 */
#include "webauthn.h"
#include "core/mfa.h"
#include "core/user.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/writer.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_MAX 4096
#define AUTH_MAX   2048
#define ATT_MAX    8192
#define SIG_MAX    1024

#define NO_CHALLENGE                                                                               \
    "answers no challenge given out here (used already, expired, or another session's)"

_Static_assert(MFA_RECOVERY_SHOWN + 1 == 12, "webauthn.h's codes[][12]");

void
webauthn_options_free(struct webauthn_options *o)
{
    free(o->creds);
    o->creds = NULL;
    o->ncreds = 0;
}

struct challenge_write {
    uint8_t challenge[WEBAUTHN_CHALLENGE_LEN];
    const char *purpose;
    int64_t session_id, user_id, expires;
    bool handle; /* and the user's handle, made when missing */
    uint8_t handle_out[WEBAUTHN_HANDLE_LEN];
};

static int
challenge_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct challenge_write *w = arg;

    if (w->handle && store_webauthn_handle(db, w->user_id, true, w->handle_out, err) < 0)
        return -1;
    return store_webauthn_challenge_put(db, w->challenge, w->purpose, w->session_id, w->user_id,
                                        w->expires, err);
}

static void
b64_into(char *out, size_t size, const uint8_t *in, size_t len)
{
    char *s = webauthn_b64_encode(in, len);

    snprintf(out, size, "%s", s != NULL ? s : "");
    free(s);
}

/* A new challenge of purpose (for p's session, or no one's), and p's
 * passkeys. */
static int
options_make(const struct principal *p, int64_t now, const char *purpose, bool handle,
             struct webauthn_options *o, struct mp_error *err)
{
    struct challenge_write w = {.purpose = purpose, .expires = now + WEBAUTHN_TIMEOUT};
    sqlite3 *db;

    memset(o, 0, sizeof(*o));
    if (p != NULL) {
        if (!p->session)
            return mp_error_set(err, 404, "",
                                "no session: passkeys belong to people who sign in, not to API "
                                "tokens");
        w.session_id = p->session_id;
        w.user_id = p->user_id;
        snprintf(o->user, sizeof(o->user), "%s",
                 strncmp(p->name, "user:", 5) == 0 ? p->name + 5 : p->name);
    }
    w.handle = handle;
    randombytes_buf(w.challenge, sizeof(w.challenge));
    if (store_write(challenge_apply, &w, err) != 0)
        return -1;
    b64_into(o->challenge, sizeof(o->challenge), w.challenge, sizeof(w.challenge));
    if (handle)
        b64_into(o->handle, sizeof(o->handle), w.handle_out, sizeof(w.handle_out));
    if (p == NULL)
        return 0;
    db = db_reader(err);
    if (db == NULL || store_webauthn_cred_list(db, p->user_id, &o->creds, &o->ncreds, err) != 0)
        return -1;
    return 0;
}

int
webauthn_fresh_check(const struct principal *p, int64_t now, struct mp_error *err)
{
    const char *why = mfa_refusal(p, now, true, true, true);

    return why != NULL ? mp_error_set(err, 403, "", "%s", why) : 0;
}

int
webauthn_register_options(const struct principal *p, int64_t now, struct webauthn_options *o,
                          struct mp_error *err)
{
    /* a stolen session must not plant a passkey of its own */
    if (webauthn_fresh_check(p, now, err) != 0)
        return -1;
    if (options_make(p, now, "register", true, o, err) != 0)
        return -1;
    if (o->ncreds >= WEBAUTHN_MAX_PER_USER) {
        webauthn_options_free(o);
        return mp_error_set(err, 409, "", "at most %d passkeys: remove one first",
                            WEBAUTHN_MAX_PER_USER);
    }
    return 0;
}

int
webauthn_assert_options(const struct principal *p, int64_t now, struct webauthn_options *o,
                        struct mp_error *err)
{
    if (options_make(p, now, p != NULL ? "verify" : "sign-in", false, o, err) != 0)
        return -1;
    if (p != NULL && o->ncreds == 0) {
        webauthn_options_free(o);
        return mp_error_set(err, 409, "", "no passkey is set up for this user");
    }
    return 0;
}

/* field, base64url, into buf (at most max bytes). */
static int
decode(const char *field, const char *s, uint8_t *buf, size_t max, size_t *len,
       struct mp_error *err)
{
    if (s == NULL)
        return mp_error_set(err, 422, field, "is required");
    if (webauthn_b64_decode(s, buf, max, len) != 0 || *len == 0)
        return mp_error_set(err, 422, field, "must be base64url (at most %zu bytes)", max);
    return 0;
}

static struct webauthn_expect
expect_now(const char *type, const uint8_t *challenge, bool uv)
{
    return (struct webauthn_expect){.type = type,
                                    .challenge = challenge,
                                    .origin = webauthn_settings()->origin,
                                    .rp_id = webauthn_settings()->rp_id,
                                    .require_uv = uv};
}

/* A name as given: 1 to 64 characters, no control characters. */
static int
name_check(const char *name, struct mp_error *err)
{
    size_t n = name == NULL ? 0 : strlen(name);

    if (n == 0 || n > WEBAUTHN_NAME_MAX)
        return mp_error_set(err, 422, "name", "must be 1 to %d characters", WEBAUTHN_NAME_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return mp_error_set(err, 422, "name", "must not hold control characters");
    return 0;
}

/* transports: a JSON array of at most 8 short strings (as the browser's
 * getTransports() gives), kept as compact text. */
static int
transports_read(const char *in, char *out, size_t size, struct mp_error *err)
{
    json_t *j;
    size_t i;
    json_t *v;
    char *text;

    snprintf(out, size, "[]");
    if (in == NULL)
        return 0;
    j = json_loads(in, 0, NULL);
    if (!json_is_array(j) || json_array_size(j) > 8) {
        json_decref(j);
        return mp_error_set(err, 422, "transports", "must be a list of at most 8 words");
    }
    json_array_foreach(j, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 16) {
            json_decref(j);
            return mp_error_set(err, 422, "transports", "must be a list of at most 8 words");
        }
    }
    text = json_dumps(j, JSON_COMPACT);
    snprintf(out, size, "%s", text != NULL ? text : "[]");
    free(text);
    json_decref(j);
    return 0;
}

int
webauthn_register(const struct principal *p, int64_t now, const struct webauthn_registration *r,
                  struct webauthn_cred_row *out, char codes[][12], int *ncodes,
                  struct mp_error *err)
{
    uint8_t *client = NULL, *att = NULL, challenge[WEBAUTHN_CHALLENGE_LEN];
    size_t clen = 0, alen = 0;
    struct webauthn_expect e;
    char fmt[16], transports[sizeof(out->transports)];
    int rc = -1;

    memset(out, 0, sizeof(*out));
    *ncodes = 0;
    if (!p->session)
        return mp_error_set(err, 404, "", "no session: an API token has no passkeys");
    if (name_check(r->name, err) != 0 ||
        transports_read(r->transports, transports, sizeof(transports), err) != 0)
        return -1;
    client = malloc(CLIENT_MAX);
    att = malloc(ATT_MAX);
    if (client == NULL || att == NULL) {
        mp_error_set(err, 500, "", "out of memory");
        goto out;
    }
    if (decode("clientDataJSON", r->client_data, client, CLIENT_MAX, &clen, err) != 0 ||
        decode("attestationObject", r->attestation, att, ATT_MAX, &alen, err) != 0)
        goto out;
    if (webauthn_client_challenge(client, clen, challenge) != 0) {
        mp_error_set(err, 422, "clientDataJSON", "holds no challenge");
        goto out;
    }
    e = expect_now("webauthn.create", challenge, false);
    if (webauthn_register_check(&e, client, clen, att, alen, out, fmt, err) != 0)
        goto out;
    out->user_id = p->user_id;
    snprintf(out->name, sizeof(out->name), "%s", r->name);
    snprintf(out->transports, sizeof(out->transports), "%s", transports);
    rc = mfa_passkey_enrol(p, now, out, challenge, fmt, codes, ncodes, err);
out:
    free(client);
    free(att);
    return rc;
}

/* ---- assertions ---- */

struct assertion_bytes {
    uint8_t id[WEBAUTHN_CRED_ID_MAX], client[CLIENT_MAX], auth[AUTH_MAX], sig[SIG_MAX];
    uint8_t handle[WEBAUTHN_HANDLE_LEN + 8];
    size_t id_len, client_len, auth_len, sig_len, handle_len;
};

static int
assertion_decode(const struct webauthn_assertion *a, struct assertion_bytes *b,
                 struct mp_error *err)
{
    if (decode("id", a->id, b->id, sizeof(b->id), &b->id_len, err) != 0 ||
        decode("clientDataJSON", a->client_data, b->client, sizeof(b->client), &b->client_len,
               err) != 0 ||
        decode("authenticatorData", a->auth_data, b->auth, sizeof(b->auth), &b->auth_len, err) !=
            0 ||
        decode("signature", a->signature, b->sig, sizeof(b->sig), &b->sig_len, err) != 0)
        return -1;
    if (a->user_handle != NULL && a->user_handle[0] != '\0' &&
        decode("userHandle", a->user_handle, b->handle, sizeof(b->handle), &b->handle_len, err) !=
            0)
        return -1;
    return 0;
}

/* The passkey a names, of user_id (0: anyone's); its owner's handle
 * matches userHandle when one is given. */
static int
credential_of(sqlite3 *db, int64_t user_id, const struct assertion_bytes *b,
              struct webauthn_cred_row *c, struct mp_error *err)
{
    uint8_t handle[WEBAUTHN_HANDLE_LEN];
    int found = store_webauthn_cred_find(db, b->id, b->id_len, c, err);

    if (found < 0)
        return -1;
    if (found == 0 || (user_id != 0 && c->user_id != user_id))
        return mp_error_set(err, 422, "id", "is not a passkey of %s",
                            user_id != 0 ? "this user" : "anyone here");
    if (b->handle_len > 0) {
        found = store_webauthn_handle(db, c->user_id, false, handle, err);
        if (found < 0)
            return -1;
        if (found == 0 || b->handle_len != WEBAUTHN_HANDLE_LEN ||
            sodium_memcmp(handle, b->handle, WEBAUTHN_HANDLE_LEN) != 0)
            return mp_error_set(err, 422, "userHandle", "is not this passkey's user");
    }
    return 0;
}

int
webauthn_proof_check(int64_t user_id, int64_t session_id, int64_t now,
                     const struct webauthn_assertion *a, struct webauthn_use *u,
                     struct mp_error *err)
{
    struct assertion_bytes *b = calloc(1, sizeof(*b));
    struct webauthn_cred_row c;
    struct webauthn_expect e;
    enum webauthn_result r;
    sqlite3 *db;
    int rc = -1, live;

    memset(u, 0, sizeof(*u));
    if (b == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    if (assertion_decode(a, b, err) != 0)
        goto out;
    if (webauthn_client_challenge(b->client, b->client_len, u->challenge) != 0) {
        mp_error_set(err, 422, "clientDataJSON", "holds no challenge");
        goto out;
    }
    db = db_reader(err);
    if (db == NULL || credential_of(db, user_id, b, &c, err) != 0)
        goto out;
    /* a replay is told as one, before its counter (which did not move)
     * could be taken for a copied passkey; the write spends it for good */
    live = store_webauthn_challenge_live(db, u->challenge, user_id != 0 ? "verify" : "sign-in",
                                         session_id, now, err);
    if (live <= 0) {
        if (live == 0)
            mp_error_set(err, 422, "clientDataJSON", NO_CHALLENGE);
        goto out;
    }
    u->cred = c.id;
    u->user_id = c.user_id;
    u->session_id = session_id;
    u->purpose = user_id != 0 ? "verify" : "sign-in";
    u->old_count = c.sign_count;
    snprintf(u->name, sizeof(u->name), "%s", c.name);
    snprintf(u->user, sizeof(u->user), "%s", c.user_name);
    /* passwordless: the passkey is the only factor, so the authenticator
     * must have verified the person (PIN or biometrics) */
    e = expect_now("webauthn.get", u->challenge, user_id == 0);
    r = webauthn_assert_check(&e, b->client, b->client_len, b->auth, b->auth_len, b->sig,
                              b->sig_len, c.cose_alg, c.pk, c.pk_len, c.sign_count, &u->new_count,
                              err);
    u->cloned = r == WEBAUTHN_CLONED;
    rc = r == WEBAUTHN_OK ? 0 : -1;
out:
    sodium_memzero(b, sizeof(*b));
    free(b);
    return rc;
}

int
webauthn_proof_accept(sqlite3 *db, const struct webauthn_use *u, int64_t now, const char *at,
                      struct mp_error *err)
{
    int64_t given_to = 0;
    int r = store_webauthn_challenge_take(db, u->challenge, u->purpose, u->session_id, now,
                                          &given_to, err);

    if (r < 0)
        return -1;
    if (r == 0 || (given_to != 0 && given_to != u->user_id))
        return mp_error_set(err, 422, "clientDataJSON", NO_CHALLENGE);
    r = store_webauthn_cred_used(db, u->cred, u->old_count, u->new_count, at, err);
    if (r == 0)
        return mp_error_set(err, 422, "authenticatorData",
                            "the passkey was used by another request at the same time");
    return r < 0 ? -1 : 0;
}

/* ---- passwordless sign-in ---- */

struct signin_write {
    const struct webauthn_use *use;
    int64_t now;
    const char *address;
    bool fail; /* only the audit of a refusal */
    const char *reason;
};

static int
signin_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct signin_write *w = arg;
    char at[TIME_RFC3339_LEN];
    json_t *audit;
    int rc;

    time_format_rfc3339(w->now, at, sizeof(at));
    if (!w->fail && webauthn_proof_accept(db, w->use, w->now, at, err) != 0)
        return -1;
    if (!w->fail)
        return 0; /* session_open audits the sign-in */
    audit = json_pack("{s:s, s:s, s:s, s:s}", "address", w->address, "method", "passkey", "passkey",
                      w->use->name, "reason", w->reason);
    rc = store_audit_append_json(db, w->now, "-",
                                 w->use->cloned ? "webauthn.counter" : "session.fail",
                                 w->use->user[0] ? w->use->user : "-", audit, err);
    json_decref(audit);
    return rc;
}

static void
signin_failed(const struct webauthn_use *u, int64_t now, const char *address,
              const struct mp_error *why)
{
    struct signin_write w = {.use = u, .now = now, .address = address, .fail = true};
    struct mp_error aerr;

    w.reason = why->message;
    (void)session_guess_failed(u->user[0] ? u->user : "-", address);
    if (store_write(signin_apply, &w, &aerr) != 0)
        log_error("cannot audit a refused passkey sign-in: %s", aerr.message);
    if (u->cloned)
        log_warn("passkey counter went back user=%s passkey=%s: refused", u->user, u->name);
}

int
webauthn_sign_in(int64_t now, const struct webauthn_assertion *a, const char *address,
                 const char *user_agent, struct sign_in *out, struct mp_error *err)
{
    struct webauthn_use u;
    struct signin_write w = {.use = &u, .now = now, .address = address};
    struct session_how how = {.method = "passkey", .user_agent = user_agent};
    struct user_row usr;

    memset(out, 0, sizeof(*out));
    if (session_guess_wait("-", address, "sign-in", &out->retry_after, err) != 0)
        return -1;
    if (webauthn_proof_check(0, 0, now, a, &u, err) != 0) {
        if (err->status == 422)
            signin_failed(&u, now, address, err);
        return -1;
    }
    if (session_guess_wait(u.user, address, "sign-in", &out->retry_after, err) != 0)
        return -1;
    if (user_get(u.user, &usr, err) != 0 || usr.disabled_at[0] != '\0')
        return mp_error_set(err, 401, "", "this passkey does not sign anyone in");
    if (store_write(signin_apply, &w, err) != 0) {
        if (err->status == 422)
            signin_failed(&u, now, address, err);
        return -1;
    }
    session_guess_clear(u.user);
    /* the passkey was the second factor as well: no second step, and the
     * step-up window starts now; a break-glass use is recorded as ever */
    if (mfa_after_passkey(&usr, &how.break_glass, err) != 0)
        return -1;
    how.mfa_verified = now;
    return session_open(now, &usr, address, &how, out, err);
}

/* ---- a person's passkeys ---- */

int
webauthn_list(const struct principal *p, struct webauthn_cred_row **rows, int *count,
              struct mp_error *err)
{
    sqlite3 *db;

    *rows = NULL;
    *count = 0;
    if (!p->session)
        return mp_error_set(err, 404, "", "no session: an API token has no passkeys");
    db = db_reader(err);
    if (db == NULL)
        return -1;
    return store_webauthn_cred_list(db, p->user_id, rows, count, err);
}

int
webauthn_rename(const struct principal *p, int64_t now, int64_t id, const char *name,
                struct mp_error *err)
{
    if (name_check(name, err) != 0)
        return -1;
    return mfa_passkey_change(p, now, id, name, err);
}

int
webauthn_remove(const struct principal *p, int64_t now, int64_t id, struct mp_error *err)
{
    return mfa_passkey_change(p, now, id, NULL, err);
}
