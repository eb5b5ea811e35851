/*
 * readiness.c - see readiness.h.
 */
#include "readiness.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/writer.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

static char data_dir[PATH_MAX];
static uint64_t min_free;
static bool audit_ok;
static char audit_detail[200];

int
readiness_init(const char *dir, uint64_t min_free_bytes, struct mp_error *err)
{
    struct audit_verify_result r;
    sqlite3 *db = db_reader(err);

    snprintf(data_dir, sizeof(data_dir), "%s", dir);
    min_free = min_free_bytes;
    if (db == NULL || store_audit_verify(db, &r, err) != 0)
        return -1;
    audit_ok = r.ok;
    if (r.ok) {
        char hex[2 * CHAIN_HASH_LEN + 1];
        sodium_bin2hex(hex, sizeof(hex), r.head_hash, CHAIN_HASH_LEN);
        snprintf(audit_detail, sizeof(audit_detail), "%lld entries, head %.16s",
                 (long long)r.entries, hex);
    } else {
        snprintf(audit_detail, sizeof(audit_detail), "broken at entry %lld: %.120s",
                 (long long)r.bad_seq, r.reason);
    }
    return 0;
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
    bool db_ok = store_write(probe, NULL, &err) == 0;
    bool disk_ok = false;
    uint64_t free_bytes = 0;
    json_t *checks;

    if (statvfs(data_dir, &vfs) == 0) {
        free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
        disk_ok = free_bytes >= min_free;
    }
    *ready = db_ok && disk_ok && audit_ok;
    checks = json_pack("{s:{s:b, s:s}, s:{s:b, s:I, s:I}, s:{s:b, s:s}}", "database", "ok", db_ok,
                       "detail", db_ok ? "takes writes" : err.message, "disk", "ok", disk_ok,
                       "free_bytes", (json_int_t)free_bytes, "min_free_bytes", (json_int_t)min_free,
                       "audit_chain", "ok", audit_ok, "detail", audit_detail);
    return json_pack("{s:s, s:o}", "status", *ready ? "ready" : "unready", "checks", checks);
}

bool
readiness_alive(void)
{
    return db_ping();
}
