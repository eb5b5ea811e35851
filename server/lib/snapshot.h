/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * snapshot.h - data loaded from files and swapped whole on SIGHUP.
 *
 * The reporting rules, the detection rules and the assessment data are
 * each one immutable value: loaded and checked in full, then installed as
 * the current one.  A reader acquires the current value with a reference
 * and uses it for as long as it needs (a whole request), while a reload
 * installs the next one; the last reference to the old one frees it.  So a
 * reload never changes the data under a request, and a failed load leaves
 * the current value in force.
 *
 * The value's own reference count does the counting (hold, drop): struct
 * snapshot_refs below for the project's own structs, jansson's for JSON.
 * Both must be safe across threads: hold is called under the snapshot's
 * lock, drop anywhere.
 */
#ifndef MP_SNAPSHOT_H
#define MP_SNAPSHOT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct snapshot {
    pthread_mutex_t lock;
    void *current;
    void (*hold)(void *value); /* one more reference */
    void (*drop)(void *value); /* one less; the last frees the value */
};

#define SNAPSHOT_INIT(hold_fn, drop_fn)                                                            \
    {                                                                                              \
        .lock = PTHREAD_MUTEX_INITIALIZER, .hold = (hold_fn), .drop = (drop_fn)                    \
    }

/* value (NULL: none) becomes the current one; its reference passes to s.
 * The one it replaces loses the reference s held. */
void snapshot_install(struct snapshot *s, void *value);

/* The current value with a reference for the caller (drop it when done),
 * or NULL when none is installed.  With make not NULL and none installed,
 * make() is installed first (its reference passes to s; NULL: none). */
void *snapshot_acquire(struct snapshot *s, void *(*make)(void));

/* A reference count for a struct shared through a snapshot. */
struct snapshot_refs {
    atomic_int n;
};

/* Starts at one reference (the loader's). */
void snapshot_refs_init(struct snapshot_refs *r);
void snapshot_refs_hold(struct snapshot_refs *r);
/* true when that was the last reference: the caller frees the value. */
bool snapshot_refs_drop(struct snapshot_refs *r);

#endif
