/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * faultvfs.c - see faultvfs.h.
 *
 * The shim registers a VFS named "meldpunt-fault" as the default.  Each
 * file it opens is the real VFS's file placed right after a small header
 * of ours (szOsFile grows by that header); every method is passed to the
 * real file, except that xWrite and xSync first ask whether this one is to
 * fail.  Allocation faults wrap the sqlite3_mem_methods SQLite had.
 */
#include "faultvfs.h"

#ifdef MP_TEST_BUILD

#include "lib/log.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fault_kind { FAULT_NONE, FAULT_WRITE, FAULT_SYNC, FAULT_ALLOC };

static enum fault_kind kind;
static uint64_t every;
static int error_code;
static atomic_bool armed;
static _Atomic uint64_t seen, injected;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;
static sqlite3_mem_methods real_mem;

/* Is this operation of kind k the one to fail?  The first is the N-th
 * after arming; each next one follows after a gap drawn from a fixed
 * pseudo-random sequence, 1 to 2N - 1 (N on average), so that a change
 * that always makes the same number of writes is not always hit at the
 * same write, and a change larger than N still gets through at times. */
static bool
fault_hit(enum fault_kind k)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static uint64_t next, rng = 0x9e3779b97f4a7c15u;
    uint64_t n;
    bool hit;

    if (k != kind || !atomic_load(&armed))
        return false;
    pthread_mutex_lock(&mu);
    n = atomic_fetch_add(&seen, 1) + 1;
    if (next == 0)
        next = every;
    hit = n == next;
    if (hit) {
        atomic_fetch_add(&injected, 1);
        rng ^= rng << 13; /* xorshift64 */
        rng ^= rng >> 7;
        rng ^= rng << 17;
        next += 1 + rng % (2 * every - 1);
    }
    pthread_mutex_unlock(&mu);
    /* (logging allocates nothing of SQLite's: no recursion from xMalloc) */
    if (hit)
        log_warn("fault injected kind=%s n=%llu",
                 k == FAULT_WRITE  ? "write"
                 : k == FAULT_SYNC ? "sync"
                                   : "alloc",
                 (unsigned long long)n);
    return hit;
}

/* ---- the file ---- */

struct fault_file {
    sqlite3_file base;
    sqlite3_file *real; /* right after this header, in the same allocation */
};

#define REAL(f) (((struct fault_file *)(f))->real)

static int
ff_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods->xClose(REAL(f));
    f->pMethods = NULL;
    return rc;
}

static int
ff_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int
ff_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    if (fault_hit(FAULT_WRITE))
        return error_code;
    return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int
ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
ff_sync(sqlite3_file *f, int flags)
{
    if (fault_hit(FAULT_SYNC))
        return error_code;
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
ff_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
ff_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int
ff_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int
ff_check_lock(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
ff_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
ff_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
ff_device(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
ff_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, out);
}

static int
ff_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void
ff_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
ff_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
ff_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, out);
}

static int
ff_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

/* Version 3, as the unix VFS's own files: WAL (shared memory) and mmap. */
static const sqlite3_io_methods ff_methods = {
    .iVersion = 3,
    .xClose = ff_close,
    .xRead = ff_read,
    .xWrite = ff_write,
    .xTruncate = ff_truncate,
    .xSync = ff_sync,
    .xFileSize = ff_size,
    .xLock = ff_lock,
    .xUnlock = ff_unlock,
    .xCheckReservedLock = ff_check_lock,
    .xFileControl = ff_control,
    .xSectorSize = ff_sector,
    .xDeviceCharacteristics = ff_device,
    .xShmMap = ff_shm_map,
    .xShmLock = ff_shm_lock,
    .xShmBarrier = ff_shm_barrier,
    .xShmUnmap = ff_shm_unmap,
    .xFetch = ff_fetch,
    .xUnfetch = ff_unfetch,
};

static int
fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    struct fault_file *ff = (struct fault_file *)f;
    int rc;

    (void)vfs;
    ff->real = (sqlite3_file *)(ff + 1);
    memset(ff->real, 0, (size_t)real_vfs->szOsFile);
    rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
    /* SQLite closes a file whose pMethods is set, even when xOpen failed */
    ff->base.pMethods = ff->real->pMethods != NULL ? &ff_methods : NULL;
    return rc;
}

/* The rest goes to the real VFS, as itself. */
static int
fv_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
    (void)vfs;
    return real_vfs->xDelete(real_vfs, name, sync);
}

static int
fv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
fv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int
fv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int
fv_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return real_vfs->xSleep(real_vfs, us);
}

static int
fv_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int
fv_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xGetLastError(real_vfs, n, out);
}

static int
fv_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

/* ---- allocation ---- */

static void *
fm_malloc(int n)
{
    return fault_hit(FAULT_ALLOC) ? NULL : real_mem.xMalloc(n);
}

static void *
fm_realloc(void *p, int n)
{
    return fault_hit(FAULT_ALLOC) ? NULL : real_mem.xRealloc(p, n);
}

/* ---- set up ---- */

static int
parse(const char *spec, struct mp_error *err)
{
    static const struct {
        const char *name;
        enum fault_kind kind;
        int error;
    } kinds[] = {
        {"write", FAULT_WRITE, SQLITE_FULL},
        {"sync", FAULT_SYNC, SQLITE_IOERR_FSYNC},
        {"alloc", FAULT_ALLOC, SQLITE_NOMEM},
    };
    char name[16] = "", *end = NULL;
    const char *colon = strchr(spec, ':'), *errname = "";
    unsigned long long n = 0;

    if (colon != NULL && (size_t)(colon - spec) < sizeof(name) && colon[1] >= '0' &&
        colon[1] <= '9') {
        memcpy(name, spec, (size_t)(colon - spec));
        errno = 0;
        n = strtoull(colon + 1, &end, 10);
        if (errno != 0 || (*end != '\0' && *end != ':'))
            n = 0;
        else if (*end == ':')
            errname = end + 1;
    }
    if (n == 0 || n > (1ULL << 40))
        return mp_error_set(err, 0, "", "MELDPUNT_FAULT must be KIND:N[:ERROR], not '%s'", spec);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(name, kinds[i].name) == 0) {
            kind = kinds[i].kind;
            error_code = kinds[i].error;
        }
    }
    if (kind == FAULT_NONE)
        return mp_error_set(err, 0, "", "MELDPUNT_FAULT: KIND is write, sync or alloc");
    if (strcmp(errname, "full") == 0 && kind != FAULT_ALLOC)
        error_code = SQLITE_FULL;
    else if (strcmp(errname, "ioerr") == 0 && kind != FAULT_ALLOC)
        error_code = kind == FAULT_WRITE ? SQLITE_IOERR_WRITE : SQLITE_IOERR_FSYNC;
    else if (errname[0] != '\0' && !(strcmp(errname, "nomem") == 0 && kind == FAULT_ALLOC))
        return mp_error_set(err, 0, "", "MELDPUNT_FAULT: ERROR '%s' does not go with %s", errname,
                            name);
    every = n;
    return 0;
}

int
faultvfs_install(struct mp_error *err)
{
    const char *spec = getenv("MELDPUNT_FAULT");
    sqlite3_mem_methods mem;

    if (spec == NULL || spec[0] == '\0')
        return 0;
    if (parse(spec, err) != 0)
        return -1;
    if (kind == FAULT_ALLOC) {
        if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem) != SQLITE_OK)
            return mp_error_set(err, 0, "", "MELDPUNT_FAULT: SQLite is in use already");
        mem = real_mem;
        mem.xMalloc = fm_malloc;
        mem.xRealloc = fm_realloc;
        if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK)
            return mp_error_set(err, 0, "", "MELDPUNT_FAULT: cannot wrap SQLite's allocator");
        return 0;
    }
    real_vfs = sqlite3_vfs_find(NULL);
    if (real_vfs == NULL)
        return mp_error_set(err, 0, "", "MELDPUNT_FAULT: no default VFS");
    fault_vfs = *real_vfs;
    fault_vfs.zName = "meldpunt-fault";
    fault_vfs.pNext = NULL;
    fault_vfs.szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile;
    fault_vfs.xOpen = fv_open;
    fault_vfs.xDelete = fv_delete;
    fault_vfs.xAccess = fv_access;
    fault_vfs.xFullPathname = fv_full_pathname;
    fault_vfs.xRandomness = fv_randomness;
    fault_vfs.xSleep = fv_sleep;
    fault_vfs.xCurrentTime = fv_current_time;
    fault_vfs.xGetLastError = fv_last_error;
    fault_vfs.xCurrentTimeInt64 = fv_current_time64;
    if (sqlite3_vfs_register(&fault_vfs, 1) != SQLITE_OK)
        return mp_error_set(err, 0, "", "MELDPUNT_FAULT: cannot register the shim");
    return 0;
}

void
faultvfs_arm(void)
{
    if (kind != FAULT_NONE) {
        atomic_store(&seen, 0);
        atomic_store(&armed, true);
        log_warn("faults armed kind=%s every=%llu",
                 kind == FAULT_WRITE  ? "write"
                 : kind == FAULT_SYNC ? "sync"
                                      : "alloc",
                 (unsigned long long)every);
    }
}

void
faultvfs_disarm(void)
{
    if (atomic_load(&armed)) {
        atomic_store(&armed, false);
        log_warn("faults disarmed seen=%llu injected=%llu", (unsigned long long)atomic_load(&seen),
                 (unsigned long long)atomic_load(&injected));
    }
}

#endif
