/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * classify.h - which regimes an incident falls under, whether it is
 * significant under each and why, and which reports are due to whom by
 * when: the rules in force (rules.h) applied to the incident's facts and
 * the organisation profile.
 *
 * classify_refresh() runs inside every change to an incident (and, for
 * every open incident, inside a change to the profile or the services), in
 * the same transaction: it stores the evaluation with its inputs and rule
 * versions (history), keeps per regime when the incident was first judged
 * significant (it stays significant from then on unless a manager records
 * "not notifiable"), and creates or updates one obligation per report due.
 * Lateness is frozen: an obligation whose due time passed while pending is
 * 'missed' for good, even when it is submitted later -- unless the report
 * is recorded as sent by its due time (notify.c: submit), which shows the
 * miss was only a missing record.
 */
#ifndef MP_CLASSIFY_H
#define MP_CLASSIFY_H

#include "core/incident.h"

#include <jansson.h>
#include <sqlite3.h>

/* The facts the rules read: the impact facts (duration_minutes derived when
 * not given; users_total and critical_service_affected from the service
 * registry when not given and db is not NULL) and the fields category,
 * cause, severity, services, tlp. */
json_t *classify_facts(sqlite3 *db, const struct incident *inc, int64_t now);

/* Inside a change: evaluate, store, update obligations.  principal names
 * who caused it (for the timeline). */
int classify_refresh(sqlite3 *db, const struct incident *inc, const char *principal, int64_t now,
                     struct mp_error *err);
/* The same for a change that can give its reason (PATCH's `note`; NULL
 * when it gave none).  When the change lifts a duty still owed (a rule
 * set's lifted_by newly holds: GDPR breach_risk_unlikely recorded), what is
 * still owed under that regime is waived with the reason, on the timeline
 * and in the audit chain; without a reason it fails 422 naming `note` (and
 * the change is rolled back).  Withdrawing the fact makes it owed again.
 * Other changes (classify_refresh) record a lift without a reason. */
int classify_refresh_noted(sqlite3 *db, const struct incident *inc, const char *principal,
                           const char *note, int64_t now, struct mp_error *err);
/* For incident_on_change(): judge = classify_refresh, or with
 * required_note classify_refresh_noted; closable = classify_check_closable. */
extern const struct incident_hooks classify_incident_hooks;

/* What follows, inside the same change, each judgement of an incident's
 * obligations (the reminders are planned again: core/reminders.h); set at
 * start-up, NULL: nothing. */
typedef int (*classify_obligations_fn)(sqlite3 *db, const char *incident_id, int64_t now,
                                       struct mp_error *err);
void classify_on_obligations(classify_obligations_fn fn);

/* Inside a change: refresh every incident not closed or dismissed. */
int classify_refresh_open(sqlite3 *db, const char *principal, int64_t now, struct mp_error *err);

/* The closing guard: fails 409 naming the reports neither submitted nor
 * waived. */
int classify_check_closable(sqlite3 *db, const char *incident_id, struct mp_error *err);

/* Reads. */
int classify_get(const char *id_or_ref, int64_t now, json_t **out, struct mp_error *err);
/* What classify_get() would answer if the incident were judged now under
 * the rules installed (rules_install), worked out in a change that is
 * rolled back: nothing is kept.  For `meldpunt rules replay`. */
int classify_trial(const char *id_or_ref, int64_t now, json_t **out, struct mp_error *err);
int classify_history(const char *id_or_ref, json_t **out, struct mp_error *err);
int classify_obligations(const char *id_or_ref, int64_t now, json_t **out, struct mp_error *err);
/* Every open obligation across incidents due before `before` (NULL: any),
 * soonest first, with the time left at `now`; those of incidents above TLP
 * level tlp_max are left out. */
int classify_deadlines(const char *before, int limit, int tlp_max, int64_t now, json_t **out,
                       struct mp_error *err);

/* Manager actions. */
int classify_waive(const struct principal *p, int64_t now, const char *id_or_ref,
                   const char *obligation_id, const char *reason, json_t **out,
                   struct mp_error *err);
int classify_decide(const struct principal *p, int64_t now, const char *id_or_ref,
                    const char *regime, bool notifiable, const char *reason, json_t **out,
                    struct mp_error *err);

/* Marks obligations overdue at `now` missed and re-evaluates incidents
 * whose disruption is still going on (their duration grows).  Run
 * periodically by the sweeper thread, every [classification]
 * sweep_interval seconds, each pass with the clock read once. */
int classify_sweep(int64_t now, struct mp_error *err);
void classify_sweeper_start(unsigned interval_seconds);
void classify_sweeper_stop(void);

/* The service registry. */
int services_list(json_t **out, struct mp_error *err);
int services_get(const char *name, json_t **out, struct mp_error *err);
/* Validates and stores body as service `name`; *created says whether it is
 * new. */
int services_put(const struct principal *p, int64_t now, const char *name, json_t *body,
                 bool *created, struct field_errors *errs);
int services_delete(const struct principal *p, int64_t now, const char *name, struct mp_error *err);

#endif
