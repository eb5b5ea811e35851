/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * statistics.c - see statistics.h.
 *
 * Which incidents count is one condition, STATS_INCIDENTS, shared by both
 * queries: the TLP levels the principal may see, and real incidents only:
 * exercises (incidents.exercise = 1, schema/0025) are never counted in the
 * statistics of real incidents.
 */
#include "statistics.h"
#include "db.h"
#include "incidents.h"

#include <stdio.h>

#define STATS_INCIDENTS "instr(?1, ',' || i.tlp || ',') > 0 AND i.exercise = 0"

/* The rows of st (?1: the TLP levels visible) read by read.  The
 * statements stay literal at their db_stmt() calls (tools/stmts.c). */
static int
rows(sqlite3 *db, sqlite3_stmt *st, int tlp_max, size_t size, int (*read)(sqlite3_stmt *, void *),
     void **out, int *count, const char *what, struct mp_error *err)
{
    char visible[64];
    int rc;

    *out = NULL;
    *count = 0;
    if (st == NULL)
        return db_fail(db, err, what);
    store_tlp_visible_list(tlp_max, visible);
    sqlite3_bind_text(st, 1, visible, -1, SQLITE_STATIC);
    rc = db_rows(db, st, size, 0, read, NULL, out, count, what, err);
    sqlite3_reset(st);
    return rc;
}

static int
read_incident(sqlite3_stmt *st, void *item)
{
    struct stats_incident *s = item;

    db_col_copy(s->id, sizeof(s->id), st, 0);
    db_col_copy(s->ref, sizeof(s->ref), st, 1);
    db_col_copy(s->kind, sizeof(s->kind), st, 2);
    db_col_copy(s->root_cause_category, sizeof(s->root_cause_category), st, 3);
    s->aware = db_col_time(st, 4);
    return 0;
}

int
store_statistics_incidents(sqlite3 *db, int tlp_max, struct stats_incident **out, int *count,
                           struct mp_error *err)
{
    return rows(
        db,
        db_stmt(db, "SELECT i.id, i.ref, i.kind, i.root_cause_category, "
                    "COALESCE(i.aware_at, i.detected_at) FROM incidents i WHERE " STATS_INCIDENTS
                    " ORDER BY i.seq"),
        tlp_max, sizeof(**out), read_incident, (void **)out, count,
        "reading incidents for the statistics", err);
}

static int
read_obligation(sqlite3_stmt *st, void *item)
{
    struct stats_obligation *o = item;

    db_col_copy(o->incident_id, sizeof(o->incident_id), st, 0);
    db_col_copy(o->regime, sizeof(o->regime), st, 1);
    db_col_copy(o->stage, sizeof(o->stage), st, 2);
    db_col_copy(o->status, sizeof(o->status), st, 3);
    o->due = db_col_time(st, 4);
    o->submitted = db_col_time(st, 5);
    db_col_copy(o->waived_reason, sizeof(o->waived_reason), st, 6);
    return 0;
}

int
store_statistics_obligations(sqlite3 *db, int tlp_max, struct stats_obligation **out, int *count,
                             struct mp_error *err)
{
    return rows(
        db,
        db_stmt(db, "SELECT o.incident_id, o.regime, o.stage, o.status, o.due_at, o.submitted_at, "
                    "o.waived_reason FROM obligations o JOIN incidents i ON i.id = o.incident_id "
                    "WHERE " STATS_INCIDENTS
                    " ORDER BY i.seq, o.regime, o.due_at IS NULL, o.due_at, o.stage"),
        tlp_max, sizeof(**out), read_obligation, (void **)out, count,
        "reading obligations for the statistics", err);
}
