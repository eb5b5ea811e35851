/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * admit.c - see admit.h.
 *
 * A pool is one atomic counter: a slot is taken with a compare-and-swap
 * below the limit, so a burst can never overshoot it.  malloc_trim runs on
 * a ticker of its own, once a second at most, when slots were given back
 * since its last pass and none is taken now: it walks each arena once (a
 * few milliseconds after a burst).  Called at once by the last request out,
 * on its event thread, it was measured to give back little: the other
 * threads were still freeing the answers and connections of that burst.
 */
#include "admit.h"
#include "ticker.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Buffers of this size and more are mappings of their own (glibc's default
 * is 128K but rises, up to 32M, each time such a buffer is freed). */
#define MMAP_THRESHOLD (128 * 1024)

struct admit_pool admit_bodies = {.slots = 8}, admit_decodes = {.slots = 8};
static _Atomic bool trim_due;
static struct ticker trimmer;

/* One pass of the ticker: after a burst, the free memory back. */
static int
trim(int64_t now, struct mp_error *err)
{
    (void)now;
    (void)err;
    if (atomic_load(&admit_bodies.taken) == 0 && atomic_load(&admit_decodes.taken) == 0 &&
        atomic_exchange(&trim_due, false)) {
#ifdef __GLIBC__
        (void)malloc_trim(0);
#endif
    }
    return 0;
}

int
admit_start(unsigned slots)
{
    admit_bodies.slots = admit_decodes.slots = slots > 0 ? slots : 1;
#ifdef __GLIBC__
    (void)mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
#endif
    return ticker_start(&trimmer, 1, "the memory trim", trim);
}

void
admit_stop(void)
{
    ticker_stop(&trimmer);
}

bool
admit_take(struct admit_pool *p)
{
    unsigned n = atomic_load(&p->taken);

    do {
        if (n >= p->slots) {
            atomic_fetch_add(&p->refused, 1);
            return false;
        }
    } while (!atomic_compare_exchange_weak(&p->taken, &n, n + 1));
    return true;
}

void
admit_give(struct admit_pool *p)
{
    atomic_fetch_sub(&p->taken, 1);
    atomic_store(&trim_due, true);
}
