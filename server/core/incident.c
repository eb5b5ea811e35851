/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * incident.c - the incident as a model: the state machine, the impact
 * facts, decoding and validating a request body, encoding the answer.  The
 * changes and reads are incident_change.c.  See incident.h.
 */
#include "incident.h"
#include "incident_int.h"
#include "lib/text.h"
#include "lib/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    {"recipients_affected", FACT_BOOL,
     "the recipients of the service are likely to be adversely affected in its provision (NIS2 "
     "art. 23(1)); for a cyber threat: potentially affected by it (art. 23(2))"},
    /* trust services (NIS2 art. 23(4), last subparagraph; eIDAS art. 24(2)) */
    {"trust_service_affected", FACT_BOOL,
     "the incident affects the provision of a trust service the entity provides"},
    {"trust_service_impact_significant", FACT_BOOL,
     "a security breach or disruption with a significant impact on the trust service or the "
     "personal data maintained in it (eIDAS art. 24(2))"},
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
    {"recovered_at", FACT_TIME,
     "when regular activities were recovered (DORA: Delegated Reg. 2025/301 art. 5(1)(b))"},
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
    inc->kind = KIND_INCIDENT;
    inc->root_cause_category = -1;
    inc->detected_at = now;
    inc->aware_at = inc->started_at = inc->ended_at = TIME_UNSET;
    for (int s = 0; s < STATE_COUNT; s++)
        inc->state_at[s] = TIME_UNSET;
    inc->created_at = inc->updated_at = TIME_UNSET;
    inc->services = json_array();
    inc->impact = json_object();
    inc->description = strdup("");
}

/* ---- the vocabulary, for clients ---- */

static json_t *
names_json(const char *const names[], int n)
{
    json_t *a = json_array();

    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(names[i]));
    return a;
}

json_t *
incident_schema_json(void)
{
    static const char *const kinds[] = {
        [FACT_COUNT] = "count",    [FACT_BOOL] = "bool", [FACT_NUMBER] = "number",
        [FACT_COUNTRIES] = "list", [FACT_TEXT] = "text", [FACT_TIME] = "time"};
    json_t *moves = json_object(), *facts = json_array(), *roots = json_array();

    for (int s = 0; s < STATE_COUNT; s++) {
        const char *to[STATE_COUNT + 1];
        int n = incident_transition_targets(s, to);
        json_object_set_new(moves, incident_state_names[s], names_json(to, n));
    }
    for (size_t i = 0; i < impact_facts_count; i++)
        json_array_append_new(facts, json_pack("{s:s, s:s}", "name", impact_facts[i].name, "kind",
                                               kinds[impact_facts[i].type]));
    for (int i = 0; i < ROOT_CAUSE_COUNT; i++)
        json_array_append_new(roots,
                              json_pack("{s:s, s:{s:s, s:s}}", "name", incident_root_cause_names[i],
                                        "label", "en", incident_root_cause_labels[i][0], "nl",
                                        incident_root_cause_labels[i][1]));
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "states",
                     names_json(incident_state_names, STATE_COUNT), "transitions", moves,
                     "categories", names_json(incident_category_names, CATEGORY_COUNT), "causes",
                     names_json(incident_cause_names, CAUSE_COUNT), "severities",
                     names_json(incident_severity_names, SEVERITY_COUNT), "tlp",
                     names_json(incident_tlp_names, TLP_COUNT), "kinds",
                     names_json(incident_kind_names, KIND_COUNT), "root_cause_categories", roots,
                     "facts", facts);
}

/* ---- decoding ---- */

struct field_def {
    const char *name;
    enum { F_TEXT, F_ENUM, F_TIME, F_SERVICES, F_IMPACT, F_READONLY, F_EXERCISE } kind;
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
    {"kind", F_ENUM, false, OFF(kind), incident_kind_names, KIND_COUNT},
    {"root_cause_category", F_ENUM, true, OFF(root_cause_category), incident_root_cause_names,
     ROOT_CAUSE_COUNT},
    {"root_cause", F_TEXT, true, OFF(root_cause), NULL, 0},
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
    /* issue 22: written by a create only, never changed afterwards */
    {"exercise", F_EXERCISE, false, OFF(exercise), NULL, 0},
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
    if (f->kind == F_EXERCISE) { /* issue 22: an exercise from creation on */
        if (patch)
            field_error(errs, f->name, "is fixed when the incident is created");
        else if (!json_is_boolean(v))
            field_error(errs, f->name, "must be true or false");
        else
            inc->exercise = json_is_true(v);
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
        } else if (f->kind == F_ENUM) {
            *(int *)base = -1; /* not known */
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
    case F_EXERCISE:
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
    if (inc->root_cause && text_chars(inc->root_cause) > INCIDENT_ROOT_CAUSE_MAX)
        field_error(errs, "root_cause", "must be at most %d characters", INCIDENT_ROOT_CAUSE_MAX);
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
    json_object_set_new(o, "kind", json_string(incident_kind_names[inc->kind]));
    json_object_set_new(o, "root_cause_category",
                        inc->root_cause_category >= 0
                            ? json_string(incident_root_cause_names[inc->root_cause_category])
                            : json_null());
    json_object_set_new(o, "root_cause",
                        inc->root_cause ? json_string(inc->root_cause) : json_null());
    json_object_set_new(o, "detected_at", time_format_json(inc->detected_at));
    json_object_set_new(o, "aware_at", time_format_json(inc->aware_at));
    json_object_set_new(o, "started_at", time_format_json(inc->started_at));
    json_object_set_new(o, "ended_at", time_format_json(inc->ended_at));
    for (int s = STATE_TRIAGE; s < STATE_COUNT; s++) {
        char name[32];
        snprintf(name, sizeof(name), "%s_at", incident_state_names[s]);
        json_object_set_new(o, name, time_format_json(inc->state_at[s]));
    }
    json_object_set(o, "services", inc->services);
    json_object_set_new(o, "impact", impact);
    json_object_set_new(o, "created_at", time_format_json(inc->created_at));
    json_object_set_new(o, "created_by", json_string(inc->created_by));
    json_object_set_new(o, "updated_at", time_format_json(inc->updated_at));
    json_object_set_new(o, "version", json_integer(inc->version));
    json_object_set_new(o, "exercise", json_boolean(inc->exercise)); /* issue 22 */
    json_object_set_new(o, "transitions", tr);
    return o;
}

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
        return *(const int *)base >= 0 ? json_string(f->names[*(const int *)base]) : json_null();
    case F_TIME:
        return time_format_json(*(const int64_t *)base);
    case F_SERVICES:
    case F_IMPACT:
        return json_incref(*(json_t *const *)base);
    case F_EXERCISE:
        return json_boolean(inc->exercise);
    case F_READONLY:
        break;
    }
    return json_null();
}

size_t
incident_field_count(void)
{
    return sizeof(fields) / sizeof(fields[0]);
}

const char *
incident_field_editable(size_t i)
{
    return i < incident_field_count() && fields[i].kind != F_READONLY &&
                   fields[i].kind != F_EXERCISE
               ? fields[i].name
               : NULL;
}

json_t *
incident_field_value(const struct incident *inc, size_t i)
{
    return field_value(inc, &fields[i]);
}
