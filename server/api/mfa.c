/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * mfa.c - the second factor over HTTP: the sign-in's second step and
 * step-up (POST /api/v1/session/mfa), a person's own factor under
 * /api/v1/me/mfa, and the break-glass sign-ins admins are shown
 * (/api/v1/break-glass).  See core/mfa.h for the rules.
 */
#include "api.h"
#include "core/mfa.h"
#include "core/user.h"
#include "core/webauthn.h"
#include "lib/timeutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
status_json(const struct mfa_status *st)
{
    char verified[TIME_RFC3339_LEN] = "";

    if (st->verified_unix > 0)
        time_format_rfc3339(st->verified_unix, verified, sizeof(verified));
    return json_pack("{s:b, s:b, s:b, s:b, s:i, s:s?, s:s?, s:i, s:b, s:i}", "enrolled",
                     st->enrolled, "pending", st->pending, "required", st->required, "break_glass",
                     st->break_glass, "recovery_codes_left", st->recovery_left, "confirmed_at",
                     st->confirmed_at[0] ? st->confirmed_at : NULL, "verified_at",
                     verified[0] ? verified : NULL, "step_up_window",
                     (int)mfa_settings()->step_up_window, "totp", st->totp, "passkeys",
                     st->passkeys);
}

json_t *
api_second_factor_json(bool pending, bool enrol)
{
    return json_pack("{s:b, s:b}", "pending", pending, "enrol_required", enrol);
}

/* A passkey's answer (navigator.credentials.get's PublicKeyCredential,
 * its response's members beside its id, all base64url) from obj. */
static void
read_assertion(json_t *obj, struct webauthn_assertion *a, struct api_response *rs)
{
    static const char *const fields[] = {"id",        "clientDataJSON", "authenticatorData",
                                         "signature", "userHandle",     NULL};

    memset(a, 0, sizeof(*a));
    if (!json_is_object(obj)) {
        api_fail(rs, 422, "passkey", "must be an object");
        return;
    }
    api_only_fields(obj, fields, rs);
    api_get_string(obj, "id", true, 1400, &a->id, rs);
    api_get_string(obj, "clientDataJSON", true, 5500, &a->client_data, rs);
    api_get_string(obj, "authenticatorData", true, 2800, &a->auth_data, rs);
    api_get_string(obj, "signature", true, 1400, &a->signature, rs);
    api_get_string(obj, "userHandle", false, 100, &a->user_handle, rs);
}

/* Reads {"code"}, {"recovery_code"} or {"passkey"} into proof; false when
 * rs failed. */
static json_t *
read_proof(const struct api_request *rq, struct api_response *rs, bool recovery,
           struct mfa_proof *proof, struct webauthn_assertion *passkey)
{
    static const char *const all[] = {"code", "recovery_code", "passkey", NULL};
    static const char *const code_only[] = {"code", NULL};
    json_t *in = api_parse_object(rq, rs);

    memset(proof, 0, sizeof(*proof));
    proof->address = rq->client ? rq->client : "-";
    if (in == NULL)
        return NULL;
    api_only_fields(in, recovery ? all : code_only, rs);
    api_get_string(in, "code", false, 16, &proof->code, rs);
    if (recovery)
        api_get_string(in, "recovery_code", false, 32, &proof->recovery_code, rs);
    if (recovery && json_object_get(in, "passkey") != NULL) {
        read_assertion(json_object_get(in, "passkey"), passkey, rs);
        proof->passkey = passkey;
    }
    if (rs->status >= 400) {
        json_decref(in);
        return NULL;
    }
    return in;
}

static void
proof_error(struct api_response *rs, const struct mp_error *err, const struct mfa_proof *proof)
{
    api_error(rs, err);
    rs->retry_after = proof->retry_after;
}

static json_t *
codes_json(char codes[MFA_RECOVERY_COUNT][MFA_RECOVERY_SHOWN + 1])
{
    json_t *a = json_array();

    for (int i = 0; i < MFA_RECOVERY_COUNT; i++)
        json_array_append_new(a, json_string(codes[i]));
    sodium_memzero(codes, sizeof(char) * MFA_RECOVERY_COUNT * (MFA_RECOVERY_SHOWN + 1));
    return a;
}

static void
answer_status(const struct api_request *rq, struct api_response *rs, int status, json_t *extra)
{
    struct mfa_status st;
    struct mp_error err;
    json_t *out;

    if (mfa_status(rq->principal, &st, &err) != 0) {
        json_decref(extra);
        api_error(rs, &err);
        return;
    }
    out = status_json(&st);
    if (extra != NULL)
        json_object_set_new(out, "recovery_codes", extra);
    api_ok(rs, status, out);
}

void
api_session_mfa(const struct api_request *rq, struct api_response *rs)
{
    struct webauthn_assertion passkey;
    struct mfa_proof proof;
    struct mp_error err;
    json_t *in = read_proof(rq, rs, true, &proof, &passkey);

    if (in == NULL)
        return;
    if (mfa_verify(rq->principal, rq->now, &proof, &err) != 0)
        proof_error(rs, &err, &proof);
    else
        answer_status(rq, rs, 200, NULL);
    json_decref(in);
}

void
api_mfa_get(const struct api_request *rq, struct api_response *rs)
{
    answer_status(rq, rs, 200, NULL);
}

void
api_mfa_enrol_start(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {NULL}; /* it takes no members */
    char b32[MFA_SECRET_B32 + 1], uri[MFA_URI_MAX];
    struct mp_error err;

    if (rq->body_len > 0) {
        json_t *in = api_parse_object(rq, rs);
        if (in == NULL)
            return;
        api_only_fields(in, fields, rs);
        json_decref(in);
        if (rs->status >= 400)
            return;
    }
    if (mfa_enrol_start(rq->principal, rq->now, b32, uri, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    /* shown this once: the secret is kept sealed and never returned again */
    api_ok(rs, 201,
           json_pack("{s:s, s:s, s:i, s:i, s:s}", "secret", b32, "uri", uri, "digits", MFA_DIGITS,
                     "period", MFA_STEP, "algorithm", "SHA1"));
    sodium_memzero(b32, sizeof(b32));
    sodium_memzero(uri, sizeof(uri));
}

void
api_mfa_enrol_confirm(const struct api_request *rq, struct api_response *rs)
{
    char codes[MFA_RECOVERY_COUNT][MFA_RECOVERY_SHOWN + 1];
    struct webauthn_assertion passkey;
    struct mfa_proof proof;
    struct mp_error err;
    json_t *in = read_proof(rq, rs, false, &proof, &passkey);

    if (in == NULL)
        return;
    if (proof.code == NULL)
        api_fail(rs, 422, "code", "is required");
    else if (mfa_enrol_confirm(rq->principal, rq->now, &proof, codes, &err) != 0)
        proof_error(rs, &err, &proof);
    else
        answer_status(rq, rs, 200, codes_json(codes));
    json_decref(in);
}

void
api_mfa_disable(const struct api_request *rq, struct api_response *rs)
{
    struct webauthn_assertion passkey;
    struct mfa_proof proof;
    struct mp_error err;
    json_t *in = read_proof(rq, rs, true, &proof, &passkey);

    if (in == NULL)
        return;
    if (mfa_disable(rq->principal, rq->now, &proof, &err) != 0)
        proof_error(rs, &err, &proof);
    else
        answer_status(rq, rs, 200, NULL);
    json_decref(in);
}

void
api_mfa_recovery_renew(const struct api_request *rq, struct api_response *rs)
{
    char codes[MFA_RECOVERY_COUNT][MFA_RECOVERY_SHOWN + 1];
    struct webauthn_assertion passkey;
    struct mfa_proof proof;
    struct mp_error err;
    json_t *in = read_proof(rq, rs, true, &proof, &passkey);

    if (in == NULL)
        return;
    if (mfa_recovery_renew(rq->principal, rq->now, &proof, codes, &err) != 0)
        proof_error(rs, &err, &proof);
    else
        answer_status(rq, rs, 200, codes_json(codes));
    json_decref(in);
}

void
api_break_glass_list(const struct api_request *rq, struct api_response *rs)
{
    struct break_glass_use *rows = NULL;
    struct mp_error err;
    json_t *items;
    int n = 0;

    (void)rq;
    if (mfa_break_glass_open(&rows, &n, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)rows[i].id,
                                               "user", rows[i].user, "at", rows[i].at, "address",
                                               rows[i].address));
    free(rows);
    api_ok(rs, 200, json_pack("{s:o}", "items", items));
}

void
api_break_glass_ack(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    char *end;
    long long id = strtoll(rq->params[0], &end, 10);

    if (*end != '\0' || id <= 0) {
        api_fail(rs, 404, NULL, "no unacknowledged break-glass sign-in %s", rq->params[0]);
        return;
    }
    if (mfa_break_glass_ack(rq->principal->name, rq->now, id, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 204, NULL);
}

/* ---- passkeys (core/webauthn.h) ---- */

static json_t *
passkey_json(const struct webauthn_cred_row *c)
{
    char *id = webauthn_b64_encode(c->cred_id, c->cred_id_len);
    json_t *transports = json_loads(c->transports, 0, NULL);
    json_t *out =
        json_pack("{s:I, s:s, s:s, s:o, s:i, s:I, s:s, s:s?}", "id", (json_int_t)c->id, "name",
                  c->name, "credential_id", id != NULL ? id : "", "transports",
                  transports != NULL ? transports : json_array(), "algorithm", c->cose_alg,
                  "sign_count", (json_int_t)c->sign_count, "created_at", c->created_at,
                  "last_used_at", c->last_used_at[0] ? c->last_used_at : NULL);

    free(id);
    return out;
}

/* PublicKeyCredentialDescriptors of the user's passkeys. */
static json_t *
descriptors(const struct webauthn_options *o)
{
    json_t *a = json_array();

    for (int i = 0; i < o->ncreds; i++) {
        char *id = webauthn_b64_encode(o->creds[i].cred_id, o->creds[i].cred_id_len);
        json_t *t = json_loads(o->creds[i].transports, 0, NULL);
        json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "type", "public-key", "id",
                                           id != NULL ? id : "", "transports",
                                           t != NULL ? t : json_array()));
        free(id);
    }
    return a;
}

/* Requests with no body, or an empty object. */
static bool
no_members(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {NULL};
    json_t *in;

    if (rq->body_len == 0)
        return true;
    in = api_parse_object(rq, rs);
    if (in == NULL)
        return false;
    api_only_fields(in, fields, rs);
    json_decref(in);
    return rs->status < 400;
}

/* PublicKeyCredentialRequestOptions (p NULL: passwordless sign-in). */
static void
answer_request_options(const struct api_request *rq, struct api_response *rs,
                       const struct principal *p)
{
    struct webauthn_options o;
    struct mp_error err;

    if (!no_members(rq, rs))
        return;
    if (webauthn_assert_options(p, rq->now, &o, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200,
           json_pack("{s:s, s:s, s:i, s:s, s:o}", "challenge", o.challenge, "rpId",
                     webauthn_settings()->rp_id, "timeout", WEBAUTHN_TIMEOUT * 1000,
                     "userVerification", p != NULL ? "preferred" : "required", "allowCredentials",
                     descriptors(&o)));
    webauthn_options_free(&o);
}

void
api_session_mfa_options(const struct api_request *rq, struct api_response *rs)
{
    answer_request_options(rq, rs, rq->principal);
}

void
api_session_passkey_options(const struct api_request *rq, struct api_response *rs)
{
    answer_request_options(rq, rs, NULL);
}

void
api_session_passkey(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"passkey", NULL};
    struct webauthn_assertion a;
    struct sign_in si;
    struct mp_error err;
    json_t *in = api_parse_object(rq, rs);

    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    if (json_object_get(in, "passkey") == NULL)
        api_fail(rs, 422, "passkey", "is required");
    else
        read_assertion(json_object_get(in, "passkey"), &a, rs);
    if (rs->status >= 400)
        goto out;
    if (webauthn_sign_in(rq->now, &a, rq->client ? rq->client : "-",
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
api_passkey_options(const struct api_request *rq, struct api_response *rs)
{
    struct webauthn_options o;
    struct mp_error err;

    if (!no_members(rq, rs))
        return;
    if (webauthn_register_options(rq->principal, rq->now, &o, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200,
           json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:[{s:s, s:i}, {s:s, s:i}, {s:s, "
                     "s:i}], s:i, s:s, s:{s:s, s:s}, s:o}",
                     "challenge", o.challenge, "rp", "id", webauthn_settings()->rp_id, "name",
                     "meldpunt", "user", "id", o.handle, "name", o.user, "displayName", o.user,
                     "pubKeyCredParams", "type", "public-key", "alg", -7, "type", "public-key",
                     "alg", -8, "type", "public-key", "alg", -257, "timeout",
                     WEBAUTHN_TIMEOUT * 1000, "attestation", "none", "authenticatorSelection",
                     "residentKey", "preferred", "userVerification", "preferred",
                     "excludeCredentials", descriptors(&o)));
    webauthn_options_free(&o);
}

void
api_passkey_register(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"name", "clientDataJSON", "attestationObject",
                                         "transports", NULL};
    char codes[MFA_RECOVERY_COUNT][MFA_RECOVERY_SHOWN + 1];
    struct webauthn_registration r = {0};
    struct webauthn_cred_row *c = calloc(1, sizeof(*c));
    struct mp_error err;
    json_t *in = api_parse_object(rq, rs), *out;
    char *transports = NULL;
    int ncodes = 0;

    if (in == NULL || c == NULL)
        goto out;
    api_only_fields(in, fields, rs);
    api_get_string(in, "name", true, WEBAUTHN_NAME_MAX, &r.name, rs);
    api_get_string(in, "clientDataJSON", true, 5500, &r.client_data, rs);
    api_get_string(in, "attestationObject", true, 11000, &r.attestation, rs);
    if (json_object_get(in, "transports") != NULL) {
        transports = json_dumps(json_object_get(in, "transports"), JSON_COMPACT | JSON_ENCODE_ANY);
        r.transports = transports;
    }
    if (rs->status >= 400)
        goto out;
    if (webauthn_register(rq->principal, rq->now, &r, c, codes, &ncodes, &err) != 0) {
        api_error(rs, &err);
        goto out;
    }
    out = json_pack("{s:o}", "passkey", passkey_json(c));
    if (ncodes > 0)
        json_object_set_new(out, "recovery_codes", codes_json(codes));
    api_ok(rs, 201, out);
out:
    free(transports);
    free(c);
    json_decref(in);
}

void
api_passkey_list(const struct api_request *rq, struct api_response *rs)
{
    struct webauthn_cred_row *rows = NULL;
    struct mp_error err;
    json_t *items;
    int n = 0;

    if (webauthn_list(rq->principal, &rows, &n, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, passkey_json(&rows[i]));
    free(rows);
    api_ok(rs, 200, json_pack("{s:o}", "items", items));
}

/* {id} of the path; false (404 answered) when it is not a number. */
static bool
passkey_id(const struct api_request *rq, struct api_response *rs, int64_t *id)
{
    char *end;
    long long v = strtoll(rq->params[0], &end, 10);

    if (*end != '\0' || v <= 0) {
        api_fail(rs, 404, NULL, "no passkey %s of this user", rq->params[0]);
        return false;
    }
    *id = v;
    return true;
}

void
api_passkey_patch(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"name", NULL};
    struct mp_error err;
    const char *name;
    int64_t id;
    json_t *in;

    if (!passkey_id(rq, rs, &id))
        return;
    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    api_get_string(in, "name", true, WEBAUTHN_NAME_MAX, &name, rs);
    if (rs->status < 400) {
        if (webauthn_rename(rq->principal, rq->now, id, name, &err) != 0)
            api_error(rs, &err);
        else
            api_passkey_list(rq, rs);
    }
    json_decref(in);
}

void
api_passkey_delete(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    int64_t id;

    if (!passkey_id(rq, rs, &id))
        return;
    if (webauthn_remove(rq->principal, rq->now, id, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 204, NULL);
}
