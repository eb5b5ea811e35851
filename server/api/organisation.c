/*
 * organisation.c - /api/v1/organisation (the profile), /api/v1/rules, and
 * /api/v1/incidents/{id}/classification.
 */
#include "api.h"
#include "core/classify.h"
#include "core/organisation.h"
#include "core/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
api_organisation_get(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    char updated_at[32];
    int64_t version;
    json_t *doc;

    (void)rq;
    if (organisation_get(&doc, &version, updated_at, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    json_object_set_new(doc, "version", json_integer(version));
    json_object_set_new(doc, "updated_at", json_string(updated_at));
    snprintf(rs->etag, sizeof(rs->etag), "\"%lld\"", (long long)version);
    api_ok(rs, 200, doc);
}

void
api_organisation_put(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    const char *h = rq->header(rq->ctx, "If-Match");
    int64_t if_match = -1, version;
    json_t *doc;

    if (h != NULL && strcmp(h, "*") != 0) {
        char *end;
        if (h[0] != '"' || (if_match = strtoll(h + 1, &end, 10)) < 0 || strcmp(end, "\"") != 0) {
            api_fail(rs, 412, "If-Match", "must be the profile's ETag, such as \"3\"");
            return;
        }
    }
    doc = api_parse_object(rq, rs);
    if (doc == NULL)
        return;
    /* what GET adds may come back: not part of the profile */
    json_object_del(doc, "version");
    json_object_del(doc, "updated_at");
    if (organisation_put(rq->principal, doc, if_match, &version, &errs) != 0) {
        for (int i = 0; i < errs.count; i++) {
            if (errs.items[i].status != 422) {
                api_error(rs, &errs.items[i]);
                json_decref(doc);
                return;
            }
        }
        for (int i = 0; i < errs.count; i++)
            api_field_error(rs, errs.items[i].field, "%s", errs.items[i].message);
        json_decref(doc);
        return;
    }
    json_decref(doc);
    api_organisation_get(rq, rs);
}

void
api_rules_list(const struct api_request *rq, struct api_response *rs)
{
    struct rules *r = rules_acquire();

    (void)rq;
    api_ok(rs, 200, rules_summary(r));
    rules_release(r);
}

void
api_incidents_classification(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (classify_incident(rq->params[0], &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}
