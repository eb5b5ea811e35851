/*
 * audit.c - /api/v1/audit: read and verify the audit chain (admins), and its
 * signed checkpoints (core/checkpoint.h).
 */
#include "api.h"
#include "core/checkpoint.h"
#include "store/audit.h"
#include "store/db.h"

#include <sodium.h>

static void
hex(const uint8_t *h, char out[2 * CHAIN_HASH_LEN + 1])
{
    sodium_bin2hex(out, 2 * CHAIN_HASH_LEN + 1, h, CHAIN_HASH_LEN);
}

void
api_audit_list(const struct api_request *rq, struct api_response *rs)
{
    struct audit_entry *v;
    struct mp_error err;
    int64_t after, limit;
    json_t *items;
    sqlite3 *db;
    int n;

    if (!api_query_int(rq, "after", 0, INT64_MAX, 0, &after, rs) ||
        !api_query_int(rq, "limit", 1, 500, 100, &limit, rs))
        return;
    db = db_reader(&err);
    if (db == NULL || store_audit_list(db, after, (int)limit, &v, &n, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    items = json_array();
    for (int i = 0; i < n; i++) {
        char h[2 * CHAIN_HASH_LEN + 1];
        json_t *payload = json_loads(v[i].payload, 0, NULL);

        hex(v[i].hash, h);
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s}", "seq",
                                               (json_int_t)v[i].seq, "at", v[i].at, "principal",
                                               v[i].principal, "action", v[i].action, "object",
                                               v[i].object, "payload",
                                               payload ? payload : json_null(), "hash", h));
    }
    store_audit_free(v, n);
    api_ok(rs, 200, json_pack("{s:o}", "items", items));
}

void
api_audit_verify(const struct api_request *rq, struct api_response *rs)
{
    struct audit_verify_result r;
    struct mp_error err;
    char h[2 * CHAIN_HASH_LEN + 1];
    sqlite3 *db;

    (void)rq;
    db = db_reader(&err);
    if (db == NULL || store_audit_verify(db, &r, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    if (r.ok) {
        hex(r.head_hash, h);
        api_ok(rs, 200,
               json_pack("{s:b, s:I, s:I, s:s}", "ok", 1, "entries", (json_int_t)r.entries,
                         "head_seq", (json_int_t)r.head_seq, "head_hash", h));
    } else {
        api_ok(rs, 200,
               json_pack("{s:b, s:I, s:I, s:s}", "ok", 0, "entries", (json_int_t)r.entries,
                         "bad_seq", (json_int_t)r.bad_seq, "reason", r.reason));
    }
}

void
api_audit_checkpoints_list(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    int64_t after, limit;
    json_t *out;

    if (!api_query_int(rq, "after", 0, INT64_MAX, 0, &after, rs) ||
        !api_query_int(rq, "limit", 1, 500, 100, &limit, rs))
        return;
    if (checkpoint_list(after, (int)limit, &out, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 200, out);
}

void
api_audit_checkpoints_create(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *body, *out;

    /* no body, or an empty object: a checkpoint takes no input */
    if (rq->body_len > 0) {
        body = api_parse_object(rq, rs);
        if (body == NULL)
            return;
        if (!api_only_fields(body, (const char *const[]){NULL}, rs)) {
            json_decref(body);
            return;
        }
        json_decref(body);
    }
    if (checkpoint_create(rq->principal->name, rq->now, "demand", false, &out, &err) < 0)
        api_error(rs, &err);
    else
        api_ok(rs, 201, out);
}
