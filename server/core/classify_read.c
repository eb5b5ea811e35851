/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * classify_read.c - what an incident owes, read: its latest judgement, the
 * history, the obligations with their recipients and problems, and the
 * deadlines across incidents.  See classify.h.
 */
#include "classify.h"
#include "classify_int.h"
#include "core/organisation.h"
#include "core/rules.h"
#include "lib/text.h"
#include "lib/timeutil.h"
#include "store/classification.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/writer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reads ---- */

static int
open_incident(const char *id_or_ref, struct incident *inc, sqlite3 **db, struct mp_error *err)
{
    if (incident_get(id_or_ref, inc, err) != 0)
        return -1;
    *db = db_reader(err);
    if (*db == NULL) {
        incident_free(inc);
        return -1;
    }
    return 0;
}

/* ---- recipients ----
 *
 * A report goes to every role its stage names (the Cbw: the CSIRT and the
 * competent authority).  The roles the organisation profile holds must be
 * configured there, with a name and a contact; one that is not is a
 * problem on the incident, shown with the report it concerns, never a
 * recipient silently left out.  Read from the rules and the profile in
 * force, so configuring the recipient clears the problem at once. */

static const struct {
    const char *role, *en, *nl;
} profile_roles[] = {
    {"csirt", "the CSIRT", "het CSIRT"},
    {"supervisor", "the competent authority (supervisor)",
     "de bevoegde autoriteit (toezichthouder)"},
    {"dpa", "the data protection authority", "de toezichthouder voor persoonsgegevens"},
    {"cer_authority", "the authority for critical entities",
     "de autoriteit voor kritieke entiteiten"},
    {"financial_supervisor", "the financial supervisor", "de financiële toezichthouder"},
    {"trust_supervisor",
     "the supervisory body for trust services (eIDAS; in the Netherlands the RDI)",
     "het toezichthoudend orgaan voor vertrouwensdiensten (eIDAS; in Nederland de RDI)"},
};

/* The people concerned, whom a report informs directly: not configured
 * in the profile, but named in words all the same. */
struct concerned {
    const char *role, *en, *nl;
};

static const struct concerned concerned_roles[] = {
    {"clients", "the recipients of the service", "de afnemers van de dienst"},
    {"data_subjects", "the data subjects", "de betrokkenen"},
};

static const struct concerned *
concerned_role(const char *role)
{
    for (size_t i = 0; i < sizeof(concerned_roles) / sizeof(concerned_roles[0]); i++) {
        if (strcmp(concerned_roles[i].role, role) == 0)
            return &concerned_roles[i];
    }
    return NULL;
}

static int
profile_role(const char *role)
{
    for (size_t i = 0; i < sizeof(profile_roles) / sizeof(profile_roles[0]); i++) {
        if (strcmp(profile_roles[i].role, role) == 0)
            return (int)i;
    }
    return -1; /* data_subjects, clients: the people concerned, not configured */
}

/* Adds "recipients" [{role, name, contact, configured}] and "problems" to
 * o, the JSON of obligation ob: one problem per profile role not
 * configured, while the report is still owed. */
static void
obligation_recipients(json_t *o, const struct obligation *ob, const struct rules *rules,
                      const json_t *profile)
{
    const struct ruleset *rs = rules_find(rules, ob->regime);
    const struct rule_stage *st = rs ? rules_find_stage(rs, ob->stage) : NULL;
    const char *only[1] = {ob->recipient};
    const char *const *roles = st ? st->recipients : only;
    int n = st ? st->nrecipients : 1;
    bool owed = !ob->submitted_at[0] && strcmp(ob->status, "waived") != 0;
    json_t *list = json_array(), *problems = json_array(), *name = NULL;

    if (st != NULL)
        name = json_object_get(st->def, "name");
    /* the words people read: the report's name and the regime's title */
    if (name != NULL)
        json_object_set(o, "stage_name", name);
    if (rs != NULL && json_object_get(rs->doc, "title") != NULL)
        json_object_set(o, "regime_title", json_object_get(rs->doc, "title"));
    for (int i = 0; i < n; i++) {
        int r = profile_role(roles[i]);
        json_t *cfg = json_object_get(json_object_get(profile, "recipients"), roles[i]);
        const char *who = json_string_value(json_object_get(cfg, "name"));
        const char *contact = json_string_value(json_object_get(cfg, "contact"));
        bool ok = who && contact && !text_blank(who) && !text_blank(contact);
        char field[64], en[400], nl[400];

        if (r < 0) {
            const struct concerned *c = concerned_role(roles[i]);
            json_array_append_new(list, c ? json_pack("{s:s, s:{s:s, s:s}}", "role", roles[i],
                                                      "label", "en", c->en, "nl", c->nl)
                                          : json_pack("{s:s}", "role", roles[i]));
            continue;
        }
        json_array_append_new(list, json_pack("{s:s, s:{s:s, s:s}, s:s?, s:s?, s:b}", "role",
                                              roles[i], "label", "en", profile_roles[r].en, "nl",
                                              profile_roles[r].nl, "name", who, "contact", contact,
                                              "configured", ok));
        if (ok || !owed)
            continue;
        snprintf(field, sizeof(field), "recipients.%s", roles[i]);
        /* words for people: the report and the recipient by their names, where
         * to fill it in by the page's headings; the field stays in "field" */
        snprintf(en, sizeof(en),
                 "The report '%s' goes to %s, which the organisation profile does not name: "
                 "fill in its name and contact under Settings, Recipients of notifications.",
                 name ? json_string_value(json_object_get(name, "en")) : ob->stage,
                 profile_roles[r].en);
        snprintf(nl, sizeof(nl),
                 "De melding '%s' gaat naar %s, die niet in het organisatieprofiel staat: vul "
                 "naam en contact in bij Instellingen, Ontvangers van meldingen.",
                 name ? json_string_value(json_object_get(name, "nl")) : ob->stage,
                 profile_roles[r].nl);
        json_array_append_new(problems,
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "kind",
                                        "recipient_not_configured", "regime", ob->regime, "stage",
                                        ob->stage, "obligation", ob->id, "recipient", roles[i],
                                        "field", field, "text", "en", en, "nl", nl));
    }
    json_object_set_new(o, "recipients", list);
    json_object_set_new(o, "problems", problems);
    /* no numeric deadline, only "without undue delay": due now while owed
     * (NIS2 art. 23(1), (2): informing the recipients of the service) */
    if (st != NULL && st->without_deadline && strcmp(ob->status, "pending") == 0)
        json_object_set_new(o, "due_now", json_true());
}

/* Every problem of a list of obligations (as JSON), in one list. */
static json_t *
obligation_problems(const json_t *items)
{
    json_t *all = json_array(), *o;
    size_t i;

    json_array_foreach((json_t *)items, i, o)
        json_array_extend(all, json_object_get(o, "problems"));
    return all;
}

/* A pending obligation past its due time reads as missed before the
 * sweeper stores it so -- except a report whose due time moves when the
 * incident is still ongoing then (if_ongoing_at_due): the sweeper judges
 * that one. */
static bool
shows_missed(const struct rules *rules, const struct obligation *ob, int64_t due, int64_t now)
{
    const struct ruleset *rs = rules_find(rules, ob->regime);
    const struct rule_stage *st = rs ? rules_find_stage(rs, ob->stage) : NULL;

    return strcmp(ob->status, "pending") == 0 && due != TIME_UNSET && due < now &&
           (st == NULL || st->nongoing_due == 0);
}

static json_t *
obligations_json(sqlite3 *db, const char *incident_id, int64_t now, struct mp_error *err)
{
    struct obligation *v;
    struct rules *rules;
    json_t *arr, *profile = NULL;
    int64_t pversion;
    int n;

    if (organisation_load(db, &profile, &pversion, NULL, err) != 0)
        return NULL;
    if (store_obligation_list(db, incident_id, NULL, 1000, &v, &n, err) != 0) {
        json_decref(profile);
        return NULL;
    }
    rules = rules_acquire();
    arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = store_obligation_json(&v[i]);
        obligation_recipients(o, &v[i], rules, profile);
        int64_t due = classify_parse_time(v[i].due_at);
        /* between two sweeps, a passed deadline already shows as missed */
        if (shows_missed(rules, &v[i], due, now)) {
            json_object_set_new(o, "status", json_string("missed"));
            json_object_set_new(o, "missed_at", json_string(v[i].due_at));
        }
        json_object_set_new(o, "seconds_left",
                            due == TIME_UNSET ? json_null() : json_integer(due - now));
        json_array_append_new(arr, o);
    }
    free(v);
    rules_release(rules);
    json_decref(profile);
    return arr;
}

/* A stored row explained: the regimes as the change that stored them
 * answered (classify_store.c).  Takes result and inputs (JSON texts). */
static json_t *
row_explained(sqlite3 *db, const char *result, json_t *inputs, struct mp_error *err)
{
    json_t *stored = result ? json_loads(result, 0, NULL) : NULL, *out;

    if (stored == NULL)
        return json_array();
    if (inputs == NULL || classify_inputs_read(db, inputs, err) != 0)
        return stored; /* no inputs to explain it with: the decision alone */
    out = classify_explain(db, stored, inputs, err);
    json_decref(stored);
    return out;
}

/* The judgement of inc as stored on db (the reader, or a trial change). */
static int
judgement_json(sqlite3 *db, const struct incident *inc, int64_t now, json_t **out,
               struct mp_error *err)
{
    json_t *regimes, *statuses, *obligations, *inputs;
    char *last = NULL, *last_inputs = NULL, at[32] = "";

    *out = NULL;
    if (store_classification_latest_row(db, inc->id, &last, &last_inputs, at, err) != 0 ||
        store_regime_status_list(db, inc->id, &statuses, err) != 0) {
        free(last);
        free(last_inputs);
        return -1;
    }
    obligations = obligations_json(db, inc->id, now, err);
    inputs = last_inputs ? json_loads(last_inputs, 0, NULL) : NULL;
    regimes = row_explained(db, last, inputs, err);
    json_decref(inputs);
    free(last);
    free(last_inputs);
    if (obligations == NULL)
        obligations = json_array();
    *out =
        json_pack("{s:s, s:s, s:I, s:s?, s:o, s:o, s:o, s:o}", "incident", inc->id, "ref", inc->ref,
                  "incident_version", (json_int_t)inc->version, "evaluated_at", at[0] ? at : NULL,
                  "regimes", regimes ? regimes : json_array(), "status", statuses, "problems",
                  obligation_problems(obligations), "obligations", obligations);
    return 0;
}

int
classify_get(const char *id_or_ref, int64_t now, json_t **out, struct mp_error *err)
{
    struct incident inc;
    sqlite3 *db;
    int rc;

    *out = NULL;
    if (open_incident(id_or_ref, &inc, &db, err) != 0)
        return -1;
    rc = judgement_json(db, &inc, now, out, err);
    incident_free(&inc);
    return rc;
}

struct trial {
    const char *id_or_ref;
    int64_t now;
    json_t *out;
};

static int
trial_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct trial *t = arg;
    struct incident inc;
    int found = store_incident_load(db, t->id_or_ref, &inc, err), rc;

    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no incident '%s'", t->id_or_ref);
    rc = classify_refresh(db, &inc, "meldpunt", t->now, err) == 0
             ? judgement_json(db, &inc, t->now, &t->out, err)
             : -1;
    incident_free(&inc);
    return rc;
}

int
classify_trial(const char *id_or_ref, int64_t now, json_t **out, struct mp_error *err)
{
    struct trial t = {.id_or_ref = id_or_ref, .now = now};

    *out = NULL;
    if (store_write_dry(trial_apply, &t, err) != 0) {
        json_decref(t.out);
        return -1;
    }
    *out = t.out;
    return 0;
}

int
classify_history(const char *id_or_ref, json_t **out, struct mp_error *err)
{
    struct incident inc;
    json_t *items;
    sqlite3 *db;
    int rc;

    *out = NULL;
    if (open_incident(id_or_ref, &inc, &db, err) != 0)
        return -1;
    rc = store_classification_history(db, inc.id, &items, err);
    for (size_t i = 0; rc == 0 && i < json_array_size(items); i++) {
        /* each row with its profile and its explanation, as it answered */
        json_t *e = json_array_get(items, i), *inputs = json_object_get(e, "inputs");
        json_t *stored = json_object_get(e, "result"), *full;

        if (classify_inputs_read(db, inputs, err) != 0) {
            rc = -1;
            break;
        }
        full = classify_explain(db, stored, inputs, err);
        json_object_set_new(e, "result", full);
    }
    if (rc == 0)
        *out = json_pack("{s:s, s:o}", "incident", inc.id, "items", items);
    else
        json_decref(items);
    incident_free(&inc);
    return rc;
}

int
classify_obligations(const char *id_or_ref, int64_t now, json_t **out, struct mp_error *err)
{
    struct incident inc;
    json_t *items;
    sqlite3 *db;

    *out = NULL;
    if (open_incident(id_or_ref, &inc, &db, err) != 0)
        return -1;
    items = obligations_json(db, inc.id, now, err);
    incident_free(&inc);
    if (items == NULL)
        return -1;
    *out = json_pack("{s:o, s:o}", "items", items, "problems", obligation_problems(items));
    return 0;
}

int
classify_deadlines(const char *before, int limit, int tlp_max, int64_t now, json_t **out,
                   struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    struct obligation *v;
    json_t *items, *profile = NULL;
    struct rules *rules;
    int64_t pversion;
    int n;

    *out = NULL;
    if (db == NULL || organisation_load(db, &profile, &pversion, NULL, err) != 0)
        return -1;
    if (store_obligation_list(db, NULL, before, limit, &v, &n, err) != 0) {
        json_decref(profile);
        return -1;
    }
    rules = rules_acquire();
    items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = store_obligation_json(&v[i]);
        struct incident inc;
        int64_t due = classify_parse_time(v[i].due_at);

        if (store_incident_load(db, v[i].incident_id, &inc, err) == 1) {
            if (inc.tlp > tlp_max) {
                incident_free(&inc);
                json_decref(o);
                continue;
            }
            json_object_set_new(o, "incident_ref", json_string(inc.ref));
            json_object_set_new(o, "incident_title", json_string(inc.title));
            json_object_set_new(o, "incident_state", json_string(incident_state_names[inc.state]));
            json_object_set_new(o, "incident_exercise", json_boolean(inc.exercise)); /* issue 22 */
            incident_free(&inc);
        }
        obligation_recipients(o, &v[i], rules, profile);
        if (shows_missed(rules, &v[i], due, now))
            json_object_set_new(o, "status", json_string("missed"));
        json_object_set_new(o, "seconds_left",
                            due == TIME_UNSET ? json_null() : json_integer(due - now));
        json_array_append_new(items, o);
    }
    free(v);
    rules_release(rules);
    json_decref(profile);
    *out = json_pack("{s:o, s:o}", "items", items, "problems", obligation_problems(items));
    return 0;
}
