/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * audit.h - the audit chain as people and tools read it: its entries and
 * the verdict of a walk over the whole chain (GET /api/v1/audit,
 * /api/v1/audit/verify).  The chain itself is written by store/audit.c in
 * the transaction of each change; its signed checkpoints are
 * core/checkpoint.h.
 */
#ifndef MP_CORE_AUDIT_H
#define MP_CORE_AUDIT_H

#include "lib/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

/* Inside a change: appends the entry for action on object by actor, its
 * payload the JSON object payload (stolen), written as the chain keeps
 * payloads: compact, keys sorted, ASCII only. */
int audit_append_json(sqlite3 *db, int64_t now, const char *actor, const char *action,
                      const char *object, json_t *payload, struct mp_error *err);

/* {"items": [{seq, at, principal, action, object, payload, hash}]}: the
 * entries with seq > after, oldest first, at most limit. */
int audit_list(int64_t after, int limit, json_t **out, struct mp_error *err);
/* {"ok": true, entries, head_seq, head_hash} or {"ok": false, entries,
 * bad_seq, reason}. */
int audit_verify(json_t **out, struct mp_error *err);

/*
 * Acknowledges a break in the audit chain (`meldpunt audit acknowledge
 * --reason TEXT`): appends an entry audit.acknowledge, by actor, that
 * names the first entry that does not verify and the head it is chained
 * to (seq and stored hash), with the reason.  The chain verifies again from
 * that entry on (store/audit.h), so a server walking it (restart, SIGHUP)
 * takes writes again.  It is a change like any other, but made while the
 * server is read-only: it goes to the writer past the read-only refusal.
 * 409 when the chain verifies, 422 (field reason) for a blank or long
 * reason.  *out: {seq, bad_seq, found, verified, old_head_seq,
 * old_head_hash, reason}.
 */
#define AUDIT_ACK_REASON_MAX 1000
int audit_acknowledge(const char *actor, int64_t now, const char *reason, json_t **out,
                      struct mp_error *err);

/*
 * Accepts that the database lost acknowledged changes (`meldpunt serve
 * --accept-loss`, `meldpunt restore`): gap is what store_state_compare
 * found (store/state.h).  Appends an entry database.accept_loss, by actor,
 * naming the head that was recorded, the head the database has and each
 * year's references that are gone, with the reason; then the database's
 * head becomes the recorded one.  The reference numbers recorded stay: no
 * reference is issued twice.  *seq: the entry's seq.
 */
struct store_state_gap;
#define AUDIT_ACCEPT_LOSS_ACTION "database.accept_loss"
int audit_accept_loss(const char *actor, int64_t now, const char *reason,
                      const struct store_state_gap *gap, int64_t *seq, struct mp_error *err);

#endif
