/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * admit.c - see admit.h.
 *
 * The slots are one atomic counter: taken with a compare-and-swap below the
 * limit, so a burst can never overshoot it.  malloc_trim runs on a ticker
 * of its own, once a second at most, when large bodies were in flight since
 * its last pass and none is now: it walks each arena once (a few
 * milliseconds after a burst).  Called at once by the last request out, on
 * its event thread, it was measured to give back little: the other event
 * threads were still freeing the answers and connections of that burst.
 */
#include "admit.h"
#include "lib/ticker.h"

#include <stdatomic.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Buffers of this size and more are mappings of their own (glibc's default
 * is 128K but rises, up to 32M, each time such a buffer is freed). */
#define MMAP_THRESHOLD (128 * 1024)

static unsigned slots = 8;
static _Atomic unsigned taken;
static _Atomic unsigned long long refused;
static _Atomic bool trim_due;
static struct ticker trimmer;

/* One pass of the ticker: after a burst, the free memory back. */
static int
trim(int64_t now, struct mp_error *err)
{
    (void)now;
    (void)err;
    if (atomic_load(&taken) == 0 && atomic_exchange(&trim_due, false)) {
#ifdef __GLIBC__
        (void)malloc_trim(0);
#endif
    }
    return 0;
}

int
admit_start(unsigned large_bodies)
{
    slots = large_bodies > 0 ? large_bodies : 1;
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
admit_large(void)
{
    unsigned n = atomic_load(&taken);

    do {
        if (n >= slots) {
            atomic_fetch_add(&refused, 1);
            return false;
        }
    } while (!atomic_compare_exchange_weak(&taken, &n, n + 1));
    return true;
}

void
admit_release(void)
{
    atomic_fetch_sub(&taken, 1);
    atomic_store(&trim_due, true);
}

unsigned
admit_in_flight(void)
{
    return atomic_load(&taken);
}

unsigned long long
admit_refused_count(void)
{
    return atomic_load(&refused);
}
