/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * alert.c - see alert.h and docs/ALERTS.md.
 *
 * A flood is mostly repeats: an alert that still fires is sent again every
 * few seconds or minutes.  A repeat changes only the open row's count,
 * last_seen and latest labels, in the same group commit as everything else
 * queued, and is not written to the audit chain (the row's count is its
 * record; a flood would otherwise flood the chain).  Every other change -
 * a new alert, a reopen, a resolve, anything an analyst does, every
 * incident opened or touched - is audited in the transaction that makes it.
 */
#include "alert.h"
#include "alert_int.h"
#include "core/classify.h"
#include "core/detect.h"
#include "core/audit.h"
#include "lib/buf.h"
#include "lib/text.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/writer.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const alert_result_names[ALERT_RESULTS + 1] = {
    "created", "updated", "reopened", "resolved", "muted", "dropped", "rejected", NULL};
static _Atomic uint64_t result_counts[ALERT_RESULTS];

/* ---- changes to incidents made by alerts ---- */

static int
audit_alert(sqlite3 *db, int64_t now, const struct principal *p, const char *action,
            const struct alert *a, json_t *extra, struct mp_error *err)
{
    json_t *payload = extra ? extra : json_object();

    json_object_set_new(payload, "source", json_string(a->source));
    json_object_set_new(payload, "fingerprint", json_string(a->fingerprint));
    json_object_set_new(payload, "version", json_integer(a->version));
    if (a->incident_id[0])
        json_object_set_new(payload, "incident", json_string(a->incident_id));
    return audit_append_json(db, now, p->name, action, a->id, payload, err);
}

/* Incident severities have no "info". */
static int
incident_severity_of(int alert_severity)
{
    static const int map[ALERT_SEV_COUNT] = {SEVERITY_LOW, SEVERITY_LOW, SEVERITY_MEDIUM,
                                             SEVERITY_HIGH, SEVERITY_CRITICAL};
    return map[alert_severity];
}

/* Cuts s after max characters (never inside one). */
void
alert_cut_chars(char *s, size_t max)
{
    size_t len = strlen(s), at = 0, chars = 0;
    uint32_t cp;

    while (at < len && chars < max) {
        size_t n = text_utf8_next((const unsigned char *)s + at, len - at, &cp);
        if (n == 0)
            break;
        at += n;
        chars++;
    }
    s[at] = '\0';
}

/* Writes an incident change made on behalf of alerts: the row (version
 * +1), a note on the timeline, the audit entry, the judgement. */
static int
incident_touch(sqlite3 *db, const struct principal *p, struct incident *inc, const char *field,
               const char *old_value, const char *new_value, const char *note, const char *action,
               int64_t now, struct mp_error *err)
{
    char at[TIME_RFC3339_LEN];
    json_t *payload;

    inc->updated_at = now;
    inc->version++;
    time_format_rfc3339(now, at, TIME_RFC3339_LEN);
    if (store_incident_update(db, inc, err) != 0 ||
        store_timeline_append(db, inc->id, at, p->name, "note", field, old_value, new_value, note,
                              err) != 0)
        return -1;
    payload = json_pack("{s:s, s:I, s:s?}", "ref", inc->ref, "version", (json_int_t)inc->version,
                        "note", note);
    if (audit_append_json(db, now, p->name, action, inc->id, payload, err) != 0)
        return -1;
    return classify_refresh(db, inc, p->name, now, err);
}

static char *
quoted_time(int64_t t)
{
    char at[TIME_RFC3339_LEN], buf[TIME_RFC3339_LEN + 2];

    if (t == TIME_UNSET)
        return strdup("null");
    time_format_rfc3339(t, at, sizeof(at));
    snprintf(buf, sizeof(buf), "\"%s\"", at);
    return strdup(buf);
}

/* The alert joins the incident: started_at moves back when the alert
 * started earlier (a 'changed' entry), and a note names the alert. */
static int
incident_add_alert(sqlite3 *db, const struct principal *p, struct incident *inc,
                   const struct alert *a, int64_t now, struct mp_error *err)
{
    char note[700], alert_id[48];
    int64_t start = a->starts_at > now ? now : a->starts_at;

    if (inc->started_at == TIME_UNSET || start < inc->started_at) {
        char at[TIME_RFC3339_LEN];
        char *old_s = quoted_time(inc->started_at), *new_s = quoted_time(start);
        int rc;

        time_format_rfc3339(now, at, TIME_RFC3339_LEN);
        rc = old_s && new_s ? store_timeline_append(db, inc->id, at, p->name, "changed",
                                                    "started_at", old_s, new_s, NULL, err)
                            : mp_error_set(err, 500, "", "out of memory");
        free(old_s);
        free(new_s);
        if (rc != 0)
            return -1;
        if (inc->ended_at != TIME_UNSET && start > inc->ended_at)
            start = inc->ended_at;
        inc->started_at = start;
    }
    snprintf(note, sizeof(note), "Alert attached: %.500s (%s, %s)", a->title, a->source,
             alert_severity_names[a->severity]);
    snprintf(alert_id, sizeof(alert_id), "\"%s\"", a->id);
    return incident_touch(db, p, inc, "alert", NULL, alert_id, note, "incident.alert", now, err);
}

/* When every alert of the incident has resolved, the latest end is proposed
 * as ended_at on the timeline (people confirm it by setting ended_at). */
static int
propose_end(sqlite3 *db, const struct principal *p, const char *incident_id, int64_t now,
            struct mp_error *err)
{
    struct incident inc;
    int64_t firing, total, last_end;
    char note[200], when[TIME_RFC3339_LEN];
    char *old_s, *new_s;
    int found, rc;

    if (store_alert_incident_status(db, incident_id, &firing, &total, &last_end, err) != 0)
        return -1;
    if (firing > 0 || total == 0 || last_end == TIME_UNSET)
        return 0;
    found = store_incident_load(db, incident_id, &inc, err);
    if (found <= 0)
        return found;
    if (inc.ended_at == last_end) {
        incident_free(&inc);
        return 0;
    }
    time_format_rfc3339(last_end, when, TIME_RFC3339_LEN);
    snprintf(note, sizeof(note),
             "All %lld alerts resolved; proposed ended_at %s (confirm by setting ended_at)",
             (long long)total, when);
    old_s = quoted_time(inc.ended_at);
    new_s = quoted_time(last_end);
    rc = old_s && new_s ? incident_touch(db, p, &inc, "ended_at", old_s, new_s, note,
                                         "incident.propose_end", now, err)
                        : mp_error_set(err, 500, "", "out of memory");
    free(old_s);
    free(new_s);
    incident_free(&inc);
    return rc;
}

/* An incident from the alert: the rule's template, or (promote) the alert
 * itself with the analyst's overrides. */
static int
open_incident(sqlite3 *db, const struct principal *p, struct alert *a, const json_t *tmpl,
              const char *title, int severity, int category, int64_t now, struct incident *out,
              struct mp_error *err)
{
    struct field_errors errs = {0};
    struct incident inc;
    json_t *v;
    char *s;
    size_t i;
    int rc;

    incident_init(&inc, now);
    s = title ? strdup(title)
              : detect_expand(tmpl ? json_string_value(json_object_get(tmpl, "title")) : "{title}",
                              a);
    if (s != NULL && text_blank(s)) {
        free(s);
        s = strdup(a->title);
    }
    if (s == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    alert_cut_chars(s, INCIDENT_TITLE_MAX);
    free(inc.title);
    inc.title = s;
    v = tmpl ? json_object_get(tmpl, "description") : NULL;
    if (v != NULL) {
        free(inc.description);
        inc.description = detect_expand(json_string_value(v), a);
        if (inc.description != NULL)
            alert_cut_chars(inc.description, INCIDENT_DESCRIPTION_MAX);
    }
    inc.severity = incident_severity_of(a->severity);
    v = tmpl ? json_object_get(tmpl, "severity") : NULL;
    if (v != NULL && strcmp(json_string_value(v), "from_alert") != 0)
        inc.severity =
            incident_enum_parse(incident_severity_names, SEVERITY_COUNT, json_string_value(v));
    if (severity >= 0)
        inc.severity = severity;
    v = tmpl ? json_object_get(tmpl, "category") : NULL;
    if (v != NULL)
        inc.category =
            incident_enum_parse(incident_category_names, CATEGORY_COUNT, json_string_value(v));
    if (category >= 0)
        inc.category = category;
    /* services: the template's, expanded; by default the alert's service */
    v = tmpl ? json_object_get(tmpl, "services") : NULL;
    if (v != NULL) {
        json_t *t;
        json_array_foreach(v, i, t)
        {
            char *name = detect_expand(json_string_value(t), a);
            bool dup = false;
            size_t k;
            json_t *x;
            if (name == NULL)
                continue;
            json_array_foreach(inc.services, k, x)
            {
                if (strcmp(json_string_value(x), name) == 0)
                    dup = true;
            }
            if (!text_blank(name) && !dup && text_chars(name) <= INCIDENT_SERVICE_MAX)
                json_array_append_new(inc.services, json_string(name));
            free(name);
        }
    } else if (a->service != NULL) {
        json_array_append_new(inc.services, json_string(a->service));
    }
    /* opened on behalf of a principal limited to some TLP levels: at most
     * its limit, as for incidents it creates itself */
    if (inc.tlp > p->tlp_max)
        inc.tlp = p->tlp_max;
    /* the two clocks from the alert: detected when it arrived, started
     * when it says it started */
    inc.detected_at = a->first_seen;
    inc.started_at = a->starts_at > now ? now : a->starts_at;
    if (!incident_validate(&inc, now, &errs)) {
        mp_error_set(err, 500, "", "the alert made an incident that is not valid: %s: %s",
                     errs.items[0].field, errs.items[0].message);
        incident_free(&inc);
        return -1;
    }
    rc = incident_insert(db, p, &inc, now, err);
    if (rc != 0) {
        incident_free(&inc);
        return -1;
    }
    snprintf(a->incident_id, sizeof(a->incident_id), "%s", inc.id);
    a->state = ALERT_INCIDENT;
    *out = inc;
    return 0;
}

/* Attaches a (stored) to the incident with this id: the alert's row and
 * the incident's. */
static int
attach_to(sqlite3 *db, const struct principal *p, struct alert *a, const char *incident_id,
          int64_t now, char ref[24], struct mp_error *err)
{
    struct incident inc;
    int found = store_incident_load(db, incident_id, &inc, err), rc;

    if (found < 0)
        return -1;
    if (found == 0)
        return mp_error_set(err, 404, "incident", "no incident '%s'", incident_id);
    if (inc.state == STATE_CLOSED || inc.state == STATE_DISMISSED) {
        mp_error_set(err, 409, "incident", "incident %s is %s", inc.ref,
                     incident_state_names[inc.state]);
        incident_free(&inc);
        return -1;
    }
    snprintf(a->incident_id, sizeof(a->incident_id), "%s", inc.id);
    a->state = ALERT_INCIDENT;
    if (ref != NULL)
        snprintf(ref, 24, "%s", inc.ref);
    rc = incident_add_alert(db, p, &inc, a, now, err);
    incident_free(&inc);
    return rc;
}

/* ---- ingestion ---- */

struct ingest_change {
    const struct principal *p;
    struct alert_item *items;
    int n;
    bool batch;
    const struct idempotency *idem;
    struct detection *detection;
    char *answer;
    int status;
    int64_t now;
};

static json_t *
item_json(const struct alert_item *it, int index, bool batch)
{
    json_t *j;

    if (!it->valid)
        return json_pack("{s:i, s:i, s:O}", "index", index, "status", 422, "errors", it->errors);
    j = json_pack("{s:s, s:s?, s:s?, s:s?}", "result", it->result, "id",
                  it->status == 202 ? NULL : it->a.id, "action", it->action, "rule", it->a.rule);
    if (batch) {
        json_object_set_new(j, "index", json_integer(index));
        json_object_set_new(j, "status", json_integer(it->status));
    } else if (it->status != 202) {
        json_object_set_new(j, "alert", alert_to_json(&it->a));
    }
    json_object_set_new(
        j, "incident",
        it->incident_id[0] ? json_pack("{s:s, s:s}", "id", it->incident_id, "ref", it->incident_ref)
                           : json_null());
    return j;
}

static char *
answer_text(const struct ingest_change *c, int *status)
{
    json_t *body, *items;
    char *text;

    if (!c->batch) {
        body = item_json(&c->items[0], 0, false);
        *status = c->items[0].status;
    } else {
        int counts[4] = {0}; /* created, updated, dropped, rejected */
        items = json_array();
        for (int i = 0; i < c->n; i++) {
            const struct alert_item *it = &c->items[i];
            json_array_append_new(items, item_json(it, i, true));
            counts[!it->valid ? 3 : it->status == 201 ? 0 : it->status == 202 ? 2 : 1]++;
        }
        body = json_pack("{s:o, s:i, s:i, s:i, s:i}", "items", items, "created", counts[0],
                         "updated", counts[1], "dropped", counts[2], "rejected", counts[3]);
        *status = 200;
    }
    text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(body);
    return text;
}

/* A repeat of an open alert: its row changes, and a change of status is
 * audited and carried to its incident. */
static int
ingest_repeat(sqlite3 *db, const struct principal *p, struct alert *cur, struct alert_item *it,
              int64_t now, struct mp_error *err)
{
    struct alert *in = &it->a;
    int was = cur->status;
    bool same_service = (cur->service == NULL && in->service == NULL) ||
                        (cur->service && in->service && strcmp(cur->service, in->service) == 0);
    json_t *t;

    cur->count++;
    cur->last_seen = cur->updated_at = now;
    /* the latest words of the source */
    t = cur->labels;
    cur->labels = json_incref(in->labels);
    json_decref(t);
    t = cur->annotations;
    cur->annotations = json_incref(in->annotations);
    json_decref(t);
    free(cur->title);
    cur->title = strdup(in->title);
    cur->severity = in->severity;
    free(cur->service);
    cur->service = in->service ? strdup(in->service) : NULL;
    if (in->payload != NULL) {
        free(cur->payload);
        cur->payload = strdup(in->payload);
    }
    if (cur->title == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    it->status = 200;
    it->result = "updated";
    if (was == ALERT_RESOLVED && in->status == ALERT_FIRING) {
        it->result = "reopened";
        cur->status = ALERT_FIRING;
        cur->starts_at = in->starts_at;
        cur->ends_at = TIME_UNSET;
    } else if (in->status == ALERT_RESOLVED) {
        if (was == ALERT_FIRING)
            it->result = "resolved";
        cur->status = ALERT_RESOLVED;
        cur->ends_at = in->ends_at;
    }
    if (strcmp(it->result, "updated") != 0)
        cur->version++;
    /* a plain repeat, the bulk of a flood, writes only what it changes */
    if ((strcmp(it->result, "updated") == 0 && same_service && cur->status == ALERT_FIRING
             ? store_alert_touch(db, cur, err)
             : store_alert_update(db, cur, err)) != 0)
        return -1;
    if (strcmp(it->result, "updated") != 0 &&
        audit_alert(db, now, p,
                    strcmp(it->result, "reopened") == 0 ? "alert.reopen" : "alert.resolve", cur,
                    NULL, err) != 0)
        return -1;
    if (cur->incident_id[0] != '\0') {
        struct incident inc;
        int found;

        found = store_incident_load(db, cur->incident_id, &inc, err);
        if (found < 0)
            return -1;
        if (found) {
            snprintf(it->incident_id, sizeof(it->incident_id), "%s", inc.id);
            snprintf(it->incident_ref, sizeof(it->incident_ref), "%s", inc.ref);
            incident_free(&inc);
        }
        if (strcmp(it->result, "resolved") == 0 &&
            propose_end(db, p, cur->incident_id, now, err) != 0)
            return -1;
        if (strcmp(it->result, "reopened") == 0 && found) {
            char note[700], alert_id[48];
            if (store_incident_load(db, cur->incident_id, &inc, err) != 1)
                return mp_error_set(err, 500, "", "cannot read incident %s", cur->incident_id);
            snprintf(note, sizeof(note), "Alert fired again: %.500s (%s)", cur->title, cur->source);
            snprintf(alert_id, sizeof(alert_id), "\"%s\"", cur->id);
            found = incident_touch(db, p, &inc, "alert", NULL, alert_id, note, "incident.alert",
                                   now, err);
            incident_free(&inc);
            if (found != 0)
                return -1;
        }
    }
    /* the item answers with the row as it is now */
    alert_free(in);
    *in = *cur;
    memset(cur, 0, sizeof(*cur));
    return 0;
}

/* What the detection rule says, for a new alert (stored already). */
static int
ingest_detect(sqlite3 *db, const struct principal *p, const struct detection_rule *r,
              struct alert_item *it, int64_t now, struct mp_error *err)
{
    struct alert *a = &it->a;
    char incident_id[40] = "";
    int found = 0;

    it->action = "recorded";
    if (r == NULL || r->action == DETECT_RECORD)
        return 0;
    if (r->by != NULL) {
        struct buf key = BUF_INIT;
        detect_correlation_key(r, a, &key);
        buf_append(&key, "", 1);
        if (buf_failed(&key))
            return mp_error_set(err, 500, "", "out of memory");
        free(a->correlation_key);
        a->correlation_key = buf_detach(&key, NULL);
        found = store_alert_correlated(db, a->correlation_key, now - r->within_minutes * 60,
                                       incident_id, err);
        if (found < 0)
            return -1;
        if (found && p->tlp_max < TLP_RED) {
            /* never join (and so name) an incident above the poster's limit */
            struct incident inc;
            int loaded = store_incident_load(db, incident_id, &inc, err);
            if (loaded < 0)
                return -1;
            if (loaded) {
                found = inc.tlp <= p->tlp_max;
                incident_free(&inc);
            } else {
                found = 0;
            }
        }
    }
    if (found) {
        it->action = "attached";
        if (attach_to(db, p, a, incident_id, now, it->incident_ref, err) != 0)
            return -1;
    } else if (r->action == DETECT_OPEN_INCIDENT) {
        struct incident inc;
        it->action = "opened";
        if (open_incident(db, p, a, r->incident, NULL, -1, -1, now, &inc, err) != 0)
            return -1;
        snprintf(it->incident_ref, sizeof(it->incident_ref), "%s", inc.ref);
        incident_free(&inc);
    }
    snprintf(it->incident_id, sizeof(it->incident_id), "%s", a->incident_id);
    if (store_alert_update(db, a, err) != 0)
        return -1;
    if (a->status == ALERT_RESOLVED && a->incident_id[0] != '\0')
        return propose_end(db, p, a->incident_id, now, err);
    return 0;
}

static int
ingest_one(sqlite3 *db, const struct ingest_change *c, struct alert_item *it,
           const struct suppression *sup, int nsup, int64_t now, struct mp_error *err)
{
    struct alert *a = &it->a;
    const struct detection_rule *r;
    struct alert cur;
    int found;

    a->first_seen = a->last_seen = a->updated_at = now;
    found = store_alert_find_open(db, a->source, a->fingerprint, &cur, err);
    if (found < 0)
        return -1;
    if (found) {
        struct incident inc;
        int ifound = 0;
        /* an alert whose incident was closed starts afresh */
        if (cur.incident_id[0] != '\0') {
            ifound = store_incident_load(db, cur.incident_id, &inc, err);
            if (ifound < 0) {
                alert_free(&cur);
                return -1;
            }
        }
        if (ifound && (inc.state == STATE_CLOSED || inc.state == STATE_DISMISSED)) {
            incident_free(&inc);
            cur.open = false;
            cur.updated_at = now;
            found = store_alert_update(db, &cur, err);
            alert_free(&cur);
            if (found != 0)
                return -1;
        } else {
            if (ifound)
                incident_free(&inc);
            found = ingest_repeat(db, c->p, &cur, it, now, err);
            alert_free(&cur);
            return found;
        }
    }
    uuid7_generate(a->id);
    for (int i = 0; i < nsup; i++) {
        if (!detect_match(sup[i].match, a))
            continue;
        if (store_suppression_count(db, sup[i].id, err) != 0)
            return -1;
        if (strcmp(sup[i].action, "drop") == 0) {
            it->status = 202;
            it->result = "dropped";
            return 0;
        }
        a->state = ALERT_MUTED;
        snprintf(a->suppression_id, sizeof(a->suppression_id), "%s", sup[i].id);
        it->status = 201;
        it->result = "muted";
        if (store_alert_insert(db, a, err) != 0)
            return -1;
        return audit_alert(db, now, c->p, "alert.create", a,
                           json_pack("{s:s, s:s}", "result", "muted", "suppression", sup[i].id),
                           err);
    }
    r = detect_find(c->detection, a);
    if (r != NULL)
        a->rule = strdup(r->id);
    it->status = 201;
    it->result = "created";
    if (store_alert_insert(db, a, err) != 0 || ingest_detect(db, c->p, r, it, now, err) != 0)
        return -1;
    return audit_alert(db, now, c->p, "alert.create", a,
                       json_pack("{s:s, s:s?, s:s}", "severity", alert_severity_names[a->severity],
                                 "rule", a->rule, "action", it->action),
                       err);
}

static int
ingest_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct ingest_change *c = arg;
    struct suppression *sup = NULL;
    char object_id[40];
    int nsup = 0, found, rc = -1;
    int64_t now = store_change_time(c->now);

    found = incident_idempotency_find(db, c->p, c->idem, now, object_id, &c->answer, err);
    if (found < 0)
        return -1;
    if (found) {
        /* the first answer's status is kept as its "object" */
        c->status = (int)strtol(object_id, NULL, 10);
        return 0;
    }
    if (store_suppression_list(db, true, now, &sup, &nsup, err) != 0)
        return -1;
    for (int i = 0; i < c->n; i++) {
        if (c->items[i].valid && ingest_one(db, c, &c->items[i], sup, nsup, now, err) != 0)
            goto out;
    }
    c->answer = answer_text(c, &c->status);
    if (c->answer == NULL) {
        mp_error_set(err, 500, "", "out of memory");
        goto out;
    }
    if (c->idem->key != NULL) {
        char status[8];
        snprintf(status, sizeof(status), "%d", c->status);
        if (incident_idempotency_put(db, c->p, c->idem, status, c->answer, now, err) != 0)
            goto out;
    }
    rc = 0;
out:
    for (int i = 0; i < nsup; i++)
        suppression_free(&sup[i]);
    free(sup);
    if (rc != 0) {
        free(c->answer);
        c->answer = NULL;
    }
    return rc;
}

int
alert_ingest(const struct principal *p, int64_t now, struct alert_item *items, int n, bool batch,
             const struct idempotency *idem, char **answer, int *status, struct mp_error *err)
{
    struct ingest_change c = {.p = p,
                              .now = now,
                              .items = items,
                              .n = n,
                              .batch = batch,
                              .idem = idem,
                              .detection = detect_acquire()};
    int rc;

    *answer = NULL;
    rc = store_write(ingest_apply, &c, err);
    detect_release(c.detection);
    if (rc != 0) {
        /* the change may have run and made its answer before the commit
         * failed (a full disk, a failed fsync) */
        free(c.answer);
        return -1;
    }
    /* counted once committed; a retry with an Idempotency-Key counts
     * nothing (its items were not handled) */
    for (int i = 0; i < n; i++) {
        const char *r = items[i].valid ? items[i].result : "rejected";
        for (int k = 0; r != NULL && k < ALERT_RESULTS; k++) {
            if (strcmp(alert_result_names[k], r) == 0)
                atomic_fetch_add(&result_counts[k], 1);
        }
    }
    *answer = c.answer;
    *status = c.status;
    return 0;
}

void
alert_result_counts(uint64_t out[ALERT_RESULTS])
{
    for (int k = 0; k < ALERT_RESULTS; k++)
        out[k] = atomic_load(&result_counts[k]);
}

/* ---- the inbox ---- */

int
alert_get(const char *id, struct alert *out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    int found;

    if (db == NULL)
        return -1;
    found = store_alert_load(db, id, out, err);
    if (found < 0)
        return -1;
    if (found == 0)
        return mp_error_set(err, 404, "", "no alert '%s'", id);
    return 0;
}

int
alert_list(const struct alert_filter *f, struct alert **items, int *count, int64_t *next_seq,
           struct mp_error *err)
{
    struct store_alert_query q = {.state = f->state,
                                  .status = f->status,
                                  .severity = f->severity,
                                  .source = f->source,
                                  .service = f->service,
                                  .before_seq = f->before_seq,
                                  .tlp_max = f->p ? f->p->tlp_max : TLP_RED,
                                  .limit = f->limit};
    struct incident inc;
    sqlite3 *db = db_reader(err);

    *next_seq = 0;
    *items = NULL;
    *count = 0;
    if (db == NULL)
        return -1;
    if (f->incident != NULL) {
        /* by id or ref; an unknown incident, or one above the caller's
         * TLP limit, has no alerts */
        int found = store_incident_load(db, f->incident, &inc, err);
        if (found < 0)
            return -1;
        if (found == 0)
            return 0;
        if (f->p != NULL && inc.tlp > f->p->tlp_max) {
            incident_free(&inc);
            return 0;
        }
        q.incident_id = inc.id;
        found = store_alert_query(db, &q, items, count, err);
        incident_free(&inc);
        if (found != 0)
            return -1;
    } else if (store_alert_query(db, &q, items, count, err) != 0) {
        return -1;
    }
    if (*count > f->limit) {
        alert_free(&(*items)[*count - 1]);
        (*count)--;
        *next_seq = (*items)[*count - 1].seq;
    }
    return 0;
}

int
alert_check_visible(const struct principal *p, const char *id, struct mp_error *err)
{
    struct alert a;
    sqlite3 *db;
    int found, rc = 0;

    if (p->tlp_max >= TLP_RED)
        return 0;
    db = db_reader(err);
    if (db == NULL)
        return -1;
    found = store_alert_load(db, id, &a, err);
    if (found <= 0)
        return found;
    if (a.incident_id[0] != '\0' && incident_check_visible(p, a.incident_id, err) != 0)
        rc = mp_error_set(err, 404, "", "no alert '%s'", id);
    alert_free(&a);
    return rc;
}

void
alert_list_free(struct alert *items, int count)
{
    for (int i = 0; i < count; i++)
        alert_free(&items[i]);
    free(items);
}

enum inbox_op { OP_ACK, OP_DISMISS, OP_PROMOTE, OP_ATTACH };

struct inbox_change {
    const struct principal *p;
    const char *id;
    enum inbox_op op;
    const char *reason;   /* dismiss */
    const char *incident; /* attach: id or ref */
    const char *title;    /* promote */
    int severity, category;
    struct alert *out;
    struct incident *inc;
    int64_t now;
};

static int
inbox_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    static const char *const actions[] = {"alert.acknowledge", "alert.dismiss", "alert.promote",
                                          "alert.attach"};
    struct inbox_change *c = arg;
    struct alert a;
    int64_t now = store_change_time(c->now);
    int found = store_alert_load(db, c->id, &a, err);

    if (found < 0)
        return -1;
    if (found == 0)
        return mp_error_set(err, 404, "", "no alert '%s'", c->id);
    if (a.state == ALERT_DISMISSED || a.state == ALERT_INCIDENT ||
        (c->op == OP_ACK && a.state == ALERT_ACKNOWLEDGED)) {
        mp_error_set(err, 409, "", "the alert is %s%s%s", alert_state_names[a.state],
                     a.state == ALERT_INCIDENT ? ": it is on incident " : "",
                     a.state == ALERT_INCIDENT ? a.incident_id : "");
        alert_free(&a);
        return -1;
    }
    switch (c->op) {
    case OP_ACK:
        a.state = ALERT_ACKNOWLEDGED;
        break;
    case OP_DISMISS:
        a.state = ALERT_DISMISSED;
        a.open = false; /* the next one with this fingerprint is new */
        a.reason = strdup(c->reason);
        if (a.reason == NULL)
            goto oom;
        break;
    case OP_PROMOTE:
        if (open_incident(db, c->p, &a, NULL, c->title, c->severity, c->category, now, c->inc,
                          err) != 0)
            goto fail;
        break;
    case OP_ATTACH: {
        struct incident inc;
        int ifound = store_incident_load(db, c->incident, &inc, err);
        if (ifound < 0)
            goto fail;
        if (ifound == 0 || inc.tlp > c->p->tlp_max) {
            if (ifound)
                incident_free(&inc);
            mp_error_set(err, 422, "incident", "no incident '%s'", c->incident);
            goto fail;
        }
        found = attach_to(db, c->p, &a, inc.id, now, NULL, err);
        incident_free(&inc);
        if (found != 0)
            goto fail;
        break;
    }
    }
    snprintf(a.acted_by, sizeof(a.acted_by), "%s", c->p->name);
    a.acted_at = a.updated_at = now;
    a.version++;
    if (store_alert_update(db, &a, err) != 0 ||
        audit_alert(db, now, c->p, actions[c->op], &a,
                    c->reason ? json_pack("{s:s}", "reason", c->reason) : NULL, err) != 0)
        goto fail;
    /* an alert that resolved before it joined may be the last one */
    if ((c->op == OP_PROMOTE || c->op == OP_ATTACH) && a.status == ALERT_RESOLVED &&
        propose_end(db, c->p, a.incident_id, now, err) != 0)
        goto fail;
    *c->out = a;
    return 0;
oom:
    mp_error_set(err, 500, "", "out of memory");
fail:
    if (c->op == OP_PROMOTE)
        incident_free(c->inc);
    alert_free(&a);
    return -1;
}

static int
inbox_run(struct inbox_change *c, struct mp_error *err)
{
    memset(c->out, 0, sizeof(*c->out));
    return store_write(inbox_apply, c, err);
}

int
alert_acknowledge(const struct principal *p, int64_t now, const char *id, struct alert *out,
                  struct mp_error *err)
{
    struct inbox_change c = {.p = p, .now = now, .id = id, .op = OP_ACK, .out = out};
    return inbox_run(&c, err);
}

int
alert_dismiss(const struct principal *p, int64_t now, const char *id, const char *reason,
              struct alert *out, struct mp_error *err)
{
    struct inbox_change c = {
        .p = p, .now = now, .id = id, .op = OP_DISMISS, .reason = reason, .out = out};

    memset(out, 0, sizeof(*out));
    if (reason == NULL || text_blank(reason))
        return mp_error_set(err, 422, "reason", "dismissing an alert needs the reason");
    if (text_chars(reason) > ALERT_REASON_MAX)
        return mp_error_set(err, 422, "reason", "must be at most %d characters", ALERT_REASON_MAX);
    return inbox_run(&c, err);
}

int
alert_promote(const struct principal *p, int64_t now, const char *id, const char *title,
              int severity, int category, struct alert *out, struct incident *inc,
              struct mp_error *err)
{
    struct inbox_change c = {.p = p,
                             .now = now,
                             .id = id,
                             .op = OP_PROMOTE,
                             .title = title,
                             .severity = severity,
                             .category = category,
                             .out = out,
                             .inc = inc};

    memset(inc, 0, sizeof(*inc));
    memset(out, 0, sizeof(*out));
    if (title != NULL && (text_blank(title) || text_chars(title) > INCIDENT_TITLE_MAX))
        return mp_error_set(err, 422, "title", "must be 1-%d characters, not blank",
                            INCIDENT_TITLE_MAX);
    return inbox_run(&c, err);
}

int
alert_attach(const struct principal *p, int64_t now, const char *id, const char *incident,
             struct alert *out, struct mp_error *err)
{
    struct inbox_change c = {
        .p = p, .now = now, .id = id, .op = OP_ATTACH, .incident = incident, .out = out};
    return inbox_run(&c, err);
}
