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
 */
#include "readiness.h"
#include "lib/log.h"
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

int
readiness_audit_check(struct mp_error *err)
{
    struct audit_verify_result r;
    char detail[sizeof(audit_detail)];
    sqlite3 *db = db_reader(err);

    if (db == NULL || store_audit_verify(db, &r, err) != 0)
        return -1;
    if (r.ok) {
        char hex[2 * CHAIN_HASH_LEN + 1];
        sodium_bin2hex(hex, sizeof(hex), r.head_hash, CHAIN_HASH_LEN);
        snprintf(detail, sizeof(detail), "%lld entries, head %.16s", (long long)r.entries, hex);
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
readiness_init(const char *dir, uint64_t min_free_bytes, struct mp_error *err)
{
    snprintf(data_dir, sizeof(data_dir), "%s", dir);
    min_free = min_free_bytes;
    return readiness_audit_check(err);
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
    uint64_t free_bytes = 0;
    char detail[sizeof(audit_detail)];
    json_t *checks;

    if (statvfs(data_dir, &vfs) == 0) {
        free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
        disk_ok = free_bytes >= min_free;
    }
    pthread_mutex_lock(&detail_lock);
    memcpy(detail, audit_detail, sizeof(detail));
    pthread_mutex_unlock(&detail_lock);
    *ready = db_ok && disk_ok && chain_ok;
    checks = json_pack("{s:{s:b, s:s}, s:{s:b, s:I, s:I}, s:{s:b, s:s}}", "database", "ok", db_ok,
                       "detail", db_ok ? "takes writes" : err.message, "disk", "ok", disk_ok,
                       "free_bytes", (json_int_t)free_bytes, "min_free_bytes", (json_int_t)min_free,
                       "audit_chain", "ok", chain_ok, "detail", detail);
    return json_pack("{s:s, s:o}", "status", *ready ? "ready" : "unready", "checks", checks);
}

bool
readiness_alive(void)
{
    return db_ping();
}
