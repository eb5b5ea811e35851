/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * exercises.c - /api/v1/exercises: the scenarios, starting a run, its
 * clock (pause, resume, speed, end), a run and its report (core/exercise.h,
 * docs/EXERCISES.md).
 */
#include "api.h"
#include "core/exercise.h"

#include <string.h>

void
api_exercise_scenarios(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *list;

    (void)rq;
    if (exercise_scenarios_load(NULL, &list, &err) != 0) {
        api_fail(rs, 500, "", "%s", err.message);
        return;
    }
    api_ok(rs, 200, json_pack("{s:o}", "items", exercise_scenarios_summary(list)));
    json_decref(list);
}

void
api_exercises_list(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (exercise_list(rq->principal, rq->now, &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}

void
api_exercises_start(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    json_t *body = api_parse_object(rq, rs), *out;

    if (body == NULL)
        return;
    if (exercise_start(rq->principal, rq->now, body, &out, &errs) != 0)
        api_field_errors(rs, &errs);
    else
        api_ok(rs, 201, out);
    json_decref(body);
}

void
api_exercises_get(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (exercise_get(rq->principal, rq->params[0], rq->now, &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}

void
api_exercises_clock(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    json_t *body = api_parse_object(rq, rs), *out;

    if (body == NULL)
        return;
    if (exercise_control(rq->principal, rq->now, rq->params[0], body, &out, &errs) != 0)
        api_field_errors(rs, &errs);
    else
        api_ok(rs, 200, out);
    json_decref(body);
}

void
api_exercises_report(const struct api_request *rq, struct api_response *rs)
{
    const char *lang = rq->query(rq->ctx, "lang");
    struct mp_error err;
    json_t *out;

    if (lang && strcmp(lang, "nl") != 0 && strcmp(lang, "en") != 0) {
        api_fail(rs, 400, "lang", "must be one of nl, en");
        return;
    }
    if (exercise_report(rq->principal, rq->params[0], rq->now, lang && strcmp(lang, "nl") == 0,
                        &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}
