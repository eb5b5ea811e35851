/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * iocs.c - the incident_iocs table (schema/0024).  See iocs.h.
 */
#include "iocs.h"
#include "db.h"

#define IOC_COLUMNS "id, type, value, tlp, comment, created_at, created_by"

int
store_ioc_insert(sqlite3 *db, const struct ioc_row *r, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT OR IGNORE INTO incident_iocs(id, incident_id, type, "
                                   "value, tlp, comment, created_at, created_by) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

    if (st == NULL)
        return db_fail(db, err, "adding an indicator");
    sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->value, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->tlp, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->comment ? r->comment : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, r->at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, r->by, -1, SQLITE_STATIC);
    if (db_done(db, st, "adding an indicator", err) != 0)
        return -1;
    return sqlite3_changes(db) > 0 ? 1 : 0;
}

static json_t *
row_json(sqlite3_stmt *st)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (const char *)sqlite3_column_text(st, 0),
        "type", (const char *)sqlite3_column_text(st, 1), "value",
        (const char *)sqlite3_column_text(st, 2), "tlp", (const char *)sqlite3_column_text(st, 3),
        "comment", (const char *)sqlite3_column_text(st, 4), "created_at",
        (const char *)sqlite3_column_text(st, 5), "created_by",
        (const char *)sqlite3_column_text(st, 6));
}

int
store_ioc_get(sqlite3 *db, const char *incident_id, const char *id, json_t **out,
              struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " IOC_COLUMNS " FROM incident_iocs "
                                   "WHERE incident_id = ? AND id = ?");
    int step;

    *out = NULL;
    if (st == NULL)
        return db_fail(db, err, "reading an indicator");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *out = row_json(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return db_fail(db, err, "reading an indicator");
    return *out ? 1 : 0;
}

int
store_ioc_delete(sqlite3 *db, const char *incident_id, const char *id, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM incident_iocs WHERE incident_id = ? AND id = ?");

    if (st == NULL)
        return db_fail(db, err, "removing an indicator");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    if (db_done(db, st, "removing an indicator", err) != 0)
        return -1;
    if (sqlite3_changes(db) == 0)
        return mp_error_set(err, 404, "", "the incident has no indicator '%s'", id);
    return 0;
}

int
store_iocs_list(sqlite3 *db, const char *incident_id, const char *visible, json_t **out,
                struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " IOC_COLUMNS " FROM incident_iocs "
                                   "WHERE incident_id = ? AND instr(?, ',' || tlp || ',') > 0 "
                                   "ORDER BY created_at, rowid");
    json_t *items = json_array();
    int step;

    *out = NULL;
    if (st == NULL) {
        json_decref(items);
        return db_fail(db, err, "reading the indicators");
    }
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, visible, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(items, row_json(st));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (step != SQLITE_DONE) {
        json_decref(items);
        return db_fail(db, err, "reading the indicators");
    }
    *out = items;
    return 0;
}

int
store_ioc_texts_pending(sqlite3 *db, json_t **out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT p.notification_id, p.incident_id, p.regime, p.stage, "
                                   "p.text FROM ioc_texts_pending p JOIN notifications n "
                                   "ON n.id = p.notification_id ORDER BY n.created_at, n.id");
    json_t *items = json_array();
    int step;

    *out = NULL;
    if (st == NULL) {
        json_decref(items);
        return db_fail(db, err, "reading the IoC texts to type");
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "notification_id",
                                        (const char *)sqlite3_column_text(st, 0), "incident_id",
                                        (const char *)sqlite3_column_text(st, 1), "regime",
                                        (const char *)sqlite3_column_text(st, 2), "stage",
                                        (const char *)sqlite3_column_text(st, 3), "text",
                                        (const char *)sqlite3_column_text(st, 4)));
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        json_decref(items);
        return db_fail(db, err, "reading the IoC texts to type");
    }
    *out = items;
    return 0;
}

int
store_ioc_text_done(sqlite3 *db, const char *notification_id, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM ioc_texts_pending WHERE notification_id = ?");

    if (st == NULL)
        return db_fail(db, err, "marking an IoC text typed");
    sqlite3_bind_text(st, 1, notification_id, -1, SQLITE_STATIC);
    return db_done(db, st, "marking an IoC text typed", err);
}
