/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * assessments.c - see assessments.h.
 */
#include "assessments.h"
#include "db.h"

#include <string.h>

static json_t *
text_or_null(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? json_string((const char *)t) : json_null();
}

int
store_assessment_insert(sqlite3 *db, const struct assessment_row *r, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(
        db, "INSERT INTO assessments(id, created_at, created_by, language, law_version, "
            "questionnaire_version, answers, result, nis2) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    const char *v[] = {r->id,       r->created_at,  r->created_by,
                       r->language, r->law_version, r->questionnaire_version,
                       r->answers,  r->result,      r->nis2};
    int rc;

    if (st == NULL)
        return db_fail(db, err, "saving the assessment");
    for (int i = 0; i < 9; i++)
        sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
    rc = db_done(db, st, "saving the assessment", err);
    return rc;
}

int
store_assessment_get(sqlite3 *db, const char *id, json_t **out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT id, created_at, created_by, language, law_version, "
                                   "questionnaire_version, answers, result, applied_at, "
                                   "applied_by FROM assessments WHERE id = ?");
    int step, rc = -1;

    *out = NULL;
    if (st == NULL)
        return db_fail(db, err, "reading the assessment");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "id",
                         (const char *)sqlite3_column_text(st, 0), "created_at",
                         (const char *)sqlite3_column_text(st, 1), "created_by",
                         (const char *)sqlite3_column_text(st, 2), "language",
                         (const char *)sqlite3_column_text(st, 3), "law_version",
                         (const char *)sqlite3_column_text(st, 4), "questionnaire_version",
                         (const char *)sqlite3_column_text(st, 5), "answers",
                         json_loads((const char *)sqlite3_column_text(st, 6), 0, NULL), "result",
                         json_loads((const char *)sqlite3_column_text(st, 7), 0, NULL),
                         "applied_at", text_or_null(st, 8), "applied_by", text_or_null(st, 9));
        rc = *out ? 0 : mp_error_set(err, 500, "", "a stored assessment could not be read");
    } else if (step == SQLITE_DONE) {
        mp_error_set(err, 404, "", "no assessment %s", id);
    } else {
        db_fail(db, err, "reading the assessment");
    }
    sqlite3_reset(st);
    return rc;
}

int
store_assessment_list(sqlite3 *db, json_t **out, struct mp_error *err)
{
    sqlite3_stmt *st = db_stmt(
        db,
        "SELECT id, created_at, created_by, nis2, "
        "json_extract(result, '$.cer.critical_entity'), json_extract(result, '$.dora.applies'), "
        "applied_at, applied_by FROM assessments ORDER BY id DESC LIMIT 500");
    json_t *items = json_array();
    int step;

    *out = NULL;
    if (st == NULL)
        return db_fail(db, err, "listing assessments");
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:o, s:o}", "id",
                             (const char *)sqlite3_column_text(st, 0), "created_at",
                             (const char *)sqlite3_column_text(st, 1), "created_by",
                             (const char *)sqlite3_column_text(st, 2), "nis2",
                             (const char *)sqlite3_column_text(st, 3), "cer_critical_entity",
                             sqlite3_column_int(st, 4), "dora_applies", sqlite3_column_int(st, 5),
                             "applied_at", text_or_null(st, 6), "applied_by", text_or_null(st, 7)));
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE) {
        json_decref(items);
        return db_fail(db, err, "listing assessments");
    }
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int
store_assessment_mark_applied(sqlite3 *db, const char *id, const char *at, const char *by,
                              struct mp_error *err)
{
    sqlite3_stmt *st =
        db_stmt(db, "UPDATE assessments SET applied_at = ?, applied_by = ? WHERE id = ?");
    int rc;

    if (st == NULL)
        return db_fail(db, err, "applying the assessment");
    sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    rc = db_done(db, st, "applying the assessment", err);
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = mp_error_set(err, 404, "", "no assessment %s", id);
    return rc;
}
