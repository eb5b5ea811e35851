/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * alerts.h - alerts and suppression rules in the database.
 *
 * This file defines the stored shape of an alert (struct alert) and the
 * words of its enumerations, the same as the CHECK constraints in
 * schema/0007_alerts.sql; core/alert.c gives them behaviour (ingestion,
 * de-duplication, detection, the inbox).  Writes run inside a change
 * (writer.h); reads on the calling thread's reader.
 */
#ifndef MP_STORE_ALERTS_H
#define MP_STORE_ALERTS_H

#include "lib/error.h"
#include "lib/timeutil.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

enum alert_severity {
    ALERT_SEV_INFO = 0,
    ALERT_SEV_LOW,
    ALERT_SEV_MEDIUM,
    ALERT_SEV_HIGH,
    ALERT_SEV_CRITICAL,
    ALERT_SEV_COUNT
};
enum alert_status { ALERT_FIRING = 0, ALERT_RESOLVED, ALERT_STATUS_COUNT };
enum alert_state {
    ALERT_NEW = 0,
    ALERT_ACKNOWLEDGED,
    ALERT_INCIDENT,
    ALERT_DISMISSED,
    ALERT_MUTED,
    ALERT_STATE_COUNT
};

extern const char *const alert_severity_names[ALERT_SEV_COUNT];
extern const char *const alert_status_names[ALERT_STATUS_COUNT];
extern const char *const alert_state_names[ALERT_STATE_COUNT];

struct alert {
    int64_t seq;
    char id[40];
    char *source;
    char fingerprint[130];
    char *title;
    int severity, status, state;
    bool open;
    char *service; /* NULL: none */
    int64_t starts_at, ends_at, first_seen, last_seen, updated_at, acted_at;
    int64_t count;
    json_t *labels;      /* object of strings, owned */
    json_t *annotations; /* object of strings, owned */
    char *payload;       /* JSON text as received; NULL in lists */
    char *rule;          /* detection rule that acted, or NULL */
    char *correlation_key;
    char incident_id[40]; /* "" when none */
    char suppression_id[40];
    char *reason;
    char acted_by[96];
    int64_t version;
};

void alert_free(struct alert *a);

int store_alert_insert(sqlite3 *db, struct alert *a, struct mp_error *err);
/* Writes every changeable column of a over the row with a->id. */
int store_alert_update(sqlite3 *db, const struct alert *a, struct mp_error *err);
/* A repeat: writes only what a repeat changes (count, last_seen, title,
 * severity, labels, annotations, payload, updated_at), so no index but the
 * table's is touched. */
int store_alert_touch(sqlite3 *db, const struct alert *a, struct mp_error *err);
/* 1 found (out filled, with payload), 0 not found, -1 error. */
int store_alert_load(sqlite3 *db, const char *id, struct alert *out, struct mp_error *err);
/* The open alert of (source, fingerprint): 1 found, 0 none, -1 error. */
int store_alert_find_open(sqlite3 *db, const char *source, const char *fingerprint,
                          struct alert *out, struct mp_error *err);

struct store_alert_query {
    int state, status, severity; /* -1: any */
    const char *source, *service, *incident_id;
    int64_t before_seq; /* 0: from the newest */
    int tlp_max;        /* only alerts on no incident or one up to this TLP level */
    int limit;
};
/* Newest first, at most limit + 1 rows; without payloads. */
int store_alert_query(sqlite3 *db, const struct store_alert_query *q, struct alert **items,
                      int *count, struct mp_error *err);

/* The incident that the latest alert with this correlation key seen since
 * `since` is on, when that incident is still being worked (not resolved,
 * closed or dismissed): 1 with id filled, 0 none, -1 error. */
int store_alert_correlated(sqlite3 *db, const char *key, int64_t since, char id[40],
                           struct mp_error *err);
/* Of the alerts on an incident: how many still fire, and the latest ends_at
 * of the resolved ones (TIME_UNSET when none). */
int store_alert_incident_status(sqlite3 *db, const char *incident_id, int64_t *firing,
                                int64_t *total, int64_t *last_end, struct mp_error *err);
/* ---- suppressions ---- */

struct suppression {
    char id[40];
    json_t *match; /* owned */
    char action[8];
    char *reason;
    int64_t starts_at, expires_at, created_at, deleted_at;
    int64_t dropped;
    char created_by[96];
    char deleted_by[96];
};

void suppression_free(struct suppression *s);

int store_suppression_insert(sqlite3 *db, const struct suppression *s, struct mp_error *err);
/* active only: the ones in force at `now` (not deleted, starts_at <= now <
 * expires_at); otherwise every one, newest first. */
int store_suppression_list(sqlite3 *db, bool active, int64_t now, struct suppression **items,
                           int *count, struct mp_error *err);
int store_suppression_load(sqlite3 *db, const char *id, struct suppression *out,
                           struct mp_error *err);
int store_suppression_delete(sqlite3 *db, const char *id, int64_t at, const char *by,
                             struct mp_error *err);
int store_suppression_count(sqlite3 *db, const char *id, struct mp_error *err);

#endif
