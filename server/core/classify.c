/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * classify.c - see classify.h.
 *
 * Deadlines count from the anchor the rule names: aware_at, detected_at,
 * started_at, handled_at (resolved), classified_major_at (a DORA fact),
 * classified_at (when this incident was first judged significant under the
 * regime) or stage:ID (when that report was sent).  An anchor not known
 * yet leaves the due time open; the earliest computable `due` entry binds
 * (rules_stage_time in rules.c works it out; this file supplies the
 * incident's anchors and its handling).  A stage judged on whether the
 * incident is still ongoing at its due time (NIS2 art. 23(4)(e)) may turn
 * out not to be due (waived by meldpunt, with the reason) or to be due
 * later; the sweeper judges those incidents before marking deadlines missed.
 */
#include "classify.h"
#include "classify_int.h"
#include "core/organisation.h"
#include "core/rules.h"
#include "lib/text.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"
#include "store/audit.h"
#include "store/classification.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/notifications.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
classify_fmt_time(int64_t t, char out[TIME_RFC3339_LEN])
{
    out[0] = '\0';
    if (t != TIME_UNSET && time_format_rfc3339(t, out, TIME_RFC3339_LEN) < 0)
        out[0] = '\0'; /* beyond year 9999: no time to show */
}

int64_t
classify_parse_time(const char *s)
{
    int64_t t;

    return s && *s && time_parse_rfc3339(s, &t) == 0 ? t : TIME_UNSET;
}

/* ---- facts ---- */

/* users_total and critical_service_affected from the registry, for facts
 * the incident does not give itself. */
static void
registry_facts(sqlite3 *db, const struct incident *inc, json_t *facts)
{
    bool want_users = json_object_get(facts, "users_total") == NULL;
    bool want_critical = json_object_get(facts, "critical_service_affected") == NULL;
    json_int_t users = 0;
    bool users_known = true, any_critical = false, all_known = true;
    size_t i;
    json_t *name;

    if (json_array_size(inc->services) == 0 || (!want_users && !want_critical))
        return;
    json_array_foreach(inc->services, i, name)
    {
        json_t *svc = NULL;
        struct mp_error err;

        if (store_service_get(db, json_string_value(name), &svc, &err) != 0 || svc == NULL) {
            users_known = all_known = false;
            continue;
        }
        if (json_is_integer(json_object_get(svc, "users_total")))
            users += json_integer_value(json_object_get(svc, "users_total"));
        else
            users_known = false;
        any_critical = any_critical || json_is_true(json_object_get(svc, "critical"));
        /* a service whose criticality is unknown leaves "none critical" unknown */
        all_known = all_known && json_is_boolean(json_object_get(svc, "critical"));
        json_decref(svc);
    }
    if (want_users && users_known)
        json_object_set_new(facts, "users_total", json_integer(users));
    if (want_critical && (any_critical || all_known))
        json_object_set_new(facts, "critical_service_affected", json_boolean(any_critical));
}

json_t *
classify_facts(sqlite3 *db, const struct incident *inc, int64_t now)
{
    json_t *facts = json_deep_copy(inc->impact);
    int64_t minutes = incident_duration_minutes(inc, now);

    if (facts == NULL)
        return NULL;
    if (minutes >= 0 && json_object_get(facts, "duration_minutes") == NULL)
        json_object_set_new(facts, "duration_minutes", json_integer(minutes));
    if (db != NULL)
        registry_facts(db, inc, facts);
    json_object_set_new(facts, "category", json_string(incident_category_names[inc->category]));
    json_object_set_new(facts, "cause", json_string(incident_cause_names[inc->cause]));
    json_object_set_new(facts, "severity", json_string(incident_severity_names[inc->severity]));
    json_object_set_new(facts, "tlp", json_string(incident_tlp_names[inc->tlp]));
    json_object_set_new(facts, "kind", json_string(incident_kind_names[inc->kind]));
    json_object_set(facts, "services", inc->services);
    return facts;
}

/* ---- deadlines ---- */

/* Every anchor but handled_at (rules.c works that out from the state
 * times) for one incident under one regime. */
struct anchor_ctx {
    sqlite3 *db;
    const struct incident *inc;
    const json_t *facts;
    const char *regime;
    int64_t classified_at;
    /* recurring incidents: the reports of the combination this incident
     * completed run from when it became significant (not before) */
    int64_t aware_floor;
};

/* Whether stage is one of the comma-separated list. */
static bool
stage_in_list(const char *list, const char *stage)
{
    size_t len = strlen(stage);

    for (const char *p = list; p != NULL; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        if (strncmp(p, stage, len) == 0 && (p[len] == ',' || p[len] == '\0'))
            return true;
    }
    return false;
}

/* When the latest report of a stage, or of any stage of a comma-separated
 * list, was sent: a first submission or any later one (an updated or
 * corrected report of the same stage; DORA: the intermediate report or its
 * update on recovery of regular activities, whichever came last). */
static int64_t
stage_last_sent(const struct anchor_ctx *a, const char *stages)
{
    struct notification *v = NULL;
    struct obligation o;
    struct mp_error err;
    int64_t last = TIME_UNSET;
    int n = 0;

    for (const char *p = stages; p != NULL; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        char id[sizeof(o.stage)];
        snprintf(id, sizeof(id), "%.*s", (int)strcspn(p, ","), p);
        if (store_obligation_find(a->db, a->inc->id, a->regime, id, &o, &err) == 1) {
            int64_t t = classify_parse_time(o.submitted_at);
            if (t != TIME_UNSET && (last == TIME_UNSET || t > last))
                last = t;
        }
    }
    if (store_notification_list(a->db, a->inc->id, &v, &n, &err) != 0)
        return last;
    for (int i = 0; v != NULL && i < n; i++) {
        int64_t t = classify_parse_time(v[i].submitted_at);
        if (strcmp(v[i].regime, a->regime) == 0 && stage_in_list(stages, v[i].stage) &&
            t != TIME_UNSET && (last == TIME_UNSET || t > last))
            last = t;
        notification_free(&v[i]);
    }
    free(v);
    return last;
}

static int64_t
anchor_time(const char *anchor, void *arg)
{
    const struct anchor_ctx *a = arg;

    if (strcmp(anchor, "aware_at") == 0)
        return a->aware_floor != TIME_UNSET &&
                       (a->inc->aware_at == TIME_UNSET || a->inc->aware_at < a->aware_floor)
                   ? a->aware_floor
                   : a->inc->aware_at;
    if (strcmp(anchor, "detected_at") == 0)
        return a->inc->detected_at;
    if (strcmp(anchor, "started_at") == 0)
        return a->inc->started_at;
    if (strcmp(anchor, "classified_at") == 0)
        return a->classified_at;
    if (strcmp(anchor, "classified_major_at") == 0) {
        /* the entity's own record of its classification as major; without
         * it, when meldpunt first judged the incident major (significant)
         * under the regime */
        int64_t t = classify_parse_time(
            json_string_value(json_object_get(a->facts, "classified_major_at")));
        return t != TIME_UNSET ? t : a->classified_at;
    }
    if (strncmp(anchor, "stage:", 6) == 0) {
        struct obligation o;
        struct mp_error err;
        if (store_obligation_find(a->db, a->inc->id, a->regime, anchor + 6, &o, &err) == 1)
            return classify_parse_time(o.submitted_at);
    }
    if (strncmp(anchor, "stage_last:", 11) == 0)
        return stage_last_sent(a, anchor + 11);
    return TIME_UNSET;
}

/* The clock of one incident at now: its handling (the last time it
 * reached resolved, and the last time it was reopened) and its anchors. */
static struct rule_clock
incident_clock(const struct incident *inc, struct anchor_ctx *a, int64_t now)
{
    struct rule_clock c = {.now = now,
                           .resolved_at = inc->state_at[STATE_RESOLVED],
                           .reopened_at = TIME_UNSET,
                           .anchor = anchor_time,
                           .ctx = a};

    /* resolved -> confirmed is the only way back ("it came back") */
    if (c.resolved_at != TIME_UNSET && inc->state_at[STATE_CONFIRMED] != TIME_UNSET &&
        inc->state_at[STATE_CONFIRMED] > c.resolved_at)
        c.reopened_at = inc->state_at[STATE_CONFIRMED];
    return c;
}

/* ---- refresh (inside a change) ---- */

/* The reason a change gave for itself (PATCH's note): required when the
 * change lifts a duty still owed, NULL when the change could give none. */
struct change_reason {
    const char *note;
    bool required;
};

/* Obligations a lift waived carry this before the reason. */
#define LIFT_PREFIX "lifted: "

/*
 * A rule set's lifted_by holds: the entity has established the fact that
 * lifts the duty (GDPR art. 33(1): the breach is unlikely to result in a
 * risk; the burden is the controller's), so what is still owed under the
 * regime is waived, with the reason the change gave, on the timeline and in
 * the audit chain.  A missed report keeps its missed_at.  When the fact is
 * withdrawn (lifted no longer holds and the regime is significant), what a
 * lift waived is owed again: pending, or missed if it was missed before.
 */
static int
lift_obligations(sqlite3 *db, const struct incident *inc, const struct ruleset *rs, bool lifted,
                 const struct change_reason *why, const char *principal, int64_t now,
                 const char *at, struct mp_error *err)
{
    struct obligation *v = NULL;
    char payload[200], stages[160] = "";
    int n = 0, rc = -1, owed = 0;

    if (store_obligation_list(db, inc->id, NULL, 1000, &v, &n, err) != 0)
        return -1;
    for (int i = 0; lifted && i < n; i++) {
        if (strcmp(v[i].regime, rs->regime) == 0 && !v[i].submitted_at[0] &&
            strcmp(v[i].status, "waived") != 0 && owed++ < 4)
            snprintf(stages + strlen(stages), sizeof(stages) - strlen(stages), "%s%s",
                     owed > 1 ? ", " : "", v[i].stage);
    }
    if (owed > 0 && why != NULL && why->required && (why->note == NULL || text_blank(why->note))) {
        rc = mp_error_set(err, 422, "note",
                          "this change lifts what is still owed under %s (%s%s): give the "
                          "reason in note",
                          rs->regime, stages, owed > 4 ? ", …" : "");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        struct obligation *o = &v[i];
        bool by_lift = strcmp(o->status, "waived") == 0 &&
                       strncmp(o->waived_reason, LIFT_PREFIX, strlen(LIFT_PREFIX)) == 0;
        const char *old_v = strcmp(o->status, "missed") == 0 ? "\"missed\"" : "\"pending\"";

        if (strcmp(o->regime, rs->regime) != 0 || o->submitted_at[0])
            continue;
        if (lifted && strcmp(o->status, "waived") != 0) {
            snprintf(o->waived_at, sizeof(o->waived_at), "%s", at);
            snprintf(o->waived_by, sizeof(o->waived_by), "%s", principal);
            snprintf(o->waived_reason, sizeof(o->waived_reason), LIFT_PREFIX "%s",
                     why != NULL && why->note != NULL && !text_blank(why->note)
                         ? why->note
                         : "the fact that lifts the duty was recorded without a reason");
            snprintf(o->status, sizeof(o->status), "waived");
            snprintf(payload, sizeof(payload),
                     "{\"regime\":\"%s\",\"stage\":\"%s\",\"lifted\":true}", o->regime, o->stage);
            if (store_obligation_update(db, o, err) != 0 ||
                store_timeline_append(db, inc->id, at, principal, "obligation", o->stage, old_v,
                                      "\"waived\"", o->waived_reason, err) != 0 ||
                store_audit_append(db, now, principal, "obligation.waive", o->id, payload, err) !=
                    0)
                goto out;
        } else if (!lifted && by_lift) {
            snprintf(o->status, sizeof(o->status), "%s", o->missed_at[0] ? "missed" : "pending");
            o->waived_at[0] = o->waived_by[0] = o->waived_reason[0] = '\0';
            snprintf(payload, sizeof(payload), "{\"regime\":\"%s\",\"stage\":\"%s\"}", o->regime,
                     o->stage);
            if (store_obligation_update(db, o, err) != 0 ||
                store_timeline_append(db, inc->id, at, principal, "obligation", o->stage,
                                      "\"waived\"", o->missed_at[0] ? "\"missed\"" : "\"pending\"",
                                      "owed again: the fact that lifted it no longer holds",
                                      err) != 0 ||
                store_audit_append(db, now, principal, "obligation.reopen", o->id, payload, err) !=
                    0)
                goto out;
        }
    }
    rc = 0;
out:
    free(v);
    return rc;
}

/* Obligations waived because their stage turned out not to be due carry
 * this before the reason. */
#define NOT_DUE_PREFIX "not due: "

/*
 * A stage that exists only while the incident is ongoing at its due time
 * (only_if_ongoing_at_due: NIS2's progress report) is owed provisionally
 * until then.  When the incident is handled by that time, what is still
 * owed is waived by meldpunt, with the reason, on the timeline and in the
 * audit chain; should the incident come back before the due time, it is
 * owed again.  After the due time the answer is frozen like any other.
 * Returns 1 when it waived or reopened o (nothing else to do), 0 when
 * there was nothing to do, -1 on error.
 */
static int
not_due_obligation(sqlite3 *db, const struct incident *inc, const struct rule_stage *rst,
                   const struct rule_stage_time *tm, struct obligation *o, const char *principal,
                   int64_t now, const char *at, struct mp_error *err)
{
    char payload[200], reason[400], d[TIME_RFC3339_LEN], h[TIME_RFC3339_LEN];
    bool by_not_due = strcmp(o->status, "waived") == 0 &&
                      strncmp(o->waived_reason, NOT_DUE_PREFIX, strlen(NOT_DUE_PREFIX)) == 0;

    if (!rst->only_if_ongoing)
        return 0;
    if (tm->not_due && strcmp(o->status, "pending") == 0) {
        classify_fmt_time(tm->regular, d);
        classify_fmt_time(inc->state_at[STATE_RESOLVED], h);
        snprintf(reason, sizeof(reason),
                 NOT_DUE_PREFIX "the incident was handled (resolved %s) by %s, when this report "
                                "would fall due; it is due only for an incident still ongoing "
                                "then",
                 h, d);
        snprintf(o->status, sizeof(o->status), "waived");
        snprintf(o->waived_at, sizeof(o->waived_at), "%s", at);
        snprintf(o->waived_by, sizeof(o->waived_by), "%s", principal);
        snprintf(o->waived_reason, sizeof(o->waived_reason), "%s", reason);
        snprintf(payload, sizeof(payload), "{\"regime\":\"%s\",\"stage\":\"%s\",\"not_due\":true}",
                 o->regime, o->stage);
        if (store_obligation_update(db, o, err) != 0 ||
            store_timeline_append(db, inc->id, at, principal, "obligation", o->stage, "\"pending\"",
                                  "\"waived\"", reason, err) != 0 ||
            store_audit_append(db, now, principal, "obligation.waive", o->id, payload, err) != 0)
            return -1;
        return 1;
    }
    if (!tm->not_due && by_not_due && (tm->regular == TIME_UNSET || now <= tm->regular)) {
        /* it came back before the report fell due: owed again */
        snprintf(o->status, sizeof(o->status), "pending");
        o->waived_at[0] = o->waived_by[0] = o->waived_reason[0] = '\0';
        classify_fmt_time(tm->due, o->due_at);
        snprintf(payload, sizeof(payload), "{\"regime\":\"%s\",\"stage\":\"%s\"}", o->regime,
                 o->stage);
        if (store_obligation_update(db, o, err) != 0 ||
            store_timeline_append(db, inc->id, at, principal, "obligation", o->stage, "\"waived\"",
                                  "\"pending\"", "owed again: the incident is no longer handled",
                                  err) != 0 ||
            store_audit_append(db, now, principal, "obligation.reopen", o->id, payload, err) != 0)
            return -1;
        return 1;
    }
    return 0;
}

/* The regime's status for the incident after this judgement: stored when
 * it moved (with a timeline entry when it turned significant or stopped
 * looking so), and what it means now ("effective": yes, no or
 * undetermined, written into res with the classification time and any
 * decision).  A lift (lifted_by) in force waives what is owed.  *status is
 * the stored status. */
static int
judge_regime(sqlite3 *db, const struct incident *inc, const struct ruleset *rs, json_t *res,
             const char *principal, int64_t now, const char *at, const struct change_reason *why,
             struct regime_status *out, const char **out_effective, struct mp_error *err)
{
    const char *sig = json_string_value(json_object_get(res, "significant"));
    struct regime_status status;
    int found = store_regime_status_get(db, inc->id, rs->regime, &status, err);
    const char *effective;
    bool lifted;

    if (found < 0)
        return -1;
    if (!found) {
        memset(&status, 0, sizeof(status));
        snprintf(status.regime, sizeof(status.regime), "%s", rs->regime);
        snprintf(status.significant, sizeof(status.significant), "no");
    }
    /* The timeline records the judgements that matter to people: a regime
     * becoming significant, or no longer looking so.  Every evaluation is
     * in the classification history anyway. */
    if (strcmp(sig, found ? status.significant : "no") != 0 &&
        (strcmp(sig, "yes") == 0 || (found && strcmp(status.significant, "yes") == 0))) {
        char old_v[32], new_v[32];
        json_t *rec = json_object_get(res, "recurrence");
        snprintf(old_v, sizeof(old_v), "\"%s\"", status.significant);
        snprintf(new_v, sizeof(new_v), "\"%s\"", sig);
        /* significant as one of recurring incidents: with which, on the timeline */
        if (store_timeline_append(db, inc->id, at, principal, "classification", rs->regime,
                                  found ? old_v : NULL, new_v,
                                  json_is_true(json_object_get(rec, "leads"))
                                      ? json_string_value(json_object_get(rec, "note"))
                                      : NULL,
                                  err) != 0)
            return -1;
    }
    if (found && strcmp(status.significant, sig) == 0 &&
        (strcmp(sig, "yes") != 0 || status.classified_at[0] != '\0')) {
        /* unchanged: nothing to write */
    } else if (found || strcmp(sig, "no") != 0) {
        /* (a regime never judged anything but "no" needs no row: that is
         * what its absence means) */
        snprintf(status.significant, sizeof(status.significant), "%s", sig);
        if (strcmp(sig, "yes") == 0 && status.classified_at[0] == '\0')
            snprintf(status.classified_at, sizeof(status.classified_at), "%s", at);
        if (store_regime_status_put(db, inc->id, &status, err) != 0)
            return -1;
    }

    /* Once significant, significant: only a manager's decision undoes it,
     * the regime no longer applying to us at all, or the entity recording
     * the fact its rules say lifts the duty (lifted_by). */
    lifted = json_is_string(json_object_get(res, "lifted")) &&
             strcmp(json_string_value(json_object_get(res, "lifted")), "yes") == 0;
    if (status.decision[0] != '\0' ||
        strcmp(json_string_value(json_object_get(res, "applies")), "no") == 0)
        effective = "no";
    else if (strcmp(json_string_value(json_object_get(res, "applies")), "yes") != 0)
        effective = "undetermined";
    else if (lifted)
        effective = "no";
    else if (status.classified_at[0] != '\0')
        effective = "yes";
    else
        effective = sig;
    json_object_set_new(res, "effective", json_string(effective));
    /* a lift in force waives; a lift withdrawn from a significant regime
     * brings back what it waived (a manager's decision is another matter) */
    lifted = lifted && status.decision[0] == '\0' &&
             strcmp(json_string_value(json_object_get(res, "applies")), "yes") == 0;
    if (rs->lifted_by_n != NULL && (lifted || strcmp(effective, "yes") == 0) &&
        lift_obligations(db, inc, rs, lifted, why, principal, now, at, err) != 0)
        return -1;
    json_object_set_new(res, "classified_at",
                        status.classified_at[0] ? json_string(status.classified_at) : json_null());
    if (status.decision[0] != '\0')
        json_object_set_new(res, "decision",
                            json_pack("{s:s, s:s, s:s, s:s}", "decision", status.decision, "reason",
                                      status.decision_reason, "by", status.decided_by, "at",
                                      status.decided_at));
    *out = status;
    *out_effective = effective;
    return 0;
}

/* A stage's due time in the judgement's JSON: due_at (or what it waits
 * for), a move past a weekend or holiday, and for a stage judged on the
 * incident being ongoing at its due time, what that comes to. */
static void
stage_times_json(json_t *st, const struct rule_stage *rst, const struct rule_stage_time *tm)
{
    int64_t due = tm->due;

    if (due != TIME_UNSET) {
        char d[TIME_RFC3339_LEN];
        classify_fmt_time(due, d);
        json_object_set_new(st, "due_at", json_string(d));
    } else {
        json_t *waiting = json_array();
        for (int w = 0; w < tm->nwaiting; w++)
            json_array_append_new(waiting, json_string(tm->waiting[w]));
        json_object_set_new(st, "due_at", json_null());
        json_object_set_new(st, "waiting_for", waiting);
    }
    if (tm->before_working_day != TIME_UNSET) {
        /* a weekend day or a holiday: moved to the next working day */
        char d[TIME_RFC3339_LEN];
        classify_fmt_time(tm->before_working_day, d);
        json_object_set_new(st, "due_before_working_day", json_string(d));
    }
    if (tm->calendar_gap)
        json_object_set_new(st, "calendar_gap", json_true());
    if (rst->without_deadline) {
        /* "without undue delay" and no number: due now (NIS2 art. 23(1)) */
        json_object_del(st, "waiting_for");
        json_object_set_new(st, "due_now", json_true());
    }
    if (rst->only_if_ongoing || rst->nongoing_due > 0) {
        /* NIS2 art. 23(4)(e): is the incident still ongoing when the
         * report falls due?  "undetermined" until then */
        json_object_set_new(st, "ongoing_at_due", json_string(tri_name(tm->ongoing)));
        if (tm->moved) {
            char d[TIME_RFC3339_LEN];
            classify_fmt_time(tm->regular, d);
            json_object_set_new(st, "regular_due_at", json_string(d));
        }
        if (tm->not_due)
            json_object_set_new(st, "not_due", json_true());
    }
}

/* The obligation for one stage of a significant regime: created, moved,
 * or missed (frozen once missed, submitted or waived). */
static int
owe_stage(sqlite3 *db, const struct incident *inc, const struct ruleset *rs,
          const struct rule_stage *rst, const struct rule_stage_time *tm, const char *principal,
          int64_t now, const char *at, struct mp_error *err)
{
    int64_t due = tm->due;
    struct obligation o;
    int have;

    have = store_obligation_find(db, inc->id, rs->regime, rst->id, &o, err);
    if (have < 0)
        return -1;
    if (have) {
        int r = not_due_obligation(db, inc, rst, tm, &o, principal, now, at, err);
        if (r < 0)
            return -1;
        if (r > 0)
            return 0; /* waived as not due, or owed again: done */
    } else if (tm->not_due) {
        return 0; /* never owed */
    }
    if (!have) {
        memset(&o, 0, sizeof(o));
        uuid7_generate(o.id);
        snprintf(o.incident_id, sizeof(o.incident_id), "%s", inc->id);
        snprintf(o.regime, sizeof(o.regime), "%s", rs->regime);
        snprintf(o.stage, sizeof(o.stage), "%s", rst->id);
        snprintf(o.status, sizeof(o.status), "pending");
        snprintf(o.created_at, sizeof(o.created_at), "%s", at);
    } else if (strcmp(o.status, "pending") != 0) {
        return 0; /* submitted, missed or waived: frozen */
    } else if (classify_parse_time(o.due_at) != TIME_UNSET && classify_parse_time(o.due_at) < now &&
               !tm->moved) {
        /* It was due and nothing came: missed, whatever the facts say
         * now (lateness is frozen even before the sweeper saw it).
         * Not so when the due time was the regular one of a report
         * that moves because the incident was still ongoing then (NIS2
         * art. 23(4)(e)): it was never binding. */
        snprintf(o.status, sizeof(o.status), "missed");
        snprintf(o.missed_at, sizeof(o.missed_at), "%s", o.due_at);
        return store_obligation_update(db, &o, err);
    }
    snprintf(o.recipient, sizeof(o.recipient), "%s", rst->recipient);
    o.asap = rst->asap;
    if (have && tm->moved && o.due_at[0] && classify_parse_time(o.due_at) == tm->regular) {
        /* the due time moves because the incident was still ongoing at
         * the regular one: say so, once */
        char note[300], d[TIME_RFC3339_LEN], r[TIME_RFC3339_LEN];
        classify_fmt_time(due, d);
        classify_fmt_time(tm->regular, r);
        snprintf(note, sizeof(note),
                 "%s %s: the incident was still ongoing at %s, so the due time moves %s%s",
                 rs->regime, rst->id, r, d[0] ? "to " : "after its handling (waiting for ",
                 d[0] ? d : (tm->nwaiting > 0 ? tm->waiting[0] : "?"));
        if (!d[0])
            snprintf(note + strlen(note), sizeof(note) - strlen(note), ")");
        if (store_timeline_append(db, inc->id, at, principal, "obligation", rst->id, NULL, NULL,
                                  note, err) != 0)
            return -1;
    }
    classify_fmt_time(due, o.due_at);
    if (due != TIME_UNSET && due < now) {
        snprintf(o.status, sizeof(o.status), "missed");
        snprintf(o.missed_at, sizeof(o.missed_at), "%s", o.due_at);
    }
    if (!have) {
        char note[200], to[120] = "";
        for (int r = 0; r < rst->nrecipients; r++)
            snprintf(to + strlen(to), sizeof(to) - strlen(to), "%s%s", r ? ", " : "",
                     rst->recipients[r]);
        snprintf(note, sizeof(note), "%s %s due to %s%s%s", rs->regime, rst->id, to,
                 o.due_at[0] ? " by " : "", o.due_at);
        if (store_obligation_insert(db, &o, err) != 0 ||
            store_timeline_append(db, inc->id, at, principal, "obligation", rst->id, NULL, NULL,
                                  note, err) != 0)
            return -1;
    } else if (store_obligation_update(db, &o, err) != 0) {
        return -1;
    }
    return 0;
}

static int
refresh_regime(sqlite3 *db, const struct incident *inc, const struct ruleset *rs,
               const json_t *facts, const json_t *profile, json_t *res, const char *principal,
               int64_t now, const char *at, const struct change_reason *why, struct mp_error *err)
{
    struct regime_status status;
    const char *effective;
    struct anchor_ctx actx;
    struct rule_clock clock;
    size_t k;
    json_t *st;

    if (judge_regime(db, inc, rs, res, principal, now, at, why, &status, &effective, err) != 0)
        return -1;
    actx = (struct anchor_ctx){.db = db,
                               .inc = inc,
                               .facts = facts,
                               .regime = rs->regime,
                               .classified_at = classify_parse_time(status.classified_at),
                               .aware_floor = TIME_UNSET};
    if (json_is_true(json_object_get(json_object_get(res, "recurrence"), "leads")))
        actx.aware_floor = actx.classified_at;
    clock = incident_clock(inc, &actx, now);
    clock.facts = facts;
    clock.profile = profile;
    json_array_foreach(json_object_get(res, "stages"), k, st)
    {
        const struct rule_stage *rst =
            rules_find_stage(rs, json_string_value(json_object_get(st, "id")));
        struct rule_stage_time tm;

        if (rst == NULL || rst->on_request || rst->voluntary || strcmp(effective, "no") == 0)
            continue; /* nothing is or may become owed: no due time to work out */
        rules_stage_time(rst, &clock, &tm);
        stage_times_json(st, rst, &tm);
        if (strcmp(effective, "yes") != 0 || json_is_true(json_object_get(st, "conditional")))
            continue; /* nothing owed (yet): not significant, or the stage's
                       * condition (a GDPR art. 34 high risk) is not known */
        if (owe_stage(db, inc, rs, rst, &tm, principal, now, at, err) != 0)
            return -1;
    }
    return 0;
}

/* always_record: a change caused this evaluation, so it is stored when its
 * outcome or its inputs (facts, profile) moved -- an edit that changes
 * neither (a title, the same edit again) writes no history row; the
 * sweeper's re-evaluations are stored only when the outcome moved. */
static int refresh_with(sqlite3 *db, const struct incident *inc, const char *principal, int64_t now,
                        bool always_record, const struct change_reason *why, struct mp_error *err);

/* The incidents with the same apparent root cause as one that changed are
 * judged again in the same change: they show its link and the combined
 * figures, and one of them may now complete a significant combination. */
static int
refresh_others(sqlite3 *db, const json_t *others, const char *self, const char *principal,
               int64_t now, struct mp_error *err)
{
    json_t *seen = json_object(), *id;
    size_t i;
    int rc = 0;

    json_array_foreach((json_t *)others, i, id)
    {
        struct incident o;
        const char *s = json_string_value(id);

        if (rc != 0 || strcmp(s, self) == 0 || json_object_get(seen, s) != NULL)
            continue;
        json_object_set_new(seen, s, json_true());
        if (store_incident_load(db, s, &o, err) != 1)
            continue;
        rc = refresh_with(db, &o, principal, now, false, NULL, err);
        incident_free(&o);
    }
    json_decref(seen);
    return rc;
}

static int refresh_once(sqlite3 *db, const struct incident *inc, const char *principal, int64_t now,
                        bool always_record, const struct change_reason *why, json_t *others,
                        struct mp_error *err);

static _Atomic(classify_obligations_fn) obligations_hook;

void
classify_on_obligations(classify_obligations_fn fn)
{
    atomic_store(&obligations_hook, fn);
}

static int
refresh_with(sqlite3 *db, const struct incident *inc, const char *principal, int64_t now,
             bool always_record, const struct change_reason *why, struct mp_error *err)
{
    json_t *others = json_array();
    /* the incidents it was linked with before this change too: it may
     * have left their combination (a new root cause) */
    int rc = always_record ? classify_recurrence_linked(db, inc->id, others, err) : 0;

    if (rc == 0)
        rc = refresh_once(db, inc, principal, now, always_record, why, others, err);

    /* a change (always_record) judges the others again; their own
     * judgement does not go round again */
    if (rc == 0 && always_record && json_array_size(others) > 0)
        rc = refresh_others(db, others, inc->id, principal, now, err);
    json_decref(others);
    return rc;
}

static int
refresh_once(sqlite3 *db, const struct incident *inc, const char *principal, int64_t now,
             bool always_record, const struct change_reason *why, json_t *others,
             struct mp_error *err)
{
    struct rules *rules = rules_acquire();
    json_t *profile = NULL, *facts = NULL, *regimes = json_array();
    struct rules_facts fv;
    char at[TIME_RFC3339_LEN], last_at[32], *last = NULL, *last_inputs = NULL;
    bool same;
    int64_t pversion = 0;
    classify_obligations_fn hook;
    int rc = -1;

    classify_fmt_time(now, at);
    if (organisation_load(db, &profile, &pversion, NULL, err) != 0)
        goto out;
    facts = classify_facts(db, inc, now);
    /* the outcome alone, over the flat fact vector: the explanation is
     * worked out when someone reads it (classify_store.c) */
    rules_facts_load(&fv, facts, profile);
    for (int i = 0; rules && i < rules->nsets; i++) {
        json_t *res = classify_decided(&rules->sets[i], &fv);
        json_array_append_new(regimes, res);
        if (classify_recurrence(db, inc, &rules->sets[i], profile, res, now, others, err) != 0)
            goto out;
        if (refresh_regime(db, inc, &rules->sets[i], facts, profile, res, principal, now, at, why,
                           err) != 0)
            goto out;
    }
    /* History: a row when the outcome moved (compared by content, not by
     * the rule files' versions); a change's also when the inputs it was
     * decided on moved, so that the words on read are of these facts. */
    if (store_classification_latest_row(db, inc->id, &last, &last_inputs, last_at, err) != 0)
        goto out;
    same = last != NULL && classify_same_outcome(regimes, last);
    if ((!same || always_record) &&
        classify_store_row(db, inc, at, pversion, rules, regimes, facts, profile,
                           same ? last_inputs : NULL, err) != 0)
        goto out;
    hook = atomic_load(&obligations_hook);
    if (hook != NULL && hook(db, inc->id, now, err) != 0) {
        rc = -1;
        goto out;
    }
    rc = 0;
out:
    free(last);
    free(last_inputs);
    json_decref(regimes);
    json_decref(facts);
    json_decref(profile);
    rules_release(rules);
    return rc;
}

static int
refresh(sqlite3 *db, const struct incident *inc, const char *principal, int64_t now,
        bool always_record, struct mp_error *err)
{
    return refresh_with(db, inc, principal, now, always_record, NULL, err);
}

int
classify_refresh(sqlite3 *db, const struct incident *inc, const char *principal, int64_t now,
                 struct mp_error *err)
{
    return refresh(db, inc, principal, now, true, err);
}

int
classify_refresh_quiet(sqlite3 *db, const struct incident *inc, const char *principal, int64_t now,
                       struct mp_error *err)
{
    return refresh(db, inc, principal, now, false, err);
}

int
classify_refresh_noted(sqlite3 *db, const struct incident *inc, const char *principal,
                       const char *note, int64_t now, struct mp_error *err)
{
    struct change_reason why = {.note = note, .required = true};

    return refresh_with(db, inc, principal, now, true, &why, err);
}

static int
judge_hook(sqlite3 *db, const struct incident *inc, const char *actor, const char *note,
           bool required_note, int64_t now, struct mp_error *err)
{
    struct change_reason why = {.note = note, .required = true};

    return refresh_with(db, inc, actor, now, true, required_note ? &why : NULL, err);
}

const struct incident_hooks classify_incident_hooks = {
    .judge = judge_hook,
    .closable = classify_check_closable,
};

int
classify_refresh_open(sqlite3 *db, const char *principal, int64_t now, struct mp_error *err)
{
    struct store_incident_query q = {
        .state = -1, .severity = -1, .category = -1, .updated_since = TIME_UNSET, .limit = 200};
    struct incident *items;
    int n;

    /* newest first, page by page */
    for (;;) {
        if (store_incident_query(db, &q, &items, &n, err) != 0)
            return -1;
        for (int i = 0; i < n && i < q.limit; i++) {
            int rc = 0;
            /* a profile or registry change judges every open incident; the
             * history keeps those whose outcome moved */
            if (items[i].state != STATE_CLOSED && items[i].state != STATE_DISMISSED)
                rc = refresh(db, &items[i], principal, now, false, err);
            if (rc != 0) {
                incident_list_free(items, n);
                return -1;
            }
        }
        if (n <= q.limit) {
            incident_list_free(items, n);
            return 0;
        }
        q.before_seq = items[q.limit - 1].seq;
        incident_list_free(items, n);
    }
}

int
classify_check_closable(sqlite3 *db, const char *incident_id, struct mp_error *err)
{
    struct obligation *v;
    char list[160] = "";
    int n, open = 0;

    if (store_obligation_list(db, incident_id, NULL, 1000, &v, &n, err) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        if (v[i].submitted_at[0] || strcmp(v[i].status, "waived") == 0)
            continue;
        if (open++ < 4)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s %s",
                     open > 1 ? ", " : "", v[i].regime, v[i].stage);
    }
    free(v);
    if (open == 0)
        return 0;
    return mp_error_set(err, 409, "to",
                        "%d report%s neither submitted nor waived (%s%s): submit or waive them "
                        "before closing",
                        open, open == 1 ? " is" : "s are", list, open > 4 ? ", …" : "");
}
