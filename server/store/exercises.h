/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * exercises.h - runs of exercise scenarios (schema/0025): the run, its
 * clock's segments and the injects applied.  What they mean is
 * core/exercise.c's business; here they are rows.
 */
#ifndef MP_STORE_EXERCISES_H
#define MP_STORE_EXERCISES_H

#include "core/exercise_types.h"
#include "lib/error.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

int store_exercise_insert(sqlite3 *db, const struct exercise_run *e, struct mp_error *err);
/* By the run's id or its incident's id: 1 found, 0 none, -1 error. */
int store_exercise_get(sqlite3 *db, const char *id, struct exercise_run *out, struct mp_error *err);
void store_exercise_free(struct exercise_run *e);
/* Newest first, at most limit (free each with store_exercise_free). */
int store_exercise_list(sqlite3 *db, bool running_only, int limit, struct exercise_run **out,
                        int *count, struct mp_error *err);
int store_exercise_end(sqlite3 *db, const char *id, int64_t at, struct mp_error *err);

int store_exercise_clock_append(sqlite3 *db, const char *id, const struct exercise_segment *s,
                                struct mp_error *err);
/* Oldest first (*out malloc'd). */
int store_exercise_clock(sqlite3 *db, const char *id, struct exercise_segment **out, int *count,
                         struct mp_error *err);

/* Records inject idx as applied: 1 recorded, 0 it was already, -1 error. */
int store_exercise_inject_mark(sqlite3 *db, const char *id, const struct exercise_applied *a,
                               struct mp_error *err);
int store_exercise_injects(sqlite3 *db, const char *id, struct exercise_applied **out, int *count,
                           struct mp_error *err);

/* Whether the incident's reminders may leave meldpunt: 1 yes, 0 no (an
 * exercise that does not allow it), -1 error.  A real incident: 1. */
int store_exercise_outside_allowed(sqlite3 *db, const char *incident_id, struct mp_error *err);
/* Exercise incidents (for /metrics, apart from the real ones). */
int store_exercise_incident_count(sqlite3 *db, int64_t *n, struct mp_error *err);

#endif
