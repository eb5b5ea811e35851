/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * readiness.c - see readiness.h.
 *
 * The audit chain is walked at start and on SIGHUP.  When it does not
 * verify, the server is read-only (store_writer_read_only): a change made
 * on top of a head nobody can vouch for would be chained to it, and a
 * checkpoint would sign it.  Reads go on.  Writes resume once an admin has
 * acknowledged the break (`meldpunt audit acknowledge`, core/audit.h),
 * which makes the chain verify again from there, and the server walked it
 * again (restart or SIGHUP).
 *
 * What costs grow with the data stays out of the start-up path, so a
 * restart during an incident takes the same time at a million incidents as
 * at ten.  At start the chain is walked from the newest signed checkpoint
 * on (core/checkpoint.h: what it signed was verified when it was signed);
 * the database's integrity check (PRAGMA quick_check) and the walk of the
 * whole chain run in the background: shortly after start and then every
 * `[storage] integrity_interval`, on the integrity ticker.  Both walks
 * decide read-only the same way; they run one at a time (walk_lock), so an
 * older walk never overrules a newer one.
 */
#include "readiness.h"
#include "core/checkpoint.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/ticker.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/writer.h"

#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

static char data_dir[PATH_MAX];
static uint64_t min_free;
static _Atomic bool audit_ok;
static _Atomic bool audit_checked; /* walked at least once */
static pthread_mutex_t detail_lock = PTHREAD_MUTEX_INITIALIZER;
static char audit_detail[200];
static pthread_mutex_t walk_lock = PTHREAD_MUTEX_INITIALIZER;

/* The last integrity check (under detail_lock). */
static struct readiness_integrity integrity;
static unsigned integrity_interval;
static struct ticker integrity_timer;

/* Walks the chain (whole, or from the newest checkpoint that vouches) and
 * takes or refuses writes by what it found.  Only an operator's walk (start,
 * SIGHUP: may_resume) lets writes resume after a break; the background
 * check can only find one. */
static int
audit_walk(bool whole, bool may_resume, struct mp_error *err)
{
    struct audit_verify_result r;
    char detail[sizeof(audit_detail)];
    sqlite3 *db = db_reader(err);
    int64_t from = 0;

    if (db == NULL)
        return -1;
    if ((whole ? store_audit_verify(db, &r, err) : checkpoint_chain_verify(db, &r, &from, err)) !=
        0)
        return -1;
    if (r.ok && !may_resume && atomic_load(&audit_checked) && !atomic_load(&audit_ok))
        return 0; /* read-only until an operator walks it again */
    if (!whole)
        log_notice("audit chain walked ok=%d entries=%lld from_checkpoint_seq=%lld", r.ok,
                   (long long)r.entries, (long long)from);
    if (r.ok) {
        char hex[2 * CHAIN_HASH_LEN + 1];
        sodium_bin2hex(hex, sizeof(hex), r.head_hash, CHAIN_HASH_LEN);
        snprintf(detail, sizeof(detail), "%lld entries, head %.16s", (long long)r.entries, hex);
        if (from > 0)
            snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
                     ", walked from the checkpoint at entry %lld", (long long)from);
        if (r.acknowledged > 0)
            snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
                     " (%lld break%s acknowledged)", (long long)r.acknowledged,
                     r.acknowledged == 1 ? "" : "s");
        store_writer_read_only(NULL);
        if (atomic_load(&audit_checked) && !atomic_load(&audit_ok))
            log_notice("audit chain verifies, taking writes entries=%lld acknowledged=%lld",
                       (long long)r.entries, (long long)r.acknowledged);
    } else {
        char why[300];
        snprintf(detail, sizeof(detail), "broken at entry %lld: %.120s", (long long)r.bad_seq,
                 r.reason);
        snprintf(why, sizeof(why),
                 "read-only: the audit chain does not verify (broken at entry %lld: %.100s); "
                 "an admin must run `meldpunt audit acknowledge --reason TEXT`",
                 (long long)r.bad_seq, r.reason);
        store_writer_read_only(why);
        log_error("AUDIT CHAIN BROKEN, serving read-only: every change is refused until an "
                  "admin runs `meldpunt audit acknowledge --reason TEXT` and the server is "
                  "restarted or reloaded (SIGHUP) bad_seq=%lld reason=\"%s\" verified=%lld",
                  (long long)r.bad_seq, r.reason, (long long)r.entries);
    }
    pthread_mutex_lock(&detail_lock);
    memcpy(audit_detail, detail, sizeof(audit_detail));
    pthread_mutex_unlock(&detail_lock);
    atomic_store(&audit_ok, r.ok);
    atomic_store(&audit_checked, true);
    return 0;
}

int
readiness_audit_check(struct mp_error *err)
{
    int rc;

    pthread_mutex_lock(&walk_lock);
    rc = audit_walk(true, true, err);
    pthread_mutex_unlock(&walk_lock);
    return rc;
}

int
readiness_init(const char *dir, uint64_t min_free_bytes, struct mp_error *err)
{
    int rc;

    snprintf(data_dir, sizeof(data_dir), "%s", dir);
    min_free = min_free_bytes;
    pthread_mutex_lock(&detail_lock);
    memset(&integrity, 0, sizeof(integrity));
    pthread_mutex_unlock(&detail_lock);
    pthread_mutex_lock(&walk_lock);
    rc = audit_walk(false, true, err);
    pthread_mutex_unlock(&walk_lock);
    return rc;
}

int
readiness_integrity_pass(int64_t now, struct mp_error *err)
{
    struct readiness_integrity got = {.checked = true, .at = now};
    sqlite3 *db = db_reader(err);
    int64_t began = clock_mono_real_us();

    if (db == NULL)
        return -1;
    got.ok = db_check(db, false, got.detail, sizeof(got.detail)) == 0;
    if (!got.ok)
        log_error("DATABASE INTEGRITY CHECK FAILED, restore a backup (`meldpunt restore`) "
                  "problem=\"%s\"",
                  got.detail);
    got.seconds = (double)(clock_mono_real_us() - began) / 1e6;
    pthread_mutex_lock(&detail_lock);
    integrity = got;
    pthread_mutex_unlock(&detail_lock);
    log_info("integrity check ok=%d seconds=%.3f", got.ok, got.seconds);
    /* and the whole chain, which start-up walked only from a checkpoint */
    {
        int rc;
        pthread_mutex_lock(&walk_lock);
        rc = audit_walk(true, false, err);
        pthread_mutex_unlock(&walk_lock);
        return rc;
    }
}

struct readiness_integrity
readiness_integrity_last(void)
{
    struct readiness_integrity got;

    pthread_mutex_lock(&detail_lock);
    got = integrity;
    pthread_mutex_unlock(&detail_lock);
    return got;
}

int
readiness_integrity_tick(int64_t now, struct mp_error *err)
{
    struct readiness_integrity last = readiness_integrity_last();

    if (integrity_interval == 0 ||
        (last.checked && now >= last.at && now - last.at < (int64_t)integrity_interval))
        return 0;
    return readiness_integrity_pass(now, err);
}

void
readiness_integrity_start(unsigned interval_seconds)
{
    integrity_interval = interval_seconds;
    if (interval_seconds == 0)
        return;
    /* the first pass right after start, then look every minute (or
     * interval) whether the last one is an interval old */
    ticker_start_first(&integrity_timer, 1, interval_seconds < 60 ? interval_seconds : 60,
                       "integrity check", readiness_integrity_tick);
}

void
readiness_integrity_stop(void)
{
    ticker_stop(&integrity_timer);
}

bool
readiness_audit_ok(void)
{
    return atomic_load(&audit_ok);
}

static int
probe(sqlite3 *db, void *arg, struct mp_error *err)
{
    (void)db;
    (void)arg;
    (void)err;
    return 0; /* the transaction around it is the test */
}

json_t *
readiness_check(bool *ready)
{
    struct mp_error err;
    struct statvfs vfs;
    bool db_ok = store_write_unguarded(probe, NULL, &err) == 0;
    bool disk_ok = false, chain_ok = atomic_load(&audit_ok);
    struct readiness_integrity ic = readiness_integrity_last();
    uint64_t free_bytes = 0;
    char detail[sizeof(audit_detail)], at[TIME_RFC3339_LEN];
    json_t *checks;

    if (statvfs(data_dir, &vfs) == 0) {
        free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
        disk_ok = free_bytes >= min_free;
    }
    pthread_mutex_lock(&detail_lock);
    memcpy(detail, audit_detail, sizeof(detail));
    pthread_mutex_unlock(&detail_lock);
    /* not checked yet is no reason to wait: start-up does not wait for it */
    *ready = db_ok && disk_ok && chain_ok && (!ic.checked || ic.ok);
    checks = json_pack("{s:{s:b, s:s}, s:{s:b, s:I, s:I}, s:{s:b, s:s}}", "database", "ok", db_ok,
                       "detail", db_ok ? "takes writes" : err.message, "disk", "ok", disk_ok,
                       "free_bytes", (json_int_t)free_bytes, "min_free_bytes", (json_int_t)min_free,
                       "audit_chain", "ok", chain_ok, "detail", detail);
    if (ic.checked)
        time_format_rfc3339(ic.at, at, sizeof(at));
    json_object_set_new(checks, "integrity",
                        json_pack("{s:b, s:b, s:o, s:f, s:s}", "ok", !ic.checked || ic.ok,
                                  "checked", ic.checked, "at",
                                  ic.checked ? json_string(at) : json_null(), "seconds", ic.seconds,
                                  "detail", ic.checked ? ic.detail : "not checked yet"));
    return json_pack("{s:s, s:o}", "status", *ready ? "ready" : "unready", "checks", checks);
}

bool
readiness_alive(void)
{
    return db_ping();
}
