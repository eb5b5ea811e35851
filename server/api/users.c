/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * users.c - /api/v1/users (admins) and /api/v1/session (signing in and out
 * from a browser).  See core/user.h for the rules they follow.
 */
#include "api.h"
#include "core/mfa.h"
#include "core/user.h"
#include "lib/timeutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
user_json(const struct user_row *u)
{
    return json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:b, s:s, s:s, s:s?, s:s?, s:s?}", "name",
                     u->name, "role", u->role, "tlp_max", u->tlp_max[0] ? u->tlp_max : NULL,
                     "language", u->language[0] ? u->language : NULL, "disabled",
                     u->disabled_at[0] != '\0', "must_change_password", u->must_change_password,
                     "created_at", u->created_at, "created_by", u->created_by, "last_sign_in_at",
                     u->last_sign_in_at[0] ? u->last_sign_in_at : NULL, "full_name",
                     u->full_name[0] ? u->full_name : NULL, "job_title",
                     u->job_title[0] ? u->job_title : NULL);
}

void
api_users_list(const struct api_request *rq, struct api_response *rs)
{
    struct user_row *rows;
    struct mp_error err;
    json_t *items;
    int n;

    (void)rq;
    if (user_list(&rows, &n, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, user_json(&rows[i]));
    free(rows);
    api_ok(rs, 200, json_pack("{s:o}", "items", items));
}

void
api_users_create(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"name", "role", "password", "tlp_max", NULL};
    char generated[USER_PASSWORD_GEN + 1];
    const char *name, *role, *password, *tlp_max;
    struct user_row row;
    struct field_errors errs = {0};
    json_t *in, *out;

    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    api_get_string(in, "name", true, TOKEN_NAME_MAX, &name, rs);
    api_get_string(in, "role", true, 16, &role, rs);
    api_get_string(in, "password", false, PASSWORD_MAX, &password, rs);
    api_get_string(in, "tlp_max", false, 16, &tlp_max, rs);
    if (rs->status >= 400)
        goto out;
    if (user_create(rq->principal->name, rq->now, name, role, password, tlp_max, generated, &row,
                    &errs) != 0) {
        api_field_errors(rs, &errs);
        goto out;
    }
    out = user_json(&row);
    if (generated[0] != '\0')
        json_object_set_new(out, "password", json_string(generated));
    sodium_memzero(generated, sizeof(generated));
    snprintf(rs->location, sizeof(rs->location), "/api/v1/users/%s", row.name);
    api_ok(rs, 201, out);
out:
    json_decref(in);
}

void
api_users_get(const struct api_request *rq, struct api_response *rs)
{
    struct user_row row;
    struct mp_error err;

    if (user_get(rq->params[0], &row, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 200, user_json(&row));
}

/* {"break_glass": true|false}, on its own: marks or unmarks an admin as a
 * break-glass account (core/mfa.h; audited user.break_glass, and like every
 * PATCH of a user it needs step-up). */
static void
patch_break_glass(const struct api_request *rq, struct api_response *rs, json_t *in)
{
    json_t *v = json_object_get(in, "break_glass"), *out;
    struct user_row row;
    struct mp_error err;

    if (!json_is_boolean(v))
        api_fail(rs, 422, "break_glass", "must be true or false");
    else if (json_object_size(in) != 1)
        api_fail(rs, 422, "break_glass", "must be changed on its own, in a request of its own");
    if (rs->status >= 400)
        return;
    if (mfa_break_glass_set(rq->principal->name, rq->now, rq->params[0], json_is_true(v), &err) !=
            0 ||
        user_get(rq->params[0], &row, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    out = user_json(&row);
    json_object_set_new(out, "break_glass", json_boolean(json_is_true(v)));
    api_ok(rs, 200, out);
}

void
api_users_patch(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"role",      "disabled",  "tlp_max",     "language",
                                         "full_name", "job_title", "break_glass", NULL};
    struct user_change ch = {.disabled = -1};
    struct user_row row;
    struct field_errors errs = {0};
    json_t *in, *v;

    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    if (json_object_get(in, "break_glass") != NULL) {
        patch_break_glass(rq, rs, in);
        goto out;
    }
    api_get_string(in, "role", false, 16, &ch.role, rs);
    api_get_string(in, "language", false, 8, &ch.language, rs);
    v = json_object_get(in, "disabled");
    if (v != NULL && !json_is_boolean(v))
        api_fail(rs, 422, "disabled", "must be true or false");
    else if (v != NULL)
        ch.disabled = json_is_true(v) ? 1 : 0;
    /* null removes the limit */
    v = json_object_get(in, "tlp_max");
    if (v != NULL && json_is_null(v))
        ch.tlp_max = "";
    else
        api_get_string(in, "tlp_max", false, 16, &ch.tlp_max, rs);
    /* null removes the name or function */
    for (int i = 0; i < 2; i++) {
        const char *key = i == 0 ? "full_name" : "job_title";
        const char **to = i == 0 ? &ch.full_name : &ch.job_title;
        v = json_object_get(in, key);
        if (v != NULL && json_is_null(v))
            *to = "";
        else
            api_get_string(in, key, false, 400, to, rs);
    }
    if (rs->status >= 400)
        goto out;
    /* a session's principal is "user:NAME" */
    if (rq->principal->session && strcmp(rq->params[0], rq->principal->name + 5) == 0 &&
        (ch.disabled == 1 || (ch.role != NULL && strcmp(ch.role, "admin") != 0))) {
        api_fail(rs, 409, ch.disabled == 1 ? "disabled" : "role",
                 "an admin cannot disable or demote themselves; ask another admin");
        goto out;
    }
    if (user_update(rq->principal->name, rq->now, rq->params[0], &ch, &row, &errs) != 0)
        api_field_errors(rs, &errs);
    else
        api_ok(rs, 200, user_json(&row));
out:
    json_decref(in);
}

void
api_users_password(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"password", NULL};
    char generated[USER_PASSWORD_GEN + 1];
    const char *password = NULL;
    struct mp_error err;
    json_t *in = NULL;

    if (rq->body_len > 0) {
        in = api_parse_object(rq, rs);
        if (in == NULL)
            return;
        api_only_fields(in, fields, rs);
        api_get_string(in, "password", false, PASSWORD_MAX, &password, rs);
        if (rs->status >= 400)
            goto out;
    }
    if (user_reset_password(rq->principal->name, rq->now, rq->params[0], password, generated,
                            &err) != 0) {
        api_error(rs, &err);
        goto out;
    }
    if (generated[0] != '\0')
        api_ok(rs, 200, json_pack("{s:s, s:b}", "password", generated, "must_change_password", 1));
    else
        api_ok(rs, 200, json_pack("{s:b}", "must_change_password", 1));
    sodium_memzero(generated, sizeof(generated));
out:
    json_decref(in);
}

/* ---- /api/v1/session ---- */

static json_t *
session_json(const struct user_row *u, const char *csrf, int64_t expires_unix)
{
    char expires[TIME_RFC3339_LEN];

    time_format_rfc3339(expires_unix, expires, sizeof(expires));
    return json_pack("{s:o, s:s, s:s}", "user", user_json(u), "csrf_token", csrf, "expires_at",
                     expires);
}

void
api_session_answer(const struct api_request *rq, struct api_response *rs, struct sign_in *si)
{
    json_t *out;

    snprintf(rs->cookie, sizeof(rs->cookie),
             SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%u%s", si->cookie,
             user_settings()->session_max, rq->tls ? "; Secure" : "");
    out = session_json(&si->user, si->csrf, si->expires_unix);
    json_object_set_new(out, "second_factor",
                        api_second_factor_json(si->mfa_pending, si->mfa_enrol));
    api_ok(rs, 201, out);
    sodium_memzero(si, sizeof(*si));
}

void
api_session_create(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"name", "password", NULL};
    const char *name, *password;
    struct sign_in si;
    struct mp_error err;
    json_t *in;

    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    api_get_string(in, "name", true, 256, &name, rs);
    api_get_string(in, "password", true, PASSWORD_MAX, &password, rs);
    if (rs->status >= 400)
        goto out;
    if (session_sign_in(rq->now, name, password, rq->client ? rq->client : "-",
                        rq->header(rq->ctx, "User-Agent"), &si, &err) != 0) {
        api_error(rs, &err);
        rs->retry_after = si.retry_after;
        goto out;
    }
    api_session_answer(rq, rs, &si);
out:
    json_decref(in);
}

void
api_session_get(const struct api_request *rq, struct api_response *rs)
{
    struct user_row u;
    struct mp_error err;

    json_t *out;

    if (session_user(rq->principal, &u, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    out = session_json(&u, rq->principal->csrf, rq->principal->session_expires);
    json_object_set_new(
        out, "second_factor",
        api_second_factor_json(rq->principal->mfa_pending, rq->principal->mfa_enrol));
    api_ok(rs, 200, out);
}

void
api_session_patch(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"language", NULL};
    const char *language;
    struct user_row u;
    struct mp_error err;
    json_t *in;

    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    api_get_string(in, "language", true, 8, &language, rs);
    if (rs->status < 400) {
        if (session_set_language(rq->principal, rq->now, language, &u, &err) != 0)
            api_error(rs, &err);
        else
            api_ok(rs, 200, session_json(&u, rq->principal->csrf, rq->principal->session_expires));
    }
    json_decref(in);
}

void
api_session_delete(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;

    if (session_sign_out(rq->principal, rq->now, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_session_clear_cookie(rq, rs);
    api_ok(rs, 204, NULL);
}

void
api_session_clear_cookie(const struct api_request *rq, struct api_response *rs)
{
    snprintf(rs->cookie, sizeof(rs->cookie),
             SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
             rq->tls ? "; Secure" : "");
}

void
api_session_password(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"current", "new", NULL};
    const char *current, *new_pw;
    struct mp_error err;
    json_t *in;

    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    api_get_string(in, "current", true, PASSWORD_MAX, &current, rs);
    api_get_string(in, "new", true, PASSWORD_MAX, &new_pw, rs);
    if (rs->status < 400) {
        if (session_change_password(rq->principal, rq->now, current, new_pw,
                                    rq->client ? rq->client : "-", &rs->retry_after, &err) != 0)
            api_error(rs, &err);
        else
            api_ok(rs, 204, NULL);
    }
    json_decref(in);
}
