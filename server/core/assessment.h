/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * assessment.h - "does the law apply to us?": the applicability
 * self-assessment for NIS2 (Cbw), CER (Wwke) and DORA.
 *
 * The questionnaire and the law it encodes are data, config/assessment/
 * (embedded in the binary; `[assessment] dir` reads them from disk instead):
 *   questions.json  the questions in order, their types, texts (nl, en);
 *   law.json        size classes, Annex I/II sectors and subsectors with the
 *                   articles that put them in scope or make them essential,
 *                   and every reason's text and article;
 *   threats.json    the threat catalogue the risk register starts from.
 * The NIS2 decision itself is data too: law.json's nis2_decision, ordered
 * steps (sector, size, size-independent categories, class) whose conditions
 * are in the rule language (rules.h).  The code knows the steps' shape, the
 * size arithmetic of Rec. 2003/361/EC, and the CER and DORA findings.
 */
#ifndef MP_ASSESSMENT_H
#define MP_ASSESSMENT_H

#include "core/token.h"
#include "lib/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* The loaded data: {"questions": questions.json, "law": law.json,
 * "threats": threats.json, "dir": where from}.  Validated on load. */
int assessment_load_builtin(json_t **out, struct mp_error *err);
int assessment_load(const char *dir, json_t **out, struct mp_error *err);
/* The data in force (steals set; NULL drops it) and a new reference to it. */
void assessment_install(json_t *set);
json_t *assessment_acquire(void);

/* The questionnaire for a client: questions, sectors with subsectors, size
 * classes and the caveats, texts in both languages. */
json_t *assessment_questionnaire(json_t *set);

/* Checks answers against the questionnaire and evaluates them: *result is
 * {nis2, cer, dora, size, caveats, profile, versions}.  Field errors name
 * "answers.QUESTION".  lang: "en" or "nl". */
int assessment_evaluate(json_t *set, json_t *answers, const char *lang, json_t **result,
                        struct field_errors *errs);

/* Evaluates and stores (audited); *out is the stored assessment. */
int assessment_create(const struct principal *p, int64_t now, json_t *answers, const char *lang,
                      json_t **out, struct field_errors *errs);
int assessment_list(json_t **out, struct mp_error *err);
int assessment_get(const char *id, json_t **out, struct mp_error *err);
/* Writes the result's profile members into the organisation profile (one
 * change, audited; open incidents are judged again).  *out is the profile. */
int assessment_apply(const struct principal *p, int64_t now, const char *id, json_t **out,
                     struct field_errors *errs);
/* The member of a data list (questions, rules) with this "id"; borrowed,
 * NULL when none. */
json_t *assessment_find_id(json_t *list, const char *id);
/* One stored assessment as "json", "csv" (answers, outcomes, reasons) or
 * a printable "html" page in its language. */
int assessment_export(const char *id, const char *format, char **text, size_t *len,
                      struct mp_error *err);

#endif
