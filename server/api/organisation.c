/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * organisation.c - /api/v1/organisation (the profile), /api/v1/rules, and
 * /api/v1/incidents/{id}/classification.
 */
#include "api.h"
#include "core/classify.h"
#include "core/organisation.h"
#include "core/rules.h"
#include "lib/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
api_organisation_get(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    char updated_at[32];
    int64_t version;
    json_t *doc;

    (void)rq;
    if (organisation_get(&doc, &version, updated_at, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    json_object_set_new(doc, "version", json_integer(version));
    json_object_set_new(doc, "updated_at", json_string(updated_at));
    snprintf(rs->etag, sizeof(rs->etag), "\"%lld\"", (long long)version);
    api_ok(rs, 200, doc);
}

void
api_organisation_put(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    int64_t if_match, version;
    json_t *doc;

    if (!api_if_match(rq, "profile", &if_match, rs))
        return;
    doc = api_parse_object(rq, rs);
    if (doc == NULL)
        return;
    /* what GET adds may come back: not part of the profile */
    json_object_del(doc, "version");
    json_object_del(doc, "updated_at");
    if (organisation_put(rq->principal, rq->now, doc, if_match, &version, &errs) != 0) {
        api_field_errors(rs, &errs);
        json_decref(doc);
        return;
    }
    json_decref(doc);
    api_organisation_get(rq, rs);
}

void
api_rules_list(const struct api_request *rq, struct api_response *rs)
{
    struct rules *r = rules_acquire();

    (void)rq;
    api_ok(rs, 200, rules_summary(r));
    rules_release(r);
}

void
api_incidents_classification(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (classify_get(rq->params[0], rq->now, &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}

void
api_incidents_classification_history(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (classify_history(rq->params[0], &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}

void
api_incidents_obligations(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (classify_obligations(rq->params[0], rq->now, &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}

void
api_obligations_waive(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"reason", NULL};
    struct mp_error err;
    const char *reason;
    json_t *in, *out;

    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    api_get_string(in, "reason", true, 390, &reason, rs);
    if (rs->status < 400) {
        if (classify_waive(rq->principal, rq->now, rq->params[0], rq->params[1], reason, &out,
                           &err) != 0)
            api_error(rs, &err);
        else
            api_ok(rs, 200, out);
    }
    json_decref(in);
}

void
api_incidents_decisions(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"regime", "notifiable", "reason", NULL};
    struct mp_error err;
    const char *regime, *reason;
    json_t *in, *out, *notifiable;

    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    api_get_string(in, "regime", true, 40, &regime, rs);
    api_get_string(in, "reason", false, 390, &reason, rs);
    notifiable = json_object_get(in, "notifiable");
    if (!json_is_boolean(notifiable))
        api_field_error(rs, "notifiable", "is required: true or false");
    if (rs->status < 400) {
        if (classify_decide(rq->principal, rq->now, rq->params[0], regime, json_is_true(notifiable),
                            reason, &out, &err) != 0)
            api_error(rs, &err);
        else
            api_ok(rs, 200, out);
    }
    json_decref(in);
}

void
api_deadlines(const struct api_request *rq, struct api_response *rs)
{
    const char *before = rq->query(rq->ctx, "before");
    struct mp_error err;
    int64_t limit, t;
    json_t *out;

    if (!api_query_int(rq, "limit", 1, 500, 200, &limit, rs))
        return;
    if (before != NULL && before[0] != '\0') {
        char norm[32];
        if (time_parse_rfc3339(before, &t) != 0) {
            api_fail(rs, 400, "before", "must be an RFC 3339 date-time");
            return;
        }
        time_format_rfc3339(t, norm, sizeof(norm));
        if (classify_deadlines(norm, (int)limit, rq->principal->tlp_max, rq->now, &out, &err) !=
            0) {
            api_error(rs, &err);
            return;
        }
    } else if (classify_deadlines(NULL, (int)limit, rq->principal->tlp_max, rq->now, &out, &err) !=
               0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}

void
api_services_list(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    (void)rq;
    if (services_list(&out, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 200, out);
}

void
api_services_get(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (services_get(rq->params[0], &out, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 200, out);
}

void
api_services_put(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    bool created;
    json_t *in;

    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    if (services_put(rq->principal, rq->now, rq->params[0], in, &created, &errs) != 0) {
        api_field_errors(rs, &errs);
        json_decref(in);
        return;
    }
    json_decref(in);
    api_services_get(rq, rs);
    if (rs->status == 200 && created)
        rs->status = 201;
}

void
api_services_delete(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;

    if (services_delete(rq->principal, rq->now, rq->params[0], &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 204, NULL);
}
