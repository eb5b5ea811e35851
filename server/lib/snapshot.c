/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * snapshot.c - see snapshot.h.
 */
#include "snapshot.h"

#include <stddef.h>

void
snapshot_install(struct snapshot *s, void *value)
{
    void *old;

    pthread_mutex_lock(&s->lock);
    old = s->current;
    s->current = value;
    pthread_mutex_unlock(&s->lock);
    if (old != NULL)
        s->drop(old); /* freed here, or by the last reader still using it */
}

void *
snapshot_acquire(struct snapshot *s, void *(*make)(void))
{
    void *value;

    pthread_mutex_lock(&s->lock);
    if (s->current == NULL && make != NULL)
        s->current = make();
    value = s->current;
    /* under the lock: install cannot drop the last reference in between */
    if (value != NULL)
        s->hold(value);
    pthread_mutex_unlock(&s->lock);
    return value;
}

void
snapshot_refs_init(struct snapshot_refs *r)
{
    atomic_init(&r->n, 1);
}

void
snapshot_refs_hold(struct snapshot_refs *r)
{
    atomic_fetch_add_explicit(&r->n, 1, memory_order_relaxed);
}

bool
snapshot_refs_drop(struct snapshot_refs *r)
{
    /* release our writes; the last one acquires everyone's before freeing */
    return atomic_fetch_sub_explicit(&r->n, 1, memory_order_acq_rel) == 1;
}
