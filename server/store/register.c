/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * register.c - see register.h.
 *
 * References between items live inside the documents as ids (UUIDv7, so a
 * plain substring search cannot match anything else); the delete guard
 * looks for the id in every other document and in incident_links.
 */
#include "register.h"
#include "db.h"
#include "incidents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
store_register_row_free(struct register_row *r)
{
    if (r == NULL)
        return;
    free(r->name);
    free(r->doc);
    r->name = r->doc = NULL;
}

static void
copy(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

#define ROW_COLUMNS "id, kind, name, doc, version, created_at, created_by, updated_at, updated_by"

static int
read_row(sqlite3_stmt *st, struct register_row *r)
{
    memset(r, 0, sizeof(*r));
    copy(r->id, sizeof(r->id), st, 0);
    copy(r->kind, sizeof(r->kind), st, 1);
    r->name = strdup((const char *)sqlite3_column_text(st, 2));
    r->doc = strdup((const char *)sqlite3_column_text(st, 3));
    r->version = sqlite3_column_int64(st, 4);
    copy(r->created_at, sizeof(r->created_at), st, 5);
    copy(r->created_by, sizeof(r->created_by), st, 6);
    copy(r->updated_at, sizeof(r->updated_at), st, 7);
    copy(r->updated_by, sizeof(r->updated_by), st, 8);
    return r->name && r->doc ? 0 : -1;
}

static int
name_conflict(sqlite3 *db, const char *kind, const char *name, const char *except,
              struct mp_error *err)
{
    sqlite3_stmt *st =
        db_stmt(db, "SELECT 1 FROM register_items WHERE kind = ? AND name = ? AND id != ?");
    int step;

    if (st == NULL)
        return db_fail(db, err, "checking the name");
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, except, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step == SQLITE_ROW)
        return mp_error_set(err, 409, "name", "another %s is called '%s'", kind, name);
    return step == SQLITE_DONE ? 0 : db_fail(db, err, "checking the name");
}

int
store_register_insert(sqlite3 *db, const char *id, const char *kind, const char *name,
                      const char *doc, const char *at, const char *by, struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc;

    if (name_conflict(db, kind, name, id, err) != 0)
        return -1;
    st = db_stmt(db, "INSERT INTO register_items(id, kind, name, doc, created_at, created_by, "
                     "updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (st == NULL)
        return db_fail(db, err, "saving the item");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, doc, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, by, -1, SQLITE_STATIC);
    rc = db_done(db, st, "saving the item", err);
    return rc;
}

int
store_register_update(sqlite3 *db, const char *id, const char *kind, const char *name,
                      const char *doc, int64_t if_match, const char *at, const char *by,
                      int64_t *version, struct mp_error *err)
{
    struct register_row cur;
    sqlite3_stmt *st;
    int found, rc;

    found = store_register_get(db, id, kind, &cur, err);
    if (found < 0)
        return -1;
    if (found == 0)
        return mp_error_set(err, 404, "", "no %s %s", kind, id);
    *version = cur.version + 1;
    store_register_row_free(&cur);
    if (if_match >= 0 && if_match != *version - 1)
        return mp_error_set(err, 412, "If-Match", "the %s is at version %lld, not %lld", kind,
                            (long long)(*version - 1), (long long)if_match);
    if (name_conflict(db, kind, name, id, err) != 0)
        return -1;
    st = db_stmt(db, "UPDATE register_items SET name = ?, doc = ?, version = version + 1, "
                     "updated_at = ?, updated_by = ? WHERE id = ?");
    if (st == NULL)
        return db_fail(db, err, "saving the item");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, doc, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, id, -1, SQLITE_STATIC);
    rc = db_done(db, st, "saving the item", err);
    return rc;
}

int
store_register_delete(sqlite3 *db, const char *id, const char *kind, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT (SELECT name FROM register_items WHERE id != ?1 AND "
                                   "instr(doc, ?1) > 0 LIMIT 1), "
                                   "(SELECT count(*) FROM incident_links WHERE item_id = ?1)");
    char other[220] = "";
    int64_t links = 0;
    int step, rc;

    if (st == NULL)
        return db_fail(db, err, "deleting the item");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        copy(other, sizeof(other), st, 0);
        links = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (step != SQLITE_ROW)
        return db_fail(db, err, "deleting the item");
    if (other[0])
        return mp_error_set(err, 409, "", "'%s' still refers to this %s", other, kind);
    if (links > 0)
        return mp_error_set(err, 409, "", "%lld incident link(s) still name this %s",
                            (long long)links, kind);
    st = db_stmt(db, "DELETE FROM register_items WHERE id = ? AND kind = ?");
    if (st == NULL)
        return db_fail(db, err, "deleting the item");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    rc = db_done(db, st, "deleting the item", err);
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = mp_error_set(err, 404, "", "no %s %s", kind, id);
    return rc;
}

int
store_register_get(sqlite3 *db, const char *id, const char *kind, struct register_row *out,
                   struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " ROW_COLUMNS " FROM register_items WHERE id = ? "
                                   "AND (?2 IS NULL OR kind = ?2)");
    int step, rc;

    memset(out, 0, sizeof(*out));
    if (st == NULL)
        return db_fail(db, err, "reading the register");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (kind)
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        rc = read_row(st, out) == 0 ? 1 : mp_error_set(err, 500, "", "out of memory");
    else if (step == SQLITE_DONE)
        rc = 0;
    else
        rc = db_fail(db, err, "reading the register");
    sqlite3_reset(st);
    return rc;
}

static int
read_item(sqlite3_stmt *st, void *item)
{
    return read_row(st, item);
}

static void
drop_item(void *item)
{
    store_register_row_free(item);
}

int
store_register_list(sqlite3 *db, const char *kind, struct register_row **rows, int *count,
                    struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " ROW_COLUMNS " FROM register_items "
                                   "WHERE (?1 IS NULL OR kind = ?1) ORDER BY kind, name");
    int rc;

    *rows = NULL;
    *count = 0;
    if (st == NULL)
        return db_fail(db, err, "reading the register");
    if (kind)
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    rc = db_rows(db, st, sizeof(struct register_row), 0, read_item, drop_item, (void **)rows, count,
                 "reading the register", err);
    sqlite3_reset(st);
    return rc;
}

void
store_register_list_free(struct register_row *rows, int count)
{
    for (int i = 0; i < count; i++)
        store_register_row_free(&rows[i]);
    free(rows);
}

int
store_incident_link_insert(sqlite3 *db, const char *incident_id, const char *item_id,
                           const char *relation, const char *at, const char *by,
                           struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT OR IGNORE INTO incident_links(incident_id, item_id, "
                                   "relation, created_at, created_by) VALUES (?, ?, ?, ?, ?)");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "linking the incident");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, item_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, relation, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, by, -1, SQLITE_STATIC);
    rc = db_done(db, st, "linking the incident", err);
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = mp_error_set(err, 409, "item", "the incident already has this link");
    return rc;
}

int
store_incident_link_delete(sqlite3 *db, const char *incident_id, const char *item_id,
                           const char *relation, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM incident_links WHERE incident_id = ? AND "
                                   "item_id = ? AND relation = ?");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "unlinking the incident");
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, item_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, relation, -1, SQLITE_STATIC);
    rc = db_done(db, st, "unlinking the incident", err);
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = mp_error_set(err, 404, "", "no such link");
    return rc;
}

int
store_incident_links(sqlite3 *db, const char *incident_id, json_t **out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT l.item_id, r.kind, r.name, l.relation, l.created_at, "
                                   "l.created_by FROM incident_links l JOIN register_items r "
                                   "ON r.id = l.item_id WHERE l.incident_id = ? "
                                   "ORDER BY l.created_at, r.name");
    json_t *items = json_array();
    int step;

    *out = NULL;
    if (st == NULL) {
        json_decref(items);
        return db_fail(db, err, "reading the incident's links");
    }
    sqlite3_bind_text(st, 1, incident_id, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "item",
                                        (const char *)sqlite3_column_text(st, 0), "kind",
                                        (const char *)sqlite3_column_text(st, 1), "name",
                                        (const char *)sqlite3_column_text(st, 2), "relation",
                                        (const char *)sqlite3_column_text(st, 3), "created_at",
                                        (const char *)sqlite3_column_text(st, 4), "created_by",
                                        (const char *)sqlite3_column_text(st, 5)));
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        json_decref(items);
        return db_fail(db, err, "reading the incident's links");
    }
    *out = items;
    return 0;
}

int
store_item_incidents(sqlite3 *db, const char *item_id, int tlp_max, json_t **out,
                     struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT i.ref, l.relation FROM incident_links l "
                                   "JOIN incidents i ON i.id = l.incident_id WHERE l.item_id = ? "
                                   "AND instr(?, ',' || i.tlp || ',') > 0 ORDER BY i.seq");
    json_t *items = json_array();
    char visible[64];
    int step;

    *out = NULL;
    if (st == NULL) {
        json_decref(items);
        return db_fail(db, err, "reading the item's incidents");
    }
    store_tlp_visible_list(tlp_max, visible);
    sqlite3_bind_text(st, 1, item_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, visible, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(items, json_pack("{s:s, s:s}", "incident",
                                               (const char *)sqlite3_column_text(st, 0), "relation",
                                               (const char *)sqlite3_column_text(st, 1)));
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        json_decref(items);
        return db_fail(db, err, "reading the item's incidents");
    }
    *out = items;
    return 0;
}
