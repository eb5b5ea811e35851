/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * exercise.h - exercises (tabletop mode, issue 22; docs/EXERCISES.md).
 *
 * An exercise is an incident marked as such from its creation
 * (incident.exercise): shown with an EXERCISE / OEFENING marker, never
 * counted with the real incidents, its signed documents saying so, its
 * reminders kept inside meldpunt unless the run allows otherwise.
 *
 * A scenario is data (one JSON file each in config/exercises/, embedded like the rules):
 * its title and description in Dutch and English, the organisation it
 * assumes, the incident it opens, and injects at offsets from its start --
 * new facts, an alert, a question from the authority, a supplier outage.
 * A run plays the injects against its own clock, which may run faster than
 * real time:
 *     exercise time = start + real time elapsed (while running) x speed
 * kept as segments (store/exercises.h), so every real moment of the run
 * maps to exercise time afterwards.  The clock functions are pure; the
 * edge (a request, the inject job) reads the real time and passes it in.
 */
#ifndef MP_EXERCISE_H
#define MP_EXERCISE_H

#include "core/token.h"
#include "lib/error.h"
#include "core/exercise_types.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#define EXERCISE_SPEED_MAX   1000.0
#define EXERCISE_INJECTS_MAX 100
#define EXERCISE_OFFSET_MAX  ((int64_t)30 * 86400)

/* ---- the clock (exercise.c) ---- */

/* Exercise time at real time `real` on the clock of n segments (oldest
 * first); before the first segment, the first's ex_at. */
int64_t exercise_time_at(const struct exercise_segment *s, int n, int64_t real);
/* The real time at which the clock reaches exercise time ex, from real
 * time `from` on; INT64_MAX when it never will (paused). */
int64_t exercise_real_when(const struct exercise_segment *s, int n, int64_t from, int64_t ex);
/* The segment that follows s[n-1] at real time `now` for a pause
 * (running false), a resume (true) or a new speed (speed > 0; 0 keeps it). */
struct exercise_segment exercise_clock_next(const struct exercise_segment *s, int n, int64_t now,
                                            bool running, double speed);

/* ---- scenarios (exercise.c) ---- */

/* Checks one scenario document; false with err ("FILE: $.PATH: reason")
 * at the first problem. */
bool exercise_scenario_check(const json_t *doc, const char *file, struct mp_error *err);
/* Every scenario in dir (NULL: the ones built in), each checked: a JSON
 * array of the documents (*out, new reference). */
int exercise_scenarios_load(const char *dir, json_t **out, struct mp_error *err);
/* The scenario named id in list (borrowed), or NULL. */
const json_t *exercise_scenario_find(const json_t *list, const char *id);
/* The scenarios for people: [{scenario, version, title, description,
 * assumptions, duration, injects: count}] (new reference). */
json_t *exercise_scenarios_summary(const json_t *list);
/* An inject's offset from the start in seconds, -1 when not a duration. */
int64_t exercise_inject_offset(const json_t *inject);
/* The label of an inject kind ("authority_question" ...) in nl or en. */
const char *exercise_kind_label(const char *kind, bool nl);

/* ---- runs (exercise_run.c) ---- */

/* Starts a run of a scenario: body {scenario, language, speed,
 * allow_outside_reminders}.  Opens the exercise incident, the run and its
 * clock in one change (audited), applies the injects due at offset 0.
 * *out: the run as exercise_get answers it. */
int exercise_start(const struct principal *p, int64_t now, json_t *body, json_t **out,
                   struct field_errors *errs);
/* Pause, resume, a new speed or the end: body {action: pause | resume |
 * end, speed}. */
int exercise_control(const struct principal *p, int64_t now, const char *id, json_t *body,
                     json_t **out, struct field_errors *errs);
/* A run: {id, incident, scenario, language, started_at, ended_at, running,
 * speed, exercise_time, elapsed_seconds, injects: [{index, at, kind, text,
 * applied_at, applied_exercise_time, due_at}]} at real time now. */
int exercise_get(const struct principal *p, const char *id, int64_t now, json_t **out,
                 struct mp_error *err);
/* Runs p may see (its TLP limit), newest first: {items: [...]} */
int exercise_list(const struct principal *p, int64_t now, json_t **out, struct mp_error *err);
/* The inject job's pass: every inject whose time came on a running clock
 * is applied, each with its mark in one change (exactly once). */
int exercise_inject_pass(int64_t now, struct mp_error *err);
void exercise_injector_start(unsigned interval_seconds);
void exercise_injector_stop(void);
/* The reminder decision: 1 when the incident's reminders may go to an
 * outside address (a real incident, or an exercise that allows it), 0
 * when not, -1 error. */
int exercise_reminders_outside(sqlite3 *db, const char *incident_id, struct mp_error *err);
/* The exercise incidents, counted apart for /metrics. */
int exercise_incident_count(int64_t *n, struct mp_error *err);

/* ---- the report (exercise_report.c) ---- */

/* The exercise report at real time now (404 when p may not see the
 * incident): each legal deadline with its due
 * time and when the team met it (exercise time), the decisions (the
 * timeline), what was missing (facts still unknown, recipients not
 * configured, reminders nobody acknowledged), in language nl or en. */
int exercise_report(const struct principal *p, const char *id, int64_t now, bool nl, json_t **out,
                    struct mp_error *err);

#endif
