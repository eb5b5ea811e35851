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

/* Called once at start: walks the audit chain from the newest signed
 * checkpoint that vouches for it on (core/checkpoint.h), taking or refusing
 * writes as readiness_audit_check does, and remembers where the data lives. */
int readiness_init(const char *data_dir, uint64_t min_free_bytes, struct mp_error *err);

/* Walks the whole audit chain (on SIGHUP and in the background check).  When it does not
 * verify, the instance is unready and read-only: every change is refused
 * (503, store_writer_read_only) and a loud line is logged; when it does,
 * writes are taken.  -1 only when the database cannot be read. */
int readiness_audit_check(struct mp_error *err);

/*
 * The background integrity check: PRAGMA quick_check on the database and a
 * walk of the whole audit chain (readiness_audit_check), off the start-up
 * path.  The last result is in /readyz (checks.integrity; a failed check
 * makes the instance unready) and /metrics.
 */
struct readiness_integrity {
    bool checked; /* a pass ran since start */
    bool ok;
    int64_t at;       /* its `now` */
    double seconds;   /* how long the database check took */
    char detail[200]; /* "ok" or the first problem */
};
/* One pass at now. */
int readiness_integrity_pass(int64_t now, struct mp_error *err);
/* A pass when none ran yet or the last is at least the interval old at
 * now (the ticker's and the test clock's pass); nothing when the interval
 * is 0. */
int readiness_integrity_tick(int64_t now, struct mp_error *err);
struct readiness_integrity readiness_integrity_last(void);
/* Every interval_seconds (0: never; then only before a backup), the first
 * pass a second after start. */
void readiness_integrity_start(unsigned interval_seconds);
void readiness_integrity_stop(void);

/* Did the audit chain verify at the last walk?  (The metric
 * meldpunt_audit_chain_ok.) */
bool readiness_audit_ok(void);

/* Liveness (GET /healthz): the database answers a read. */
bool readiness_alive(void);

/* {"status": "ready"|"unready", "checks": {...}}; *ready says which. */
json_t *readiness_check(bool *ready);

#endif
