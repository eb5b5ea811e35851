/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * reminders.c - /api/v1/reminders/policy: the reminder policy in force,
 * read and replaced by admins.  See core/reminders.h.
 */
#include "api.h"
#include "core/reminders.h"

#include <stdio.h>
#include <stdlib.h>

void
api_reminders_policy_get(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    (void)rq;
    if (reminders_policy_get(&out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    snprintf(rs->etag, sizeof(rs->etag), "\"%lld\"",
             (long long)json_integer_value(json_object_get(out, "version")));
    api_ok(rs, 200, out);
}

void
api_reminders_policy_put(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    int64_t if_match, version;
    json_t *doc;

    if (!api_if_match(rq, "reminder policy", &if_match, rs))
        return;
    doc = api_parse_object(rq, rs);
    if (doc == NULL)
        return;
    if (reminders_policy_put(rq->principal, rq->now, doc, if_match, &version, &errs) != 0)
        api_field_errors(rs, &errs);
    else
        api_reminders_policy_get(rq, rs);
    json_decref(doc);
}

void
api_incidents_reminders(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (reminders_incident(rq->params[0], &out, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 200, out);
}

void
api_reminders_status(const struct api_request *rq, struct api_response *rs)
{
    (void)rq;
    api_ok(rs, 200, reminders_channel_status());
}

void
api_reminders_ack(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"token", NULL};
    struct mp_error err;
    json_t *in = api_parse_object(rq, rs), *out;
    const char *token;

    if (in == NULL)
        return;
    if (!api_only_fields(in, fields, rs)) {
        json_decref(in);
        return;
    }
    token = json_string_value(json_object_get(in, "token"));
    if (token == NULL)
        api_fail(rs, 422, "token", "is required: the token from the reminder's link");
    else if (reminders_ack(token, rq->now, &out, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 200, out);
    json_decref(in);
}

void
api_incidents_reminder_ack(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    char *end;
    long long job = strtoll(rq->params[1], &end, 10);
    json_t *out;

    if (*end != '\0' || end == rq->params[1] || job <= 0) {
        api_fail(rs, 404, NULL, "no such reminder");
        return;
    }
    if (reminders_ack_job(rq->principal, rq->now, rq->params[0], job, &out, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 200, out);
}

void
api_reminders_test(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"channel", "to", NULL};
    struct field_errors errs = {0};
    json_t *in = api_parse_object(rq, rs), *out;

    if (in == NULL)
        return;
    if (!api_only_fields(in, fields, rs)) {
        json_decref(in);
        return;
    }
    if (reminders_test_send(rq->principal, rq->now,
                            json_string_value(json_object_get(in, "channel")),
                            json_string_value(json_object_get(in, "to")), &out, &errs) != 0)
        api_field_errors(rs, &errs);
    else
        api_ok(rs, 200, out);
    json_decref(in);
}
