/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * exercises.c - see exercises.h.  All SQL of the exercises lives here.
 */
#include "exercises.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUN_COLUMNS                                                                                \
    "id, incident_id, scenario, scenario_doc, allow_outside_reminders, started_at, started_by, "   \
    "ex_start, coalesce(ended_at, 0)"

int
store_exercise_insert(sqlite3 *db, const struct exercise_run *e, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO exercises(id, incident_id, scenario, scenario_doc, "
                                   "allow_outside_reminders, started_at, started_by, ex_start) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

    if (st == NULL)
        return db_fail(db, err, "recording the exercise");
    sqlite3_bind_text(st, 1, e->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->scenario, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->doc, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, e->allow_outside);
    sqlite3_bind_int64(st, 6, e->started_at);
    sqlite3_bind_text(st, 7, e->started_by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, e->ex_start);
    return db_done(db, st, "recording the exercise", err);
}

static int
read_run(sqlite3_stmt *st, void *item)
{
    struct exercise_run *e = item;

    db_col_copy(e->id, sizeof(e->id), st, 0);
    db_col_copy(e->incident_id, sizeof(e->incident_id), st, 1);
    db_col_copy(e->scenario, sizeof(e->scenario), st, 2);
    e->doc = db_col_dup(st, 3);
    e->allow_outside = sqlite3_column_int(st, 4) != 0;
    e->started_at = sqlite3_column_int64(st, 5);
    db_col_copy(e->started_by, sizeof(e->started_by), st, 6);
    e->ex_start = sqlite3_column_int64(st, 7);
    e->ended_at = sqlite3_column_int64(st, 8);
    return e->doc ? 0 : -1;
}

static void
drop_run(void *item)
{
    store_exercise_free(item);
}

void
store_exercise_free(struct exercise_run *e)
{
    free(e->doc);
    e->doc = NULL;
}

int
store_exercise_get(sqlite3 *db, const char *id, struct exercise_run *out, struct mp_error *err)
{
    sqlite3_stmt *st =
        db_stmt(db, "SELECT " RUN_COLUMNS " FROM exercises WHERE id = ?1 OR incident_id = ?1");
    struct exercise_run *v = NULL;
    int n = 0, rc;

    memset(out, 0, sizeof(*out));
    if (st == NULL)
        return db_fail(db, err, "reading the exercise");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    rc = db_rows(db, st, sizeof(*v), 1, read_run, drop_run, (void **)&v, &n, "the exercise", err);
    sqlite3_reset(st);
    if (rc != 0)
        return -1;
    if (n == 1)
        *out = v[0];
    free(v);
    return n;
}

int
store_exercise_list(sqlite3 *db, bool running_only, int limit, struct exercise_run **out,
                    int *count, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " RUN_COLUMNS " FROM exercises "
                                   "WHERE ?1 = 0 OR ended_at IS NULL "
                                   "ORDER BY started_at DESC, id DESC LIMIT ?2");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "listing the exercises");
    sqlite3_bind_int(st, 1, running_only);
    sqlite3_bind_int(st, 2, limit);
    rc = db_rows(db, st, sizeof(**out), 0, read_run, drop_run, (void **)out, count, "the exercises",
                 err);
    sqlite3_reset(st);
    return rc;
}

int
store_exercise_end(sqlite3 *db, const char *id, int64_t at, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE exercises SET ended_at = ? WHERE id = ?");

    if (st == NULL)
        return db_fail(db, err, "ending the exercise");
    sqlite3_bind_int64(st, 1, at);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    return db_done(db, st, "ending the exercise", err);
}

int
store_exercise_clock_append(sqlite3 *db, const char *id, const struct exercise_segment *s,
                            struct mp_error *err)
{
    sqlite3_stmt *st =
        db_stmt(db, "INSERT INTO exercise_clock(exercise_id, seq, real_at, ex_at, "
                    "speed, running) SELECT ?1, coalesce(max(seq), 0) + 1, ?2, ?3, ?4, ?5 "
                    "FROM exercise_clock WHERE exercise_id = ?1");

    if (st == NULL)
        return db_fail(db, err, "setting the exercise clock");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, s->real_at);
    sqlite3_bind_int64(st, 3, s->ex_at);
    sqlite3_bind_double(st, 4, s->speed);
    sqlite3_bind_int(st, 5, s->running);
    return db_done(db, st, "setting the exercise clock", err);
}

static int
read_segment(sqlite3_stmt *st, void *item)
{
    struct exercise_segment *s = item;

    s->real_at = sqlite3_column_int64(st, 0);
    s->ex_at = sqlite3_column_int64(st, 1);
    s->speed = sqlite3_column_double(st, 2);
    s->running = sqlite3_column_int(st, 3) != 0;
    return 0;
}

int
store_exercise_clock(sqlite3 *db, const char *id, struct exercise_segment **out, int *count,
                     struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT real_at, ex_at, speed, running FROM exercise_clock "
                                   "WHERE exercise_id = ? ORDER BY seq");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "reading the exercise clock");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    rc = db_rows(db, st, sizeof(**out), 0, read_segment, NULL, (void **)out, count,
                 "the exercise clock", err);
    sqlite3_reset(st);
    return rc;
}

int
store_exercise_inject_mark(sqlite3 *db, const char *id, const struct exercise_applied *a,
                           struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO exercise_injects(exercise_id, idx, applied_at, "
                                   "ex_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");

    if (st == NULL)
        return db_fail(db, err, "recording the inject");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, a->idx);
    sqlite3_bind_int64(st, 3, a->applied_at);
    sqlite3_bind_int64(st, 4, a->ex_at);
    if (db_done(db, st, "recording the inject", err) != 0)
        return -1;
    return sqlite3_changes(db) == 1 ? 1 : 0;
}

static int
read_applied(sqlite3_stmt *st, void *item)
{
    struct exercise_applied *a = item;

    a->idx = sqlite3_column_int(st, 0);
    a->applied_at = sqlite3_column_int64(st, 1);
    a->ex_at = sqlite3_column_int64(st, 2);
    return 0;
}

int
store_exercise_injects(sqlite3 *db, const char *id, struct exercise_applied **out, int *count,
                       struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT idx, applied_at, ex_at FROM exercise_injects "
                                   "WHERE exercise_id = ? ORDER BY idx");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "reading the injects");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    rc = db_rows(db, st, sizeof(**out), 0, read_applied, NULL, (void **)out, count, "the injects",
                 err);
    sqlite3_reset(st);
    return rc;
}

int
store_exercise_outside_allowed(sqlite3 *db, const char *incident_id, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(
        db, "SELECT i.exercise = 0 OR coalesce(e.allow_outside_reminders, 0) = 1 "
            "FROM incidents i LEFT JOIN exercises e ON e.incident_id = i.id WHERE i.id = ?");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "reading the exercise");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = sqlite3_column_int(st, 0) ? 1 : 0;
    else if (rc == SQLITE_DONE)
        rc = 1;
    else
        rc = db_fail(db, err, "reading the exercise");
    sqlite3_reset(st);
    return rc;
}

int
store_exercise_incident_count(sqlite3 *db, int64_t *n, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM incidents WHERE exercise = 1");
    int rc = -1;

    *n = 0;
    if (st == NULL)
        return db_fail(db, err, "counting the exercises");
    if (sqlite3_step(st) == SQLITE_ROW) {
        *n = sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        db_fail(db, err, "counting the exercises");
    }
    sqlite3_reset(st);
    return rc;
}
