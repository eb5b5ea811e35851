/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * classification.c - see classification.h.
 */
#include "classification.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
store_classification_insert(sqlite3 *db, const char *incident_id, const char *at,
                            int64_t incident_version, int64_t profile_version, const char *rules,
                            const char *inputs, const char *result, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO classifications(incident_id, evaluated_at, "
                                   "incident_version, profile_version, rules, inputs, result) "
                                   "VALUES (?,?,?,?,?,?,?)");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "storing the classification");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, incident_version);
    sqlite3_bind_int64(st, 4, profile_version);
    sqlite3_bind_text(st, 5, rules, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, inputs, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, result, -1, SQLITE_STATIC);
    rc = db_done(db, st, "storing the classification", err);
    return rc;
}

/* The latest row's result (and inputs, when asked for). */
static int
latest(sqlite3 *db, const char *incident_id, char **result, char **inputs, char at[32],
       struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT result, evaluated_at, inputs FROM classifications "
                                   "WHERE incident_id = ? ORDER BY seq DESC LIMIT 1");
    int step, rc = 0;

    *result = NULL;
    if (inputs != NULL)
        *inputs = NULL;
    if (st == NULL)
        return db_fail(db, err, "reading the classification");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *result = strdup((const char *)sqlite3_column_text(st, 0));
        db_col_copy(at, 32, st, 1);
        if (inputs != NULL)
            *inputs = strdup((const char *)sqlite3_column_text(st, 2));
        if (*result == NULL || (inputs != NULL && *inputs == NULL))
            rc = mp_error_set(err, 500, "", "out of memory");
    } else if (step != SQLITE_DONE) {
        rc = db_fail(db, err, "reading the classification");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_classification_latest(sqlite3 *db, const char *incident_id, char **result, char at[32],
                            struct mp_error *err)
{
    return latest(db, incident_id, result, NULL, at, err);
}

int
store_classification_latest_row(sqlite3 *db, const char *incident_id, char **result, char **inputs,
                                char at[32], struct mp_error *err)
{
    return latest(db, incident_id, result, inputs, at, err);
}

int
store_rule_text_put(sqlite3 *db, const char *hash, const char *kind, const char *text,
                    struct mp_error *err)
{
    /* the text is bound, not copied, and looked at only when the hash is new */
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO rule_texts(hash, kind, text) SELECT ?1, ?2, ?3 "
                                   "WHERE NOT EXISTS (SELECT 1 FROM rule_texts WHERE hash = ?1)");

    if (st == NULL)
        return db_fail(db, err, "storing a rule file");
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    return db_done(db, st, "storing a rule file", err);
}

int
store_rule_text_known(sqlite3 *db, const char *hash, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM rule_texts WHERE hash = ?");
    int step;

    if (st == NULL)
        return db_fail(db, err, "reading a rule file");
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return db_fail(db, err, "reading a rule file");
    return step == SQLITE_ROW;
}

int
store_rule_text_get(sqlite3 *db, const char *hash, char **text, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT text FROM rule_texts WHERE hash = ?");
    int step, rc = 0;

    *text = NULL;
    if (st == NULL)
        return db_fail(db, err, "reading a rule file");
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *text = strdup((const char *)sqlite3_column_text(st, 0));
        if (*text == NULL)
            rc = mp_error_set(err, 500, "", "out of memory");
    } else if (step != SQLITE_DONE) {
        rc = db_fail(db, err, "reading a rule file");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_classification_history(sqlite3 *db, const char *incident_id, json_t **out,
                             struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT seq, evaluated_at, incident_version, "
                                   "profile_version, rules, inputs, result FROM classifications "
                                   "WHERE incident_id = ? ORDER BY seq");
    int step;

    *out = json_array();
    if (st == NULL)
        return db_fail(db, err, "reading the classification history");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        json_array_append_new(
            *out, json_pack("{s:I, s:s, s:I, s:I, s:o, s:o, s:o}", "seq",
                            (json_int_t)sqlite3_column_int64(st, 0), "evaluated_at",
                            (const char *)sqlite3_column_text(st, 1), "incident_version",
                            (json_int_t)sqlite3_column_int64(st, 2), "profile_version",
                            (json_int_t)sqlite3_column_int64(st, 3), "rules",
                            json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL), "inputs",
                            json_loads((const char *)sqlite3_column_text(st, 5), 0, NULL), "result",
                            json_loads((const char *)sqlite3_column_text(st, 6), 0, NULL)));
    }
    sqlite3_reset(st);
    return step == SQLITE_DONE ? 0 : db_fail(db, err, "reading the classification history");
}

#define STATUS_COLUMNS                                                                             \
    "regime, significant, classified_at, decision, decision_reason, decided_by, decided_at"

static void
read_status(sqlite3_stmt *st, struct regime_status *s)
{
    db_col_copy(s->regime, sizeof(s->regime), st, 0);
    db_col_copy(s->significant, sizeof(s->significant), st, 1);
    db_col_copy(s->classified_at, sizeof(s->classified_at), st, 2);
    db_col_copy(s->decision, sizeof(s->decision), st, 3);
    db_col_copy(s->decision_reason, sizeof(s->decision_reason), st, 4);
    db_col_copy(s->decided_by, sizeof(s->decided_by), st, 5);
    db_col_copy(s->decided_at, sizeof(s->decided_at), st, 6);
}

int
store_regime_status_get(sqlite3 *db, const char *incident_id, const char *regime,
                        struct regime_status *out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " STATUS_COLUMNS " FROM regime_status "
                                   "WHERE incident_id = ? AND regime = ?");
    int step, rc;

    memset(out, 0, sizeof(*out));
    if (st == NULL)
        return db_fail(db, err, "reading the regime status");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, regime, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        read_status(st, out);
        rc = 1;
    } else {
        rc = step == SQLITE_DONE ? 0 : db_fail(db, err, "reading the regime status");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_regime_status_put(sqlite3 *db, const char *incident_id, const struct regime_status *s,
                        struct mp_error *err)
{
    sqlite3_stmt *st =
        db_stmt(db, "INSERT OR REPLACE INTO regime_status(incident_id, " STATUS_COLUMNS
                    ") VALUES (?,?,?,?,?,?,?,?)");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "writing the regime status");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->regime, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, s->significant, -1, SQLITE_STATIC);
    db_bind_opt(st, 4, s->classified_at);
    db_bind_opt(st, 5, s->decision);
    db_bind_opt(st, 6, s->decision_reason);
    db_bind_opt(st, 7, s->decided_by);
    db_bind_opt(st, 8, s->decided_at);
    rc = db_done(db, st, "writing the regime status", err);
    return rc;
}

int
store_regime_status_list(sqlite3 *db, const char *incident_id, json_t **out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " STATUS_COLUMNS " FROM regime_status "
                                   "WHERE incident_id = ? ORDER BY regime");
    int step;

    *out = json_array();
    if (st == NULL)
        return db_fail(db, err, "reading the regime status");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct regime_status s;
        read_status(st, &s);
        json_array_append_new(*out,
                              json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?}", "regime",
                                        s.regime, "significant", s.significant, "classified_at",
                                        s.classified_at[0] ? s.classified_at : NULL, "decision",
                                        s.decision[0] ? s.decision : NULL, "decision_reason",
                                        s.decision_reason[0] ? s.decision_reason : NULL,
                                        "decided_by", s.decided_by[0] ? s.decided_by : NULL,
                                        "decided_at", s.decided_at[0] ? s.decided_at : NULL));
    }
    sqlite3_reset(st);
    return step == SQLITE_DONE ? 0 : db_fail(db, err, "reading the regime status");
}

#define OBLIGATION_COLUMNS                                                                         \
    "id, incident_id, regime, stage, recipient, asap, due_at, status, created_at, missed_at, "     \
    "submitted_at, waived_at, waived_by, waived_reason"

static void
read_obligation(sqlite3_stmt *st, struct obligation *o)
{
    memset(o, 0, sizeof(*o));
    db_col_copy(o->id, sizeof(o->id), st, 0);
    db_col_copy(o->incident_id, sizeof(o->incident_id), st, 1);
    db_col_copy(o->regime, sizeof(o->regime), st, 2);
    db_col_copy(o->stage, sizeof(o->stage), st, 3);
    db_col_copy(o->recipient, sizeof(o->recipient), st, 4);
    o->asap = sqlite3_column_int(st, 5) != 0;
    db_col_copy(o->due_at, sizeof(o->due_at), st, 6);
    db_col_copy(o->status, sizeof(o->status), st, 7);
    db_col_copy(o->created_at, sizeof(o->created_at), st, 8);
    db_col_copy(o->missed_at, sizeof(o->missed_at), st, 9);
    db_col_copy(o->submitted_at, sizeof(o->submitted_at), st, 10);
    db_col_copy(o->waived_at, sizeof(o->waived_at), st, 11);
    db_col_copy(o->waived_by, sizeof(o->waived_by), st, 12);
    db_col_copy(o->waived_reason, sizeof(o->waived_reason), st, 13);
}

static int
obligation_one(sqlite3 *db, sqlite3_stmt *st, struct obligation *out, struct mp_error *err)
{
    int step = sqlite3_step(st), rc;

    if (step == SQLITE_ROW) {
        read_obligation(st, out);
        rc = 1;
    } else {
        rc = step == SQLITE_DONE ? 0 : db_fail(db, err, "reading obligations");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_obligation_find(sqlite3 *db, const char *incident_id, const char *regime, const char *stage,
                      struct obligation *out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " OBLIGATION_COLUMNS " FROM obligations "
                                   "WHERE incident_id = ? AND regime = ? AND stage = ?");

    if (st == NULL)
        return db_fail(db, err, "reading obligations");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, regime, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, stage, -1, SQLITE_STATIC);
    return obligation_one(db, st, out, err);
}

int
store_obligation_get(sqlite3 *db, const char *id, struct obligation *out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " OBLIGATION_COLUMNS " FROM obligations WHERE id = ?");

    if (st == NULL)
        return db_fail(db, err, "reading obligations");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    return obligation_one(db, st, out, err);
}

int
store_obligation_insert(sqlite3 *db, const struct obligation *o, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO obligations(" OBLIGATION_COLUMNS
                                   ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "creating an obligation");
    sqlite3_bind_text(st, 1, o->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, o->incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, o->regime, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, o->stage, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, o->recipient, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, o->asap);
    db_bind_opt(st, 7, o->due_at);
    sqlite3_bind_text(st, 8, o->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, o->created_at, -1, SQLITE_STATIC);
    db_bind_opt(st, 10, o->missed_at);
    db_bind_opt(st, 11, o->submitted_at);
    db_bind_opt(st, 12, o->waived_at);
    db_bind_opt(st, 13, o->waived_by);
    db_bind_opt(st, 14, o->waived_reason);
    rc = db_done(db, st, "creating an obligation", err);
    return rc;
}

int
store_obligation_update(sqlite3 *db, const struct obligation *o, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE obligations SET recipient = ?, asap = ?, due_at = ?, "
                                   "status = ?, missed_at = ?, submitted_at = ?, waived_at = ?, "
                                   "waived_by = ?, waived_reason = ? WHERE id = ?");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "updating an obligation");
    sqlite3_bind_text(st, 1, o->recipient, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, o->asap);
    db_bind_opt(st, 3, o->due_at);
    sqlite3_bind_text(st, 4, o->status, -1, SQLITE_STATIC);
    db_bind_opt(st, 5, o->missed_at);
    db_bind_opt(st, 6, o->submitted_at);
    db_bind_opt(st, 7, o->waived_at);
    db_bind_opt(st, 8, o->waived_by);
    db_bind_opt(st, 9, o->waived_reason);
    sqlite3_bind_text(st, 10, o->id, -1, SQLITE_STATIC);
    rc = db_done(db, st, "updating an obligation", err);
    return rc;
}

/* An obligation of a list, for db_rows(). */
static int
read_obligation_item(sqlite3_stmt *st, void *item)
{
    read_obligation(st, item);
    return 0;
}

int
store_obligation_list(sqlite3 *db, const char *incident_id, const char *before, int limit,
                      struct obligation **out, int *count, struct mp_error *err)
{
    sqlite3_stmt *st;
    void *items = NULL;
    int rc;

    *out = NULL;
    *count = 0;
    if (incident_id != NULL) {
        st = db_stmt(db, "SELECT " OBLIGATION_COLUMNS " FROM obligations WHERE incident_id = ? "
                         "ORDER BY due_at IS NULL, due_at, regime, stage LIMIT ?");
        if (st == NULL)
            return db_fail(db, err, "reading obligations");
        sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    } else {
        st = db_stmt(db, "SELECT " OBLIGATION_COLUMNS " FROM obligations "
                         "WHERE status IN ('pending', 'missed') AND submitted_at IS NULL "
                         "AND (?1 IS NULL OR due_at < ?1) "
                         "ORDER BY due_at IS NULL, due_at, regime, stage LIMIT ?2");
        if (st == NULL)
            return db_fail(db, err, "reading obligations");
        db_bind_opt(st, 1, before);
    }
    sqlite3_bind_int(st, 2, limit);
    rc = db_rows(db, st, sizeof(struct obligation), 0, read_obligation_item, NULL, &items, count,
                 "reading obligations", err);
    sqlite3_reset(st);
    *out = items;
    return rc;
}

int
store_obligation_sweep(sqlite3 *db, const char *now, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE obligations SET status = 'missed', missed_at = due_at "
                                   "WHERE status = 'pending' AND due_at IS NOT NULL "
                                   "AND due_at < ?");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "sweeping obligations");
    sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(db)
                                         : db_fail(db, err, "sweeping obligations");
    sqlite3_reset(st);
    return rc;
}

json_t *
store_obligation_json(const struct obligation *o)
{
#define OPT(s) ((s)[0] ? (s) : NULL)
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s?, s:s, s:s, s:s?, s:s?, s:s?, s:s?, "
                     "s:s?}",
                     "id", o->id, "incident", o->incident_id, "regime", o->regime, "stage",
                     o->stage, "recipient", o->recipient, "asap", o->asap, "due_at", OPT(o->due_at),
                     "status", o->status, "created_at", o->created_at, "missed_at",
                     OPT(o->missed_at), "submitted_at", OPT(o->submitted_at), "waived_at",
                     OPT(o->waived_at), "waived_by", OPT(o->waived_by), "waived_reason",
                     OPT(o->waived_reason));
#undef OPT
}

int
store_service_put(sqlite3 *db, const char *name, const char *description, const json_t *users_total,
                  int critical, const char *member_states, const char *at, const char *by,
                  bool *created, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM services WHERE name = ?");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "reading services");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    *created = sqlite3_step(st) != SQLITE_ROW;
    sqlite3_reset(st);
    st = db_stmt(db, "INSERT OR REPLACE INTO services(name, description, users_total, critical, "
                     "member_states, updated_at, updated_by) VALUES (?,?,?,?,?,?,?)");
    if (st == NULL)
        return db_fail(db, err, "writing the service");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, description, -1, SQLITE_STATIC);
    if (json_is_integer(users_total))
        sqlite3_bind_int64(st, 3, json_integer_value(users_total));
    else
        sqlite3_bind_null(st, 3);
    if (critical < 0)
        sqlite3_bind_null(st, 4); /* unknown */
    else
        sqlite3_bind_int(st, 4, critical != 0);
    sqlite3_bind_text(st, 5, member_states, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, by, -1, SQLITE_STATIC);
    rc = db_done(db, st, "writing the service", err);
    return rc;
}

int
store_service_delete(sqlite3 *db, const char *name, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM services WHERE name = ?");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "deleting the service");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(db, err, "deleting the service");
    else if (sqlite3_changes(db) == 0)
        rc = mp_error_set(err, 404, "", "no service '%s'", name);
    else
        rc = 0;
    sqlite3_reset(st);
    return rc;
}

int
store_service_get(sqlite3 *db, const char *name, json_t **out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT name, description, users_total, critical, "
                                   "member_states, updated_at, updated_by FROM services "
                                   "WHERE ?1 IS NULL OR name = ?1 ORDER BY name");
    json_t *all = json_array();
    int step;

    *out = NULL;
    if (st == NULL) {
        json_decref(all);
        return db_fail(db, err, "reading services");
    }
    db_bind_opt(st, 1, name);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *s = json_pack(
            "{s:s, s:s, s:o, s:o, s:o, s:s, s:s}", "name", (const char *)sqlite3_column_text(st, 0),
            "description", (const char *)sqlite3_column_text(st, 1), "users_total",
            sqlite3_column_type(st, 2) == SQLITE_NULL ? json_null()
                                                      : json_integer(sqlite3_column_int64(st, 2)),
            "critical",
            sqlite3_column_type(st, 3) == SQLITE_NULL ? json_null()
                                                      : json_boolean(sqlite3_column_int(st, 3)),
            "member_states", json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL),
            "updated_at", (const char *)sqlite3_column_text(st, 5), "updated_by",
            (const char *)sqlite3_column_text(st, 6));
        json_array_append_new(all, s);
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        json_decref(all);
        return db_fail(db, err, "reading services");
    }
    if (name == NULL) {
        *out = all;
    } else {
        *out = json_array_size(all) ? json_incref(json_array_get(all, 0)) : NULL;
        json_decref(all);
    }
    return 0;
}
