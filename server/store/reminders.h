/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * reminders.h - the reminder policy set through the API (schema/0015).
 * The document is core/reminders.c's business; here it is text.
 */
#ifndef MP_STORE_REMINDERS_H
#define MP_STORE_REMINDERS_H

#include "lib/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

/* 1 with *doc (malloc'd JSON text), *version and updated_at; 0 when no
 * policy was set through the API; -1 on error. */
int store_reminder_policy_read(sqlite3 *db, char **doc, int64_t *version, char updated_at[32],
                               struct mp_error *err);
/* Replaces the document; *version becomes the new version. */
int store_reminder_policy_write(sqlite3 *db, const char *doc, const char *at, const char *by,
                                int64_t *version, struct mp_error *err);

/* ---- reminder jobs ---- */

enum { REMINDER_STATUS_LEN = 16 };

struct reminder_job {
    int64_t id;
    char obligation_id[40];
    char incident_id[40];
    int step, round;
    int64_t fire_at;
    char due_at[32];
    char status[REMINDER_STATUS_LEN];
    int attempts;
    int64_t next_try;
};

/* 1 found, 0 not, -1 error. */
int store_reminder_job_find(sqlite3 *db, const char *obligation_id, int step, int round,
                            struct reminder_job *out, struct mp_error *err);
/* Inserts j (id set on return). */
int store_reminder_job_insert(sqlite3 *db, struct reminder_job *j, const char *at,
                              struct mp_error *err);
/* Writes fire_at, due_at, status, attempts, next_try of j (by id). */
int store_reminder_job_update(sqlite3 *db, const struct reminder_job *j, const char *at,
                              struct mp_error *err);
/* The send loop's claim, made durable before it sends: job id, still
 * planned, becomes status ("sent": claimed; "skipped").  1 when it did, 0
 * when the job is no longer planned (acknowledged, cancelled meanwhile),
 * -1 on error. */
int store_reminder_job_claim(sqlite3 *db, int64_t id, const char *status, const char *at,
                             struct mp_error *err);
/* store_reminder_job_update for a claimed job: only while it is still
 * "sent" (an acknowledgement meanwhile stays).  1 done, 0 not, -1 error. */
int store_reminder_job_settle(sqlite3 *db, const struct reminder_job *j, const char *at,
                              struct mp_error *err);
/* Every planned job of an obligation with step >= from_step: status
 * becomes status; returns how many, -1 on error. */
int store_reminder_jobs_close(sqlite3 *db, const char *obligation_id, int from_step,
                              const char *status, const char *at, struct mp_error *err);
/* Planned jobs whose time came (fire_at and next_try <= now), by
 * obligation, step and round; at most limit.  *out malloc'd. */
int store_reminder_jobs_due(sqlite3 *db, int64_t now, int limit, struct reminder_job **out,
                            int *count, struct mp_error *err);
/* Jobs claimed ("sent") with no message logged as sent: a pass that
 * ended before it recorded what it sent (a crash).  At most limit. */
int store_reminder_jobs_interrupted(sqlite3 *db, int limit, struct reminder_job **out, int *count,
                                    struct mp_error *err);
/* Up to limit incidents with an open obligation (pending or missed), by id
 * after `after` ("": from the first): the pages a re-planning walks.
 * *ids malloc'd. */
enum { STORE_REMINDER_ID_LEN = 40 };
int store_reminder_open_incidents(sqlite3 *db, const char *after, int limit,
                                  char (**ids)[STORE_REMINDER_ID_LEN], int *count,
                                  struct mp_error *err);
/* An incident's jobs as a JSON array, by fire time. */
int store_reminder_jobs_json(sqlite3 *db, const char *incident_id, json_t **out,
                             struct mp_error *err);

/* 1 with the job by id, 0 none, -1 error. */
int store_reminder_job_get(sqlite3 *db, int64_t id, struct reminder_job *out, struct mp_error *err);
/* Every round of obligation_id's step becomes acknowledged (the planned,
 * sent and failed ones); how many, -1 on error. */
int store_reminder_step_ack(sqlite3 *db, const char *obligation_id, int step, const char *at,
                            struct mp_error *err);

/* ---- the delivery log ---- */

int store_reminder_delivery_add(sqlite3 *db, const struct reminder_job *j, const char *channel,
                                const char *recipient, const char *status, const char *reason,
                                const char *at, struct mp_error *err);
/* 1 when (job, channel, recipient) was sent, 0 not, -1 error. */
int store_reminder_delivery_sent(sqlite3 *db, int64_t job_id, const char *channel,
                                 const char *recipient, struct mp_error *err);
/* An incident's log, oldest first, as a JSON array of {id, at, obligation_id,
 * step, round, channel, recipient, status, reason}. */
int store_reminder_deliveries_json(sqlite3 *db, const char *incident_id, json_t **out,
                                   struct mp_error *err);

#endif
