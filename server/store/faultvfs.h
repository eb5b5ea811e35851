/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * faultvfs.h - storage faults on demand, in test builds only.
 *
 * A SQLite VFS shim over the default one (and a wrapper of SQLite's
 * allocator) that makes every n-th write, sync or allocation fail, so the
 * tests can see what the server does when the disk is full, an fsync
 * fails or memory runs out in the middle of a change
 * (tests/e2e/faults.test.mjs): no crash, no leak, never a 2xx for a change
 * that is not on disk, and the next request answered.
 *
 * MELDPUNT_FAULT=KIND:N[:ERROR] selects the fault:
 *   KIND   write (xWrite of the database and its WAL), sync (xSync), or
 *          alloc (SQLite's malloc and realloc);
 *   N      the N-th operation of that kind fails, and then one after a
 *          gap of 1 to 2N - 1 more, from a fixed pseudo-random sequence (N
 *          on average; a change that always makes the same number of
 *          writes is hit at a different one each time);
 *   ERROR  full (SQLITE_FULL, the default for write), ioerr (SQLITE_IOERR,
 *          the default for sync) or nomem (the only one for alloc).
 * Counting starts when faultvfs_arm() is called (`meldpunt serve` once it
 * listens: the start itself is not what is tested) and stops at
 * faultvfs_disarm() (when it stops).  Each fault injected is logged at warn
 * level ("fault injected").
 */
#ifndef MP_FAULTVFS_H
#define MP_FAULTVFS_H

#include "lib/error.h"

#ifdef MP_TEST_BUILD
/* Reads MELDPUNT_FAULT and, when set, installs the shim as the default VFS
 * and the allocator wrapper: before SQLite's first use.  -1 with err for a
 * value that is not KIND:N[:ERROR]. */
int faultvfs_install(struct mp_error *err);
void faultvfs_arm(void);
void faultvfs_disarm(void);
#endif

#endif
