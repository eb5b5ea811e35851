/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * alerts.c - /api/v1/alerts (ingestion in the generic and the Alertmanager
 * format, the inbox), /api/v1/detection-rules and /api/v1/suppressions.
 * Decoding of an alert lives with the model (core/alert.c); this file maps
 * HTTP to it: single alert or batch, per-item results, query filters.
 */
#include "api.h"
#include "core/alert.h"
#include "core/detect.h"
#include "lib/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_LIMIT_DEFAULT 100
#define LIST_LIMIT_MAX     500

/* The field errors of one item as [{field, message}]. */
static json_t *
errors_json(const struct field_errors *errs)
{
    json_t *arr = json_array();

    for (int i = 0; i < errs->count; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s}", "field", errs->items[i].field, "code",
                           mp_error_code(errs->items[i].status, errs->items[i].message), "message",
                           errs->items[i].message));
    return arr;
}

typedef bool (*alert_decoder)(json_t *obj, struct alert *a, int64_t now, struct field_errors *errs);

/* Decodes every element of arr into items (allocated). */
static struct alert_item *
decode_items(json_t *arr, alert_decoder decode, int64_t now)
{
    struct alert_item *items = calloc(json_array_size(arr) + 1, sizeof(*items));
    size_t i;
    json_t *v;

    if (items == NULL)
        return NULL;
    json_array_foreach(arr, i, v)
    {
        struct field_errors errs = {0};
        items[i].valid = decode(v, &items[i].a, now, &errs);
        if (!items[i].valid)
            items[i].errors = errors_json(&errs);
    }
    return items;
}

static void
free_items(struct alert_item *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++) {
        alert_free(&items[i].a);
        json_decref(items[i].errors);
    }
    free(items);
}

/* Ingests n decoded items and answers what alert_ingest() says. */
static void
ingest(const struct api_request *rq, struct api_response *rs, const struct idempotency *idem,
       struct alert_item *items, size_t n, bool batch)
{
    struct mp_error err;
    char *answer;
    int status;

    if (alert_ingest(rq->principal, rq->now, items, (int)n, batch, idem, &answer, &status, &err) !=
        0) {
        api_error(rs, &err);
        return;
    }
    rs->status = status;
    rs->content_type = "application/json";
    rs->raw = answer;
    rs->raw_len = strlen(answer);
}

void
api_alerts_create(const struct api_request *rq, struct api_response *rs)
{
    struct idempotency idem = {0};
    struct alert_item *items;
    json_t *in, *arr;
    bool batch;
    size_t n;

    if (!api_idempotency(rq, &idem, rs))
        return;
    if (rq->body_len == 0) {
        api_fail(rs, 400, NULL, "a JSON object or array body is required");
        return;
    }
    if ((in = api_parse_json(rq, rs)) == NULL)
        return;
    batch = json_is_array(in);
    if (!batch && !json_is_object(in)) {
        api_fail(rs, 422, NULL, "the body must be an alert (an object) or a list of alerts");
        goto out;
    }
    n = batch ? json_array_size(in) : 1;
    if (batch && (n == 0 || n > alert_batch_max())) {
        api_fail(rs, 422, "", "a batch holds 1 to %u alerts", alert_batch_max());
        goto out;
    }
    arr = batch ? json_incref(in) : json_pack("[O]", in);
    items = decode_items(arr, alert_from_json, rq->now);
    json_decref(arr);
    if (items == NULL) {
        api_fail(rs, 500, NULL, "out of memory");
        goto out;
    }
    if (!batch && !items[0].valid) {
        /* one alert: its field errors are the answer (422) */
        size_t i;
        json_t *e;
        json_array_foreach(items[0].errors, i, e)
        {
            api_field_error(rs, json_string_value(json_object_get(e, "field")), "%s",
                            json_string_value(json_object_get(e, "message")));
        }
    } else {
        ingest(rq, rs, &idem, items, n, batch);
    }
    free_items(items, n);
out:
    json_decref(in);
}

void
api_alerts_alertmanager(const struct api_request *rq, struct api_response *rs)
{
    struct idempotency idem = {0};
    struct alert_item *items;
    const char *version;
    json_t *in, *alerts;
    size_t n;

    if (!api_idempotency(rq, &idem, rs))
        return;
    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    version = json_string_value(json_object_get(in, "version"));
    alerts = json_object_get(in, "alerts");
    if (version == NULL || strcmp(version, "4") != 0)
        api_field_error(rs, "version", "must be \"4\" (Alertmanager's webhook format)");
    if (!json_is_array(alerts))
        api_field_error(rs, "alerts", "must be a list of alerts");
    else if (json_array_size(alerts) > alert_batch_max())
        api_field_error(rs, "alerts", "at most %u alerts per delivery ([alerts] batch_max)",
                        alert_batch_max());
    if (rs->status >= 400)
        goto out;
    n = json_array_size(alerts);
    if (n == 0) {
        api_ok(rs, 200,
               json_pack("{s:[], s:i, s:i, s:i, s:i}", "items", "created", 0, "updated", 0,
                         "dropped", 0, "rejected", 0));
        goto out;
    }
    items = decode_items(alerts, alert_from_alertmanager, rq->now);
    if (items == NULL) {
        api_fail(rs, 500, NULL, "out of memory");
        goto out;
    }
    ingest(rq, rs, &idem, items, n, true);
    free_items(items, n);
out:
    json_decref(in);
}

static const char *
query_text(const struct api_request *rq, const char *name)
{
    const char *v = rq->query(rq->ctx, name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

void
api_alerts_list(const struct api_request *rq, struct api_response *rs)
{
    struct alert_filter f = {0};
    struct alert *items;
    struct mp_error err;
    const char *cursor;
    int64_t limit, next;
    json_t *arr;
    char next_s[32];
    int n;

    if (!api_query_enum(rq, "state", alert_state_names, ALERT_STATE_COUNT, &f.state, rs) ||
        !api_query_enum(rq, "status", alert_status_names, ALERT_STATUS_COUNT, &f.status, rs) ||
        !api_query_enum(rq, "severity", alert_severity_names, ALERT_SEV_COUNT, &f.severity, rs) ||
        !api_query_int(rq, "limit", 1, LIST_LIMIT_MAX, LIST_LIMIT_DEFAULT, &limit, rs))
        return;
    f.limit = (int)limit;
    f.p = rq->principal;
    f.source = query_text(rq, "source");
    f.service = query_text(rq, "service");
    f.incident = query_text(rq, "incident");
    cursor = query_text(rq, "cursor");
    if (cursor != NULL && !api_cursor_decode(cursor, &f.before_seq)) {
        api_fail(rs, 400, "cursor", "is not a cursor this server gave out");
        return;
    }
    if (alert_list(&f, &items, &n, &next, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, alert_to_json(&items[i]));
    alert_list_free(items, n);
    api_cursor_encode(next, next_s);
    api_ok(rs, 200, json_pack("{s:o, s:s?}", "items", arr, "next_cursor", next ? next_s : NULL));
}

static void
answer_alert(struct api_response *rs, int status, const struct alert *a)
{
    snprintf(rs->etag, sizeof(rs->etag), "\"%lld\"", (long long)a->version);
    api_ok(rs, status, alert_to_json(a));
}

void
api_alerts_get(const struct api_request *rq, struct api_response *rs)
{
    struct alert a;
    struct mp_error err;

    if (alert_get(rq->params[0], &a, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    answer_alert(rs, 200, &a);
    alert_free(&a);
}

/* The inbox actions take a small object body ({} allowed). */
static json_t *
action_body(const struct api_request *rq, const char *const fields[], struct api_response *rs)
{
    json_t *in;

    if (rq->body_len == 0)
        return json_object();
    in = api_parse_object(rq, rs);
    if (in != NULL && !api_only_fields(in, fields, rs)) {
        json_decref(in);
        return NULL;
    }
    return in;
}

void
api_alerts_acknowledge(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {NULL};
    struct alert a;
    struct mp_error err;
    json_t *in = action_body(rq, fields, rs);

    if (in == NULL)
        return;
    if (alert_acknowledge(rq->principal, rq->now, rq->params[0], &a, &err) != 0)
        api_error(rs, &err);
    else
        answer_alert(rs, 200, &a);
    alert_free(&a);
    json_decref(in);
}

void
api_alerts_dismiss(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"reason", NULL};
    struct alert a;
    struct mp_error err;
    const char *reason;
    json_t *in = action_body(rq, fields, rs);

    if (in == NULL)
        return;
    if (!api_get_string(in, "reason", true, ALERT_REASON_MAX, &reason, rs))
        goto out;
    if (alert_dismiss(rq->principal, rq->now, rq->params[0], reason, &a, &err) != 0)
        api_error(rs, &err);
    else
        answer_alert(rs, 200, &a);
    alert_free(&a);
out:
    json_decref(in);
}

void
api_alerts_promote(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"title", "severity", "category", NULL};
    const char *title, *sev_s, *cat_s;
    struct incident inc;
    struct alert a;
    struct mp_error err;
    int severity = -1, category = -1;
    json_t *in = action_body(rq, fields, rs);

    if (in == NULL)
        return;
    api_get_string(in, "title", false, INCIDENT_TITLE_MAX, &title, rs);
    api_get_string(in, "severity", false, 16, &sev_s, rs);
    api_get_string(in, "category", false, 16, &cat_s, rs);
    if (sev_s &&
        (severity = incident_enum_parse(incident_severity_names, SEVERITY_COUNT, sev_s)) < 0)
        api_field_error(rs, "severity", "must be one of low, medium, high, critical");
    if (cat_s &&
        (category = incident_enum_parse(incident_category_names, CATEGORY_COUNT, cat_s)) < 0)
        api_field_error(rs, "category", "must be one of cyber, physical, other");
    if (rs->status >= 400)
        goto out;
    if (alert_promote(rq->principal, rq->now, rq->params[0], title, severity, category, &a, &inc,
                      &err) != 0) {
        api_error(rs, &err);
        goto out;
    }
    snprintf(rs->location, sizeof(rs->location), "/api/v1/incidents/%s", inc.id);
    api_ok(rs, 201,
           json_pack("{s:o, s:o}", "alert", alert_to_json(&a), "incident",
                     incident_to_json(&inc, rq->now)));
    alert_free(&a);
    incident_free(&inc);
out:
    json_decref(in);
}

void
api_alerts_attach(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"incident", NULL};
    const char *incident;
    struct alert a;
    struct mp_error err;
    json_t *in = action_body(rq, fields, rs);

    if (in == NULL)
        return;
    if (!api_get_string(in, "incident", true, 64, &incident, rs))
        goto out;
    if (alert_attach(rq->principal, rq->now, rq->params[0], incident, &a, &err) != 0)
        api_error(rs, &err);
    else
        answer_alert(rs, 200, &a);
    alert_free(&a);
out:
    json_decref(in);
}

void
api_detection_rules(const struct api_request *rq, struct api_response *rs)
{
    struct detection *d = detect_acquire();

    (void)rq;
    api_ok(rs, 200, detect_summary(d));
    detect_release(d);
}

void
api_suppressions_list(const struct api_request *rq, struct api_response *rs)
{
    struct suppression *items;
    struct mp_error err;
    int64_t now = rq->now;
    json_t *arr;
    int n;

    if (suppression_list(&items, &n, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, suppression_to_json(&items[i], now));
    suppression_list_free(items, n);
    api_ok(rs, 200, json_pack("{s:o}", "items", arr));
}

void
api_suppressions_create(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    struct suppression s;
    json_t *in = api_parse_object(rq, rs);

    if (in == NULL)
        return;
    if (suppression_create(rq->principal, rq->now, in, &s, &errs) != 0) {
        api_field_errors(rs, &errs);
    } else {
        snprintf(rs->location, sizeof(rs->location), "/api/v1/suppressions/%s", s.id);
        api_ok(rs, 201, suppression_to_json(&s, rq->now));
        suppression_free(&s);
    }
    json_decref(in);
}

void
api_suppressions_get(const struct api_request *rq, struct api_response *rs)
{
    struct suppression s;
    struct mp_error err;

    if (suppression_get(rq->params[0], &s, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, suppression_to_json(&s, rq->now));
    suppression_free(&s);
}

void
api_suppressions_delete(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;

    if (suppression_delete(rq->principal, rq->now, rq->params[0], &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 204, NULL);
}
