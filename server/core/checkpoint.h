/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * checkpoint.h - signed checkpoints of the audit chain.
 *
 * The audit chain is tamper-evident only against someone who cannot
 * recompute it; whoever can write the database can.  A checkpoint closes
 * that gap: the chain's head (seq and hash) is signed with meldpunt's
 * signing key, written to the log (so journald, syslog or a SIEM holds a
 * copy the database's owner does not control) and kept in the database,
 * served at GET /api/v1/audit/checkpoints.  Later, `meldpunt audit verify
 * --checkpoint FILE` checks an outside copy: its signature, that the chain
 * still verifies, and that the entry it names still has the hash it signed.
 *
 * The signed document is canonical JSON (RFC 8785), so `minisign -V` checks
 * it too:
 *   {"audit":{"hash":"…","seq":N},"at":"…","checkpoint":ID,"key_id":"…",
 *    "meldpunt":"audit-checkpoint","reason":"interval"|"demand"}
 */
#ifndef MP_CHECKPOINT_H
#define MP_CHECKPOINT_H

#include "lib/error.h"
#include "store/audit.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

/* Signs the chain's head, as of now.  With only_if_moved, nothing is made when the
 * newest checkpoint already names the head (returns 0); else returns 1 and,
 * when out is not NULL, the checkpoint as JSON (see checkpoint_json). */
int checkpoint_create(const char *principal, int64_t now, const char *reason, bool only_if_moved,
                      json_t **out, struct mp_error *err);

/* {"items": [checkpoint, …]} with id > after, oldest first. */
int checkpoint_list(int64_t after, int limit, json_t **out, struct mp_error *err);

/* Checks a checkpoint (the JSON of one, as served or printed) against db:
 * its signature (the loaded key or one rotated out), the whole chain, and
 * the hash of the entry it names.  Returns 0 when the check ran (then
 * *ok and why say the outcome), -1 when the database could not be read. */
int checkpoint_verify(sqlite3 *db, const char *text, bool *ok, char *why, size_t why_size,
                      struct mp_error *err);

/* Walks the audit chain on db from the newest checkpoint on, when that
 * checkpoint vouches for it (its signature verifies and the entry it signed
 * still has that hash): the cost is the entries since, not the whole chain.
 * Otherwise (no checkpoint, or one that does not vouch, which is logged)
 * the whole chain is walked.  *from is the entry the walk started after (0:
 * the whole chain).  0 when the walk ran (see r->ok), -1 when the database
 * could not be read.  The whole walk stays with `meldpunt audit verify`,
 * GET /api/v1/audit/verify and the background integrity check
 * (core/readiness.h). */
int checkpoint_chain_verify(sqlite3 *db, struct audit_verify_result *r, int64_t *from,
                            struct mp_error *err);
/* checkpoint_chain_verify also starts after the last entry an earlier walk
 * of this process found whole (when that entry still has the hash it had
 * then), if that is later than the checkpoint: the first checkpoint after
 * start-up, without one before it, walks the entries since start-up and not
 * the whole chain again in the writer.  This forgets that entry (a database
 * restored in its place). */
void checkpoint_chain_forget(void);

/* The newest checkpoint for /metrics: 1 with its id, the audit entry it
 * signed and its time (Unix seconds); 0 when there is none; -1 on error. */
int checkpoint_last(int64_t *id, int64_t *audit_seq, int64_t *at, struct mp_error *err);

/* The timer's pass: an "interval" checkpoint when the newest one is at
 * least the interval old at `now` (or there is none) and the chain moved
 * since.  Does nothing while no interval is set. */
int checkpoint_tick(int64_t now, struct mp_error *err);
/* Sets the interval (0: never) and starts the timer. */
void checkpoint_timer_start(unsigned interval_seconds);
void checkpoint_timer_stop(void);

#endif
