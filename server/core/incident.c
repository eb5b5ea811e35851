/*
 * incident.c - see incident.h.
 */
#include "incident.h"
#include "core/classify.h"
#include "lib/text.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/writer.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Idempotency-Key records count for this long (the draft's suggestion). */
#define IDEMPOTENCY_MAX_AGE (24 * 3600)

/*
 * The state machine: transitions[from] lists the states that may follow.
 * This table is the only place that decides; docs/INCIDENTS.md shows it and
 * tests/unit/test_incident.c checks every pair of states against it.
 */
static const int transitions[STATE_COUNT][STATE_COUNT] = {
    [STATE_DETECTED] = {STATE_TRIAGE, STATE_DISMISSED, -1},
    [STATE_TRIAGE] = {STATE_CONFIRMED, STATE_DISMISSED, -1},
    [STATE_CONFIRMED] = {STATE_CONTAINED, STATE_RESOLVED, -1},
    [STATE_CONTAINED] = {STATE_RESOLVED, STATE_CONFIRMED, -1}, /* containment failed */
    [STATE_RESOLVED] = {STATE_CLOSED, STATE_CONFIRMED, -1},    /* it came back */
    [STATE_CLOSED] = {-1},                                     /* terminal */
    [STATE_DISMISSED] = {STATE_TRIAGE, -1},                    /* reopened */
};

bool
incident_transition_allowed(int from, int to)
{
    if (from < 0 || from >= STATE_COUNT || to < 0 || to >= STATE_COUNT)
        return false;
    for (int i = 0; i < STATE_COUNT && transitions[from][i] >= 0; i++) {
        /* a zero-initialised tail would read as STATE_DETECTED: stop at -1 */
        if (transitions[from][i] == to)
            return true;
    }
    return false;
}

int
incident_transition_targets(int from, const char *out[STATE_COUNT + 1])
{
    int n = 0;

    if (from >= 0 && from < STATE_COUNT) {
        for (int i = 0; i < STATE_COUNT && transitions[from][i] >= 0; i++)
            out[n++] = incident_state_names[transitions[from][i]];
    }
    out[n] = NULL;
    return n;
}

/*
 * The impact facts: the only keys `impact` may hold, each with one type.
 * Absent means unknown.  Later rules (classification) read these.
 */
const struct fact_def impact_facts[] = {
    /* people and money (NIS2 art. 23(3); CIR 2024/2690 art. 3) */
    {"users_affected", FACT_COUNT, "users of the service affected"},
    {"users_total", FACT_COUNT, "all users of the service (from the service registry when absent)"},
    {"duration_minutes", FACT_COUNT, "how long the disruption lasted or has lasted"},
    {"financial_loss_eur", FACT_NUMBER,
     "direct financial loss caused or capable of being caused, euros"},
    {"member_states", FACT_COUNTRIES, "EU member states affected (ISO 3166-1 alpha-2)"},
    {"cross_border", FACT_BOOL, "affects other member states"},
    {"suspected_malicious", FACT_BOOL, "suspected unlawful or malicious act"},
    {"unauthorised_access", FACT_BOOL, "successful, suspectedly malicious unauthorised access"},
    {"severe_disruption_possible", FACT_BOOL,
     "capable of causing severe operational disruption (CIR art. 3(1)(e))"},
    {"trade_secrets_exfiltrated", FACT_BOOL, "trade secrets taken (Directive 2016/943)"},
    {"deaths", FACT_COUNT, "deaths caused"},
    {"persons_health_damaged", FACT_COUNT, "persons whose health was considerably damaged"},
    {"physical_damage", FACT_BOOL, "physical damage to assets or premises"},
    {"scheduled_maintenance", FACT_BOOL,
     "a scheduled interruption or planned maintenance (CIR art. 3(2): not significant)"},
    /* availability (CIR arts. 5-14) */
    {"unavailable_minutes", FACT_COUNT, "minutes the service was completely unavailable"},
    {"limited_availability_minutes", FACT_COUNT, "minutes of limited availability"},
    {"users_limited", FACT_COUNT, "users facing limited availability"},
    {"users_unavailable", FACT_COUNT, "users facing complete unavailability"},
    {"avg_response_seconds", FACT_NUMBER, "average response time (DNS, TLD), seconds"},
    {"slow_response_minutes", FACT_COUNT, "minutes the average response time was too slow"},
    {"unavailable_minutes_week", FACT_COUNT,
     "minutes unavailable to users or relying parties this calendar week (trust services)"},
    /* data (CIR arts. 5-14) */
    {"data_integrity_compromised", FACT_BOOL, "integrity of stored, transmitted or processed data"},
    {"data_confidentiality_compromised", FACT_BOOL, "confidentiality of data"},
    {"data_authenticity_compromised", FACT_BOOL, "authenticity of data"},
    {"data_compromise_malicious", FACT_BOOL, "the data compromise is suspectedly malicious"},
    {"users_data_compromised", FACT_COUNT, "users affected by the data compromise"},
    {"domains_affected", FACT_COUNT, "domain names affected (DNS misconfiguration exception)"},
    {"domains_managed", FACT_COUNT, "domain names the entity manages"},
    {"misconfiguration", FACT_BOOL, "caused by a misconfiguration (DNS exception, CIR art. 5(c))"},
    {"physical_access_compromised", FACT_BOOL,
     "physical access to a restricted area, or its protection, compromised"},
    /* essential services (CER art. 15) */
    {"critical_service_affected", FACT_BOOL, "a critical or essential service is affected"},
    {"geographic_area", FACT_TEXT, "the area affected, in words"},
    {"geographically_isolated", FACT_BOOL, "the affected area is geographically isolated"},
    /* personal data (GDPR arts. 33-34) */
    {"personal_data_breach", FACT_BOOL, "a personal data breach (GDPR art. 4(12))"},
    {"data_subjects_affected", FACT_COUNT, "data subjects whose personal data is involved"},
    {"breach_risk_unlikely", FACT_BOOL,
     "the breach is unlikely to result in a risk to people (GDPR art. 33(1))"},
    {"breach_high_risk", FACT_BOOL, "likely high risk to people (GDPR art. 34)"},
    /* financial entities (DORA; RTS 2024/1772 arts. 8-9) */
    {"clients_affected", FACT_COUNT, "clients affected"},
    {"clients_total", FACT_COUNT, "clients using the affected service"},
    {"counterparts_affected_share", FACT_NUMBER, "share of financial counterparts affected, 0-1"},
    {"transactions_affected", FACT_COUNT, "transactions affected"},
    {"transactions_daily_average", FACT_COUNT, "daily average number of transactions"},
    {"transaction_value_affected_eur", FACT_NUMBER, "value of transactions affected"},
    {"transaction_value_daily_average_eur", FACT_NUMBER, "daily average value of transactions"},
    {"relevant_clients_affected", FACT_BOOL,
     "relevant clients or counterparts affected (art. 1(3))"},
    {"critical_service_downtime_minutes", FACT_COUNT,
     "downtime of ICT services supporting critical or important functions"},
    {"reputational_impact", FACT_BOOL,
     "media attention, repeated complaints, likely regulatory breach or client loss"},
    {"data_loss_cia", FACT_BOOL,
     "loss of availability, authenticity, integrity or confidentiality of data"},
    {"classified_major_at", FACT_TIME, "when the financial entity classified it as major"},
};
const size_t impact_facts_count = sizeof(impact_facts) / sizeof(impact_facts[0]);

void
incident_init(struct incident *inc, int64_t now)
{
    memset(inc, 0, sizeof(*inc));
    inc->category = CATEGORY_CYBER;
    inc->cause = CAUSE_UNKNOWN;
    inc->severity = SEVERITY_MEDIUM;
    inc->state = STATE_DETECTED;
    inc->tlp = TLP_AMBER;
    inc->detected_at = now;
    inc->aware_at = inc->started_at = inc->ended_at = TIME_UNSET;
    for (int s = 0; s < STATE_COUNT; s++)
        inc->state_at[s] = TIME_UNSET;
    inc->created_at = inc->updated_at = TIME_UNSET;
    inc->services = json_array();
    inc->impact = json_object();
    inc->description = strdup("");
}

/* ---- decoding ---- */

struct field_def {
    const char *name;
    enum { F_TEXT, F_ENUM, F_TIME, F_SERVICES, F_IMPACT, F_READONLY } kind;
    bool nullable;            /* may be null (unknown / nobody) */
    size_t offset;            /* of the member in struct incident */
    const char *const *names; /* F_ENUM */
    int nnames;
};

#define OFF(m) offsetof(struct incident, m)

static const struct field_def fields[] = {
    {"title", F_TEXT, false, OFF(title), NULL, 0},
    {"description", F_TEXT, false, OFF(description), NULL, 0},
    {"assignee", F_TEXT, true, OFF(assignee), NULL, 0},
    {"category", F_ENUM, false, OFF(category), incident_category_names, CATEGORY_COUNT},
    {"cause", F_ENUM, false, OFF(cause), incident_cause_names, CAUSE_COUNT},
    {"severity", F_ENUM, false, OFF(severity), incident_severity_names, SEVERITY_COUNT},
    {"tlp", F_ENUM, false, OFF(tlp), incident_tlp_names, TLP_COUNT},
    {"detected_at", F_TIME, false, OFF(detected_at), NULL, 0},
    {"aware_at", F_TIME, true, OFF(aware_at), NULL, 0},
    {"started_at", F_TIME, true, OFF(started_at), NULL, 0},
    {"ended_at", F_TIME, true, OFF(ended_at), NULL, 0},
    {"services", F_SERVICES, false, OFF(services), NULL, 0},
    {"impact", F_IMPACT, false, OFF(impact), NULL, 0},
    /* set by meldpunt, never by a request */
    {"id", F_READONLY, false, 0, NULL, 0},
    {"ref", F_READONLY, false, 0, NULL, 0},
    {"state", F_READONLY, false, 0, NULL, 0},
    {"version", F_READONLY, false, 0, NULL, 0},
    {"created_at", F_READONLY, false, 0, NULL, 0},
    {"created_by", F_READONLY, false, 0, NULL, 0},
    {"updated_at", F_READONLY, false, 0, NULL, 0},
    {"triage_at", F_READONLY, false, 0, NULL, 0},
    {"confirmed_at", F_READONLY, false, 0, NULL, 0},
    {"contained_at", F_READONLY, false, 0, NULL, 0},
    {"resolved_at", F_READONLY, false, 0, NULL, 0},
    {"closed_at", F_READONLY, false, 0, NULL, 0},
    {"dismissed_at", F_READONLY, false, 0, NULL, 0},
    {"transitions", F_READONLY, false, 0, NULL, 0},
};

static const struct fact_def *
fact_find(const char *name)
{
    for (size_t i = 0; i < impact_facts_count; i++) {
        if (strcmp(impact_facts[i].name, name) == 0)
            return &impact_facts[i];
    }
    return NULL;
}

static bool
country_code(const char *s)
{
    return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

/* Checks one fact's value; adds an error naming impact.NAME. */
static bool
fact_check(const struct fact_def *f, json_t *v, struct field_errors *errs)
{
    char field[96];
    size_t i;
    json_t *c;

    snprintf(field, sizeof(field), "impact.%s", f->name);
    switch (f->type) {
    case FACT_COUNT:
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            field_error(errs, field, "must be a whole number, 0 or more");
            return false;
        }
        return true;
    case FACT_BOOL:
        if (!json_is_boolean(v)) {
            field_error(errs, field, "must be true or false");
            return false;
        }
        return true;
    case FACT_NUMBER:
        if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1e15) {
            field_error(errs, field, "must be a number, 0 or more");
            return false;
        }
        return true;
    case FACT_TEXT:
        if (!json_is_string(v) || json_string_length(v) > 500 ||
            strlen(json_string_value(v)) != json_string_length(v)) {
            field_error(errs, field, "must be text of at most 500 characters");
            return false;
        }
        return true;
    case FACT_TIME: {
        int64_t t;
        if (!json_is_string(v) || time_parse_rfc3339(json_string_value(v), &t) != 0) {
            field_error(errs, field, "must be an RFC 3339 date-time");
            return false;
        }
        return true;
    }
    case FACT_COUNTRIES:
        if (!json_is_array(v) || json_array_size(v) > 60) {
            field_error(errs, field, "must be a list of ISO 3166-1 alpha-2 country codes");
            return false;
        }
        json_array_foreach(v, i, c)
        {
            if (!json_is_string(c) || !country_code(json_string_value(c))) {
                field_error(errs, field, "item %zu must be a two-letter country code such as NL",
                            i);
                return false;
            }
        }
        return true;
    }
    return false;
}

/* Merges patch into inc->impact (create: into {}); null removes a fact. */
static void
apply_impact(struct incident *inc, json_t *patch, struct field_errors *errs)
{
    const char *key;
    json_t *v;

    if (!json_is_object(patch)) {
        field_error(errs, "impact", "must be an object of facts");
        return;
    }
    json_object_foreach(patch, key, v)
    {
        const struct fact_def *f = fact_find(key);
        char field[96];

        snprintf(field, sizeof(field), "impact.%s", key);
        if (f == NULL) {
            field_error(errs, field, "unknown fact");
            continue;
        }
        if (json_is_null(v)) {
            json_object_del(inc->impact, key);
            continue;
        }
        if (fact_check(f, v, errs))
            json_object_set(inc->impact, key, v);
    }
}

static void
apply_services(struct incident *inc, json_t *v, struct field_errors *errs)
{
    size_t i, k;
    json_t *s;

    if (!json_is_array(v)) {
        field_error(errs, "services", "must be a list of service names");
        return;
    }
    if (json_array_size(v) > INCIDENT_SERVICES_MAX) {
        field_error(errs, "services", "at most %d services", INCIDENT_SERVICES_MAX);
        return;
    }
    json_array_foreach(v, i, s)
    {
        const char *name = json_string_value(s);
        if (name == NULL || text_blank(name) || text_chars(name) > INCIDENT_SERVICE_MAX ||
            strlen(name) != json_string_length(s)) {
            field_error(errs, "services", "item %zu must be a name of 1-%d characters", i,
                        INCIDENT_SERVICE_MAX);
            return;
        }
        for (k = 0; k < i; k++) {
            if (strcmp(json_string_value(json_array_get(v, k)), name) == 0) {
                field_error(errs, "services", "'%s' is listed twice", name);
                return;
            }
        }
    }
    json_decref(inc->services);
    inc->services = json_deep_copy(v);
}

static void
apply_field(struct incident *inc, const struct field_def *f, json_t *v, bool patch,
            struct field_errors *errs)
{
    char *base = (char *)inc + f->offset;
    int64_t t;

    if (f->kind == F_READONLY) {
        field_error(errs, f->name, "is set by meldpunt and cannot be written");
        return;
    }
    if (json_is_null(v) && f->kind != F_IMPACT) {
        if (!f->nullable) {
            field_error(errs, f->name, patch ? "cannot be removed" : "cannot be null");
            return;
        }
        if (f->kind == F_TEXT) {
            free(*(char **)base);
            *(char **)base = NULL;
        } else {
            *(int64_t *)base = TIME_UNSET;
        }
        return;
    }
    switch (f->kind) {
    case F_TEXT:
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
            field_error(errs, f->name, "must be a string");
            return;
        }
        free(*(char **)base);
        *(char **)base = strdup(json_string_value(v));
        return;
    case F_ENUM: {
        int e =
            json_is_string(v) ? incident_enum_parse(f->names, f->nnames, json_string_value(v)) : -1;
        if (e < 0) {
            char list[160] = "";
            for (int i = 0; i < f->nnames; i++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                         f->names[i]);
            field_error(errs, f->name, "must be one of %s", list);
            return;
        }
        *(int *)base = e;
        return;
    }
    case F_TIME:
        if (!json_is_string(v) || time_parse_rfc3339(json_string_value(v), &t) != 0) {
            field_error(errs, f->name,
                        "must be an RFC 3339 date-time such as 2026-11-29T08:15:00Z");
            return;
        }
        *(int64_t *)base = t;
        return;
    case F_SERVICES:
        apply_services(inc, v, errs);
        return;
    case F_IMPACT:
        if (json_is_null(v)) {
            json_object_clear(inc->impact); /* every fact unknown */
            return;
        }
        apply_impact(inc, v, errs);
        return;
    case F_READONLY:
        return;
    }
}

bool
incident_apply_json(struct incident *inc, json_t *obj, bool patch, int64_t now,
                    struct field_errors *errs)
{
    const char *key;
    json_t *v;
    int before = errs->count;

    json_object_foreach(obj, key, v)
    {
        const struct field_def *f = NULL;
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
            if (strcmp(fields[i].name, key) == 0) {
                f = &fields[i];
                break;
            }
        }
        if (f == NULL) {
            field_error(errs, key, "unknown field");
            continue;
        }
        apply_field(inc, f, v, patch, errs);
    }
    if (!patch && json_object_get(obj, "title") == NULL)
        field_error(errs, "title", "is required");
    else
        incident_validate(inc, now, errs);
    return errs->count == before;
}

bool
incident_validate(struct incident *inc, int64_t now, struct field_errors *errs)
{
    int before = errs->count;
    const char *tnames[] = {"detected_at", "aware_at", "started_at", "ended_at"};
    int64_t times[] = {inc->detected_at, inc->aware_at, inc->started_at, inc->ended_at};
    const char *key;
    json_t *v;

    if (inc->title == NULL || text_blank(inc->title))
        field_error(errs, "title", "must not be blank");
    else if (text_chars(inc->title) > INCIDENT_TITLE_MAX)
        field_error(errs, "title", "must be at most %d characters", INCIDENT_TITLE_MAX);
    if (inc->description && text_chars(inc->description) > INCIDENT_DESCRIPTION_MAX)
        field_error(errs, "description", "must be at most %d characters", INCIDENT_DESCRIPTION_MAX);
    if (inc->assignee && text_chars(inc->assignee) > INCIDENT_ASSIGNEE_MAX)
        field_error(errs, "assignee", "must be at most %d characters", INCIDENT_ASSIGNEE_MAX);
    if (inc->detected_at == TIME_UNSET)
        field_error(errs, "detected_at", "is required");
    for (int i = 0; i < 4; i++) {
        /* Awareness is a decision people record: never in the future.  The
         * other times often come from tools whose clocks may run a little
         * ahead of ours. */
        if (times[i] == TIME_UNSET)
            continue;
        if (i == 1 && times[i] > now)
            field_error(errs, tnames[i], "must not be in the future");
        else if (times[i] > now + INCIDENT_FUTURE_SKEW)
            field_error(errs, tnames[i],
                        "must not be more than %d minutes ahead of the server's clock",
                        INCIDENT_FUTURE_SKEW / 60);
    }
    if (inc->started_at != TIME_UNSET && inc->ended_at != TIME_UNSET &&
        inc->started_at > inc->ended_at)
        field_error(errs, "ended_at", "must not be before started_at");
    json_object_foreach(inc->impact, key, v)
    {
        const struct fact_def *f = fact_find(key);
        char field[96];
        snprintf(field, sizeof(field), "impact.%s", key);
        if (f == NULL)
            field_error(errs, field, "unknown fact");
        else
            fact_check(f, v, errs);
    }
    return errs->count == before;
}

int64_t
incident_duration_minutes(const struct incident *inc, int64_t now)
{
    json_t *v = json_object_get(inc->impact, "duration_minutes");
    int64_t end;

    if (json_is_integer(v))
        return json_integer_value(v);
    if (inc->started_at == TIME_UNSET)
        return -1;
    end = inc->ended_at != TIME_UNSET ? inc->ended_at : now;
    return end > inc->started_at ? (end - inc->started_at) / 60 : 0;
}

/* ---- encoding ---- */

static json_t *
time_json(int64_t t)
{
    char buf[TIME_RFC3339_LEN];

    if (t == TIME_UNSET || time_format_rfc3339(t, buf, sizeof(buf)) < 0)
        return json_null();
    return json_string(buf);
}

json_t *
incident_to_json(const struct incident *inc, int64_t now)
{
    const char *targets[STATE_COUNT + 1];
    json_t *o, *impact, *tr;
    int64_t minutes;

    impact = json_deep_copy(inc->impact);
    minutes = incident_duration_minutes(inc, now);
    if (minutes >= 0 && json_object_get(impact, "duration_minutes") == NULL)
        json_object_set_new(impact, "duration_minutes", json_integer(minutes));
    tr = json_array();
    incident_transition_targets(inc->state, targets);
    for (int i = 0; targets[i]; i++)
        json_array_append_new(tr, json_string(targets[i]));
    o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s}", "id", inc->id, "ref",
                  inc->ref, "title", inc->title, "description",
                  inc->description ? inc->description : "", "category",
                  incident_category_names[inc->category], "cause", incident_cause_names[inc->cause],
                  "severity", incident_severity_names[inc->severity], "state",
                  incident_state_names[inc->state], "assignee", inc->assignee, "tlp",
                  incident_tlp_names[inc->tlp]);
    if (o == NULL) {
        json_decref(impact);
        json_decref(tr);
        return NULL;
    }
    json_object_set_new(o, "detected_at", time_json(inc->detected_at));
    json_object_set_new(o, "aware_at", time_json(inc->aware_at));
    json_object_set_new(o, "started_at", time_json(inc->started_at));
    json_object_set_new(o, "ended_at", time_json(inc->ended_at));
    for (int s = STATE_TRIAGE; s < STATE_COUNT; s++) {
        char name[32];
        snprintf(name, sizeof(name), "%s_at", incident_state_names[s]);
        json_object_set_new(o, name, time_json(inc->state_at[s]));
    }
    json_object_set(o, "services", inc->services);
    json_object_set_new(o, "impact", impact);
    json_object_set_new(o, "created_at", time_json(inc->created_at));
    json_object_set_new(o, "created_by", json_string(inc->created_by));
    json_object_set_new(o, "updated_at", time_json(inc->updated_at));
    json_object_set_new(o, "version", json_integer(inc->version));
    json_object_set_new(o, "transitions", tr);
    return o;
}

/* The value of an editable field as JSON, for the timeline's old -> new. */
static json_t *
field_value(const struct incident *inc, const struct field_def *f)
{
    const char *base = (const char *)inc + f->offset;
    const char *s;

    switch (f->kind) {
    case F_TEXT:
        s = *(char *const *)base;
        return s ? json_string(s) : json_null();
    case F_ENUM:
        return json_string(f->names[*(const int *)base]);
    case F_TIME:
        return time_json(*(const int64_t *)base);
    case F_SERVICES:
    case F_IMPACT:
        return json_incref(*(json_t *const *)base);
    case F_READONLY:
        break;
    }
    return json_null();
}

/* ---- operations ---- */

static int
audit(sqlite3 *db, int64_t now, const struct principal *p, const char *action,
      const struct incident *inc, json_t *extra, struct mp_error *err)
{
    json_t *payload = extra ? extra : json_object();
    char *text;
    int rc;

    json_object_set_new(payload, "ref", json_string(inc->ref));
    json_object_set_new(payload, "version", json_integer(inc->version));
    text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(payload);
    if (text == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    rc = store_audit_append(db, now, p->name, action, inc->id, text, err);
    free(text);
    return rc;
}

static void
fmt_time(int64_t t, char out[TIME_RFC3339_LEN])
{
    time_format_rfc3339(t, out, TIME_RFC3339_LEN);
}

struct create_change {
    const struct principal *p;
    struct incident *inc;
    const struct idempotency *idem;
    char *first_answer;
    int64_t now;
};

char *
incident_answer_text(const struct incident *inc, int64_t now)
{
    json_t *j = incident_to_json(inc, now);
    char *text;

    if (j == NULL)
        return NULL;
    text = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17));
    json_decref(j);
    return text;
}

static int
create_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct create_change *c = arg;
    struct incident *inc = c->inc;
    char object_id[40];
    int found;

    /* the request's time, unless a change committed before this one was
     * later: updated_at never goes backwards in commit order */
    c->now = store_change_time(c->now);
    found = incident_idempotency_find(db, c->p, c->idem, c->now, object_id, &c->first_answer, err);
    if (found < 0)
        return -1;
    if (found) {
        snprintf(inc->id, sizeof(inc->id), "%s", object_id);
        return 0;
    }
    if (incident_insert(db, c->p, inc, c->now, err) != 0)
        return -1;
    if (c->idem->key != NULL) {
        char *answer = incident_answer_text(inc, c->now);
        int rc;

        if (answer == NULL)
            return mp_error_set(err, 500, "", "out of memory");
        rc = incident_idempotency_put(db, c->p, c->idem, inc->id, answer, c->now, err);
        free(answer);
        return rc;
    }
    return 0;
}

int
incident_idempotency_put(sqlite3 *db, const struct principal *p, const struct idempotency *idem,
                         const char *object_id, const char *answer, int64_t now,
                         struct mp_error *err)
{
    static unsigned puts;

    if (store_idempotency_put(db, p->name, idem->key, idem->request_hash, object_id, answer, now,
                              err) != 0)
        return -1;
    /* Expired keys are swept now and then, not on every request (this
     * runs on the writer thread only). */
    if (++puts % 1024 == 0 && store_idempotency_purge(db, now, IDEMPOTENCY_MAX_AGE, err))
        return -1;
    return 0;
}

int
incident_insert(sqlite3 *db, const struct principal *p, struct incident *inc, int64_t now,
                struct mp_error *err)
{
    char at[TIME_RFC3339_LEN];

    uuid7_generate(inc->id);
    inc->state = STATE_DETECTED;
    for (int s = 0; s < STATE_COUNT; s++)
        inc->state_at[s] = TIME_UNSET;
    inc->state_at[STATE_DETECTED] = inc->detected_at;
    snprintf(inc->created_by, sizeof(inc->created_by), "%s", p->name);
    inc->version = 1;
    inc->created_at = inc->updated_at = now;
    if (store_incident_insert(db, inc, err) != 0)
        return -1;
    fmt_time(now, at);
    if (store_timeline_append(db, inc->id, at, p->name, "created", NULL, NULL, NULL, NULL, err) !=
        0)
        return -1;
    if (audit(db, now, p, "incident.create", inc,
              json_pack("{s:s, s:s, s:s}", "title", inc->title, "severity",
                        incident_severity_names[inc->severity], "category",
                        incident_category_names[inc->category]),
              err) != 0)
        return -1;
    /* judged against the reporting rules in the same transaction */
    return classify_refresh(db, inc, p->name, now, err);
}

int
incident_idempotency_find(sqlite3 *db, const struct principal *p, const struct idempotency *idem,
                          int64_t now, char object_id[40], char **first_answer,
                          struct mp_error *err)
{
    uint8_t hash[32];
    int found;

    *first_answer = NULL;
    if (idem->key == NULL)
        return 0;
    found = store_idempotency_find(db, p->name, idem->key, now, IDEMPOTENCY_MAX_AGE, hash,
                                   object_id, first_answer, err);
    if (found <= 0)
        return found;
    if (sodium_memcmp(hash, idem->request_hash, 32) != 0) {
        free(*first_answer);
        *first_answer = NULL;
        return mp_error_set(err, 409, "Idempotency-Key",
                            "this key was used with a different request");
    }
    return 1;
}

int
incident_create(const struct principal *p, int64_t now, struct incident *inc,
                const struct idempotency *idem, char **first_answer, struct field_errors *errs)
{
    struct create_change c = {.p = p, .inc = inc, .idem = idem, .now = now};
    struct mp_error err;

    *first_answer = NULL;
    if (!incident_validate(inc, now, errs))
        return -1;
    if (store_write(create_apply, &c, &err) != 0) {
        free(c.first_answer);
        return field_errors_fail(errs, &err);
    }
    *first_answer = c.first_answer;
    return 0;
}

int
incident_get(const char *id_or_ref, struct incident *out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    int found;

    if (db == NULL)
        return -1;
    found = store_incident_load(db, id_or_ref, out, err);
    if (found < 0)
        return -1;
    if (found == 0)
        return mp_error_set(err, 404, "", "no incident '%s'", id_or_ref);
    return 0;
}

/* Loads the incident for a change and checks If-Match. */
static int
load_for_change(sqlite3 *db, const char *id, int64_t if_match, struct incident *cur,
                struct mp_error *err)
{
    int found = store_incident_load(db, id, cur, err);

    if (found < 0)
        return -1;
    if (found == 0)
        return mp_error_set(err, 404, "", "no incident '%s'", id);
    if (if_match >= 0 && if_match != cur->version) {
        mp_error_set(err, 412, "If-Match",
                     "the incident changed: it is at version %lld, not %lld; read it again",
                     (long long)cur->version, (long long)if_match);
        incident_free(cur);
        return -1;
    }
    return 0;
}

struct update_change {
    const struct principal *p;
    const char *id;
    int64_t if_match;
    json_t *patch;
    const char *note; /* why, on each `changed` entry; NULL: none given */
    struct field_errors *errs;
    struct incident *next;
    struct incident *out;
    int64_t now;
};

/* A copy of cur's editable fields to apply a patch to. */
static int
copy_editable(const struct incident *cur, struct incident *next)
{
    *next = *cur;
    next->title = strdup(cur->title);
    next->description = strdup(cur->description ? cur->description : "");
    next->assignee = cur->assignee ? strdup(cur->assignee) : NULL;
    next->services = json_deep_copy(cur->services);
    next->impact = json_deep_copy(cur->impact);
    if (next->title == NULL || next->description == NULL || next->services == NULL ||
        next->impact == NULL || (cur->assignee && next->assignee == NULL)) {
        incident_free(next);
        return -1;
    }
    return 0;
}

static int
update_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct update_change *c = arg;
    struct incident cur;
    char at[TIME_RFC3339_LEN];
    json_t *changed;
    int rc = -1;

    struct incident next;

    c->now = store_change_time(c->now);
    if (load_for_change(db, c->id, c->if_match, &cur, err) != 0)
        return -1;
    if (copy_editable(&cur, &next) != 0) {
        incident_free(&cur);
        return mp_error_set(err, 500, "", "out of memory");
    }
    if (!incident_apply_json(&next, c->patch, true, c->now, c->errs) || c->errs->count > 0) {
        incident_free(&next);
        incident_free(&cur);
        return mp_error_set(err, 422, "", "the patch is not valid");
    }
    c->next = &next;
    fmt_time(c->now, at);
    changed = json_array();
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const struct field_def *f = &fields[i];
        json_t *old, *new;
        char *old_s, *new_s;
        int step;

        if (f->kind == F_READONLY)
            continue;
        old = field_value(&cur, f);
        new = field_value(c->next, f);
        if (json_equal(old, new)) {
            json_decref(old);
            json_decref(new);
            continue;
        }
        old_s = json_dumps(old, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        new_s = json_dumps(new, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        step = store_timeline_append(db, cur.id, at, c->p->name, "changed", f->name, old_s, new_s,
                                     c->note, err);
        free(old_s);
        free(new_s);
        json_decref(old);
        json_decref(new);
        if (step != 0)
            goto out;
        json_array_append_new(changed, json_string(f->name));
    }
    if (json_array_size(changed) > 0) {
        /* Move the editable fields over; the rest of cur stays. */
        struct incident *n = c->next;
        free(cur.title);
        free(cur.description);
        free(cur.assignee);
        json_decref(cur.services);
        json_decref(cur.impact);
        cur.title = n->title;
        cur.description = n->description;
        cur.assignee = n->assignee;
        cur.services = n->services;
        cur.impact = n->impact;
        n->title = n->description = n->assignee = NULL;
        n->services = n->impact = NULL;
        cur.category = n->category;
        cur.cause = n->cause;
        cur.severity = n->severity;
        cur.tlp = n->tlp;
        cur.detected_at = n->detected_at;
        cur.state_at[STATE_DETECTED] = n->detected_at;
        cur.aware_at = n->aware_at;
        cur.started_at = n->started_at;
        cur.ended_at = n->ended_at;
        cur.updated_at = c->now;
        cur.version++;
        if (store_incident_update(db, &cur, err) != 0)
            goto out;
        if (audit(db, c->now, c->p, "incident.update", &cur,
                  json_pack("{s:O, s:s?}", "fields", changed, "note", c->note), err) != 0 ||
            classify_refresh_noted(db, &cur, c->p->name, c->note, c->now, err) != 0)
            goto out;
    }
    *c->out = cur;
    memset(&cur, 0, sizeof(cur));
    rc = 0;
out:
    json_decref(changed);
    incident_free(&cur);
    incident_free(&next);
    return rc;
}

int
incident_patch(const struct principal *p, int64_t now, const char *id, int64_t if_match,
               json_t *patch, struct incident *out, struct field_errors *errs)
{
    struct update_change c = {.p = p,
                              .id = id,
                              .if_match = if_match,
                              .patch = patch,
                              .errs = errs,
                              .out = out,
                              .now = now};
    json_t *note = json_object_get(patch, "note"), *rest = NULL;
    struct mp_error err;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    /* `note` is not a field: it says why (the timeline and the audit
     * chain keep it), and a change that lifts a duty needs it */
    if (note != NULL) {
        if (!json_is_null(note) &&
            (!json_is_string(note) || strlen(json_string_value(note)) != json_string_length(note)))
            field_error(errs, "note", "must be text: the reason for the change");
        else if (json_is_string(note) && text_chars(json_string_value(note)) > INCIDENT_REASON_MAX)
            field_error(errs, "note", "must be at most %d characters", INCIDENT_REASON_MAX);
        else if (json_is_string(note) && !text_blank(json_string_value(note)))
            c.note = json_string_value(note);
        rest = json_copy(patch);
        if (rest == NULL) {
            mp_error_set(&err, 500, "", "out of memory");
            return field_errors_fail(errs, &err);
        }
        json_object_del(rest, "note");
        c.patch = rest;
    }
    if (store_write(update_apply, &c, &err) != 0) {
        /* a 422 from the patch left its field errors in errs already */
        rc = field_errors_fail(errs, &err);
    }
    json_decref(rest);
    return rc;
}

struct transition_change {
    const struct principal *p;
    const char *id;
    int64_t if_match;
    int to;
    const char *note;
    struct incident *out;
    int64_t now;
};

static int
transition_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct transition_change *c = arg;
    struct incident cur;
    char at[TIME_RFC3339_LEN], old_s[32], new_s[32];
    int from;

    c->now = store_change_time(c->now);
    if (load_for_change(db, c->id, c->if_match, &cur, err) != 0)
        return -1;
    from = cur.state;
    if (!incident_transition_allowed(from, c->to)) {
        const char *targets[STATE_COUNT + 1];
        char list[160] = "";
        int n = incident_transition_targets(from, targets);

        for (int i = 0; i < n; i++)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                     targets[i]);
        mp_error_set(err, 409, "to", "an incident in state '%s' cannot move to '%s'; %s%s",
                     incident_state_names[from], incident_state_names[c->to],
                     n ? "allowed: " : "it is final", list);
        incident_free(&cur);
        return -1;
    }
    cur.state = c->to;
    cur.state_at[c->to] = c->now;
    cur.updated_at = c->now;
    cur.version++;
    fmt_time(c->now, at);
    snprintf(old_s, sizeof(old_s), "\"%s\"", incident_state_names[from]);
    snprintf(new_s, sizeof(new_s), "\"%s\"", incident_state_names[c->to]);
    if (store_incident_update(db, &cur, err) != 0 ||
        store_timeline_append(db, cur.id, at, c->p->name, "transition", "state", old_s, new_s,
                              c->note, err) != 0 ||
        audit(db, c->now, c->p, "incident.transition", &cur,
              json_pack("{s:s, s:s}", "from", incident_state_names[from], "to",
                        incident_state_names[c->to]),
              err) != 0 ||
        classify_refresh(db, &cur, c->p->name, c->now, err) != 0 ||
        /* The closing guard, after the last judgement (which may have found
         * more owed): every report is submitted or waived. */
        (c->to == STATE_CLOSED && classify_check_closable(db, cur.id, err) != 0)) {
        incident_free(&cur);
        return -1;
    }
    *c->out = cur;
    return 0;
}

int
incident_transition(const struct principal *p, int64_t now, const char *id, int64_t if_match,
                    int to, const char *note, struct incident *out, struct mp_error *err)
{
    struct transition_change c = {.p = p,
                                  .id = id,
                                  .if_match = if_match,
                                  .to = to,
                                  .note = text_blank(note) ? NULL : note,
                                  .out = out,
                                  .now = now};

    memset(out, 0, sizeof(*out));
    if (to < 0 || to >= STATE_COUNT)
        return mp_error_set(err, 422, "to", "unknown state");
    if (note != NULL && text_chars(note) > INCIDENT_NOTE_MAX)
        return mp_error_set(err, 422, "note", "must be at most %d characters", INCIDENT_NOTE_MAX);
    if (to == STATE_DISMISSED && text_blank(note))
        return mp_error_set(err, 422, "note", "dismissing an incident needs the reason");
    return store_write(transition_apply, &c, err);
}

struct note_change {
    const struct principal *p;
    const char *id;
    const char *text;
    struct incident *out;
    int64_t now;
};

static int
note_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct note_change *c = arg;
    struct incident cur;
    char at[TIME_RFC3339_LEN];

    c->now = store_change_time(c->now);
    if (load_for_change(db, c->id, -1, &cur, err) != 0)
        return -1;
    cur.updated_at = c->now;
    cur.version++;
    fmt_time(c->now, at);
    if (store_incident_update(db, &cur, err) != 0 ||
        store_timeline_append(db, cur.id, at, c->p->name, "note", NULL, NULL, NULL, c->text, err) !=
            0 ||
        audit(db, c->now, c->p, "incident.note", &cur, NULL, err) != 0) {
        incident_free(&cur);
        return -1;
    }
    *c->out = cur;
    return 0;
}

int
incident_add_note(const struct principal *p, int64_t now, const char *id, const char *text,
                  struct incident *out, struct mp_error *err)
{
    struct note_change c = {.p = p, .id = id, .text = text, .out = out, .now = now};

    memset(out, 0, sizeof(*out));
    if (text == NULL || text_blank(text))
        return mp_error_set(err, 422, "text", "a note needs text");
    if (text_chars(text) > INCIDENT_NOTE_MAX)
        return mp_error_set(err, 422, "text", "must be at most %d characters", INCIDENT_NOTE_MAX);
    return store_write(note_apply, &c, err);
}

int
incident_list(const struct incident_filter *f, struct incident **items, int *count,
              int64_t *next_seq, struct mp_error *err)
{
    struct store_incident_query q = {
        .state = f->state,
        .severity = f->severity,
        .category = f->category,
        .q = f->q,
        .updated_since = f->updated_since,
        .before_seq = f->before_seq,
        .limit = f->limit,
        .tlp_limited = f->tlp_max < TLP_RED,
        .tlp_max = f->tlp_max,
    };
    sqlite3 *db = db_reader(err);

    *next_seq = 0;
    if (db == NULL || store_incident_query(db, &q, items, count, err) != 0)
        return -1;
    if (*count > f->limit) {
        /* the extra row says another page exists; it starts below the
         * last row shown */
        incident_free(&(*items)[*count - 1]);
        (*count)--;
        *next_seq = (*items)[*count - 1].seq;
    }
    return 0;
}

void
incident_list_free(struct incident *items, int count)
{
    for (int i = 0; i < count; i++)
        incident_free(&items[i]);
    free(items);
}

int
incident_timeline(const char *id_or_ref, struct timeline_entry **entries, int *count,
                  struct mp_error *err)
{
    struct incident inc;
    sqlite3 *db;

    if (incident_get(id_or_ref, &inc, err) != 0)
        return -1;
    db = db_reader(err);
    if (db == NULL || store_timeline_list(db, inc.id, entries, count, err) != 0) {
        incident_free(&inc);
        return -1;
    }
    incident_free(&inc);
    return 0;
}

void
incident_timeline_free(struct timeline_entry *entries, int count)
{
    for (int i = 0; i < count; i++) {
        free(entries[i].field);
        free(entries[i].old_value);
        free(entries[i].new_value);
        free(entries[i].note);
    }
    free(entries);
}

int
incident_count_by_state(int tlp_max, int64_t counts[STATE_COUNT], struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    if (db == NULL)
        return -1;
    return store_incident_count_by_state(db, tlp_max, counts, STATE_COUNT, err);
}

int
incident_check_visible(const struct principal *p, const char *id_or_ref, struct mp_error *err)
{
    struct incident inc;
    sqlite3 *db;
    int found, tlp;

    if (p->tlp_max >= TLP_RED)
        return 0;
    db = db_reader(err);
    if (db == NULL)
        return -1;
    found = store_incident_load(db, id_or_ref, &inc, err);
    if (found < 0)
        return -1;
    if (found == 0)
        return 0;
    tlp = inc.tlp;
    incident_free(&inc);
    if (tlp > p->tlp_max)
        return mp_error_set(err, 404, "", "no incident '%s'", id_or_ref);
    return 0;
}
