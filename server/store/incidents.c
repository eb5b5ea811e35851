/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * incidents.c - see incidents.h.
 */
#include "incidents.h"
#include "db.h"
#include "state.h"
#include "lib/buf.h"
#include "lib/text.h"
#include "lib/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns, in the order read_row() and bind_row() use. */
#define INCIDENT_COLUMNS                                                                           \
    "seq, id, ref, title, description, category, cause, severity, state, assignee, tlp, "          \
    "detected_at, aware_at, started_at, ended_at, triage_at, confirmed_at, contained_at, "         \
    "resolved_at, closed_at, dismissed_at, services, impact, created_at, created_by, "             \
    "updated_at, version, kind, root_cause_category, root_cause, exercise"

static int
col_enum(sqlite3_stmt *st, int i, const char *const names[], int n)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? incident_enum_parse(names, n, (const char *)t) : -1;
}

static int
read_row(sqlite3_stmt *st, struct incident *inc)
{
    const char *text;

    memset(inc, 0, sizeof(*inc));
    inc->seq = sqlite3_column_int64(st, 0);
    snprintf(inc->id, sizeof(inc->id), "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(inc->ref, sizeof(inc->ref), "%s", (const char *)sqlite3_column_text(st, 2));
    inc->title = db_col_dup(st, 3);
    inc->description = db_col_dup(st, 4);
    inc->category = col_enum(st, 5, incident_category_names, CATEGORY_COUNT);
    inc->cause = col_enum(st, 6, incident_cause_names, CAUSE_COUNT);
    inc->severity = col_enum(st, 7, incident_severity_names, SEVERITY_COUNT);
    inc->state = col_enum(st, 8, incident_state_names, STATE_COUNT);
    inc->assignee = db_col_dup(st, 9);
    inc->tlp = col_enum(st, 10, incident_tlp_names, TLP_COUNT);
    inc->detected_at = db_col_time(st, 11);
    inc->aware_at = db_col_time(st, 12);
    inc->started_at = db_col_time(st, 13);
    inc->ended_at = db_col_time(st, 14);
    inc->state_at[STATE_DETECTED] = inc->detected_at;
    for (int s = STATE_TRIAGE; s < STATE_COUNT; s++)
        inc->state_at[s] = db_col_time(st, 15 + s - STATE_TRIAGE);
    text = (const char *)sqlite3_column_text(st, 21);
    inc->services = json_loads(text ? text : "[]", 0, NULL);
    text = (const char *)sqlite3_column_text(st, 22);
    inc->impact = json_loads(text ? text : "{}", 0, NULL);
    inc->created_at = db_col_time(st, 23);
    snprintf(inc->created_by, sizeof(inc->created_by), "%s",
             (const char *)sqlite3_column_text(st, 24));
    inc->updated_at = db_col_time(st, 25);
    inc->version = sqlite3_column_int64(st, 26);
    inc->kind = col_enum(st, 27, incident_kind_names, KIND_COUNT);
    inc->root_cause_category = sqlite3_column_type(st, 28) == SQLITE_NULL
                                   ? -1
                                   : col_enum(st, 28, incident_root_cause_names, ROOT_CAUSE_COUNT);
    inc->root_cause = db_col_dup(st, 29);
    inc->exercise = sqlite3_column_int(st, 30) != 0;
    if (inc->title == NULL || inc->description == NULL || inc->services == NULL ||
        inc->impact == NULL || inc->category < 0 || inc->cause < 0 || inc->severity < 0 ||
        inc->state < 0 || inc->tlp < 0 || inc->kind < 0 ||
        (inc->root_cause_category < 0 && sqlite3_column_type(st, 28) != SQLITE_NULL)) {
        incident_free(inc);
        return -1;
    }
    return 0;
}

/* Binds the columns from title on, as parameters first..first+25. */
static int
bind_row(sqlite3_stmt *st, int first, const struct incident *inc)
{
    char *services = json_dumps(inc->services, JSON_COMPACT);
    char *impact = json_dumps(inc->impact, JSON_COMPACT | JSON_SORT_KEYS);
    int i = first;

    if (services == NULL || impact == NULL) {
        free(services);
        free(impact);
        return -1;
    }
    sqlite3_bind_text(st, i++, inc->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, inc->description ? inc->description : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, incident_category_names[inc->category], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, incident_cause_names[inc->cause], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, incident_severity_names[inc->severity], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, i++, incident_state_names[inc->state], -1, SQLITE_STATIC);
    if (inc->assignee)
        sqlite3_bind_text(st, i++, inc->assignee, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i++);
    sqlite3_bind_text(st, i++, incident_tlp_names[inc->tlp], -1, SQLITE_STATIC);
    db_bind_time(st, i++, inc->detected_at);
    db_bind_time(st, i++, inc->aware_at);
    db_bind_time(st, i++, inc->started_at);
    db_bind_time(st, i++, inc->ended_at);
    for (int s = STATE_TRIAGE; s < STATE_COUNT; s++)
        db_bind_time(st, i++, inc->state_at[s]);
    sqlite3_bind_text(st, i++, services, -1, free);
    sqlite3_bind_text(st, i++, impact, -1, free);
    db_bind_time(st, i++, inc->created_at);
    sqlite3_bind_text(st, i++, inc->created_by, -1, SQLITE_STATIC);
    db_bind_time(st, i++, inc->updated_at);
    sqlite3_bind_int64(st, i++, inc->version);
    sqlite3_bind_text(st, i++, incident_kind_names[inc->kind], -1, SQLITE_STATIC);
    if (inc->root_cause_category >= 0)
        sqlite3_bind_text(st, i++, incident_root_cause_names[inc->root_cause_category], -1,
                          SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i++);
    if (inc->root_cause)
        sqlite3_bind_text(st, i++, inc->root_cause, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i++);
    return 0;
}

/*
 * The text index (incidents_fts, schema/0016) holds the title and the
 * description of each incident, by seq, in the transaction that writes
 * them.  It takes its text from the incidents row (external content): a
 * row is added from the row as written, and taken out, before the row
 * changes, from the row as it was.
 */
static int
fts_insert(sqlite3 *db, int64_t seq, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO incidents_fts(rowid, title, description) "
                                   "SELECT seq, title, description FROM incidents WHERE seq = ?");

    if (st == NULL)
        return db_fail(db, err, "indexing the incident's text");
    sqlite3_bind_int64(st, 1, seq);
    return db_done(db, st, "indexing the incident's text", err);
}

static int
fts_remove(sqlite3 *db, int64_t seq, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO incidents_fts(incidents_fts, rowid, title, "
                                   "description) SELECT 'delete', seq, title, description "
                                   "FROM incidents WHERE seq = ?");

    if (st == NULL)
        return db_fail(db, err, "indexing the incident's text");
    sqlite3_bind_int64(st, 1, seq);
    return db_done(db, st, "indexing the incident's text", err);
}

int
store_incident_insert(sqlite3 *db, struct incident *inc, struct mp_error *err)
{
    sqlite3_stmt *st;
    char t[TIME_RFC3339_LEN];
    int year, number = 1, issued, rc = -1;

    time_format_rfc3339(inc->created_at, t, sizeof(t));
    year = (int)strtol(t, NULL, 10); /* "YYYY-…": the year the incident was created in */
    st = db_stmt(db, "SELECT coalesce(max(ref_number), 0) + 1 FROM incidents WHERE ref_year = ?");
    if (st == NULL)
        return db_fail(db, err, "numbering the incident");
    sqlite3_bind_int(st, 1, year);
    if (sqlite3_step(st) == SQLITE_ROW)
        number = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    /* never a number handed out before, also when the database lost the
     * row that held it (store/state.h) */
    issued = store_state_ref_floor(year);
    if (number <= issued)
        number = issued + 1;
    store_state_note_year(year);
    snprintf(inc->ref, sizeof(inc->ref), "INC-%04d-%04d", year, number);

    st = db_stmt(db, "INSERT INTO incidents(id, ref, ref_year, ref_number, title, description, "
                     "category, cause, severity, state, assignee, tlp, detected_at, aware_at, "
                     "started_at, ended_at, triage_at, confirmed_at, contained_at, resolved_at, "
                     "closed_at, dismissed_at, services, impact, created_at, created_by, "
                     "updated_at, version, kind, root_cause_category, root_cause, exercise) VALUES "
                     "(?,?,?,?, ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?, ?,?,?, ?)");
    if (st == NULL)
        return db_fail(db, err, "creating the incident");
    sqlite3_bind_text(st, 1, inc->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, inc->ref, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, year);
    sqlite3_bind_int(st, 4, number);
    if (bind_row(st, 5, inc) != 0) {
        sqlite3_reset(st);
        return mp_error_set(err, 500, "", "out of memory");
    }
    sqlite3_bind_int(st, 32, inc->exercise); /* issue 22: set once, here */
    if (sqlite3_step(st) == SQLITE_DONE) {
        inc->seq = sqlite3_last_insert_rowid(db);
        rc = 0;
    } else {
        db_fail(db, err, "creating the incident");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st); /* frees the JSON texts now */
    if (rc == 0)
        rc = fts_insert(db, inc->seq, err);
    return rc;
}

int
store_incident_update(sqlite3 *db, const struct incident *inc, struct mp_error *err)
{
    sqlite3_stmt *st;
    int64_t seq = 0;
    bool same_text = false;
    int rc = -1;

    /* the text as it was out of the index, before the row changes */
    st = db_stmt(db, "SELECT seq, title = ? AND description = ? FROM incidents WHERE id = ?");
    if (st == NULL)
        return db_fail(db, err, "updating the incident");
    sqlite3_bind_text(st, 1, inc->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, inc->description, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, inc->id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        seq = sqlite3_column_int64(st, 0);
        same_text = sqlite3_column_int(st, 1) == 1;
    }
    sqlite3_reset(st);
    if (seq > 0 && !same_text && fts_remove(db, seq, err) != 0)
        return -1;

    st = db_stmt(db, "UPDATE incidents SET title = ?, description = ?, category = ?, cause = ?, "
                     "severity = ?, state = ?, assignee = ?, tlp = ?, detected_at = ?, "
                     "aware_at = ?, started_at = ?, ended_at = ?, triage_at = ?, "
                     "confirmed_at = ?, contained_at = ?, resolved_at = ?, closed_at = ?, "
                     "dismissed_at = ?, services = ?, impact = ?, created_at = ?, "
                     "created_by = ?, updated_at = ?, version = ?, kind = ?, "
                     "root_cause_category = ?, root_cause = ? WHERE id = ?");
    if (st == NULL)
        return db_fail(db, err, "updating the incident");
    if (bind_row(st, 1, inc) != 0) {
        sqlite3_reset(st);
        return mp_error_set(err, 500, "", "out of memory");
    }
    sqlite3_bind_text(st, 28, inc->id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1)
        rc = 0;
    else
        db_fail(db, err, "updating the incident");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == 0 && seq > 0 && !same_text)
        rc = fts_insert(db, seq, err);
    return rc;
}

int
store_incident_load(sqlite3 *db, const char *id_or_ref, struct incident *out, struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc, step;

    st = db_stmt(db, "SELECT " INCIDENT_COLUMNS " FROM incidents WHERE id = ?1 OR ref = ?1");
    if (st == NULL)
        return db_fail(db, err, "reading the incident");
    sqlite3_bind_text(st, 1, id_or_ref, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        rc = read_row(st, out) == 0 ? 1 : mp_error_set(err, 500, "", "unreadable incident row");
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        rc = db_fail(db, err, "reading the incident");
    }
    sqlite3_reset(st);
    return rc;
}

void
store_tlp_visible_list(int tlp_max, char out[64])
{
    size_t n = 0;

    out[n++] = ',';
    for (int k = 0; k <= tlp_max && k < TLP_COUNT; k++)
        n += (size_t)snprintf(out + n, 64 - n, "%s,", incident_tlp_names[k]);
    out[n] = '\0';
}

/* What ?q= is matched with: for the text index one FTS5 string, the text
 * as it is with its quotes doubled; for LIKE, the text escaped between
 * two %. */
static int
search_pattern(struct buf *out, const char *text, bool fts)
{
    const char *specials = fts ? "\"" : "%_\\";

    buf_puts(out, fts ? "\"" : "%");
    for (const char *p = text; *p; p++) {
        if (strchr(specials, *p) != NULL)
            buf_puts(out, fts ? "\"" : "\\");
        buf_append(out, p, 1);
    }
    buf_puts(out, fts ? "\"" : "%");
    return buf_failed(out) ? -1 : 0;
}

/*
 * The list statement.  Its shape depends only on which filters are
 * present; every value is a bound parameter, in the order they appear.
 * A text search is driven by the text index in the cursor's order (newest
 * first, from the cursor down), so a page stops after its rows however many
 * match; each other filter has an index ending in seq (schema/0016).
 */
static void
query_sql(struct buf *sql, const struct store_incident_query *q, bool fts)
{
    buf_puts(sql, "SELECT " INCIDENT_COLUMNS " FROM ");
    if (fts) {
        buf_puts(sql, "(SELECT rowid AS fseq FROM incidents_fts WHERE incidents_fts MATCH ?");
        if (q->before_seq > 0)
            buf_puts(sql, " AND rowid < ?");
        buf_puts(sql, " ORDER BY rowid DESC) AS f CROSS JOIN incidents ON incidents.seq = f.fseq");
    } else {
        buf_puts(sql, "incidents");
        /* a poller's few recent changes from the index, never a walk back
         * through every row in the cursor's order looking for them */
        if (q->updated_since != TIME_UNSET)
            buf_puts(sql, " INDEXED BY incidents_updated");
    }
    buf_puts(sql, " WHERE 1");
    if (q->state >= 0)
        buf_puts(sql, " AND state = ?");
    if (q->severity >= 0)
        buf_puts(sql, " AND severity = ?");
    if (q->category >= 0)
        buf_puts(sql, " AND category = ?");
    if (q->q != NULL && !fts)
        buf_puts(sql, " AND (title LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')");
    if (q->updated_since != TIME_UNSET)
        buf_puts(sql, " AND updated_at >= ?");
    if (q->before_seq > 0)
        buf_puts(sql, " AND seq < ?");
    if (q->tlp_limited)
        buf_puts(sql, " AND instr(?, ',' || tlp || ',') > 0");
    buf_puts(sql, fts ? " ORDER BY f.fseq DESC LIMIT ?" : " ORDER BY seq DESC LIMIT ?");
}

int
store_incident_query(sqlite3 *db, const struct store_incident_query *q, struct incident **items,
                     int *count, struct mp_error *err)
{
    struct buf sql = BUF_INIT;
    struct buf like = BUF_INIT;
    struct incident *v = NULL;
    sqlite3_stmt *st = NULL;
    int n = 0, i = 1, step = SQLITE_DONE, rc = -1;
    char since[TIME_RFC3339_LEN], visible[64];
    bool fts;

    *items = NULL;
    *count = 0;
    /* three characters and more: the trigram index (schema/0016), else
     * the scan, which is all a trigram index could do for fewer */
    fts = q->q != NULL && text_chars(q->q) >= 3;
    query_sql(&sql, q, fts);
    if (buf_failed(&sql))
        goto oom;
    if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK) {
        db_fail(db, err, "listing incidents");
        goto out;
    }
    if (q->q != NULL && search_pattern(&like, q->q, fts) != 0)
        goto oom;
    if (fts) { /* in the FROM clause, before the rest */
        sqlite3_bind_text(st, i++, like.data, -1, SQLITE_STATIC);
        if (q->before_seq > 0)
            sqlite3_bind_int64(st, i++, q->before_seq);
    }
    if (q->state >= 0)
        sqlite3_bind_text(st, i++, incident_state_names[q->state], -1, SQLITE_STATIC);
    if (q->severity >= 0)
        sqlite3_bind_text(st, i++, incident_severity_names[q->severity], -1, SQLITE_STATIC);
    if (q->category >= 0)
        sqlite3_bind_text(st, i++, incident_category_names[q->category], -1, SQLITE_STATIC);
    if (q->q != NULL && !fts) { /* title and description */
        sqlite3_bind_text(st, i++, like.data, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, i++, like.data, -1, SQLITE_STATIC);
    }
    if (q->updated_since != TIME_UNSET) {
        time_format_rfc3339(q->updated_since, since, sizeof(since));
        sqlite3_bind_text(st, i++, since, -1, SQLITE_STATIC);
    }
    if (q->before_seq > 0)
        sqlite3_bind_int64(st, i++, q->before_seq);
    if (q->tlp_limited) {
        store_tlp_visible_list(q->tlp_max, visible);
        sqlite3_bind_text(st, i++, visible, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int(st, i++, q->limit + 1);
    v = calloc((size_t)q->limit + 1, sizeof(*v));
    if (v == NULL)
        goto oom;
    while (n <= q->limit && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (read_row(st, &v[n]) != 0) {
            mp_error_set(err, 500, "", "unreadable incident row");
            goto out;
        }
        n++;
    }
    if (n <= q->limit && step != SQLITE_DONE) {
        db_fail(db, err, "listing incidents");
        goto out;
    }
    *items = v;
    *count = n;
    v = NULL;
    rc = 0;
    goto out;
oom:
    mp_error_set(err, 500, "", "out of memory");
out:
    if (v != NULL) {
        for (int k = 0; k < n; k++)
            incident_free(&v[k]);
        free(v);
    }
    sqlite3_finalize(st);
    buf_free(&sql);
    buf_free(&like);
    return rc;
}

int
store_incident_count_by_state(sqlite3 *db, int tlp_max, int64_t *counts, int nstates,
                              struct mp_error *err)
{
    sqlite3_stmt *st;
    char visible[64];
    int step;

    for (int s = 0; s < nstates; s++)
        counts[s] = 0;
    store_tlp_visible_list(tlp_max, visible);
    /* the counts kept in step by triggers (schema/0016): no scan */
    st = db_stmt(db, "SELECT state, sum(n) FROM incident_counts "
                     "WHERE instr(?, ',' || tlp || ',') > 0 GROUP BY state");
    if (st == NULL)
        return db_fail(db, err, "counting incidents");
    sqlite3_bind_text(st, 1, visible, -1, SQLITE_TRANSIENT);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int s = col_enum(st, 0, incident_state_names, STATE_COUNT);
        if (s >= 0 && s < nstates)
            counts[s] = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return step == SQLITE_DONE ? 0 : db_fail(db, err, "counting incidents");
}

int
store_incident_count_by_severity(sqlite3 *db, int tlp_max,
                                 int64_t counts[STATE_COUNT][SEVERITY_COUNT], struct mp_error *err)
{
    sqlite3_stmt *st;
    char visible[64];
    int step;

    memset(counts, 0, sizeof(int64_t) * STATE_COUNT * SEVERITY_COUNT);
    store_tlp_visible_list(tlp_max, visible);
    st = db_stmt(db, "SELECT state, severity, sum(n) FROM incident_counts "
                     "WHERE instr(?, ',' || tlp || ',') > 0 GROUP BY state, severity");
    if (st == NULL)
        return db_fail(db, err, "counting incidents");
    sqlite3_bind_text(st, 1, visible, -1, SQLITE_TRANSIENT);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int s = col_enum(st, 0, incident_state_names, STATE_COUNT);
        int v = col_enum(st, 1, incident_severity_names, SEVERITY_COUNT);
        if (s >= 0 && v >= 0)
            counts[s][v] = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return step == SQLITE_DONE ? 0 : db_fail(db, err, "counting incidents");
}

int
store_timeline_append(sqlite3 *db, const char *incident_id, const char *at, const char *principal,
                      const char *kind, const char *field, const char *old_value,
                      const char *new_value, const char *note, struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc;

    st = db_stmt(db, "INSERT INTO timeline(incident_id, at, principal, kind, field, old_value, "
                     "new_value, note) VALUES (?,?,?,?,?,?,?,?)");
    if (st == NULL)
        return db_fail(db, err, "writing the timeline");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, principal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    db_bind_text_opt(st, 5, field, true);
    db_bind_text_opt(st, 6, old_value, true);
    db_bind_text_opt(st, 7, new_value, true);
    db_bind_text_opt(st, 8, note, true);
    rc = db_done(db, st, "writing the timeline", err);
    return rc;
}

int
store_timeline_list(sqlite3 *db, const char *incident_id, struct timeline_entry **entries,
                    int *count, struct mp_error *err)
{
    struct timeline_entry *v = NULL;
    sqlite3_stmt *st;
    int n = 0, cap = 0, step;

    *entries = NULL;
    *count = 0;
    st = db_stmt(db, "SELECT seq, at, principal, kind, field, old_value, new_value, note "
                     "FROM timeline WHERE incident_id = ? ORDER BY seq");
    if (st == NULL)
        return db_fail(db, err, "reading the timeline");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct timeline_entry *e;
        if (n == cap) {
            struct timeline_entry *nv;
            cap = cap ? cap * 2 : 16;
            nv = realloc(v, (size_t)cap * sizeof(*v));
            if (nv == NULL) {
                sqlite3_reset(st);
                *entries = v;
                *count = n;
                return mp_error_set(err, 500, "", "out of memory");
            }
            v = nv;
        }
        e = &v[n++];
        memset(e, 0, sizeof(*e));
        e->seq = sqlite3_column_int64(st, 0);
        snprintf(e->at, sizeof(e->at), "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(e->principal, sizeof(e->principal), "%s",
                 (const char *)sqlite3_column_text(st, 2));
        snprintf(e->kind, sizeof(e->kind), "%s", (const char *)sqlite3_column_text(st, 3));
        e->field = db_col_dup(st, 4);
        e->old_value = db_col_dup(st, 5);
        e->new_value = db_col_dup(st, 6);
        e->note = db_col_dup(st, 7);
    }
    sqlite3_reset(st);
    *entries = v;
    *count = n;
    return step == SQLITE_DONE ? 0 : db_fail(db, err, "reading the timeline");
}

int
store_idempotency_find(sqlite3 *db, const char *principal, const char *key, int64_t now,
                       int64_t max_age, uint8_t hash[32], char object_id[40], char **response,
                       struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc, step;

    *response = NULL;
    st = db_stmt(db, "SELECT request_hash, object_id, response FROM idempotency "
                     "WHERE principal = ? AND key = ? AND created_at > ?");
    if (st == NULL)
        return db_fail(db, err, "reading idempotency keys");
    sqlite3_bind_text(st, 1, principal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now - max_age);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) == 32)
            memcpy(hash, sqlite3_column_blob(st, 0), 32);
        else
            memset(hash, 0, 32);
        snprintf(object_id, 40, "%s", (const char *)sqlite3_column_text(st, 1));
        *response = strdup((const char *)sqlite3_column_text(st, 2));
        rc = *response ? 1 : mp_error_set(err, 500, "", "out of memory");
    } else {
        rc = step == SQLITE_DONE ? 0 : db_fail(db, err, "reading idempotency keys");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_idempotency_put(sqlite3 *db, const char *principal, const char *key, const uint8_t hash[32],
                      const char *object_id, const char *response, int64_t now,
                      struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc;

    /* REPLACE: an expired record with the same key is overwritten. */
    st = db_stmt(db, "INSERT OR REPLACE INTO idempotency(principal, key, request_hash, "
                     "object_id, response, created_at) VALUES (?,?,?,?,?,?)");
    if (st == NULL)
        return db_fail(db, err, "recording the idempotency key");
    sqlite3_bind_text(st, 1, principal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, object_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, response, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, now);
    rc = db_done(db, st, "recording the idempotency key", err);
    return rc;
}

int
store_idempotency_purge(sqlite3 *db, int64_t now, int64_t max_age, struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc;

    st = db_stmt(db, "DELETE FROM idempotency WHERE created_at <= ?");
    if (st == NULL)
        return db_fail(db, err, "purging idempotency keys");
    sqlite3_bind_int64(st, 1, now - max_age);
    rc = db_done(db, st, "purging idempotency keys", err);
    return rc;
}

static int
read_id(sqlite3_stmt *st, void *item)
{
    struct incident_id *i = item;

    db_col_copy(i->id, sizeof(i->id), st, 0);
    return 0;
}

int
store_incident_ongoing(sqlite3 *db, struct incident_id **ids, int *count, struct mp_error *err)
{
    /* the state index narrows to the open states; the rest is per row */
    sqlite3_stmt *st =
        db_stmt(db, "SELECT id FROM incidents WHERE state NOT IN ('closed', 'dismissed') "
                    "AND started_at IS NOT NULL AND ended_at IS NULL "
                    "AND json_type(impact, '$.duration_minutes') IS NULL ORDER BY seq DESC");
    int rc;

    *ids = NULL;
    *count = 0;
    if (st == NULL)
        return db_fail(db, err, "finding ongoing incidents");
    rc = db_rows(db, st, sizeof(struct incident_id), 0, read_id, NULL, (void **)ids, count,
                 "finding ongoing incidents", err);
    sqlite3_reset(st);
    return rc;
}

int
store_incident_by_root_cause(sqlite3 *db, const char *category, struct incident_id **ids,
                             int *count, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT id FROM incidents WHERE root_cause_category = ? "
                                   "AND kind = 'incident' AND state <> 'dismissed' "
                                   "ORDER BY seq LIMIT 1000");
    int rc;

    *ids = NULL;
    *count = 0;
    if (st == NULL)
        return db_fail(db, err, "finding incidents with the same root cause");
    sqlite3_bind_text(st, 1, category, -1, SQLITE_STATIC);
    rc = db_rows(db, st, sizeof(struct incident_id), 0, read_id, NULL, (void **)ids, count,
                 "finding incidents with the same root cause", err);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}
