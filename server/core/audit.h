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
#include <stdint.h>

/* {"items": [{seq, at, principal, action, object, payload, hash}]}: the
 * entries with seq > after, oldest first, at most limit. */
int audit_list(int64_t after, int limit, json_t **out, struct mp_error *err);
/* {"ok": true, entries, head_seq, head_hash} or {"ok": false, entries,
 * bad_seq, reason}. */
int audit_verify(json_t **out, struct mp_error *err);

#endif
