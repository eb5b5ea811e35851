/*
 * system.c - health, "who am I" and the benchmark baseline.
 */
#include "api.h"
#include "lib/embed.h"
#include "core/readiness.h"
#include "core/signing.h"
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

void
api_health(const struct api_request *rq, struct api_response *rs)
{
    (void)rq;
    if (db_ping())
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
