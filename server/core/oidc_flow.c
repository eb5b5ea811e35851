/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * oidc_flow.c - the exchanges with the OpenID provider (discovery, key
 * set, token endpoint), the sign-ins under way, and the user an ID token
 * makes or changes (see oidc.h).
 *
 * A sign-in under way is a slot holding state, nonce and PKCE verifier,
 * taken out (single use) when the browser comes back, so a replayed
 * callback finds nothing; the provider refuses a replayed code too.  The
 * browser's cookie must hold the same state: a callback address sent to
 * someone else's browser signs nobody in (login CSRF).  The provider's
 * address is the admin's own configuration, so unlike a webhook target it
 * may be on the local network.
 */
#include "oidc.h"
#include "oidc_int.h"

#include "core/token.h"
#include "lib/buf.h"
#include "lib/deliver.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/oidc.h"
#include "store/writer.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PENDING_MAX      128
#define DISCOVERY_TTL    3600 /* seconds a discovery document is used */
#define JWKS_REFETCH_GAP 60   /* seconds between reloads for an unknown kid */

struct pending {
    char state[OIDC_STATE_LEN + 1], nonce[OIDC_STATE_LEN + 1], verifier[OIDC_STATE_LEN + 1];
    int64_t created; /* 0: free */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pending pending[PENDING_MAX];
static struct {
    char authorization[512], token[512], jwks[512];
    int64_t at; /* 0: not read */
} disc;
static json_t *jwks;            /* the provider's key set; NULL: not read */
static int64_t jwks_refetch_at; /* the last reload for an unknown kid */

void
oidc_flow_reset(void)
{
    pthread_mutex_lock(&lock);
    sodium_memzero(pending, sizeof(pending));
    memset(&disc, 0, sizeof(disc));
    json_decref(jwks);
    jwks = NULL;
    jwks_refetch_at = 0;
    pthread_mutex_unlock(&lock);
}

/* GET (form NULL) or POST url; *out the JSON object of a 2xx answer.
 * -1 with *fail UNAVAILABLE (no answer, 5xx) or REFUSED (another status). */
static int
fetch_json(const char *url, const char *form, const char *const *headers, json_t **out,
           enum oidc_failure *fail, struct mp_error *err)
{
    struct buf b = {0};
    char reason[DELIVER_REASON_LEN];
    long status;
    int rc = -1;

    *out = NULL;
    if (deliver_http_fetch(url, oidc_conf.ca_file, form, headers, &b, &status, reason,
                           sizeof(reason)) != 0 ||
        status >= 500) {
        log_warn("oidc provider unavailable url=\"%s\" reason=\"%s\" status=%ld", url,
                 status ? "server error" : reason, status);
        *fail = OIDC_FAIL_UNAVAILABLE;
        mp_error_set(err, 503, "", "the sign-in provider does not answer");
    } else if (status < 200 || status > 299 ||
               (*out = json_loadb(b.data ? b.data : "", b.len, 0, NULL)) == NULL ||
               !json_is_object(*out)) {
        log_warn("oidc provider refused url=\"%s\" status=%ld", url, status);
        json_decref(*out);
        *out = NULL;
        *fail = OIDC_FAIL_REFUSED;
        mp_error_set(err, 401, "code", "the sign-in provider refused (HTTP %ld)", status);
    } else {
        rc = 0;
    }
    buf_free(&b);
    return rc;
}

static bool
copy_url(const json_t *doc, const char *name, char *dst, size_t size)
{
    const char *v = json_string_value(json_object_get(doc, name));

    if (v == NULL || strlen(v) >= size ||
        (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0))
        return false;
    memcpy(dst, v, strlen(v) + 1);
    return true;
}

/* The discovery document, read when older than DISCOVERY_TTL.  Holds lock. */
static int
discover(int64_t now, enum oidc_failure *fail, struct mp_error *err)
{
    char url[600];
    size_t n = strlen(oidc_conf.issuer);
    json_t *doc;
    const char *iss;
    int rc = -1;

    if (disc.at != 0 && now - disc.at < DISCOVERY_TTL)
        return 0;
    if (n > 0 && oidc_conf.issuer[n - 1] == '/')
        n--;
    snprintf(url, sizeof(url), "%.*s/.well-known/openid-configuration", (int)n, oidc_conf.issuer);
    if (fetch_json(url, NULL, NULL, &doc, fail, err) != 0) {
        if (*fail == OIDC_FAIL_REFUSED)
            *fail = OIDC_FAIL_UNAVAILABLE;
        return mp_error_set(err, 503, "", "the sign-in provider does not answer");
    }
    iss = json_string_value(json_object_get(doc, "issuer"));
    if (iss == NULL || strcmp(iss, oidc_conf.issuer) != 0 ||
        !copy_url(doc, "authorization_endpoint", disc.authorization, sizeof(disc.authorization)) ||
        !copy_url(doc, "token_endpoint", disc.token, sizeof(disc.token)) ||
        !copy_url(doc, "jwks_uri", disc.jwks, sizeof(disc.jwks))) {
        log_error("oidc discovery document unusable (issuer differs or endpoints missing)");
        *fail = OIDC_FAIL_UNAVAILABLE;
        mp_error_set(err, 503, "", "the sign-in provider's discovery document is not usable");
    } else {
        disc.at = now;
        rc = 0;
    }
    json_decref(doc);
    return rc;
}

/* Reads the key set anew.  Holds lock. */
static int
load_jwks(enum oidc_failure *fail, struct mp_error *err)
{
    json_t *set;

    if (fetch_json(disc.jwks, NULL, NULL, &set, fail, err) != 0)
        return -1;
    if (!json_is_array(json_object_get(set, "keys"))) {
        json_decref(set);
        *fail = OIDC_FAIL_UNAVAILABLE;
        return mp_error_set(err, 503, "", "the sign-in provider's key set has no keys");
    }
    json_decref(jwks);
    jwks = set;
    log_notice("oidc key set loaded keys=%zu", json_array_size(json_object_get(set, "keys")));
    return 0;
}

/* Percent-encodes s (RFC 3986 unreserved characters kept) onto b. */
static void
put_escaped(struct buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~')
            buf_append(b, s, 1);
        else
            buf_printf(b, "%%%02X", c);
    }
}

static void
put_param(struct buf *b, const char *name, const char *value)
{
    if (b->len > 0 && b->data[b->len - 1] != '?')
        buf_puts(b, "&");
    buf_puts(b, name);
    buf_puts(b, "=");
    put_escaped(b, value);
}

static void
pkce_challenge(const char *verifier, char out[OIDC_STATE_LEN + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, (const unsigned char *)verifier, strlen(verifier));
    sodium_bin2base64(out, OIDC_STATE_LEN + 1, h, sizeof(h),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* A free (or expired, or else the oldest) slot.  Holds lock. */
static struct pending *
pending_slot(int64_t now)
{
    struct pending *best = &pending[0];

    for (int i = 0; i < PENDING_MAX; i++) {
        if (pending[i].created == 0 || now - pending[i].created > OIDC_PENDING_TTL)
            return &pending[i];
        if (pending[i].created < best->created)
            best = &pending[i];
    }
    return best;
}

int
oidc_start(int64_t now, char *url, size_t url_len, char state[OIDC_STATE_LEN + 1],
           enum oidc_failure *fail, struct mp_error *err)
{
    struct buf b = {0};
    struct pending *p;
    char challenge[OIDC_STATE_LEN + 1];
    int rc = -1;

    *fail = OIDC_FAIL_NONE;
    if (!oidc_enabled())
        return mp_error_set(err, 404, "", "sign-in with a provider is not configured");
    pthread_mutex_lock(&lock);
    if (discover(now, fail, err) != 0)
        goto out;
    p = pending_slot(now);
    token_random_text(p->state);
    token_random_text(p->nonce);
    token_random_text(p->verifier);
    p->created = now;
    pkce_challenge(p->verifier, challenge);
    buf_puts(&b, disc.authorization);
    buf_puts(&b, strchr(disc.authorization, '?') ? "&" : "?");
    put_param(&b, "response_type", "code");
    put_param(&b, "client_id", oidc_conf.client_id);
    put_param(&b, "redirect_uri", oidc_conf.redirect_uri);
    put_param(&b, "scope", oidc_conf.scopes);
    put_param(&b, "state", p->state);
    put_param(&b, "nonce", p->nonce);
    put_param(&b, "code_challenge", challenge);
    put_param(&b, "code_challenge_method", "S256");
    if (buf_failed(&b) || b.len >= url_len) {
        mp_error_set(err, 500, "", "the authorization address is too long");
        goto out;
    }
    memcpy(url, b.data, b.len + 1);
    memcpy(state, p->state, OIDC_STATE_LEN + 1);
    rc = 0;
out:
    pthread_mutex_unlock(&lock);
    buf_free(&b);
    return rc;
}

/* Takes the pending sign-in of state out (single use).  Holds lock. */
static bool
pending_take(int64_t now, const char *state, struct pending *out)
{
    if (strlen(state) != OIDC_STATE_LEN)
        return false;
    for (int i = 0; i < PENDING_MAX; i++) {
        if (pending[i].created == 0 || sodium_memcmp(pending[i].state, state, OIDC_STATE_LEN) != 0)
            continue;
        *out = pending[i];
        sodium_memzero(&pending[i], sizeof(pending[i]));
        return now - out->created <= OIDC_PENDING_TTL;
    }
    return false;
}

/* The code exchanged for an ID token (client_secret_basic, RFC 6749
 * section 2.3.1: the id and secret form-encoded, then base64). */
static int
redeem_code(const struct pending *p, const char *code, char **id_token, enum oidc_failure *fail,
            struct mp_error *err)
{
    struct buf form = {0}, cred = {0};
    char auth[1200], basic[1100];
    const char *headers[2] = {auth, NULL};
    json_t *answer = NULL;
    const char *t;
    int rc = -1;

    put_param(&form, "grant_type", "authorization_code");
    put_param(&form, "code", code);
    put_param(&form, "redirect_uri", oidc_conf.redirect_uri);
    put_param(&form, "code_verifier", p->verifier);
    put_escaped(&cred, oidc_conf.client_id);
    buf_puts(&cred, ":");
    put_escaped(&cred, oidc_conf.client_secret);
    if (buf_failed(&form) || buf_failed(&cred) || cred.len * 4 / 3 + 4 >= sizeof(basic)) {
        mp_error_set(err, 500, "", "out of memory");
        goto out;
    }
    sodium_bin2base64(basic, sizeof(basic), (const unsigned char *)cred.data, cred.len,
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(auth, sizeof(auth), "Authorization: Basic %s", basic);
    if (fetch_json(disc.token, form.data, headers, &answer, fail, err) != 0)
        goto out;
    t = json_string_value(json_object_get(answer, "id_token"));
    if (t == NULL) {
        *fail = OIDC_FAIL_REFUSED;
        mp_error_set(err, 401, "id_token", "the provider's answer holds no ID token");
        goto out;
    }
    *id_token = strdup(t);
    rc = *id_token ? 0 : mp_error_set(err, 500, "", "out of memory");
out:
    sodium_memzero(auth, sizeof(auth));
    sodium_memzero(basic, sizeof(basic));
    if (cred.data)
        sodium_memzero(cred.data, cred.len);
    buf_free(&cred);
    buf_free(&form);
    json_decref(answer);
    return rc;
}

/* The ID token checked against the key set, reloading it once for a key
 * it does not hold (rotation), at most every JWKS_REFETCH_GAP seconds. */
static int
check_id_token(int64_t now, const char *token, const char *nonce, json_t **claims,
               enum oidc_failure *fail, struct mp_error *err)
{
    json_t *set;
    int rc;

    pthread_mutex_lock(&lock);
    rc = jwks == NULL ? load_jwks(fail, err) : 0;
    set = json_incref(jwks);
    pthread_mutex_unlock(&lock);
    if (rc != 0)
        return -1;
    rc = oidc_verify_id_token(token, set, nonce, now, claims, err);
    json_decref(set);
    if (rc == 1) {
        pthread_mutex_lock(&lock);
        if (jwks_refetch_at == 0 || now - jwks_refetch_at >= JWKS_REFETCH_GAP) {
            jwks_refetch_at = now;
            rc = load_jwks(fail, err) == 0 ? 1 : -1;
        } else {
            rc = -1;
        }
        set = json_incref(jwks);
        pthread_mutex_unlock(&lock);
        if (rc == 1)
            rc = oidc_verify_id_token(token, set, nonce, now, claims, err);
        json_decref(set);
    }
    if (rc != 0) {
        if (*fail == OIDC_FAIL_NONE)
            *fail = OIDC_FAIL_REFUSED;
        log_warn("oidc ID token refused field=%s reason=\"%s\"", err->field, err->message);
        return -1;
    }
    return 0;
}

int
oidc_finish(int64_t now, const char *state, const char *cookie_state, const char *code,
            const char *address, const char *user_agent, struct sign_in *out,
            enum oidc_failure *fail, struct mp_error *err)
{
    struct pending p;
    struct oidc_identity id;
    struct user_row u;
    json_t *claims = NULL;
    char *token = NULL;
    bool found;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    *fail = OIDC_FAIL_STATE;
    if (!oidc_enabled())
        return mp_error_set(err, 404, "", "sign-in with a provider is not configured");
    if (cookie_state == NULL || strlen(cookie_state) != OIDC_STATE_LEN ||
        strlen(state) != OIDC_STATE_LEN || sodium_memcmp(cookie_state, state, OIDC_STATE_LEN) != 0)
        return mp_error_set(err, 400, "state", "this sign-in was started in another browser");
    pthread_mutex_lock(&lock);
    found = pending_take(now, state, &p);
    rc = found ? discover(now, fail, err) : -1;
    pthread_mutex_unlock(&lock);
    if (!found)
        return mp_error_set(err, 400, "state", "this sign-in is unknown, used or expired");
    if (rc != 0)
        goto out;
    *fail = OIDC_FAIL_NONE;
    rc = -1;
    if (redeem_code(&p, code, &token, fail, err) != 0 ||
        check_id_token(now, token, p.nonce, &claims, fail, err) != 0)
        goto out;
    oidc_map_claims(claims, &id);
    if (oidc_provision(now, &id, &u, fail, err) != 0)
        goto out;
    rc = session_open(now, &u, address,
                      &(struct session_how){.method = "oidc", .user_agent = user_agent}, out, err);
out:
    sodium_memzero(&p, sizeof(p));
    if (token) {
        sodium_memzero(token, strlen(token));
        free(token);
    }
    json_decref(claims);
    return rc;
}
