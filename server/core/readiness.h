/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * readiness.h - is this instance fit to take traffic (GET /readyz)?
 *
 * Ready when the database takes a write (the writer gets its lock), the
 * data directory's file system has more free space than the configured
 * floor, and the audit chain verified when the server started.
 */
#ifndef MP_READINESS_H
#define MP_READINESS_H

#include "lib/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Called once at start: walks the audit chain (readiness_audit_check) and
 * remembers where the data lives. */
int readiness_init(const char *data_dir, uint64_t min_free_bytes, struct mp_error *err);

/* Walks the audit chain (at start, and again on SIGHUP).  When it does not
 * verify, the instance is unready and read-only: every change is refused
 * (503, store_writer_read_only) and a loud line is logged; when it does,
 * writes are taken.  -1 only when the database cannot be read. */
int readiness_audit_check(struct mp_error *err);

/* Did the audit chain verify at the last walk?  (The metric
 * meldpunt_audit_chain_ok.) */
bool readiness_audit_ok(void);

/* Liveness (GET /healthz): the database answers a read. */
bool readiness_alive(void);

/* {"status": "ready"|"unready", "checks": {...}}; *ready says which. */
json_t *readiness_check(bool *ready);

#endif
