/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * reminders_plan.c - the reminders planned from the obligations.
 *
 * reminders_plan() runs inside every change that judges an incident's
 * obligations (the classifier calls it through its hook, set in main.c),
 * in the same transaction: each open report (pending or missed, its due
 * time known) gets one job per step of the ladder that applies to it, at
 * due time + the step's offset (the awareness step: when the report became
 * owed).  A job not yet sent follows its due time when that moves (a
 * corrected aware_at); a job sent stays sent; a report submitted or waived
 * has its planned jobs cancelled, which ends its ladder.  Planning is
 * idempotent: running it twice changes nothing.
 *
 * A new policy (reminders_replan, after PUT /api/v1/reminders/policy)
 * plans every open report again from its new ladder: the steps not yet
 * sent take the new times (a step already due keeps its time: the loop
 * sends it next), steps the new ladder adds are planned and those it drops
 * cancelled.  What was sent stays sent, so no step is sent twice.  It walks
 * the incidents in pages of REPLAN_PAGE, each page a change of its own, so
 * the one writer thread takes the API's changes in between instead of
 * waiting behind one transaction over every open report.
 */
#include "reminders.h"
#include "reminders_int.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "store/classification.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/reminders.h"
#include "store/writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLAN_PAGE 25 /* incidents in one change of a re-planning */

const json_t *
reminders_ladder(const json_t *policy, const char *regime, const char *stage)
{
    const json_t *best = NULL, *l;
    int best_score = -1;
    size_t i;

    json_array_foreach(json_object_get(policy, "ladders"), i, l)
    {
        const char *r = json_string_value(json_object_get(l, "regime"));
        const char *s = json_string_value(json_object_get(l, "stage"));
        int score;

        if (r == NULL || s == NULL || (strcmp(r, "*") != 0 && strcmp(r, regime) != 0) ||
            (strcmp(s, "*") != 0 && strcmp(s, stage) != 0))
            continue;
        score = (strcmp(r, "*") != 0) * 2 + (strcmp(s, "*") != 0);
        if (score > best_score) {
            best = l;
            best_score = score;
        }
    }
    return best ? json_object_get(best, "steps") : NULL;
}

int64_t
reminders_step_time(const json_t *step, int64_t due, int64_t owed_since)
{
    int64_t off;
    bool aware;

    if (reminders_offset(json_string_value(json_object_get(step, "at")), &off, &aware) != 0)
        return TIME_UNSET;
    return aware ? owed_since : due + off;
}

static bool
open_obligation(const struct obligation *o)
{
    return strcmp(o->status, "pending") == 0 || strcmp(o->status, "missed") == 0;
}

/* Whether planning moves job j to fire: when the due time moved (an
 * escalation's earlier time stays otherwise), or on a new policy (again)
 * unless j is due already; a step cancelled while no due time was known, or
 * while the report was waived, comes back. */
static bool
moves(const struct reminder_job *j, const struct obligation *o, int64_t fire, int64_t now,
      bool again)
{
    if (strcmp(j->status, "cancelled") == 0)
        return strcmp(j->due_at, o->due_at) != 0 || again;
    if (strcmp(j->status, "planned") != 0)
        return false; /* sent, failed, acknowledged, skipped: stays */
    if (strcmp(j->due_at, o->due_at) != 0)
        return true;
    return again && j->fire_at != fire && j->fire_at > now;
}

/*
 * A step no channel can carry is not planned.  config/reminders.json as
 * shipped has ladders and no channels: a default install would otherwise
 * plan every report's ladder and then fail and escalate each step, a
 * failed send per reminder in every incident's log for what is one
 * configuration gap.  So nothing is planned for such a step (a job still
 * planned for it is cancelled), the status says there are no channels
 * (reminders_channel_status) and the log says it once per policy; a policy
 * with channels plans the steps again (`moves` revives cancelled jobs).
 */
static bool
step_carried(const json_t *policy, const json_t *step)
{
    const json_t *only = json_object_get(step, "channels");

    if (json_object_size(json_object_get(policy, "channels")) == 0)
        return false;
    return only == NULL || json_array_size(only) > 0;
}

/* 1 when o has a ladder planned, 0 when not (closed, no due time, no
 * ladder), -1 on error. */
static int
plan_one(sqlite3 *db, const json_t *policy, const struct obligation *o, int64_t now, bool again,
         struct mp_error *err)
{
    const json_t *steps = reminders_ladder(policy, o->regime, o->stage), *s;
    char at[TIME_RFC3339_LEN];
    int64_t due, owed;
    size_t k;

    time_format_rfc3339(now, at, sizeof(at));
    if (!open_obligation(o))
        return store_reminder_jobs_close(db, o->id, 0, "cancelled", at, err) < 0 ? -1 : 0;
    if (o->due_at[0] == '\0' || time_parse_rfc3339(o->due_at, &due) != 0)
        return 0; /* not due yet at a known time: nothing to plan */
    if (time_parse_rfc3339(o->created_at, &owed) != 0)
        owed = due;
    json_array_foreach(steps, k, s)
    {
        struct reminder_job j;
        int64_t fire = reminders_step_time(s, due, owed);
        int found = store_reminder_job_find(db, o->id, (int)k, 0, &j, err);

        if (found < 0)
            return -1;
        if (fire == TIME_UNSET)
            continue;
        if (!step_carried(policy, s)) {
            if (found && strcmp(j.status, "planned") == 0) {
                snprintf(j.status, sizeof(j.status), "cancelled");
                if (store_reminder_job_update(db, &j, at, err) != 0)
                    return -1;
            }
            continue;
        }
        if (!found) {
            memset(&j, 0, sizeof(j));
            snprintf(j.obligation_id, sizeof(j.obligation_id), "%s", o->id);
            snprintf(j.incident_id, sizeof(j.incident_id), "%s", o->incident_id);
            j.step = (int)k;
            j.fire_at = fire;
            snprintf(j.due_at, sizeof(j.due_at), "%s", o->due_at);
            snprintf(j.status, sizeof(j.status), "planned");
            if (store_reminder_job_insert(db, &j, at, err) != 0)
                return -1;
        } else if (moves(&j, o, fire, now, again)) {
            j.fire_at = fire;
            snprintf(j.status, sizeof(j.status), "planned");
            snprintf(j.due_at, sizeof(j.due_at), "%s", o->due_at);
            if (store_reminder_job_update(db, &j, at, err) != 0)
                return -1;
        }
    }
    /* steps the ladder no longer has */
    if (store_reminder_jobs_close(db, o->id, (int)json_array_size(steps), "cancelled", at, err) < 0)
        return -1;
    return steps != NULL && json_array_size(steps) > 0;
}

/* Plans incident_id's obligations under policy; how many have a ladder
 * planned, or -1. */
static int
plan_incident(sqlite3 *db, const json_t *policy, const char *incident_id, int64_t now, bool again,
              struct mp_error *err)
{
    struct obligation *v = NULL;
    int n = 0, planned = 0, rc = -1;

    if (store_obligation_list(db, incident_id, NULL, 1000, &v, &n, err) != 0)
        goto out;
    for (int i = 0; i < n; i++) {
        int k = plan_one(db, policy, &v[i], now, again, err);
        if (k < 0)
            goto out;
        planned += k;
    }
    rc = planned;
out:
    free(v);
    return rc;
}

int
reminders_plan(sqlite3 *db, const char *incident_id, int64_t now, struct mp_error *err)
{
    json_t *policy = reminders_acquire();
    int rc;

    if (policy == NULL)
        return 0; /* no policy: no reminders, the change goes on */
    rc = plan_incident(db, policy, incident_id, now, false, err);
    json_decref(policy);
    return rc < 0 ? -1 : 0;
}

static atomic_uint_fast64_t planned_generation; /* 0: none planned yet */

bool
reminders_replan_due(void)
{
    return atomic_load(&planned_generation) != reminders_generation();
}

struct replan {
    const json_t *policy;
    int64_t now;
    char after[STORE_REMINDER_ID_LEN]; /* the last incident planned */
    int incidents, obligations;
    bool done;
};

/* One page of a re-planning, as one change. */
static int
replan_page(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct replan *r = arg;
    char(*ids)[STORE_REMINDER_ID_LEN] = NULL;
    int n = 0, planned = 0, rc = -1;

    if (store_reminder_open_incidents(db, r->after, REPLAN_PAGE, &ids, &n, err) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        int k = plan_incident(db, r->policy, ids[i], r->now, true, err);
        if (k < 0)
            goto out;
        planned += k;
    }
    r->incidents += n;
    r->obligations += planned;
    if (n > 0)
        snprintf(r->after, sizeof(r->after), "%s", ids[n - 1]);
    r->done = n < REPLAN_PAGE;
    rc = 0;
out:
    free(ids);
    return rc;
}

int
reminders_replan(int64_t now, bool only_if_due, int *obligations, struct mp_error *err)
{
    static pthread_mutex_t one = PTHREAD_MUTEX_INITIALIZER; /* a PUT and the send loop */
    struct replan r = {.now = now};
    uint64_t g;
    json_t *policy;
    int rc = 0;

    *obligations = -1;
    pthread_mutex_lock(&one);
    if (only_if_due && !reminders_replan_due()) {
        pthread_mutex_unlock(&one);
        return 0;
    }
    *obligations = 0;
    g = reminders_generation(); /* before the policy: see install() */
    policy = reminders_acquire();
    if (policy == NULL) {
        pthread_mutex_unlock(&one);
        return 0;
    }
    r.policy = policy;
    if (json_object_size(json_object_get(policy, "channels")) == 0)
        log_notice("reminders: the policy has no channels, so no reminder is planned "
                   "(config/reminders.json, or PUT /api/v1/reminders/policy)");
    while (!r.done && rc == 0)
        rc = store_write_background(replan_page, &r, err);
    json_decref(policy);
    *obligations = r.obligations;
    if (rc == 0)
        atomic_store(&planned_generation, g);
    pthread_mutex_unlock(&one);
    return rc;
}

int
reminders_incident_id(sqlite3 *db, const char *id_or_ref, char id[40], struct mp_error *err)
{
    struct incident inc;
    int found = store_incident_load(db, id_or_ref, &inc, err);

    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no such incident");
    snprintf(id, 40, "%s", inc.id);
    incident_free(&inc);
    return 0;
}

int
reminders_incident(const char *id_or_ref, json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    json_t *jobs = NULL, *log = NULL;
    char id[40];

    *out = NULL;
    if (db == NULL || reminders_incident_id(db, id_or_ref, id, err) != 0)
        return -1;
    if (store_reminder_jobs_json(db, id, &jobs, err) == 0 &&
        store_reminder_deliveries_json(db, id, &log, err) == 0)
        *out = json_pack("{s:o, s:o}", "jobs", jobs, "deliveries", log);
    else
        json_decref(jobs);
    return *out ? 0 : -1;
}
