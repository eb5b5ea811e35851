/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * system.c - health, "who am I", the benchmark baseline and, in test
 * builds, the test clock.
 */
#include "api.h"
#include "lib/clock.h"
#include "lib/embed.h"
#include "lib/timeutil.h"
#include "core/alert.h"
#include "core/readiness.h"
#include "core/signing.h"
#include "core/testclock.h"

#include <stdlib.h>
#include <string.h>

void
api_health(const struct api_request *rq, struct api_response *rs)
{
    (void)rq;
    if (readiness_alive())
        api_ok(rs, 200, json_pack("{s:s}", "status", "ok"));
    else
        api_fail(rs, 503, NULL, "the database does not answer");
}

void
api_me(const struct api_request *rq, struct api_response *rs)
{
    api_ok(rs, 200,
           json_pack("{s:s, s:s}", "principal", rq->principal->name, "role",
                     role_name(rq->principal->role)));
}

/* GET /api/v1/schema: the words the server uses for states, severities,
 * categories, causes, TLP levels and the impact facts with their kinds;
 * the front end reads them from here instead of keeping copies. */
void
api_schema(const struct api_request *rq, struct api_response *rs)
{
    (void)rq;
    api_ok(
        rs, 200,
        json_pack("{s:o, s:o}", "incident", incident_schema_json(), "alert", alert_schema_json()));
}

/* The baseline of `make bench`: the same HTTP path as every endpoint
 * (body accumulation, routing, JSON parse and encode) without
 * authentication or storage, so other endpoints' figures can be read as
 * ratios against it. */
void
api_bench_echo(const struct api_request *rq, struct api_response *rs)
{
    json_t *obj = api_parse_object(rq, rs);

    if (obj == NULL)
        return;
    api_ok(rs, 200, json_pack("{s:o}", "echo", obj));
}

void
api_signing_key(const struct api_request *rq, struct api_response *rs)
{
    json_t *k = signing_public_json();

    (void)rq;
    if (k == NULL)
        api_fail(rs, 503, NULL, "no signing key is loaded");
    else
        api_ok(rs, 200, k);
}

void
api_ready(const struct api_request *rq, struct api_response *rs)
{
    bool ready;
    json_t *out = readiness_check(&ready);

    (void)rq;
    if (ready) {
        api_ok(rs, 200, out);
    } else {
        api_fail(rs, 503, NULL, "not ready: see checks");
        rs->extra = json_pack("{s:O}", "checks", json_object_get(out, "checks"));
        json_decref(out);
    }
}

/* schema/openapi.yaml as JSON, converted and embedded at build time. */
void
api_openapi(const struct api_request *rq, struct api_response *rs)
{
    (void)rq;
    if (openapi_files_count != 1) {
        api_fail(rs, 500, NULL, "the API description is not built in");
        return;
    }
    rs->status = 200;
    rs->content_type = "application/json";
    rs->raw = malloc(openapi_files[0].len);
    if (rs->raw == NULL) {
        api_fail(rs, 500, NULL, "out of memory");
        return;
    }
    memcpy(rs->raw, openapi_files[0].data, openapi_files[0].len);
    rs->raw_len = openapi_files[0].len;
}

#ifdef MP_TEST_BUILD
static void
clock_answer(struct api_response *rs, int64_t now)
{
    char at[TIME_RFC3339_LEN];

    time_format_rfc3339(now, at, sizeof(at));
    api_ok(rs, 200, json_pack("{s:s, s:b}", "now", at, "fixed", clock_is_fixed()));
}

/* GET /api/v1/test/clock (test builds only): the daemon's time. */
void
api_test_clock_get(const struct api_request *rq, struct api_response *rs)
{
    (void)rq;
    clock_answer(rs, clock_now());
}

/* POST /api/v1/test/clock (test builds only): {"now": RFC 3339} fixes the
 * clock there, {"advance": ISO 8601 duration} moves a fixed clock on,
 * {"system": true} gives the system clock back.  Setting the clock runs
 * the background passes at the new time before it answers. */
void
api_test_clock_set(const struct api_request *rq, struct api_response *rs)
{
    static const char *const allowed[] = {"now", "advance", "system", NULL};
    json_t *in = api_parse_object(rq, rs), *sys;
    const char *now_s = NULL, *adv_s = NULL;
    struct duration d;
    struct mp_error err;
    int64_t t;

    if (in == NULL)
        return;
    if (!api_only_fields(in, allowed, rs) || !api_get_string(in, "now", false, 40, &now_s, rs) ||
        !api_get_string(in, "advance", false, 40, &adv_s, rs))
        goto out;
    sys = json_object_get(in, "system");
    if (sys != NULL && !json_is_true(sys)) {
        api_fail(rs, 422, "system", "must be true");
        goto out;
    }
    if ((now_s != NULL) + (adv_s != NULL) + (sys != NULL) != 1) {
        api_fail(rs, 422, NULL, "give exactly one of now, advance, system");
        goto out;
    }
    if (sys != NULL) {
        testclock_release();
        clock_answer(rs, clock_now());
        goto out;
    }
    if (now_s != NULL && time_parse_rfc3339(now_s, &t) != 0) {
        api_fail(rs, 422, "now", "must be an RFC 3339 time");
        goto out;
    }
    if (adv_s != NULL) {
        if (duration_parse(adv_s, &d) != 0) {
            api_fail(rs, 422, "advance", "must be an ISO 8601 duration such as PT24H");
            goto out;
        }
        t = time_add_duration(clock_now(), &d);
    }
    if (testclock_set(t, &err) != 0) {
        api_error(rs, &err);
        goto out;
    }
    clock_answer(rs, t);
out:
    json_decref(in);
}
#endif
