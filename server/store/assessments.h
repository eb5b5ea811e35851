/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * assessments.h - stored applicability assessments (schema/0008).  Answers
 * and result are JSON text here; core/assessment.c gives them meaning.
 */
#ifndef MP_STORE_ASSESSMENTS_H
#define MP_STORE_ASSESSMENTS_H

#include "lib/error.h"

#include <jansson.h>
#include <sqlite3.h>

struct assessment_row {
    const char *id, *created_at, *created_by, *language, *law_version, *questionnaire_version;
    const char *answers, *result, *nis2;
};

int store_assessment_insert(sqlite3 *db, const struct assessment_row *row, struct mp_error *err);
/* {id, created_at, created_by, language, law_version, questionnaire_version,
 * answers, result, applied_at, applied_by}; 404 when there is no such id. */
int store_assessment_get(sqlite3 *db, const char *id, json_t **out, struct mp_error *err);
/* {"items": [...]} newest first, without answers and result reasons: each
 * item carries its nis2, cer and dora outcomes. */
int store_assessment_list(sqlite3 *db, json_t **out, struct mp_error *err);
/* 404 when there is no such id. */
int store_assessment_mark_applied(sqlite3 *db, const char *id, const char *at, const char *by,
                                  struct mp_error *err);

#endif
