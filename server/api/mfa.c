/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * mfa.c - the second factor over HTTP: the sign-in's second step and
 * step-up (POST /api/v1/session/mfa), a person's own factor under
 * /api/v1/me/mfa, and the break-glass sign-ins admins are shown
 * (/api/v1/break-glass).  See core/mfa.h for the rules.
 */
#include "api.h"
#include "core/mfa.h"
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
    return json_pack("{s:b, s:b, s:b, s:b, s:i, s:s?, s:s?, s:i}", "enrolled", st->enrolled,
                     "pending", st->pending, "required", st->required, "break_glass",
                     st->break_glass, "recovery_codes_left", st->recovery_left, "confirmed_at",
                     st->confirmed_at[0] ? st->confirmed_at : NULL, "verified_at",
                     verified[0] ? verified : NULL, "step_up_window",
                     (int)mfa_settings()->step_up_window);
}

json_t *
api_second_factor_json(bool pending, bool enrol)
{
    return json_pack("{s:b, s:b}", "pending", pending, "enrol_required", enrol);
}

/* Reads {"code"} or {"recovery_code"} into proof; false when rs failed. */
static json_t *
read_proof(const struct api_request *rq, struct api_response *rs, bool recovery,
           struct mfa_proof *proof)
{
    static const char *const both[] = {"code", "recovery_code", NULL};
    static const char *const code_only[] = {"code", NULL};
    json_t *in = api_parse_object(rq, rs);

    memset(proof, 0, sizeof(*proof));
    proof->address = rq->client ? rq->client : "-";
    if (in == NULL)
        return NULL;
    api_only_fields(in, recovery ? both : code_only, rs);
    api_get_string(in, "code", false, 16, &proof->code, rs);
    if (recovery)
        api_get_string(in, "recovery_code", false, 32, &proof->recovery_code, rs);
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
    struct mfa_proof proof;
    struct mp_error err;
    json_t *in = read_proof(rq, rs, true, &proof);

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
    struct mfa_proof proof;
    struct mp_error err;
    json_t *in = read_proof(rq, rs, false, &proof);

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
    struct mfa_proof proof;
    struct mp_error err;
    json_t *in = read_proof(rq, rs, true, &proof);

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
    struct mfa_proof proof;
    struct mp_error err;
    json_t *in = read_proof(rq, rs, true, &proof);

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
