/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * alert_decode.c - alerts in and out: the generic JSON shape and
 * Prometheus Alertmanager's webhook (v4) decoded into struct alert with
 * field errors, the limits they are held to, and the alert as JSON.
 * Ingestion is in alert.c.  See alert.h and docs/ALERTS.md.
 */
#include "alert.h"
#include "alert_int.h"
#include "core/detect.h"
#include "core/incident.h"
#include "lib/text.h"
#include "lib/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static unsigned batch_max = 100;
static size_t payload_limit = (size_t)64 * 1024;

void
alert_configure(unsigned max, size_t limit)
{
    batch_max = max;
    payload_limit = limit;
}

unsigned
alert_batch_max(void)
{
    return batch_max;
}

/* ---- decoding ---- */

static void
alert_init(struct alert *a, int64_t now)
{
    memset(a, 0, sizeof(*a));
    a->severity = ALERT_SEV_MEDIUM;
    a->status = ALERT_FIRING;
    a->state = ALERT_NEW;
    a->open = true;
    a->starts_at = now;
    a->ends_at = a->acted_at = TIME_UNSET;
    a->first_seen = a->last_seen = a->updated_at = now;
    a->count = 1;
    a->version = 1;
    a->labels = json_object();
    a->annotations = json_object();
}

bool
alert_field_text(json_t *obj, const char *key, bool required, size_t max, char **out,
                 struct field_errors *errs)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            field_error(errs, key, "is required");
        return !required;
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        field_error(errs, key, "must be a string");
        return false;
    }
    if (text_blank(json_string_value(v))) {
        if (required)
            field_error(errs, key, "must not be blank");
        return !required;
    }
    if (text_chars(json_string_value(v)) > max) {
        field_error(errs, key, "must be at most %zu characters", max);
        return false;
    }
    *out = strdup(json_string_value(v));
    return *out != NULL;
}

bool
alert_field_time(json_t *obj, const char *key, int64_t *out, struct field_errors *errs)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v))
        return true;
    if (!json_is_string(v) || time_parse_rfc3339(json_string_value(v), out) != 0) {
        field_error(errs, key, "must be an RFC 3339 date-time");
        return false;
    }
    return true;
}

/* A JSON object of strings within the limits, copied. */
static bool
get_map(json_t *obj, const char *key, size_t value_max, json_t **out, struct field_errors *errs)
{
    json_t *v = json_object_get(obj, key), *copy;
    const char *k;
    json_t *x;

    if (v == NULL || json_is_null(v))
        return true;
    if (!json_is_object(v) || json_object_size(v) > ALERT_LABELS_MAX) {
        field_error(errs, key, "must be an object of at most %d strings", ALERT_LABELS_MAX);
        return false;
    }
    json_object_foreach(v, k, x)
    {
        char field[96];
        snprintf(field, sizeof(field), "%s.%.60s", key, k);
        if (k[0] == '\0' || text_chars(k) > ALERT_LABEL_NAME_MAX) {
            field_error(errs, field, "names are 1-%d characters", ALERT_LABEL_NAME_MAX);
            return false;
        }
        if (!json_is_string(x) || strlen(json_string_value(x)) != json_string_length(x)) {
            field_error(errs, field, "must be a string");
            return false;
        }
        if (text_chars(json_string_value(x)) > value_max) {
            field_error(errs, field, "must be at most %zu characters", value_max);
            return false;
        }
    }
    copy = json_deep_copy(v);
    if (copy == NULL)
        return false;
    json_decref(*out);
    *out = copy;
    return true;
}

static bool
fingerprint_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > ALERT_FINGERPRINT_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] <= 0x20 || s[i] >= 0x7f)
            return false;
    }
    return true;
}

/* What both formats share after decoding: a fingerprint, the times, the
 * payload's size. */
static bool
alert_finish(struct alert *a, const char *fingerprint, int64_t now, struct field_errors *errs)
{
    int before = errs->count;

    if (fingerprint != NULL) {
        if (!fingerprint_valid(fingerprint))
            field_error(errs, "fingerprint", "must be 1-%d visible ASCII characters",
                        ALERT_FINGERPRINT_MAX);
        else
            snprintf(a->fingerprint, sizeof(a->fingerprint), "%s", fingerprint);
    } else if (a->source != NULL && a->title != NULL) {
        alert_fingerprint(a->source, a->title, a->labels, a->fingerprint);
    }
    if (a->starts_at > now + INCIDENT_FUTURE_SKEW)
        field_error(errs, "starts_at",
                    "must not be more than %d minutes ahead of the server's clock",
                    INCIDENT_FUTURE_SKEW / 60);
    if (a->ends_at != TIME_UNSET) {
        if (a->ends_at < a->starts_at)
            field_error(errs, "ends_at", "must not be before starts_at");
        else if (a->ends_at > now + INCIDENT_FUTURE_SKEW)
            /* an end in the future is a promise, not a resolution */
            a->ends_at = TIME_UNSET;
    }
    a->status = a->ends_at == TIME_UNSET ? ALERT_FIRING : ALERT_RESOLVED;
    if (a->payload != NULL && strlen(a->payload) > payload_limit)
        field_error(errs, "payload", "must be at most %zu bytes", payload_limit);
    return errs->count == before;
}

static bool
get_severity(json_t *obj, struct alert *a, struct field_errors *errs)
{
    json_t *v = json_object_get(obj, "severity");

    if (v == NULL || json_is_null(v))
        return true;
    for (int i = 0; json_is_string(v) && i < ALERT_SEV_COUNT; i++) {
        if (strcmp(alert_severity_names[i], json_string_value(v)) == 0) {
            a->severity = i;
            return true;
        }
    }
    field_error(errs, "severity", "must be one of info, low, medium, high, critical");
    return false;
}

bool
alert_from_json(json_t *obj, struct alert *a, int64_t now, struct field_errors *errs)
{
    static const char *const fields[] = {"source",      "fingerprint", "title",   "severity",
                                         "service",     "starts_at",   "ends_at", "labels",
                                         "annotations", "payload",     NULL};
    int before = errs->count;
    char *fingerprint = NULL;
    const char *key;
    json_t *v;
    bool ok;

    alert_init(a, now);
    if (!json_is_object(obj)) {
        field_error(errs, "", "an alert is a JSON object");
        return false;
    }
    json_object_foreach(obj, key, v)
    {
        bool known = false;
        for (int i = 0; fields[i] && !known; i++)
            known = strcmp(fields[i], key) == 0;
        if (!known)
            field_error(errs, key, "unknown field");
    }
    alert_field_text(obj, "source", true, ALERT_SOURCE_MAX, &a->source, errs);
    alert_field_text(obj, "title", true, ALERT_TITLE_MAX, &a->title, errs);
    alert_field_text(obj, "service", false, ALERT_SERVICE_MAX, &a->service, errs);
    alert_field_text(obj, "fingerprint", false, ALERT_FINGERPRINT_MAX, &fingerprint, errs);
    get_severity(obj, a, errs);
    alert_field_time(obj, "starts_at", &a->starts_at, errs);
    alert_field_time(obj, "ends_at", &a->ends_at, errs);
    get_map(obj, "labels", ALERT_LABEL_VALUE_MAX, &a->labels, errs);
    get_map(obj, "annotations", ALERT_ANNOTATION_MAX, &a->annotations, errs);
    v = json_object_get(obj, "payload");
    if (v != NULL && !json_is_null(v))
        a->payload = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    ok = errs->count == before && alert_finish(a, fingerprint, now, errs);
    free(fingerprint);
    return ok;
}

/* Alertmanager's severities are free text by convention in a label. */
static int
severity_from_label(const char *s)
{
    static const struct {
        const char *word;
        int severity;
    } words[] = {
        {"critical", ALERT_SEV_CRITICAL}, {"page", ALERT_SEV_CRITICAL},
        {"high", ALERT_SEV_HIGH},         {"error", ALERT_SEV_HIGH},
        {"major", ALERT_SEV_HIGH},        {"warning", ALERT_SEV_MEDIUM},
        {"warn", ALERT_SEV_MEDIUM},       {"medium", ALERT_SEV_MEDIUM},
        {"minor", ALERT_SEV_LOW},         {"low", ALERT_SEV_LOW},
        {"info", ALERT_SEV_INFO},         {"none", ALERT_SEV_INFO},
    };

    for (size_t i = 0; s && i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcasecmp(words[i].word, s) == 0)
            return words[i].severity;
    }
    return ALERT_SEV_MEDIUM;
}

bool
alert_from_alertmanager(json_t *obj, struct alert *a, int64_t now, struct field_errors *errs)
{
    int before = errs->count;
    const char *title, *service, *fingerprint, *status;
    json_t *labels, *annotations;
    int64_t ends = TIME_UNSET;
    bool resolved;

    alert_init(a, now);
    if (!json_is_object(obj)) {
        field_error(errs, "", "an alert is a JSON object");
        return false;
    }
    get_map(obj, "labels", ALERT_LABEL_VALUE_MAX, &a->labels, errs);
    get_map(obj, "annotations", ALERT_ANNOTATION_MAX, &a->annotations, errs);
    alert_field_time(obj, "startsAt", &a->starts_at, errs);
    alert_field_time(obj, "endsAt", &ends, errs);
    status = json_string_value(json_object_get(obj, "status"));
    resolved = status != NULL && strcmp(status, "resolved") == 0;
    if (!resolved && (status == NULL || strcmp(status, "firing") != 0))
        field_error(errs, "status", "must be firing or resolved");
    if (errs->count != before)
        return false;
    labels = a->labels;
    annotations = a->annotations;
    title = json_string_value(json_object_get(annotations, "summary"));
    if (title == NULL || text_blank(title))
        title = json_string_value(json_object_get(labels, "alertname"));
    if (title == NULL || text_blank(title))
        title = "Alertmanager alert";
    a->title = malloc(strlen(title) + 1);
    if (a->title != NULL)
        text_copy_utf8(a->title, strlen(title) + 1, title);
    if (a->title != NULL)
        alert_cut_chars(a->title, ALERT_TITLE_MAX); /* a long summary is still the alert */
    service = json_string_value(json_object_get(labels, "service"));
    if (service == NULL)
        service = json_string_value(json_object_get(labels, "job"));
    if (service != NULL && !text_blank(service)) {
        if (text_chars(service) > ALERT_SERVICE_MAX)
            field_error(errs, "labels.service", "must be at most %d characters", ALERT_SERVICE_MAX);
        else
            a->service = strdup(service);
    }
    a->severity = severity_from_label(json_string_value(json_object_get(labels, "severity")));
    a->source = strdup("alertmanager");
    /* Alertmanager sends endsAt "0001-01-01T00:00:00Z" (or a time in the
     * future) while an alert fires; only a resolved one has ended. */
    a->ends_at = resolved ? (ends != TIME_UNSET ? ends : now) : TIME_UNSET;
    if (a->ends_at != TIME_UNSET && a->ends_at > now)
        a->ends_at = now; /* resolved is resolved, whatever its clock says */
    if (a->ends_at != TIME_UNSET && a->ends_at < a->starts_at)
        a->ends_at = a->starts_at;
    a->payload = json_dumps(obj, JSON_COMPACT);
    fingerprint = json_string_value(json_object_get(obj, "fingerprint"));
    if (a->title == NULL || a->source == NULL || a->payload == NULL) {
        field_error(errs, "", "out of memory");
        return false;
    }
    return errs->count == before && alert_finish(a, fingerprint, now, errs) &&
           (a->status == ALERT_RESOLVED) == resolved;
}

/* ---- encoding ---- */

json_t *
alert_to_json(const struct alert *a)
{
    json_t *j = json_object();

    json_object_set_new(j, "id", json_string(a->id));
    json_object_set_new(j, "source", json_string(a->source));
    json_object_set_new(j, "fingerprint", json_string(a->fingerprint));
    json_object_set_new(j, "title", json_string(a->title));
    json_object_set_new(j, "severity", json_string(alert_severity_names[a->severity]));
    json_object_set_new(j, "service", a->service ? json_string(a->service) : json_null());
    json_object_set_new(j, "status", json_string(alert_status_names[a->status]));
    json_object_set_new(j, "state", json_string(alert_state_names[a->state]));
    json_object_set_new(j, "starts_at", time_format_json(a->starts_at));
    json_object_set_new(j, "ends_at", time_format_json(a->ends_at));
    json_object_set_new(j, "first_seen", time_format_json(a->first_seen));
    json_object_set_new(j, "last_seen", time_format_json(a->last_seen));
    json_object_set_new(j, "count", json_integer(a->count));
    json_object_set_new(j, "labels", json_incref(a->labels));
    json_object_set_new(j, "annotations", json_incref(a->annotations));
    json_object_set_new(j, "rule", a->rule ? json_string(a->rule) : json_null());
    json_object_set_new(j, "incident",
                        a->incident_id[0] ? json_string(a->incident_id) : json_null());
    json_object_set_new(j, "suppression",
                        a->suppression_id[0] ? json_string(a->suppression_id) : json_null());
    json_object_set_new(j, "reason", a->reason ? json_string(a->reason) : json_null());
    json_object_set_new(j, "acted_by", a->acted_by[0] ? json_string(a->acted_by) : json_null());
    json_object_set_new(j, "acted_at", time_format_json(a->acted_at));
    json_object_set_new(j, "updated_at", time_format_json(a->updated_at));
    json_object_set_new(j, "version", json_integer(a->version));
    if (a->payload != NULL) {
        json_t *p = json_loads(a->payload, JSON_DECODE_ANY, NULL);
        json_object_set_new(j, "payload", p ? p : json_string(a->payload));
    }
    return j;
}

json_t *
alert_schema_json(void)
{
    json_t *states = json_array(), *severities = json_array();

    for (int i = 0; i < ALERT_STATE_COUNT; i++)
        json_array_append_new(states, json_string(alert_state_names[i]));
    for (int i = 0; i < ALERT_SEV_COUNT; i++)
        json_array_append_new(severities, json_string(alert_severity_names[i]));
    return json_pack("{s:o, s:o}", "states", states, "severities", severities);
}
