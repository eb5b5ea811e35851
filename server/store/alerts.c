/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * alerts.c - see alerts.h.
 *
 * The inbox's list is the hot read: a page of 100 out of hundreds of
 * thousands of alerts.  Every filter it offers has an index ending in seq
 * (schema/0007_alerts.sql), so a page walks at most limit + 1 index entries
 * whatever the table's size, and list rows leave out the payload.
 */
#include "alerts.h"
#include "db.h"
#include "incidents.h"
#include "lib/buf.h"
#include "lib/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const alert_severity_names[ALERT_SEV_COUNT] = {"info", "low", "medium", "high",
                                                           "critical"};
const char *const alert_status_names[ALERT_STATUS_COUNT] = {"firing", "resolved"};
const char *const alert_state_names[ALERT_STATE_COUNT] = {"new", "acknowledged", "incident",
                                                          "dismissed", "muted"};

void
alert_free(struct alert *a)
{
    free(a->source);
    free(a->title);
    free(a->service);
    free(a->payload);
    free(a->rule);
    free(a->correlation_key);
    free(a->reason);
    json_decref(a->labels);
    json_decref(a->annotations);
    a->source = a->title = a->service = a->payload = a->rule = a->correlation_key = a->reason =
        NULL;
    a->labels = a->annotations = NULL;
}

static int
name_index(const char *const names[], int n, const unsigned char *s)
{
    for (int i = 0; s && i < n; i++) {
        if (strcmp(names[i], (const char *)s) == 0)
            return i;
    }
    return -1;
}

/* The columns read_row() reads; the payload is last so lists can leave it
 * out (ALERT_LIST_COLUMNS). */
#define ALERT_LIST_COLUMNS                                                                         \
    "seq, id, source, fingerprint, title, severity, service, status, state, open, starts_at, "     \
    "ends_at, first_seen, last_seen, count, labels, annotations, rule, correlation_key, "          \
    "incident_id, suppression_id, reason, acted_by, acted_at, updated_at, version"
#define ALERT_COLUMNS ALERT_LIST_COLUMNS ", payload"
#define ALERT_NCOLS   26

static int
read_row(sqlite3_stmt *st, struct alert *a, bool with_payload)
{
    const unsigned char *t;

    memset(a, 0, sizeof(*a));
    a->seq = sqlite3_column_int64(st, 0);
    db_col_copy(a->id, sizeof(a->id), st, 1);
    a->source = db_col_dup(st, 2);
    db_col_copy(a->fingerprint, sizeof(a->fingerprint), st, 3);
    a->title = db_col_dup(st, 4);
    a->severity = name_index(alert_severity_names, ALERT_SEV_COUNT, sqlite3_column_text(st, 5));
    a->service = db_col_dup(st, 6);
    a->status = name_index(alert_status_names, ALERT_STATUS_COUNT, sqlite3_column_text(st, 7));
    a->state = name_index(alert_state_names, ALERT_STATE_COUNT, sqlite3_column_text(st, 8));
    a->open = sqlite3_column_int(st, 9) != 0;
    a->starts_at = db_col_time(st, 10);
    a->ends_at = db_col_time(st, 11);
    a->first_seen = db_col_time(st, 12);
    a->last_seen = db_col_time(st, 13);
    a->count = sqlite3_column_int64(st, 14);
    t = sqlite3_column_text(st, 15);
    a->labels = json_loads(t ? (const char *)t : "{}", 0, NULL);
    t = sqlite3_column_text(st, 16);
    a->annotations = json_loads(t ? (const char *)t : "{}", 0, NULL);
    a->rule = db_col_dup(st, 17);
    a->correlation_key = db_col_dup(st, 18);
    db_col_copy(a->incident_id, sizeof(a->incident_id), st, 19);
    db_col_copy(a->suppression_id, sizeof(a->suppression_id), st, 20);
    a->reason = db_col_dup(st, 21);
    db_col_copy(a->acted_by, sizeof(a->acted_by), st, 22);
    a->acted_at = db_col_time(st, 23);
    a->updated_at = db_col_time(st, 24);
    a->version = sqlite3_column_int64(st, 25);
    if (with_payload)
        a->payload = db_col_dup(st, ALERT_NCOLS);
    if (a->source == NULL || a->title == NULL || a->labels == NULL || a->annotations == NULL ||
        a->severity < 0 || a->status < 0 || a->state < 0) {
        alert_free(a);
        return -1;
    }
    return 0;
}

/* Binds the changeable columns as parameters first.. in the order of
 * UPDATE_SET below. */
static int
bind_changeable(sqlite3_stmt *st, int first, const struct alert *a)
{
    char *labels = json_dumps(a->labels, JSON_COMPACT | JSON_SORT_KEYS);
    char *annotations = json_dumps(a->annotations, JSON_COMPACT | JSON_SORT_KEYS);
    int i = first;

    if (labels == NULL || annotations == NULL) {
        free(labels);
        free(annotations);
        return -1;
    }
    sqlite3_bind_text(st, i++, a->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, alert_severity_names[a->severity], -1, SQLITE_STATIC);
    db_bind_opt(st, i++, a->service);
    sqlite3_bind_text(st, i++, alert_status_names[a->status], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, alert_state_names[a->state], -1, SQLITE_STATIC);
    sqlite3_bind_int(st, i++, a->open ? 1 : 0);
    db_bind_time(st, i++, a->starts_at);
    db_bind_time(st, i++, a->ends_at);
    db_bind_time(st, i++, a->last_seen);
    sqlite3_bind_int64(st, i++, a->count);
    sqlite3_bind_text(st, i++, labels, -1, free);
    sqlite3_bind_text(st, i++, annotations, -1, free);
    db_bind_opt(st, i++, a->payload);
    db_bind_opt(st, i++, a->rule);
    db_bind_opt(st, i++, a->correlation_key);
    db_bind_opt(st, i++, a->incident_id);
    db_bind_opt(st, i++, a->suppression_id);
    db_bind_opt(st, i++, a->reason);
    db_bind_opt(st, i++, a->acted_by);
    db_bind_time(st, i++, a->acted_at);
    db_bind_time(st, i++, a->updated_at);
    sqlite3_bind_int64(st, i++, a->version);
    return i;
}

int
store_alert_insert(sqlite3 *db, struct alert *a, struct mp_error *err)
{
    sqlite3_stmt *st;
    int i, rc = -1;

    st = db_stmt(db, "INSERT INTO alerts(title, severity, service, status, state, open, "
                     "starts_at, ends_at, last_seen, count, labels, annotations, payload, rule, "
                     "correlation_key, incident_id, suppression_id, reason, acted_by, acted_at, "
                     "updated_at, version, id, source, fingerprint, first_seen) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (st == NULL)
        return db_fail(db, err, "storing alert");
    i = bind_changeable(st, 1, a);
    if (i < 0) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return mp_error_set(err, 500, "", "out of memory");
    }
    sqlite3_bind_text(st, i++, a->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, a->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, a->fingerprint, -1, SQLITE_STATIC);
    db_bind_time(st, i++, a->first_seen);
    if (sqlite3_step(st) == SQLITE_DONE) {
        a->seq = sqlite3_last_insert_rowid(db);
        rc = 0;
    } else {
        db_fail(db, err, "storing alert");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int
store_alert_update(sqlite3 *db, const struct alert *a, struct mp_error *err)
{
    sqlite3_stmt *st;
    int i;

    st = db_stmt(db, "UPDATE alerts SET title = ?, severity = ?, service = ?, status = ?, "
                     "state = ?, open = ?, starts_at = ?, ends_at = ?, last_seen = ?, count = ?, "
                     "labels = ?, annotations = ?, payload = ?, rule = ?, correlation_key = ?, "
                     "incident_id = ?, suppression_id = ?, reason = ?, acted_by = ?, "
                     "acted_at = ?, updated_at = ?, version = ? WHERE id = ?");
    if (st == NULL)
        return db_fail(db, err, "updating alert");
    i = bind_changeable(st, 1, a);
    if (i < 0) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return mp_error_set(err, 500, "", "out of memory");
    }
    sqlite3_bind_text(st, i, a->id, -1, SQLITE_STATIC);
    return db_done(db, st, "updating alert", err);
}

int
store_alert_touch(sqlite3 *db, const struct alert *a, struct mp_error *err)
{
    sqlite3_stmt *st;
    char *labels = json_dumps(a->labels, JSON_COMPACT | JSON_SORT_KEYS);
    char *annotations = json_dumps(a->annotations, JSON_COMPACT | JSON_SORT_KEYS);

    if (labels == NULL || annotations == NULL) {
        free(labels);
        free(annotations);
        return mp_error_set(err, 500, "", "out of memory");
    }
    st = db_stmt(db, "UPDATE alerts SET count = ?, last_seen = ?, title = ?, severity = ?, "
                     "labels = ?, annotations = ?, payload = ?, updated_at = ? WHERE id = ?");
    if (st == NULL) {
        free(labels);
        free(annotations);
        return db_fail(db, err, "updating alert");
    }
    sqlite3_bind_int64(st, 1, a->count);
    db_bind_time(st, 2, a->last_seen);
    sqlite3_bind_text(st, 3, a->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, alert_severity_names[a->severity], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, labels, -1, free);
    sqlite3_bind_text(st, 6, annotations, -1, free);
    db_bind_opt(st, 7, a->payload);
    db_bind_time(st, 8, a->updated_at);
    sqlite3_bind_text(st, 9, a->id, -1, SQLITE_STATIC);
    return db_done(db, st, "updating alert", err);
}

static int
load_one(sqlite3 *db, sqlite3_stmt *st, struct alert *out, struct mp_error *err)
{
    int step = sqlite3_step(st), rc;

    if (step == SQLITE_ROW)
        rc = read_row(st, out, true) == 0 ? 1 : mp_error_set(err, 500, "", "unreadable alert row");
    else if (step == SQLITE_DONE)
        rc = 0;
    else
        rc = db_fail(db, err, "reading alert");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int
store_alert_load(sqlite3 *db, const char *id, struct alert *out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " ALERT_COLUMNS " FROM alerts WHERE id = ?");

    if (st == NULL)
        return db_fail(db, err, "reading alert");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    return load_one(db, st, out, err);
}

int
store_alert_find_open(sqlite3 *db, const char *source, const char *fingerprint, struct alert *out,
                      struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " ALERT_COLUMNS " FROM alerts "
                                   "WHERE source = ? AND fingerprint = ? AND open = 1");

    if (st == NULL)
        return db_fail(db, err, "reading alert");
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, fingerprint, -1, SQLITE_STATIC);
    return load_one(db, st, out, err);
}

/* A row of a list (without the payload), for db_rows(). */
static int
read_list_row(sqlite3_stmt *st, void *item)
{
    return read_row(st, item, false);
}

static void
drop_alert(void *item)
{
    alert_free(item);
}

int
store_alert_query(sqlite3 *db, const struct store_alert_query *q, struct alert **items, int *count,
                  struct mp_error *err)
{
    struct buf sql = BUF_INIT;
    sqlite3_stmt *st = NULL;
    int i = 1, rc = -1;
    char visible[64];

    *items = NULL;
    *count = 0;
    /* The statement's shape depends only on which filters are present;
     * every value is a bound parameter. */
    buf_puts(&sql, "SELECT " ALERT_LIST_COLUMNS " FROM alerts WHERE 1");
    if (q->state >= 0)
        buf_puts(&sql, " AND state = ?");
    if (q->status >= 0)
        buf_puts(&sql, " AND status = ?");
    if (q->severity >= 0)
        buf_puts(&sql, " AND severity = ?");
    if (q->source != NULL)
        buf_puts(&sql, " AND source = ?");
    if (q->service != NULL)
        buf_puts(&sql, " AND service = ?");
    if (q->incident_id != NULL)
        buf_puts(&sql, " AND incident_id = ?");
    if (q->before_seq > 0)
        buf_puts(&sql, " AND seq < ?");
    /* a principal limited to some TLP levels never learns of an incident
     * above them, not even through its alerts */
    if (q->tlp_max < TLP_RED)
        buf_puts(&sql, " AND (incident_id IS NULL OR EXISTS (SELECT 1 FROM incidents i "
                       "WHERE i.id = alerts.incident_id AND instr(?, ',' || i.tlp || ',') > 0))");
    buf_puts(&sql, " ORDER BY seq DESC LIMIT ?");
    if (buf_failed(&sql)) {
        mp_error_set(err, 500, "", "out of memory");
        goto out;
    }
    if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK) {
        db_fail(db, err, "listing alerts");
        goto out;
    }
    if (q->state >= 0)
        sqlite3_bind_text(st, i++, alert_state_names[q->state], -1, SQLITE_STATIC);
    if (q->status >= 0)
        sqlite3_bind_text(st, i++, alert_status_names[q->status], -1, SQLITE_STATIC);
    if (q->severity >= 0)
        sqlite3_bind_text(st, i++, alert_severity_names[q->severity], -1, SQLITE_STATIC);
    if (q->source != NULL)
        sqlite3_bind_text(st, i++, q->source, -1, SQLITE_STATIC);
    if (q->service != NULL)
        sqlite3_bind_text(st, i++, q->service, -1, SQLITE_STATIC);
    if (q->incident_id != NULL)
        sqlite3_bind_text(st, i++, q->incident_id, -1, SQLITE_STATIC);
    if (q->before_seq > 0)
        sqlite3_bind_int64(st, i++, q->before_seq);
    if (q->tlp_max < TLP_RED) {
        store_tlp_visible_list(q->tlp_max, visible);
        sqlite3_bind_text(st, i++, visible, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int(st, i++, q->limit + 1);
    rc = db_rows(db, st, sizeof(struct alert), q->limit + 1, read_list_row, drop_alert,
                 (void **)items, count, "listing alerts", err);
out:
    sqlite3_finalize(st);
    buf_free(&sql);
    return rc;
}

int
store_alert_correlated(sqlite3 *db, const char *key, int64_t since, char id[40],
                       struct mp_error *err)
{
    sqlite3_stmt *st;
    int step, rc;

    st = db_stmt(db, "SELECT a.incident_id FROM alerts a JOIN incidents i ON i.id = a.incident_id "
                     "WHERE a.correlation_key = ? AND a.incident_id IS NOT NULL "
                     "AND a.last_seen >= ? "
                     "AND i.state NOT IN ('resolved', 'closed', 'dismissed') "
                     "ORDER BY a.last_seen DESC LIMIT 1");
    if (st == NULL)
        return db_fail(db, err, "correlating alert");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    db_bind_time(st, 2, since);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        db_col_copy(id, 40, st, 0);
        rc = 1;
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = db_fail(db, err, "correlating alert");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int
store_alert_incident_status(sqlite3 *db, const char *incident_id, int64_t *firing, int64_t *total,
                            int64_t *last_end, struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc = -1;

    /* ends_at is RFC 3339 UTC text of one width, so max() is the latest */
    st = db_stmt(db, "SELECT count(*) FILTER (WHERE status = 'firing'), count(*), "
                     "max(ends_at) FROM alerts WHERE incident_id = ?");
    if (st == NULL)
        return db_fail(db, err, "reading the incident's alerts");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *firing = sqlite3_column_int64(st, 0);
        *total = sqlite3_column_int64(st, 1);
        *last_end = db_col_time(st, 2);
        rc = 0;
    } else {
        db_fail(db, err, "reading the incident's alerts");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* ---- suppressions ---- */

#define SUPPRESSION_COLUMNS                                                                        \
    "id, match, action, reason, starts_at, expires_at, dropped, created_at, created_by, "          \
    "deleted_at, deleted_by"

void
suppression_free(struct suppression *s)
{
    json_decref(s->match);
    free(s->reason);
    s->match = NULL;
    s->reason = NULL;
}

static int
read_suppression(sqlite3_stmt *st, struct suppression *s)
{
    const unsigned char *t;

    memset(s, 0, sizeof(*s));
    db_col_copy(s->id, sizeof(s->id), st, 0);
    t = sqlite3_column_text(st, 1);
    s->match = json_loads(t ? (const char *)t : "{}", 0, NULL);
    db_col_copy(s->action, sizeof(s->action), st, 2);
    s->reason = db_col_dup(st, 3);
    s->starts_at = db_col_time(st, 4);
    s->expires_at = db_col_time(st, 5);
    s->dropped = sqlite3_column_int64(st, 6);
    s->created_at = db_col_time(st, 7);
    db_col_copy(s->created_by, sizeof(s->created_by), st, 8);
    s->deleted_at = db_col_time(st, 9);
    db_col_copy(s->deleted_by, sizeof(s->deleted_by), st, 10);
    if (s->match == NULL || s->reason == NULL) {
        suppression_free(s);
        return -1;
    }
    return 0;
}

int
store_suppression_insert(sqlite3 *db, const struct suppression *s, struct mp_error *err)
{
    sqlite3_stmt *st;
    char *match = json_dumps(s->match, JSON_COMPACT | JSON_SORT_KEYS);

    if (match == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    st = db_stmt(db, "INSERT INTO suppressions(id, match, action, reason, starts_at, expires_at, "
                     "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (st == NULL) {
        free(match);
        return db_fail(db, err, "storing suppression");
    }
    sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, match, -1, free);
    sqlite3_bind_text(st, 3, s->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, s->reason, -1, SQLITE_STATIC);
    db_bind_time(st, 5, s->starts_at);
    db_bind_time(st, 6, s->expires_at);
    db_bind_time(st, 7, s->created_at);
    sqlite3_bind_text(st, 8, s->created_by, -1, SQLITE_STATIC);
    return db_done(db, st, "storing suppression", err);
}

static int
read_suppression_item(sqlite3_stmt *st, void *item)
{
    return read_suppression(st, item);
}

static void
drop_suppression(void *item)
{
    suppression_free(item);
}

int
store_suppression_list(sqlite3 *db, bool active, int64_t now, struct suppression **items,
                       int *count, struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc;

    *items = NULL;
    *count = 0;
    if (active) {
        st = db_stmt(db, "SELECT " SUPPRESSION_COLUMNS " FROM suppressions "
                         "WHERE deleted_at IS NULL AND expires_at > ?1 AND starts_at <= ?1 "
                         "ORDER BY created_at, id");
        if (st != NULL)
            db_bind_time(st, 1, now);
    } else {
        st = db_stmt(db, "SELECT " SUPPRESSION_COLUMNS " FROM suppressions "
                         "ORDER BY created_at DESC, id DESC LIMIT 1000");
    }
    if (st == NULL)
        return db_fail(db, err, "listing suppressions");
    rc = db_rows(db, st, sizeof(struct suppression), 0, read_suppression_item, drop_suppression,
                 (void **)items, count, "listing suppressions", err);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int
store_suppression_load(sqlite3 *db, const char *id, struct suppression *out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " SUPPRESSION_COLUMNS " FROM suppressions WHERE id = ?");
    int step, rc;

    if (st == NULL)
        return db_fail(db, err, "reading suppression");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        rc = read_suppression(st, out) == 0 ? 1
                                            : mp_error_set(err, 500, "", "unreadable suppression");
    else if (step == SQLITE_DONE)
        rc = 0;
    else
        rc = db_fail(db, err, "reading suppression");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int
store_suppression_delete(sqlite3 *db, const char *id, int64_t at, const char *by,
                         struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE suppressions SET deleted_at = ?, deleted_by = ? "
                                   "WHERE id = ? AND deleted_at IS NULL");
    int rc = -1;

    if (st == NULL)
        return db_fail(db, err, "ending suppression");
    db_bind_time(st, 1, at);
    sqlite3_bind_text(st, 2, by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_DONE)
        rc = sqlite3_changes(db);
    else
        db_fail(db, err, "ending suppression");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int
store_suppression_count(sqlite3 *db, const char *id, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE suppressions SET dropped = dropped + 1 WHERE id = ?");

    if (st == NULL)
        return db_fail(db, err, "counting suppressed alert");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    return db_done(db, st, "counting suppressed alert", err);
}
