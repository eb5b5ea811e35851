/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * reminders.c - see reminders.h.
 */
#include "reminders.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
store_reminder_policy_read(sqlite3 *db, char **doc, int64_t *version, char updated_at[32],
                           struct mp_error *err)
{
    sqlite3_stmt *st =
        db_stmt(db, "SELECT doc, version, updated_at FROM reminder_policy WHERE id = 1");
    int step, rc = -1;

    *doc = NULL;
    if (st == NULL)
        return db_fail(db, err, "reading the reminder policy");
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *doc = strdup((const char *)sqlite3_column_text(st, 0));
        *version = sqlite3_column_int64(st, 1);
        snprintf(updated_at, 32, "%s", (const char *)sqlite3_column_text(st, 2));
        rc = *doc ? 1 : mp_error_set(err, 500, "", "out of memory");
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        db_fail(db, err, "reading the reminder policy");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_reminder_policy_write(sqlite3 *db, const char *doc, const char *at, const char *by,
                            int64_t *version, struct mp_error *err)
{
    sqlite3_stmt *st =
        db_stmt(db, "INSERT INTO reminder_policy (id, doc, version, updated_at, updated_by) "
                    "VALUES (1, ?1, 1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET doc = ?1, "
                    "version = version + 1, updated_at = ?2, updated_by = ?3 RETURNING version");
    int step;

    if (st == NULL)
        return db_fail(db, err, "saving the reminder policy");
    sqlite3_bind_text(st, 1, doc, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    if (step == SQLITE_ROW)
        step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step != SQLITE_DONE)
        return db_fail(db, err, "saving the reminder policy");
    return 0;
}

/* ---- reminder jobs ---- */

#define JOB_COLUMNS                                                                                \
    "id, obligation_id, incident_id, step, round, fire_at, coalesce(due_at, ''), status, "         \
    "attempts, next_try"

static void
job_row(sqlite3_stmt *st, struct reminder_job *j)
{
    memset(j, 0, sizeof(*j));
    j->id = sqlite3_column_int64(st, 0);
    snprintf(j->obligation_id, sizeof(j->obligation_id), "%s", sqlite3_column_text(st, 1));
    snprintf(j->incident_id, sizeof(j->incident_id), "%s", sqlite3_column_text(st, 2));
    j->step = sqlite3_column_int(st, 3);
    j->round = sqlite3_column_int(st, 4);
    j->fire_at = sqlite3_column_int64(st, 5);
    snprintf(j->due_at, sizeof(j->due_at), "%s", sqlite3_column_text(st, 6));
    snprintf(j->status, sizeof(j->status), "%s", sqlite3_column_text(st, 7));
    j->attempts = sqlite3_column_int(st, 8);
    j->next_try = sqlite3_column_int64(st, 9);
}

int
store_reminder_job_find(sqlite3 *db, const char *obligation_id, int step, int round,
                        struct reminder_job *out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " JOB_COLUMNS " FROM reminder_jobs "
                                   "WHERE obligation_id = ? AND step = ? AND round = ?");
    int step_rc, rc;

    if (st == NULL)
        return db_fail(db, err, "reading reminders");
    sqlite3_bind_text(st, 1, obligation_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, step);
    sqlite3_bind_int(st, 3, round);
    step_rc = sqlite3_step(st);
    if (step_rc == SQLITE_ROW)
        job_row(st, out);
    rc = step_rc == SQLITE_ROW ? 1 : step_rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(st);
    return rc < 0 ? db_fail(db, err, "reading reminders") : rc;
}

int
store_reminder_job_get(sqlite3 *db, int64_t id, struct reminder_job *out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " JOB_COLUMNS " FROM reminder_jobs WHERE id = ?");
    int step_rc, rc;

    if (st == NULL)
        return db_fail(db, err, "reading reminders");
    sqlite3_bind_int64(st, 1, id);
    step_rc = sqlite3_step(st);
    if (step_rc == SQLITE_ROW)
        job_row(st, out);
    rc = step_rc == SQLITE_ROW ? 1 : step_rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(st);
    return rc < 0 ? db_fail(db, err, "reading reminders") : rc;
}

int
store_reminder_step_ack(sqlite3 *db, const char *obligation_id, int step, const char *at,
                        struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE reminder_jobs SET status = 'acknowledged', "
                                   "updated_at = ? WHERE obligation_id = ? AND step = ? AND "
                                   "status IN ('planned', 'sent', 'failed')");

    if (st == NULL)
        return db_fail(db, err, "acknowledging a reminder");
    sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, obligation_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, step);
    if (db_done(db, st, "acknowledging a reminder", err) != 0)
        return -1;
    return sqlite3_changes(db);
}

int
store_reminder_job_insert(sqlite3 *db, struct reminder_job *j, const char *at, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(
        db, "INSERT INTO reminder_jobs (obligation_id, incident_id, step, round, fire_at, due_at, "
            "status, attempts, next_try, updated_at) VALUES (?, ?, ?, ?, ?, nullif(?, ''), ?, ?, "
            "?, ?)");

    if (st == NULL)
        return db_fail(db, err, "planning reminders");
    sqlite3_bind_text(st, 1, j->obligation_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, j->incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, j->step);
    sqlite3_bind_int(st, 4, j->round);
    sqlite3_bind_int64(st, 5, j->fire_at);
    sqlite3_bind_text(st, 6, j->due_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, j->status, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, j->attempts);
    sqlite3_bind_int64(st, 9, j->next_try);
    sqlite3_bind_text(st, 10, at, -1, SQLITE_STATIC);
    if (db_done(db, st, "planning reminders", err) != 0)
        return -1;
    j->id = sqlite3_last_insert_rowid(db);
    return 0;
}

/* The bindings of the two job-state updates (update, settle): the same
 * seven columns, only their WHERE differs. */
static void
bind_job_state(sqlite3_stmt *st, const struct reminder_job *j, const char *at)
{
    sqlite3_bind_int64(st, 1, j->fire_at);
    sqlite3_bind_text(st, 2, j->due_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, j->status, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, j->attempts);
    sqlite3_bind_int64(st, 5, j->next_try);
    sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, j->id);
}

int
store_reminder_job_update(sqlite3 *db, const struct reminder_job *j, const char *at,
                          struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE reminder_jobs SET fire_at = ?, due_at = nullif(?, ''), "
                                   "status = ?, attempts = ?, next_try = ?, updated_at = ? "
                                   "WHERE id = ?");

    if (st == NULL)
        return db_fail(db, err, "updating a reminder");
    bind_job_state(st, j, at);
    return db_done(db, st, "updating a reminder", err);
}

int
store_reminder_job_claim(sqlite3 *db, int64_t id, const char *status, const char *at,
                         struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE reminder_jobs SET status = ?, updated_at = ? "
                                   "WHERE id = ? AND status = 'planned'");

    if (st == NULL)
        return db_fail(db, err, "claiming a reminder");
    sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, id);
    if (db_done(db, st, "claiming a reminder", err) != 0)
        return -1;
    return sqlite3_changes(db);
}

int
store_reminder_job_settle(sqlite3 *db, const struct reminder_job *j, const char *at,
                          struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE reminder_jobs SET fire_at = ?, due_at = nullif(?, ''), "
                                   "status = ?, attempts = ?, next_try = ?, updated_at = ? "
                                   "WHERE id = ? AND status = 'sent'");

    if (st == NULL)
        return db_fail(db, err, "updating a reminder");
    bind_job_state(st, j, at);
    if (db_done(db, st, "updating a reminder", err) != 0)
        return -1;
    return sqlite3_changes(db);
}

int
store_reminder_jobs_close(sqlite3 *db, const char *obligation_id, int from_step, const char *status,
                          const char *at, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE reminder_jobs SET status = ?, updated_at = ? "
                                   "WHERE obligation_id = ? AND step >= ? AND status = 'planned'");

    if (st == NULL)
        return db_fail(db, err, "closing reminders");
    sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, obligation_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, from_step);
    if (db_done(db, st, "closing reminders", err) != 0)
        return -1;
    return sqlite3_changes(db);
}

static int
job_item(sqlite3_stmt *st, void *item)
{
    job_row(st, item);
    return 0;
}

int
store_reminder_jobs_due(sqlite3 *db, int64_t now, int limit, struct reminder_job **out, int *count,
                        struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " JOB_COLUMNS " FROM reminder_jobs "
                                   "WHERE status = 'planned' AND fire_at <= ?1 AND next_try <= ?1 "
                                   "ORDER BY obligation_id, step, round LIMIT ?2");
    void *items = NULL;
    int rc;

    *out = NULL;
    *count = 0;
    if (st == NULL)
        return db_fail(db, err, "reading reminders");
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, limit);
    rc = db_rows(db, st, sizeof(struct reminder_job), limit, job_item, NULL, &items, count,
                 "reading reminders", err);
    sqlite3_reset(st);
    *out = items;
    return rc;
}

int
store_reminder_jobs_interrupted(sqlite3 *db, int limit, struct reminder_job **out, int *count,
                                struct mp_error *err)
{
    sqlite3_stmt *st =
        db_stmt(db, "SELECT " JOB_COLUMNS " FROM reminder_jobs j "
                    "WHERE status = 'sent' AND NOT EXISTS (SELECT 1 FROM "
                    "reminder_deliveries d WHERE d.job_id = j.id AND d.status = 'sent') "
                    "ORDER BY obligation_id, step, round LIMIT ?");
    void *items = NULL;
    int rc;

    *out = NULL;
    *count = 0;
    if (st == NULL)
        return db_fail(db, err, "reading reminders");
    sqlite3_bind_int(st, 1, limit);
    rc = db_rows(db, st, sizeof(struct reminder_job), limit, job_item, NULL, &items, count,
                 "reading reminders", err);
    sqlite3_reset(st);
    *out = items;
    return rc;
}

static int
id_item(sqlite3_stmt *st, void *item)
{
    snprintf(item, STORE_REMINDER_ID_LEN, "%s", (const char *)sqlite3_column_text(st, 0));
    return 0;
}

int
store_reminder_open_incidents(sqlite3 *db, const char *after, int limit,
                              char (**ids)[STORE_REMINDER_ID_LEN], int *count, struct mp_error *err)
{
    /* by the (incident_id, regime, stage) index from `after`, stopping at
     * limit; "+status" keeps the planner off obligations_open, which would
     * read every open obligation for each page */
    sqlite3_stmt *st = db_stmt(db, "SELECT DISTINCT incident_id FROM obligations "
                                   "WHERE incident_id > ?1 AND +status IN ('pending', 'missed') "
                                   "ORDER BY incident_id LIMIT ?2");
    void *items = NULL;
    int rc;

    *ids = NULL;
    *count = 0;
    if (st == NULL)
        return db_fail(db, err, "reading open obligations");
    sqlite3_bind_text(st, 1, after, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    rc = db_rows(db, st, STORE_REMINDER_ID_LEN, limit, id_item, NULL, &items, count,
                 "reading open obligations", err);
    sqlite3_reset(st);
    *ids = items;
    return rc;
}

/* Each row of st as row() words it, into a JSON array. */
static int
json_rows(sqlite3 *db, sqlite3_stmt *st, json_t *(*row)(sqlite3_stmt *st), json_t **out,
          const char *what, struct mp_error *err)
{
    json_t *a = json_array();
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(a, row(st));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(a);
        return db_fail(db, err, what);
    }
    *out = a;
    return 0;
}

static json_t *
job_json(sqlite3_stmt *st)
{
    struct reminder_job j;

    job_row(st, &j);
    return json_pack("{s:I, s:s, s:i, s:i, s:I, s:s, s:i}", "id", (json_int_t)j.id, "obligation_id",
                     j.obligation_id, "step", j.step, "round", j.round, "fire_at",
                     (json_int_t)j.fire_at, "status", j.status, "attempts", j.attempts);
}

int
store_reminder_jobs_json(sqlite3 *db, const char *incident_id, json_t **out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " JOB_COLUMNS " FROM reminder_jobs "
                                   "WHERE incident_id = ? ORDER BY fire_at, id");

    *out = NULL;
    if (st == NULL)
        return db_fail(db, err, "reading reminders");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    return json_rows(db, st, job_json, out, "reading reminders", err);
}

/* ---- the delivery log ---- */

int
store_reminder_delivery_add(sqlite3 *db, const struct reminder_job *j, const char *channel,
                            const char *recipient, const char *status, const char *reason,
                            const char *at, struct mp_error *err)
{
    sqlite3_stmt *st =
        db_stmt(db, "INSERT INTO reminder_deliveries (job_id, incident_id, obligation_id, channel, "
                    "recipient, status, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

    if (st == NULL)
        return db_fail(db, err, "logging a delivery");
    sqlite3_bind_int64(st, 1, j->id);
    sqlite3_bind_text(st, 2, j->incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, j->obligation_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, recipient, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, status, -1, SQLITE_STATIC);
    if (reason && reason[0])
        sqlite3_bind_text(st, 7, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, at, -1, SQLITE_STATIC);
    return db_done(db, st, "logging a delivery", err);
}

int
store_reminder_delivery_sent(sqlite3 *db, int64_t job_id, const char *channel,
                             const char *recipient, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM reminder_deliveries WHERE job_id = ? AND "
                                   "channel = ? AND recipient = ? AND status = 'sent'");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "reading the delivery log");
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, recipient, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(db, err, "reading the delivery log");
    return rc == SQLITE_ROW;
}

static json_t *
delivery_json(sqlite3_stmt *st)
{
    json_t *e =
        json_pack("{s:I, s:s, s:s, s:i, s:i, s:s, s:s, s:s}", "id",
                  (json_int_t)sqlite3_column_int64(st, 0), "at", sqlite3_column_text(st, 1),
                  "obligation_id", sqlite3_column_text(st, 2), "step", sqlite3_column_int(st, 3),
                  "round", sqlite3_column_int(st, 4), "channel", sqlite3_column_text(st, 5),
                  "recipient", sqlite3_column_text(st, 6), "status", sqlite3_column_text(st, 7));

    if (sqlite3_column_type(st, 8) != SQLITE_NULL)
        json_object_set_new(e, "reason", json_string((const char *)sqlite3_column_text(st, 8)));
    return e;
}

int
store_reminder_deliveries_json(sqlite3 *db, const char *incident_id, json_t **out,
                               struct mp_error *err)
{
    sqlite3_stmt *st =
        db_stmt(db, "SELECT d.id, d.at, d.obligation_id, j.step, j.round, d.channel, d.recipient, "
                    "d.status, d.reason FROM reminder_deliveries d JOIN reminder_jobs j ON j.id = "
                    "d.job_id WHERE d.incident_id = ? ORDER BY d.id");

    *out = NULL;
    if (st == NULL)
        return db_fail(db, err, "reading the delivery log");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    return json_rows(db, st, delivery_json, out, "reading the delivery log", err);
}
