/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * checkpoint.c - see checkpoint.h.
 */
#include "checkpoint.h"
#include "core/signing.h"
#include "lib/buf.h"
#include "lib/jcs.h"
#include "lib/log.h"
#include "lib/minisign.h"
#include "lib/ticker.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/checkpoints.h"
#include "store/db.h"
#include "store/writer.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
to_json(const struct checkpoint *c)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)c->id, "at",
                     c->at, "reason", c->reason, "audit_seq", (json_int_t)c->audit_seq,
                     "audit_hash", c->audit_hash, "key_id", c->key_id, "created_by", c->created_by,
                     "document", c->document ? c->document : "", "signature",
                     c->signature ? c->signature : "");
}

struct create {
    const char *principal;
    int64_t now;
    const char *reason;
    bool only_if_moved;
    bool made;
    struct checkpoint c;
};

/* Does checkpoint c vouch for the chain up to the entry it signed?  Its
 * signature verifies (the loaded key or one rotated out), and that entry is
 * still there with the hash it signed: then *seq and hash are where a walk
 * may start.  When not, why says what is wrong ("" for the checkpoint of
 * the empty chain, which vouches for nothing). */
static bool
vouches(sqlite3 *db, const struct checkpoint *c, int64_t *seq, uint8_t hash[CHAIN_HASH_LEN],
        char *why, size_t why_size, struct mp_error *err)
{
    uint8_t stored[CHAIN_HASH_LEN];
    char trusted[512];
    const char *reason = NULL, *hex;
    json_t *doc, *audit;
    bool ok = false;
    size_t len = 0;
    int found;

    why[0] = '\0';
    if (signing_verify(c->document, strlen(c->document), c->signature, trusted, sizeof(trusted),
                       &reason) != 0) {
        snprintf(why, why_size, "its signature does not verify: %s", reason);
        return false;
    }
    /* only the signed bytes count, not the columns beside them */
    doc = json_loads(c->document, 0, NULL);
    audit = json_object_get(doc, "audit");
    hex = json_string_value(json_object_get(audit, "hash"));
    *seq = json_integer_value(json_object_get(audit, "seq"));
    if (hex == NULL || *seq <= 0 ||
        sodium_hex2bin(hash, CHAIN_HASH_LEN, hex, strlen(hex), NULL, &len, NULL) != 0 ||
        len != CHAIN_HASH_LEN)
        goto out;
    found = store_audit_hash_at(db, *seq, stored, err);
    if (found == 1 && memcmp(stored, hash, CHAIN_HASH_LEN) == 0)
        ok = true;
    else
        snprintf(why, why_size, "entry %lld %s", (long long)*seq,
                 found == 1 ? "no longer has the hash it signed" : "is missing or unreadable");
out:
    json_decref(doc);
    return ok;
}

/* Where this process last walked the chain to and found it whole: a later
 * walk starts there when that entry still has the hash it had (as a
 * checkpoint's entry must), so the first checkpoint after start-up walks
 * the entries since the start-up walk, not the whole chain again in the
 * writer. */
static pthread_mutex_t mark_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t mark_seq;
static uint8_t mark_hash[CHAIN_HASH_LEN];

/* Moves *seq and hash to the mark when it is later and still holds. */
static bool
from_mark(sqlite3 *db, int64_t *seq, uint8_t hash[CHAIN_HASH_LEN], struct mp_error *err)
{
    uint8_t h[CHAIN_HASH_LEN], stored[CHAIN_HASH_LEN];
    int64_t s;

    pthread_mutex_lock(&mark_lock);
    s = mark_seq;
    memcpy(h, mark_hash, CHAIN_HASH_LEN);
    pthread_mutex_unlock(&mark_lock);
    if (s <= *seq || store_audit_hash_at(db, s, stored, err) != 1 ||
        memcmp(stored, h, CHAIN_HASH_LEN) != 0)
        return false;
    *seq = s;
    memcpy(hash, h, CHAIN_HASH_LEN);
    return true;
}

static void
set_mark(const struct audit_verify_result *r)
{
    pthread_mutex_lock(&mark_lock);
    if (r->ok && r->head_seq > mark_seq) {
        mark_seq = r->head_seq;
        memcpy(mark_hash, r->head_hash, CHAIN_HASH_LEN);
    }
    pthread_mutex_unlock(&mark_lock);
}

void
checkpoint_chain_forget(void)
{
    pthread_mutex_lock(&mark_lock);
    mark_seq = 0;
    memset(mark_hash, 0, CHAIN_HASH_LEN);
    pthread_mutex_unlock(&mark_lock);
}

int
checkpoint_chain_verify(sqlite3 *db, struct audit_verify_result *r, int64_t *from,
                        struct mp_error *err)
{
    uint8_t hash[CHAIN_HASH_LEN] = {0};
    struct checkpoint c;
    char why[300];
    int64_t seq = 0;
    bool start_there = false;
    int have;

    *from = 0;
    have = store_checkpoint_last(db, &c, true, err);
    if (have < 0)
        return -1;
    if (have == 1) {
        start_there = vouches(db, &c, &seq, hash, why, sizeof(why), err);
        if (!start_there && why[0] != '\0')
            log_warn("audit checkpoint does not vouch, walking the whole chain id=%lld "
                     "reason=\"%s\"",
                     (long long)c.id, why);
        free(c.document);
        free(c.signature);
    }
    if (!start_there) {
        seq = 0;
        memset(hash, 0, CHAIN_HASH_LEN);
    }
    from_mark(db, &seq, hash, err);
    *from = seq;
    if (store_audit_verify_from(db, seq, hash, r, err) != 0)
        return -1;
    set_mark(r);
    return 0;
}

/* 0 when the chain verifies on db (from the newest checkpoint on: what
 * that signed was verified when it was signed), else -1 with err (503). */
static int
chain_verified(sqlite3 *db, struct mp_error *err)
{
    struct audit_verify_result r;
    int64_t from;

    if (checkpoint_chain_verify(db, &r, &from, err) != 0)
        return -1;
    if (!r.ok)
        return mp_error_set(err, 503, "",
                            "the audit chain does not verify (broken at entry %lld: %.100s): no "
                            "checkpoint is signed until the break is acknowledged (`meldpunt "
                            "audit acknowledge --reason TEXT`)",
                            (long long)r.bad_seq, r.reason);
    return 0;
}

static int
create_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct create *cr = arg;
    struct checkpoint *c = &cr->c, last;
    uint8_t head[CHAIN_HASH_LEN] = {0};
    struct buf text = BUF_INIT, sig = BUF_INIT;
    char trusted[300];
    json_t *key, *doc = NULL;
    int have, rc = -1;

    cr->made = false;
    c->audit_seq = 0;
    if (store_audit_head(db, &c->audit_seq, head, err) < 0)
        return -1;
    have = store_checkpoint_last(db, &last, false, err);
    if (have < 0)
        return -1;
    if (cr->only_if_moved && have == 1 && last.audit_seq == c->audit_seq)
        return 0;
    /* never sign a head nobody can vouch for: the chain is walked in this
     * transaction, so the head signed is the head verified */
    if (chain_verified(db, err) != 0)
        return -1;
    key = signing_public_json();
    if (key == NULL)
        return mp_error_set(err, 503, "", "no signing key is loaded");
    snprintf(c->key_id, sizeof(c->key_id), "%s", json_string_value(json_object_get(key, "key_id")));
    json_decref(key);
    sodium_bin2hex(c->audit_hash, sizeof(c->audit_hash), head, CHAIN_HASH_LEN);
    time_format_rfc3339(cr->now, c->at, sizeof(c->at));
    snprintf(c->reason, sizeof(c->reason), "%s", cr->reason);
    snprintf(c->created_by, sizeof(c->created_by), "%s", cr->principal);
    c->id = (have == 1 ? last.id : 0) + 1;
    doc = json_pack("{s:s, s:I, s:s, s:s, s:{s:I, s:s}, s:s}", "meldpunt", "audit-checkpoint",
                    "checkpoint", (json_int_t)c->id, "at", c->at, "reason", c->reason, "audit",
                    "seq", (json_int_t)c->audit_seq, "hash", c->audit_hash, "key_id", c->key_id);
    if (doc == NULL || jcs_serialize(doc, &text) != 0 || buf_failed(&text)) {
        mp_error_set(err, 500, "", "the checkpoint cannot be put in canonical form");
        goto out;
    }
    snprintf(trusted, sizeof(trusted),
             "meldpunt audit-checkpoint=%lld seq=%lld hash=%s at=%s key=%s", (long long)c->id,
             (long long)c->audit_seq, c->audit_hash, c->at, c->key_id);
    if (signing_sign(text.data, text.len, "meldpunt audit checkpoint, verify with its public key",
                     trusted, &sig) != 0) {
        mp_error_set(err, 500, "", "signing failed");
        goto out;
    }
    c->document = buf_detach(&text, NULL);
    c->signature = buf_detach(&sig, NULL);
    if (store_checkpoint_insert(db, c, err) != 0)
        goto out;
    cr->made = true;
    rc = 0;
out:
    buf_free(&text);
    buf_free(&sig);
    json_decref(doc);
    return rc;
}

int
checkpoint_create(const char *principal, int64_t now, const char *reason, bool only_if_moved,
                  json_t **out, struct mp_error *err)
{
    struct create cr = {
        .principal = principal, .now = now, .reason = reason, .only_if_moved = only_if_moved};
    char qdoc[600], qsig[900];
    int rc;

    if (out)
        *out = NULL;
    if (store_write(create_apply, &cr, err) != 0) {
        rc = -1;
        goto out;
    }
    if (!cr.made) {
        rc = 0;
        goto out;
    }
    /* the copy outside the database: journald, syslog, a SIEM */
    log_quote(qdoc, sizeof(qdoc), cr.c.document);
    log_quote(qsig, sizeof(qsig), cr.c.signature);
    log_notice("audit checkpoint id=%lld seq=%lld hash=%s key_id=%s reason=%s document=%s "
               "signature=%s",
               (long long)cr.c.id, (long long)cr.c.audit_seq, cr.c.audit_hash, cr.c.key_id,
               cr.c.reason, qdoc, qsig);
    if (out)
        *out = to_json(&cr.c);
    rc = 1;
out:
    free(cr.c.document);
    free(cr.c.signature);
    return rc;
}

int
checkpoint_list(int64_t after, int limit, json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    struct checkpoint *v;
    json_t *items;
    int n;

    *out = NULL;
    if (db == NULL || store_checkpoint_list(db, after, limit, &v, &n, err) != 0)
        return -1;
    items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, to_json(&v[i]));
    store_checkpoint_free(v, n);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int
checkpoint_verify(sqlite3 *db, const char *text, bool *ok, char *why, size_t why_size,
                  struct mp_error *err)
{
    struct audit_verify_result r;
    uint8_t hash[CHAIN_HASH_LEN];
    char trusted[512], hex[2 * CHAIN_HASH_LEN + 1];
    json_t *cp = json_loads(text, 0, NULL), *doc = NULL, *audit;
    const char *document, *signature, *reason = NULL, *doc_hash;
    json_int_t seq;
    int found, rc = 0;

    *ok = false;
    document = json_string_value(json_object_get(cp, "document"));
    signature = json_string_value(json_object_get(cp, "signature"));
    if (document == NULL || signature == NULL) {
        snprintf(why, why_size,
                 "not a checkpoint: JSON with \"document\" and \"signature\" needed");
        goto out;
    }
    if (signing_verify(document, strlen(document), signature, trusted, sizeof(trusted), &reason) !=
        0) {
        snprintf(why, why_size, "the checkpoint's signature does not verify: %s", reason);
        goto out;
    }
    /* only the signed bytes count, not the fields repeated beside them */
    doc = json_loads(document, 0, NULL);
    audit = json_object_get(doc, "audit");
    doc_hash = json_string_value(json_object_get(audit, "hash"));
    if (!json_is_string(json_object_get(doc, "meldpunt")) ||
        strcmp(json_string_value(json_object_get(doc, "meldpunt")), "audit-checkpoint") != 0 ||
        !json_is_integer(json_object_get(audit, "seq")) || doc_hash == NULL) {
        snprintf(why, why_size, "the signed document is not an audit checkpoint");
        goto out;
    }
    seq = json_integer_value(json_object_get(audit, "seq"));
    if (store_audit_verify(db, &r, err) != 0) {
        rc = -1;
        goto out;
    }
    if (!r.ok) {
        snprintf(why, why_size, "the audit chain is broken at entry %lld: %s", (long long)r.bad_seq,
                 r.reason);
        goto out;
    }
    if (seq == 0) {
        *ok = true;
        snprintf(why, why_size, "checkpoint of the empty chain; the chain verifies (%lld entries)",
                 (long long)r.entries);
        goto out;
    }
    found = store_audit_hash_at(db, seq, hash, err);
    if (found < 0) {
        rc = -1;
        goto out;
    }
    if (found == 0) {
        snprintf(
            why, why_size,
            "entry %lld, signed in the checkpoint, is missing: the chain ends at %lld (entries "
            "were removed)",
            (long long)seq, (long long)r.head_seq);
        goto out;
    }
    sodium_bin2hex(hex, sizeof(hex), hash, CHAIN_HASH_LEN);
    if (strcmp(hex, doc_hash) != 0) {
        snprintf(why, why_size,
                 "entry %lld has hash %.16s… but the checkpoint signed %.16s…: the chain was "
                 "rewritten",
                 (long long)seq, hex, doc_hash);
        goto out;
    }
    *ok = true;
    snprintf(why, why_size,
             "entry %lld matches the signed checkpoint; the chain verifies (%lld entries)",
             (long long)seq, (long long)r.entries);
out:
    json_decref(doc);
    json_decref(cp);
    return rc;
}

int
checkpoint_last(int64_t *id, int64_t *audit_seq, int64_t *at, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    struct checkpoint c;
    int have;

    if (db == NULL)
        return -1;
    have = store_checkpoint_last(db, &c, false, err);
    if (have != 1)
        return have;
    *id = c.id;
    *audit_seq = c.audit_seq;
    if (time_parse_rfc3339(c.at, at) != 0)
        *at = 0;
    return 1;
}

/* ---- the timer ---- */

static struct ticker timer;
static unsigned timer_interval;

int
checkpoint_tick(int64_t now, struct mp_error *err)
{
    int64_t id, seq, at;
    int have;

    if (timer_interval == 0)
        return 0;
    have = checkpoint_last(&id, &seq, &at, err);
    if (have < 0)
        return -1;
    if (have == 1 && now - at < (int64_t)timer_interval)
        return 0;
    return checkpoint_create("meldpunt", now, "interval", true, NULL, err) < 0 ? -1 : 0;
}

void
checkpoint_timer_start(unsigned interval_seconds)
{
    timer_interval = interval_seconds;
    if (interval_seconds == 0)
        return;
    /* look often enough that a checkpoint is never much later than its
     * interval after the last one, however that one was made */
    ticker_start(&timer, interval_seconds < 60 ? interval_seconds : 60, "audit checkpoint",
                 checkpoint_tick);
}

void
checkpoint_timer_stop(void)
{
    ticker_stop(&timer);
}
