/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * clock.c - see clock.h.
 */
#include "clock.h"
#include "timeutil.h"

#include <stdatomic.h>

#ifdef MP_TEST_BUILD
/* Microseconds since the epoch while fixed; INT64_MIN when not. */
static _Atomic int64_t fixed_us = INT64_MIN;
/* Added to the monotonic clock: how far the test clock was moved forward
 * in all, so sign-in backoff and rate limits see that time pass too. */
static _Atomic int64_t mono_offset_us;
/* While fixed: the monotonic reading at which the limits' clock stands. */
static _Atomic int64_t mono_fixed_us = INT64_MIN;

void
clock_fix(int64_t unix_seconds)
{
    /* from the whole second the wall clock showed: fixing it one second on
     * moves the monotonic clock at least one second */
    int64_t was = clock_now() * 1000000, us = unix_seconds * 1000000;

    if (atomic_load(&fixed_us) == INT64_MIN)
        atomic_store(&mono_fixed_us, clock_mono_real_us() + atomic_load(&mono_offset_us));
    if (us > was) {
        atomic_fetch_add(&mono_offset_us, us - was);
        atomic_fetch_add(&mono_fixed_us, us - was);
    }
    atomic_store(&fixed_us, us);
}

void
clock_release(void)
{
    int64_t stood = atomic_load(&mono_fixed_us);

    /* carry on from where the limits' clock stood, never back */
    if (atomic_load(&fixed_us) != INT64_MIN && stood != INT64_MIN)
        atomic_store(&mono_offset_us, stood - clock_mono_real_us());
    atomic_store(&fixed_us, INT64_MIN);
}

bool
clock_is_fixed(void)
{
    return atomic_load(&fixed_us) != INT64_MIN;
}
#endif

int64_t
clock_now_us(void)
{
    struct timespec ts;

#ifdef MP_TEST_BUILD
    int64_t f = atomic_load(&fixed_us);
    if (f != INT64_MIN)
        return f;
#endif
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
clock_now(void)
{
    int64_t us = clock_now_us();

    /* floor, also before 1970 */
    return time_floor_div(us, 1000000);
}

int64_t
clock_mono_us(void)
{
#ifdef MP_TEST_BUILD
    if (atomic_load(&fixed_us) != INT64_MIN)
        return atomic_load(&mono_fixed_us);
    return clock_mono_real_us() + atomic_load(&mono_offset_us);
#else
    return clock_mono_real_us();
#endif
}

int64_t
clock_mono_real_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
clock_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    int rc;

    if (pthread_condattr_init(&attr) != 0)
        return -1;
    rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
                 pthread_cond_init(cond, &attr) == 0
             ? 0
             : -1;
    pthread_condattr_destroy(&attr);
    return rc;
}

void
clock_cond_deadline(unsigned seconds, struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)seconds;
}
