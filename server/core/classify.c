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
#include "core/organisation.h"
#include "core/rules.h"
#include "lib/buf.h"
#include "lib/text.h"
#include "lib/ticker.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"
#include "store/audit.h"
#include "store/classification.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/notifications.h"
#include "store/writer.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
fmt(int64_t t, char out[TIME_RFC3339_LEN])
{
    out[0] = '\0';
    if (t != TIME_UNSET && time_format_rfc3339(t, out, TIME_RFC3339_LEN) < 0)
        out[0] = '\0'; /* beyond year 9999: no time to show */
}

static int64_t
parse(const char *s)
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
};

/* When the latest report of a stage was sent: its first submission or any
 * later one (an updated or corrected report of the same stage). */
static int64_t
stage_last_sent(const struct anchor_ctx *a, const char *stage)
{
    struct notification *v = NULL;
    struct obligation o;
    struct mp_error err;
    int64_t last = TIME_UNSET;
    int n = 0;

    if (store_obligation_find(a->db, a->inc->id, a->regime, stage, &o, &err) == 1)
        last = parse(o.submitted_at);
    if (store_notification_list(a->db, a->inc->id, &v, &n, &err) != 0)
        return last;
    for (int i = 0; v != NULL && i < n; i++) {
        int64_t t = parse(v[i].submitted_at);
        if (strcmp(v[i].regime, a->regime) == 0 && strcmp(v[i].stage, stage) == 0 &&
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
        return a->inc->aware_at;
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
        int64_t t = parse(json_string_value(json_object_get(a->facts, "classified_major_at")));
        return t != TIME_UNSET ? t : a->classified_at;
    }
    if (strncmp(anchor, "stage:", 6) == 0) {
        struct obligation o;
        struct mp_error err;
        if (store_obligation_find(a->db, a->inc->id, a->regime, anchor + 6, &o, &err) == 1)
            return parse(o.submitted_at);
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

static const struct rule_stage *
find_stage(const struct ruleset *rs, const char *id)
{
    for (int i = 0; i < rs->nstages; i++) {
        if (strcmp(rs->stages[i].id, id) == 0)
            return &rs->stages[i];
    }
    return NULL;
}

/* ---- refresh (inside a change) ---- */

/* What changes what the incident owes: significance, fired criteria, due
 * times.  Two evaluations with the same signature need no new history row. */
static void
signature(const json_t *regimes, struct buf *out)
{
    size_t i, k;
    json_t *r, *x;

    json_array_foreach(regimes, i, r)
    {
        buf_printf(out, "%s=%s/%s/%s:", json_string_value(json_object_get(r, "regime")),
                   json_string_value(json_object_get(r, "version")),
                   json_string_value(json_object_get(r, "applies")),
                   json_string_value(json_object_get(r, "effective")));
        json_array_foreach(json_object_get(r, "criteria"), k, x)
        {
            if (strcmp(json_string_value(json_object_get(x, "result")), "yes") == 0)
                buf_printf(out, "%s,", json_string_value(json_object_get(x, "id")));
        }
        json_array_foreach(json_object_get(r, "stages"), k, x)
        {
            json_t *due = json_object_get(x, "due_at");
            buf_printf(out, "[%s@%s]", json_string_value(json_object_get(x, "id")),
                       json_is_string(due) ? json_string_value(due) : "-");
        }
        buf_puts(out, ";");
    }
}

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
        fmt(tm->regular, d);
        fmt(inc->state_at[STATE_RESOLVED], h);
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
        fmt(tm->due, o->due_at);
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

static int
refresh_regime(sqlite3 *db, const struct incident *inc, const struct ruleset *rs,
               const json_t *facts, const json_t *profile, json_t *res, const char *principal,
               int64_t now, const char *at, const struct change_reason *why, struct mp_error *err)
{
    const char *sig = json_string_value(json_object_get(res, "significant"));
    struct regime_status status;
    int found = store_regime_status_get(db, inc->id, rs->regime, &status, err);
    const char *effective;
    int64_t classified_at;
    struct anchor_ctx actx;
    struct rule_clock clock;
    bool lifted;
    size_t k;
    json_t *st;

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
        snprintf(old_v, sizeof(old_v), "\"%s\"", status.significant);
        snprintf(new_v, sizeof(new_v), "\"%s\"", sig);
        if (store_timeline_append(db, inc->id, at, principal, "classification", rs->regime,
                                  found ? old_v : NULL, new_v, NULL, err) != 0)
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
    classified_at = parse(status.classified_at);

    actx = (struct anchor_ctx){
        .db = db, .inc = inc, .facts = facts, .regime = rs->regime, .classified_at = classified_at};
    clock = incident_clock(inc, &actx, now);
    clock.facts = facts;
    clock.profile = profile;
    json_array_foreach(json_object_get(res, "stages"), k, st)
    {
        const struct rule_stage *rst = find_stage(rs, json_string_value(json_object_get(st, "id")));
        struct rule_stage_time tm;
        struct obligation o;
        int64_t due;
        int have;

        if (rst == NULL || rst->on_request || strcmp(effective, "no") == 0)
            continue; /* nothing is or may become owed: no due time to work out */
        rules_stage_time(rst, &clock, &tm);
        due = tm.due;
        if (due != TIME_UNSET) {
            char d[TIME_RFC3339_LEN];
            fmt(due, d);
            json_object_set_new(st, "due_at", json_string(d));
        } else {
            json_t *waiting = json_array();
            for (int w = 0; w < tm.nwaiting; w++)
                json_array_append_new(waiting, json_string(tm.waiting[w]));
            json_object_set_new(st, "due_at", json_null());
            json_object_set_new(st, "waiting_for", waiting);
        }
        if (tm.before_working_day != TIME_UNSET) {
            /* a weekend day or a holiday: moved to the next working day */
            char d[TIME_RFC3339_LEN];
            fmt(tm.before_working_day, d);
            json_object_set_new(st, "due_before_working_day", json_string(d));
        }
        if (tm.calendar_gap)
            json_object_set_new(st, "calendar_gap", json_true());
        if (rst->only_if_ongoing || rst->nongoing_due > 0) {
            /* NIS2 art. 23(4)(e): is the incident still ongoing when the
             * report falls due?  "undetermined" until then */
            json_object_set_new(st, "ongoing_at_due", json_string(tri_name(tm.ongoing)));
            if (tm.moved) {
                char d[TIME_RFC3339_LEN];
                fmt(tm.regular, d);
                json_object_set_new(st, "regular_due_at", json_string(d));
            }
            if (tm.not_due)
                json_object_set_new(st, "not_due", json_true());
        }
        if (strcmp(effective, "yes") != 0 || json_is_true(json_object_get(st, "conditional")))
            continue; /* nothing owed (yet): not significant, or the stage's
                       * condition (a GDPR art. 34 high risk) is not known */
        have = store_obligation_find(db, inc->id, rs->regime, rst->id, &o, err);
        if (have < 0)
            return -1;
        if (have) {
            int r = not_due_obligation(db, inc, rst, &tm, &o, principal, now, at, err);
            if (r < 0)
                return -1;
            if (r > 0)
                continue; /* waived as not due, or owed again: done */
        } else if (tm.not_due) {
            continue; /* never owed */
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
            continue; /* submitted, missed or waived: frozen */
        } else if (parse(o.due_at) != TIME_UNSET && parse(o.due_at) < now && !tm.moved) {
            /* It was due and nothing came: missed, whatever the facts say
             * now (lateness is frozen even before the sweeper saw it).
             * Not so when the due time was the regular one of a report
             * that moves because the incident was still ongoing then (NIS2
             * art. 23(4)(e)): it was never binding. */
            snprintf(o.status, sizeof(o.status), "missed");
            snprintf(o.missed_at, sizeof(o.missed_at), "%s", o.due_at);
            if (store_obligation_update(db, &o, err) != 0)
                return -1;
            continue;
        }
        snprintf(o.recipient, sizeof(o.recipient), "%s", rst->recipient);
        o.asap = rst->asap;
        if (have && tm.moved && o.due_at[0] && parse(o.due_at) == tm.regular) {
            /* the due time moves because the incident was still ongoing at
             * the regular one: say so, once */
            char note[300], d[TIME_RFC3339_LEN], r[TIME_RFC3339_LEN];
            fmt(due, d);
            fmt(tm.regular, r);
            snprintf(note, sizeof(note),
                     "%s %s: the incident was still ongoing at %s, so the due time moves %s%s",
                     rs->regime, rst->id, r, d[0] ? "to " : "after its handling (waiting for ",
                     d[0] ? d : (tm.nwaiting > 0 ? tm.waiting[0] : "?"));
            if (!d[0])
                snprintf(note + strlen(note), sizeof(note) - strlen(note), ")");
            if (store_timeline_append(db, inc->id, at, principal, "obligation", rst->id, NULL, NULL,
                                      note, err) != 0)
                return -1;
        }
        fmt(due, o.due_at);
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
    }
    return 0;
}

/* always_record: a change caused this evaluation, so it is stored even when
 * its outcome is the same as before (the history then replays every change);
 * the sweeper's re-evaluations are stored only when the outcome moved. */
static int
refresh_with(sqlite3 *db, const struct incident *inc, const char *principal, int64_t now,
             bool always_record, const struct change_reason *why, struct mp_error *err)
{
    struct rules *rules = rules_acquire();
    json_t *profile = NULL, *facts = NULL, *regimes = json_array(), *versions = json_object();
    struct buf sig_new = BUF_INIT, sig_old = BUF_INIT;
    char at[TIME_RFC3339_LEN], last_at[32], *last = NULL;
    int64_t pversion = 0;
    int rc = -1;

    fmt(now, at);
    if (organisation_load(db, &profile, &pversion, NULL, err) != 0)
        goto out;
    facts = classify_facts(db, inc, now);
    for (int i = 0; rules && i < rules->nsets; i++) {
        json_t *res = rules_evaluate(&rules->sets[i], facts, profile);
        json_array_append_new(regimes, res);
        json_object_set_new(versions, rules->sets[i].regime, json_string(rules->sets[i].version));
        if (refresh_regime(db, inc, &rules->sets[i], facts, profile, res, principal, now, at, why,
                           err) != 0)
            goto out;
    }
    /* History: every change's evaluation; the sweeper's only when the
     * outcome differs from the last one. */
    if (!always_record) {
        if (store_classification_latest(db, inc->id, &last, last_at, err) != 0)
            goto out;
        signature(regimes, &sig_new);
        if (last != NULL) {
            json_t *old = json_loads(last, 0, NULL);
            signature(old, &sig_old);
            json_decref(old);
        }
    }
    if (always_record || last == NULL ||
        strcmp(sig_new.data ? sig_new.data : "", sig_old.data ? sig_old.data : "")) {
        json_t *inputs = json_pack("{s:O, s:O}", "facts", facts, "profile", profile);
        char *t_rules = json_dumps(versions, JSON_COMPACT | JSON_SORT_KEYS);
        char *t_inputs = json_dumps(inputs, JSON_COMPACT | JSON_SORT_KEYS);
        char *t_result = json_dumps(regimes, JSON_COMPACT);

        rc = t_rules && t_inputs && t_result
                 ? store_classification_insert(db, inc->id, at, inc->version, pversion, t_rules,
                                               t_inputs, t_result, err)
                 : mp_error_set(err, 500, "", "out of memory");
        free(t_rules);
        free(t_inputs);
        free(t_result);
        json_decref(inputs);
        if (rc != 0)
            goto out;
    }
    rc = 0;
out:
    free(last);
    buf_free(&sig_new);
    buf_free(&sig_old);
    json_decref(versions);
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
classify_refresh_noted(sqlite3 *db, const struct incident *inc, const char *principal,
                       const char *note, int64_t now, struct mp_error *err)
{
    struct change_reason why = {.note = note, .required = true};

    return refresh_with(db, inc, principal, now, true, &why, err);
}

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
};

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
    const struct rule_stage *st = rs ? find_stage(rs, ob->stage) : NULL;
    const char *only[1] = {ob->recipient};
    const char *const *roles = st ? st->recipients : only;
    int n = st ? st->nrecipients : 1;
    bool owed = !ob->submitted_at[0] && strcmp(ob->status, "waived") != 0;
    json_t *list = json_array(), *problems = json_array(), *name = NULL;

    if (st != NULL)
        name = json_object_get(st->def, "name");
    for (int i = 0; i < n; i++) {
        int r = profile_role(roles[i]);
        json_t *cfg = json_object_get(json_object_get(profile, "recipients"), roles[i]);
        const char *who = json_string_value(json_object_get(cfg, "name"));
        const char *contact = json_string_value(json_object_get(cfg, "contact"));
        bool ok = who && contact && !text_blank(who) && !text_blank(contact);
        char field[64], en[400], nl[400];

        if (r < 0) {
            json_array_append_new(list, json_pack("{s:s}", "role", roles[i]));
            continue;
        }
        json_array_append_new(list, json_pack("{s:s, s:s?, s:s?, s:b}", "role", roles[i], "name",
                                              who, "contact", contact, "configured", ok));
        if (ok || !owed)
            continue;
        snprintf(field, sizeof(field), "recipients.%s", roles[i]);
        snprintf(en, sizeof(en),
                 "The report '%s' (%s) goes to %s, which the organisation profile does not "
                 "configure: fill in %s (name and contact).",
                 name ? json_string_value(json_object_get(name, "en")) : ob->stage, ob->regime,
                 profile_roles[r].en, field);
        snprintf(nl, sizeof(nl),
                 "De melding '%s' (%s) gaat naar %s, die niet in het organisatieprofiel staat: "
                 "vul %s in (naam en contact).",
                 name ? json_string_value(json_object_get(name, "nl")) : ob->stage, ob->regime,
                 profile_roles[r].nl, field);
        json_array_append_new(problems,
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "kind",
                                        "recipient_not_configured", "regime", ob->regime, "stage",
                                        ob->stage, "obligation", ob->id, "recipient", roles[i],
                                        "field", field, "text", "en", en, "nl", nl));
    }
    json_object_set_new(o, "recipients", list);
    json_object_set_new(o, "problems", problems);
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
    const struct rule_stage *st = rs ? find_stage(rs, ob->stage) : NULL;

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
        int64_t due = parse(v[i].due_at);
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

int
classify_get(const char *id_or_ref, int64_t now, json_t **out, struct mp_error *err)
{
    struct incident inc;
    json_t *regimes, *statuses, *obligations;
    char *last = NULL, at[32] = "";
    sqlite3 *db;

    *out = NULL;
    if (open_incident(id_or_ref, &inc, &db, err) != 0)
        return -1;
    if (store_classification_latest(db, inc.id, &last, at, err) != 0 ||
        store_regime_status_list(db, inc.id, &statuses, err) != 0) {
        incident_free(&inc);
        free(last);
        return -1;
    }
    obligations = obligations_json(db, inc.id, now, err);
    regimes = last ? json_loads(last, 0, NULL) : json_array();
    free(last);
    if (obligations == NULL)
        obligations = json_array();
    *out =
        json_pack("{s:s, s:s, s:I, s:s?, s:o, s:o, s:o, s:o}", "incident", inc.id, "ref", inc.ref,
                  "incident_version", (json_int_t)inc.version, "evaluated_at", at[0] ? at : NULL,
                  "regimes", regimes ? regimes : json_array(), "status", statuses, "problems",
                  obligation_problems(obligations), "obligations", obligations);
    incident_free(&inc);
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
        int64_t due = parse(v[i].due_at);

        if (store_incident_load(db, v[i].incident_id, &inc, err) == 1) {
            if (inc.tlp > tlp_max) {
                incident_free(&inc);
                json_decref(o);
                continue;
            }
            json_object_set_new(o, "incident_ref", json_string(inc.ref));
            json_object_set_new(o, "incident_title", json_string(inc.title));
            json_object_set_new(o, "incident_state", json_string(incident_state_names[inc.state]));
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

/* ---- manager actions ---- */

struct waive_change {
    const struct principal *p;
    int64_t now;
    const char *id_or_ref;
    const char *oid;
    const char *reason;
    struct obligation o;
};

static int
waive_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct waive_change *c = arg;
    struct incident inc;
    char at[TIME_RFC3339_LEN], payload[600];
    int found;

    found = store_incident_load(db, c->id_or_ref, &inc, err);
    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no incident '%s'", c->id_or_ref);
    found = store_obligation_get(db, c->oid, &c->o, err);
    if (found <= 0 || strcmp(c->o.incident_id, inc.id) != 0) {
        incident_free(&inc);
        return found < 0 ? -1
                         : mp_error_set(err, 404, "", "no obligation '%s' on %s", c->oid, inc.ref);
    }
    if (c->o.submitted_at[0] || strcmp(c->o.status, "waived") == 0) {
        incident_free(&inc);
        return mp_error_set(err, 409, "", "the obligation is already %s",
                            c->o.submitted_at[0] ? "submitted" : "waived");
    }
    fmt(c->now, at);
    snprintf(c->o.waived_at, sizeof(c->o.waived_at), "%s", at);
    snprintf(c->o.waived_by, sizeof(c->o.waived_by), "%s", c->p->name);
    snprintf(c->o.waived_reason, sizeof(c->o.waived_reason), "%s", c->reason);
    /* a missed obligation keeps its missed_at: lateness stays on record */
    snprintf(c->o.status, sizeof(c->o.status), "waived");
    snprintf(payload, sizeof(payload), "{\"regime\":\"%s\",\"stage\":\"%s\"}", c->o.regime,
             c->o.stage);
    if (store_obligation_update(db, &c->o, err) != 0 ||
        store_timeline_append(db, inc.id, at, c->p->name, "obligation", c->o.stage, "\"pending\"",
                              "\"waived\"", c->reason, err) != 0 ||
        store_audit_append(db, c->now, c->p->name, "obligation.waive", c->o.id, payload, err) !=
            0) {
        incident_free(&inc);
        return -1;
    }
    incident_free(&inc);
    return 0;
}

int
classify_waive(const struct principal *p, int64_t now, const char *id_or_ref,
               const char *obligation_id, const char *reason, json_t **out, struct mp_error *err)
{
    struct waive_change c = {
        .p = p, .now = now, .id_or_ref = id_or_ref, .oid = obligation_id, .reason = reason};

    *out = NULL;
    if (text_blank(reason))
        return mp_error_set(err, 422, "reason", "waiving a report needs the reason");
    if (text_chars(reason) > 390)
        return mp_error_set(err, 422, "reason", "must be at most 390 characters");
    if (store_write(waive_apply, &c, err) != 0)
        return -1;
    *out = store_obligation_json(&c.o);
    return 0;
}

struct decide_change {
    const struct principal *p;
    int64_t now;
    const char *id_or_ref;
    const char *regime;
    bool notifiable;
    const char *reason;
};

static int
decide_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct decide_change *c = arg;
    struct regime_status s;
    struct incident inc;
    struct obligation *v = NULL;
    char at[TIME_RFC3339_LEN], payload[200];
    int found, n = 0, rc = -1;
    int64_t now = c->now;

    found = store_incident_load(db, c->id_or_ref, &inc, err);
    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no incident '%s'", c->id_or_ref);
    fmt(now, at);
    found = store_regime_status_get(db, inc.id, c->regime, &s, err);
    if (found < 0)
        goto out;
    if (!found) {
        memset(&s, 0, sizeof(s));
        snprintf(s.regime, sizeof(s.regime), "%s", c->regime);
        snprintf(s.significant, sizeof(s.significant), "no");
    }
    if (c->notifiable) {
        s.decision[0] = s.decision_reason[0] = s.decided_by[0] = s.decided_at[0] = '\0';
    } else {
        snprintf(s.decision, sizeof(s.decision), "not_notifiable");
        snprintf(s.decision_reason, sizeof(s.decision_reason), "%s", c->reason);
        snprintf(s.decided_by, sizeof(s.decided_by), "%s", c->p->name);
        snprintf(s.decided_at, sizeof(s.decided_at), "%s", at);
    }
    if (store_regime_status_put(db, inc.id, &s, err) != 0)
        goto out;
    if (!c->notifiable) {
        /* what was still owed under this regime is owed no longer */
        if (store_obligation_list(db, inc.id, NULL, 1000, &v, &n, err) != 0)
            goto out;
        for (int i = 0; i < n; i++) {
            if (strcmp(v[i].regime, c->regime) != 0 || v[i].submitted_at[0] ||
                strcmp(v[i].status, "waived") == 0)
                continue;
            snprintf(v[i].status, sizeof(v[i].status), "waived");
            snprintf(v[i].waived_at, sizeof(v[i].waived_at), "%s", at);
            snprintf(v[i].waived_by, sizeof(v[i].waived_by), "%s", c->p->name);
            snprintf(v[i].waived_reason, sizeof(v[i].waived_reason), "not notifiable: %s",
                     c->reason);
            if (store_obligation_update(db, &v[i], err) != 0)
                goto out;
        }
    }
    snprintf(payload, sizeof(payload), "{\"regime\":\"%s\",\"notifiable\":%s}", c->regime,
             c->notifiable ? "true" : "false");
    if (store_timeline_append(db, inc.id, at, c->p->name, "decision", c->regime, NULL,
                              c->notifiable ? "\"notifiable\"" : "\"not_notifiable\"", c->reason,
                              err) != 0 ||
        store_audit_append(db, now, c->p->name, "incident.decision", inc.id, payload, err) != 0 ||
        classify_refresh(db, &inc, c->p->name, now, err) != 0)
        goto out;
    rc = 0;
out:
    free(v);
    incident_free(&inc);
    return rc;
}

int
classify_decide(const struct principal *p, int64_t now, const char *id_or_ref, const char *regime,
                bool notifiable, const char *reason, json_t **out, struct mp_error *err)
{
    struct decide_change c = {.p = p,
                              .now = now,
                              .id_or_ref = id_or_ref,
                              .regime = regime,
                              .notifiable = notifiable,
                              .reason = reason ? reason : ""};
    struct rules *r = rules_acquire();
    bool known = rules_find(r, regime) != NULL;

    rules_release(r);
    *out = NULL;
    if (!known)
        return mp_error_set(err, 422, "regime", "no rule set for regime '%s'", regime);
    if (!notifiable && text_blank(reason))
        return mp_error_set(err, 422, "reason", "a \"not notifiable\" decision needs the reason");
    if (reason && text_chars(reason) > 390)
        return mp_error_set(err, 422, "reason", "must be at most 390 characters");
    if (store_write(decide_apply, &c, err) != 0)
        return -1;
    /* committed: whatever happens to the re-read, the answer is a success */
    if (classify_get(id_or_ref, now, out, err) != 0)
        *out = json_pack("{s:s, s:b}", "regime", regime, "notifiable", notifiable);
    return 0;
}

/* ---- the sweeper ---- */

struct sweep_change {
    int64_t now;
    const char *id;
};

/*
 * A report whose due time depends on the incident still being ongoing at
 * its regular due time (if_ongoing_at_due: NIS2's final report) is not
 * missed at that time when the incident is still ongoing then: its due
 * time moves.  So before passed deadlines are marked missed, the incidents
 * with such a report pending past its due time are judged again at now,
 * which moves it (or marks it missed when it was handled by then).
 */
static int
sweep_ongoing(sqlite3 *db, int64_t now, const char *at, struct mp_error *err)
{
    struct obligation *v = NULL;
    struct rules *rules = rules_acquire();
    bool *judged = NULL;
    int n = 0, rc = -1;

    if (store_obligation_list(db, NULL, at, 1000, &v, &n, err) != 0)
        goto out;
    judged = calloc((size_t)n + 1, sizeof(*judged));
    if (judged == NULL) {
        mp_error_set(err, 500, "", "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        const struct ruleset *rs = rules_find(rules, v[i].regime);
        const struct rule_stage *st = rs ? find_stage(rs, v[i].stage) : NULL;
        struct incident inc;
        bool seen = false;

        if (st == NULL || (st->nongoing_due == 0 && !st->only_if_ongoing) ||
            strcmp(v[i].status, "pending") != 0)
            continue;
        for (int k = 0; k < i && !seen; k++) /* one judgement per incident */
            seen = judged[k] && strcmp(v[k].incident_id, v[i].incident_id) == 0;
        judged[i] = true;
        if (seen)
            continue;
        if (store_incident_load(db, v[i].incident_id, &inc, err) != 1)
            goto out;
        if (refresh(db, &inc, "meldpunt", now, false, err) != 0) {
            incident_free(&inc);
            goto out;
        }
        incident_free(&inc);
    }
    rc = 0;
out:
    free(judged);
    free(v);
    rules_release(rules);
    return rc;
}

static int
sweep_missed_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct sweep_change *c = arg;
    char at[TIME_RFC3339_LEN];

    fmt(c->now, at);
    if (sweep_ongoing(db, c->now, at, err) != 0)
        return -1;
    return store_obligation_sweep(db, at, err) < 0 ? -1 : 0;
}

/* Re-judges one incident whose disruption is still going on. */
static int
sweep_refresh_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct sweep_change *c = arg;
    struct incident inc;
    int found = store_incident_load(db, c->id, &inc, err), rc;

    if (found <= 0)
        return found; /* gone: nothing to do */
    rc = refresh(db, &inc, "meldpunt", c->now, false, err);
    incident_free(&inc);
    return rc;
}

int
classify_sweep(int64_t now, struct mp_error *err)
{
    struct sweep_change c = {.now = now};
    /* every incident, whatever its TLP: the sweeper is nobody's view */
    struct incident_filter f = {.state = -1,
                                .severity = -1,
                                .category = -1,
                                .updated_since = TIME_UNSET,
                                .limit = 200,
                                .tlp_max = TLP_RED};
    struct incident *items;
    int64_t next;
    int n;

    if (store_write(sweep_missed_apply, &c, err) != 0)
        return -1;
    /* Ongoing disruptions get longer: judge them again, each in a change of
     * its own so that requests interleave (history only grows when the
     * outcome changes).  The newest 200 are the ones to watch. */
    if (incident_list(&f, &items, &n, &next, err) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        const struct incident *inc = &items[i];
        if (inc->state == STATE_CLOSED || inc->state == STATE_DISMISSED ||
            inc->started_at == TIME_UNSET || inc->ended_at != TIME_UNSET ||
            json_object_get(inc->impact, "duration_minutes") != NULL)
            continue;
        c.id = inc->id;
        if (store_write(sweep_refresh_apply, &c, err) != 0) {
            incident_list_free(items, n);
            return -1;
        }
    }
    incident_list_free(items, n);
    return 0;
}

static struct ticker sweeper;

void
classify_sweeper_start(unsigned interval_seconds)
{
    ticker_start(&sweeper, interval_seconds ? interval_seconds : 30, "obligation sweep",
                 classify_sweep);
}

void
classify_sweeper_stop(void)
{
    ticker_stop(&sweeper);
}

/* ---- services ---- */

int
services_list(json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    json_t *all;

    *out = NULL;
    if (db == NULL || store_service_get(db, NULL, &all, err) != 0)
        return -1;
    *out = json_pack("{s:o}", "items", all);
    return 0;
}

int
services_get(const char *name, json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    *out = NULL;
    if (db == NULL || store_service_get(db, name, out, err) != 0)
        return -1;
    if (*out == NULL)
        return mp_error_set(err, 404, "", "no service '%s'", name);
    return 0;
}

struct service_change {
    const struct principal *p;
    int64_t now;
    const char *name;
    const char *description;
    json_t *users_total;
    bool critical;
    char *member_states;
    bool created;
    bool delete;
};

static int
service_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct service_change *c = arg;
    char at[TIME_RFC3339_LEN], *payload;
    int64_t now = c->now;
    json_t *pj;
    int rc;

    fmt(now, at);
    if (c->delete) {
        if (store_service_delete(db, c->name, err) != 0)
            return -1;
    } else if (store_service_put(db, c->name, c->description, c->users_total, c->critical,
                                 c->member_states, at, c->p->name, &c->created, err) != 0) {
        return -1;
    }
    /* names are free text: let jansson quote them */
    pj = json_pack("{s:s}", "name", c->name);
    payload = pj ? json_dumps(pj, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(pj);
    if (payload == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    rc = store_audit_append(db, now, c->p->name, c->delete ? "service.delete" : "service.put",
                            c->name, payload, err);
    free(payload);
    if (rc != 0)
        return -1;
    /* users_total and critical come from here: judge open incidents again */
    return classify_refresh_open(db, c->p->name, now, err);
}

int
services_put(const struct principal *p, int64_t now, const char *name, json_t *body, bool *created,
             struct field_errors *errs)
{
    static const char *const members[] = {"name",     "description",   "users_total",
                                          "critical", "member_states", NULL};
    struct service_change c = {.p = p, .now = now, .name = name, .description = ""};
    struct mp_error err;
    const char *key;
    json_t *v, *x;
    size_t i;
    int rc;

    json_object_foreach(body, key, v)
    {
        bool ok = false;
        for (int k = 0; members[k]; k++)
            ok = ok || strcmp(members[k], key) == 0;
        if (!ok)
            field_error(errs, key, "unknown field");
    }
    if (strlen(name) == 0 || strlen(name) > 100)
        field_error(errs, "name", "must be 1-100 characters");
    v = json_object_get(body, "name");
    if (v && (!json_is_string(v) || strcmp(json_string_value(v), name) != 0))
        field_error(errs, "name", "must match the name in the path");
    v = json_object_get(body, "description");
    if (v && (!json_is_string(v) || json_string_length(v) > 2000))
        field_error(errs, "description", "must be text of at most 2000 characters");
    else if (v)
        c.description = json_string_value(v);
    v = json_object_get(body, "users_total");
    if (v && !json_is_null(v) && !(json_is_integer(v) && json_integer_value(v) >= 0))
        field_error(errs, "users_total", "must be null or a whole number, 0 or more");
    c.users_total = v;
    v = json_object_get(body, "critical");
    if (v && !json_is_boolean(v))
        field_error(errs, "critical", "must be true or false");
    c.critical = json_is_true(v);
    v = json_object_get(body, "member_states");
    if (v && !json_is_array(v)) {
        field_error(errs, "member_states", "must be a list of ISO 3166-1 alpha-2 codes");
    } else if (v) {
        json_array_foreach(v, i, x)
        {
            const char *cc = json_string_value(x);
            if (!cc || strlen(cc) != 2 || strspn(cc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 2) {
                field_error(errs, "member_states", "item %zu must be a code such as NL", i);
                break;
            }
        }
    }
    if (errs->count > 0)
        return -1;
    c.member_states = v ? json_dumps(v, JSON_COMPACT) : strdup("[]");
    rc = store_write(service_apply, &c, &err);
    free(c.member_states);
    if (rc != 0)
        return field_errors_fail(errs, &err);
    *created = c.created;
    return 0;
}

int
services_delete(const struct principal *p, int64_t now, const char *name, struct mp_error *err)
{
    struct service_change c = {.p = p, .now = now, .name = name, .delete = true};

    return store_write(service_apply, &c, err);
}
