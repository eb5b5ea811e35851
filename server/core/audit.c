/*
 * audit.c - see audit.h.
 */
#include "audit.h"
#include "store/audit.h"
#include "store/db.h"

#include <sodium.h>

static void
hex(const uint8_t *h, char out[2 * CHAIN_HASH_LEN + 1])
{
    sodium_bin2hex(out, 2 * CHAIN_HASH_LEN + 1, h, CHAIN_HASH_LEN);
}

int
audit_list(int64_t after, int limit, json_t **out, struct mp_error *err)
{
    struct audit_entry *v;
    json_t *items;
    sqlite3 *db;
    int n;

    *out = NULL;
    db = db_reader(err);
    if (db == NULL || store_audit_list(db, after, limit, &v, &n, err) != 0)
        return -1;
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
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int
audit_verify(json_t **out, struct mp_error *err)
{
    struct audit_verify_result r;
    char h[2 * CHAIN_HASH_LEN + 1];
    sqlite3 *db;

    *out = NULL;
    db = db_reader(err);
    if (db == NULL || store_audit_verify(db, &r, err) != 0)
        return -1;
    if (r.ok) {
        hex(r.head_hash, h);
        *out = json_pack("{s:b, s:I, s:I, s:s}", "ok", 1, "entries", (json_int_t)r.entries,
                         "head_seq", (json_int_t)r.head_seq, "head_hash", h);
    } else {
        *out = json_pack("{s:b, s:I, s:I, s:s}", "ok", 0, "entries", (json_int_t)r.entries,
                         "bad_seq", (json_int_t)r.bad_seq, "reason", r.reason);
    }
    return 0;
}
