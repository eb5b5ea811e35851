/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * audit.c - see audit.h.
 */
#include "audit.h"
#include "lib/text.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/state.h"
#include "store/writer.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        *out = json_pack("{s:b, s:I, s:I, s:s, s:I}", "ok", 1, "entries", (json_int_t)r.entries,
                         "head_seq", (json_int_t)r.head_seq, "head_hash", h, "acknowledged",
                         (json_int_t)r.acknowledged);
    } else {
        *out = json_pack("{s:b, s:I, s:I, s:s}", "ok", 0, "entries", (json_int_t)r.entries,
                         "bad_seq", (json_int_t)r.bad_seq, "reason", r.reason);
    }
    return 0;
}

struct ack {
    const char *actor;
    int64_t now;
    const char *reason;
    json_t *out;
};

/* In the writer's transaction: the chain walked again (so the break and
 * the head named are those the entry is chained to), then the entry. */
static int
ack_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct ack *a = arg;
    struct audit_verify_result r;
    char head[2 * CHAIN_HASH_LEN + 1], object[48], *payload;
    int rc;

    if (store_audit_verify(db, &r, err) != 0)
        return -1;
    if (r.ok)
        return mp_error_set(err, 409, "",
                            "the audit chain verifies (%lld entries): no break to "
                            "acknowledge",
                            (long long)r.entries);
    hex(r.last_hash, head);
    snprintf(object, sizeof(object), AUDIT_ACK_OBJECT_FMT, (long long)r.bad_seq);
    a->out = json_pack("{s:I, s:s, s:I, s:I, s:s, s:s}", "bad_seq", (json_int_t)r.bad_seq, "found",
                       r.reason, "verified", (json_int_t)r.entries, "old_head_seq",
                       (json_int_t)r.last_seq, "old_head_hash", head, "reason", a->reason);
    payload = a->out ? json_dumps(a->out, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (payload == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    rc = store_audit_append(db, store_change_time(a->now), a->actor, AUDIT_ACK_ACTION, object,
                            payload, err);
    free(payload);
    if (rc == 0)
        json_object_set_new(a->out, "seq", json_integer(r.last_seq + 1));
    return rc;
}

int
audit_acknowledge(const char *actor, int64_t now, const char *reason, json_t **out,
                  struct mp_error *err)
{
    struct ack a = {.actor = actor, .now = now, .reason = reason};
    size_t n = reason ? strlen(reason) : 0;
    bool blank = true;

    *out = NULL;
    for (size_t i = 0; i < n && blank; i++)
        blank = reason[i] == ' ' || reason[i] == '\t' || reason[i] == '\n' || reason[i] == '\r';
    if (blank)
        return mp_error_set(err, 422, "reason", "must say why the break is acknowledged");
    if (n > AUDIT_ACK_REASON_MAX || !text_valid_utf8(reason, false))
        return mp_error_set(err, 422, "reason", "must be UTF-8 text of at most %d bytes",
                            AUDIT_ACK_REASON_MAX);
    if (store_write_unguarded(ack_apply, &a, err) != 0) {
        json_decref(a.out);
        return -1;
    }
    *out = a.out;
    return 0;
}

int
audit_append_json(sqlite3 *db, int64_t now, const char *actor, const char *action,
                  const char *object, json_t *payload, struct mp_error *err)
{
    char *text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    int rc;

    json_decref(payload);
    if (text == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    rc = store_audit_append(db, now, actor, action, object, text, err);
    free(text);
    return rc;
}

struct accept {
    const char *actor;
    int64_t now;
    json_t *payload;
    int64_t seq;
};

static int
accept_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct accept *a = arg;
    uint8_t h[CHAIN_HASH_LEN];

    if (store_audit_head(db, &a->seq, h, err) < 0)
        return -1;
    a->seq++;
    return audit_append_json(db, store_change_time(a->now), a->actor, AUDIT_ACCEPT_LOSS_ACTION,
                             "meldpunt.db", json_incref(a->payload), err);
}

int
audit_accept_loss(const char *actor, int64_t now, const char *reason,
                  const struct store_state_gap *gap, int64_t *seq, struct mp_error *err)
{
    struct accept a = {.actor = actor, .now = now};
    char head[2 * CHAIN_HASH_LEN + 1];
    json_t *refs = json_array();
    sqlite3 *db;
    int rc = -1;

    hex(gap->recorded_hash, head);
    for (int i = 0; refs != NULL && i < gap->nlost; i++)
        json_array_append_new(refs,
                              json_pack("{s:i, s:i, s:i}", "year", gap->lost[i].year, "issued",
                                        gap->lost[i].issued, "present", gap->lost[i].present));
    a.payload =
        json_pack("{s:s, s:I, s:s, s:I, s:b, s:o}", "reason", reason, "recorded_head_seq",
                  (json_int_t)gap->recorded_seq, "recorded_head_hash", head, "database_head_seq",
                  (json_int_t)gap->database_seq, "diverged", gap->diverged, "references", refs);
    if (a.payload == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    if (store_write_unguarded(accept_apply, &a, err) != 0)
        goto out;
    if ((db = db_reader(err)) == NULL || store_state_adopt(db, err) != 0)
        goto out;
    if (seq != NULL)
        *seq = a.seq;
    rc = 0;
out:
    json_decref(a.payload);
    return rc;
}
