/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * oidc.c - /api/v1/auth/oidc: signing in through an OpenID provider
 * (core/oidc.h).
 *
 * GET /api/v1/auth/oidc tells the sign-in page whether to show "Sign in
 * with <label>".  GET .../start sends the browser to the provider, with the
 * sign-in's state in a short-lived cookie (mp_oidc, only for these paths);
 * GET .../callback is where the provider sends it back: it opens a
 * session (the same cookie as a password sign-in) and sends the browser to
 * the front page.  When a sign-in through the provider fails, the browser
 * goes to the sign-in page with ?oidc=<word> in its address, and the page
 * says why in the reader's language (web/lib/i18n_oidc.js); break-glass
 * and other local accounts sign in with their password as always.
 */
#include "api.h"
#include "core/oidc.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define OIDC_COOKIE "mp_oidc"
#define OIDC_PATH   "/api/v1/auth/oidc"
#define CODE_MAX    2048

void
api_oidc_info(const struct api_request *rq, struct api_response *rs)
{
    (void)rq;
    if (!oidc_enabled()) {
        api_fail(rs, 404, NULL, "sign-in with a provider is not configured");
        return;
    }
    api_ok(rs, 200, json_pack("{s:s, s:s}", "label", oidc_label(), "start", OIDC_PATH "/start"));
}

/* To the sign-in page, saying why. */
static void
to_sign_in(struct api_response *rs, enum oidc_failure f)
{
    snprintf(rs->location, sizeof(rs->location), "/#/?oidc=%s", oidc_failure_word(f));
    api_ok(rs, 302, NULL);
}

void
api_oidc_start(const struct api_request *rq, struct api_response *rs)
{
    char state[OIDC_STATE_LEN + 1];
    enum oidc_failure fail;
    struct mp_error err;

    if (oidc_start(rq->now, rs->location, sizeof(rs->location), state, &fail, &err) != 0) {
        rs->location[0] = '\0';
        if (fail != OIDC_FAIL_NONE)
            to_sign_in(rs, fail);
        else
            api_error(rs, &err);
        return;
    }
    snprintf(rs->cookie, sizeof(rs->cookie),
             OIDC_COOKIE "=%s; Path=" OIDC_PATH "; HttpOnly; SameSite=Lax; Max-Age=%d%s", state,
             OIDC_PENDING_TTL, rq->tls ? "; Secure" : "");
    api_ok(rs, 302, NULL);
}

/* The value of name in the Cookie header, copied into out. */
static bool
cookie_value(const struct api_request *rq, const char *name, char *out, size_t size)
{
    const char *h = rq->header(rq->ctx, "Cookie"), *p;
    size_t n = strlen(name), len;

    out[0] = '\0';
    for (p = h; p != NULL && *p; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL) {
        while (*p == ' ')
            p++;
        if (strncmp(p, name, n) != 0 || p[n] != '=')
            continue;
        len = strcspn(p + n + 1, ";");
        if (len >= size)
            return false;
        memcpy(out, p + n + 1, len);
        out[len] = '\0';
        return true;
    }
    return false;
}

/* A query parameter of at most max bytes; a problem naming it otherwise. */
static const char *
param(const struct api_request *rq, const char *name, size_t max, struct api_response *rs)
{
    const char *v = rq->query(rq->ctx, name);

    if (v == NULL || v[0] == '\0' || strlen(v) > max) {
        api_field_error(rs, name, "is required, at most %zu characters", max);
        return NULL;
    }
    return v;
}

void
api_oidc_callback(const struct api_request *rq, struct api_response *rs)
{
    const char *code, *state, *denied = rq->query(rq->ctx, "error");
    char cookie_state[OIDC_STATE_LEN + 2];
    enum oidc_failure fail;
    struct sign_in si;
    struct mp_error err;

    if (!oidc_enabled()) {
        api_fail(rs, 404, NULL, "sign-in with a provider is not configured");
        return;
    }
    if (denied != NULL) { /* the provider said no (RFC 6749 section 4.1.2.1) */
        to_sign_in(rs, OIDC_FAIL_REFUSED);
        return;
    }
    state = param(rq, "state", OIDC_STATE_LEN, rs);
    code = param(rq, "code", CODE_MAX, rs);
    if (rs->status >= 400)
        return;
    cookie_value(rq, OIDC_COOKIE, cookie_state, sizeof(cookie_state));
    if (oidc_finish(rq->now, state, cookie_state, code, rq->client ? rq->client : "-",
                    rq->header(rq->ctx, "User-Agent"), &si, &fail, &err) != 0) {
        to_sign_in(rs, fail);
    } else {
        snprintf(rs->cookie, sizeof(rs->cookie),
                 SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%u%s", si.cookie,
                 user_settings()->session_max, rq->tls ? "; Secure" : "");
        snprintf(rs->location, sizeof(rs->location), "/#/");
        api_ok(rs, 302, NULL);
    }
    sodium_memzero(&si, sizeof(si));
}
