/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * assessment.c - /api/v1/assessment: the applicability questionnaire, the
 * stored self-assessments and applying one to the organisation profile.
 */
#include "api.h"
#include "core/assessment.h"

#include <stdio.h>
#include <string.h>

void
api_assessment_questions(const struct api_request *rq, struct api_response *rs)
{
    json_t *set = assessment_acquire();

    (void)rq;
    if (set == NULL) {
        api_fail(rs, 503, NULL, "no assessment data loaded");
        return;
    }
    api_ok(rs, 200, assessment_questionnaire(set));
    json_decref(set);
}

void
api_assessment_create(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"answers", "language", NULL};
    struct field_errors errs = {0};
    const char *lang = NULL;
    json_t *in, *out, *answers;

    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    /* longer than any language code: "eng" gets "must be en or nl" below */
    api_get_string(in, "language", false, 16, &lang, rs);
    if (lang && strcmp(lang, "en") != 0 && strcmp(lang, "nl") != 0)
        api_field_error(rs, "language", "must be en or nl");
    answers = json_object_get(in, "answers");
    if (answers == NULL)
        api_field_error(rs, "answers", "is required");
    else if (!json_is_object(answers))
        api_field_error(rs, "answers", "must be an object {question id: answer}");
    if (rs->status >= 400) {
        json_decref(in);
        return;
    }
    if (assessment_create(rq->principal, rq->now, answers, lang ? lang : "en", &out, &errs) != 0) {
        api_field_errors(rs, &errs);
        json_decref(in);
        return;
    }
    json_decref(in);
    snprintf(rs->location, sizeof(rs->location), "/api/v1/assessment/%s",
             json_string_value(json_object_get(out, "id")));
    api_ok(rs, 201, out);
}

void
api_assessment_list(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    (void)rq;
    if (assessment_list(&out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}

void
api_assessment_get(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (assessment_get(rq->params[0], &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}

void
api_assessment_apply(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    json_t *out;

    if (assessment_apply(rq->principal, rq->now, rq->params[0], &out, &errs) != 0) {
        api_field_errors(rs, &errs);
        return;
    }
    api_ok(rs, 200, out);
}

void
api_assessment_export(const struct api_request *rq, struct api_response *rs)
{
    static const struct {
        const char *format, *type, *ext;
    } formats[] = {
        {"json", "application/json", "json"},
        {"csv", "text/csv; charset=utf-8", "csv"},
        {"html", "text/html; charset=utf-8", NULL},
    };
    const char *format = rq->query(rq->ctx, "format");
    struct mp_error err;
    size_t i, len;
    char *text;

    for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        if (strcmp(format ? format : "json", formats[i].format) == 0)
            break;
    }
    if (i == sizeof(formats) / sizeof(formats[0])) {
        api_fail(rs, 400, "format", "must be json, csv or html");
        return;
    }
    if (assessment_export(rq->params[0], formats[i].format, &text, &len, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    rs->status = 200;
    rs->raw = text;
    rs->raw_len = len;
    rs->content_type = formats[i].type;
    if (formats[i].ext)
        snprintf(rs->disposition, sizeof(rs->disposition),
                 "attachment; filename=\"assessment-%s.%s\"", rq->params[0], formats[i].ext);
}
