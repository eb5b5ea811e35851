/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * testclock.c - see testclock.h.
 */
#include "testclock.h"

#ifdef MP_TEST_BUILD

#include "core/checkpoint.h"
#include "core/classify.h"
#include "core/exercise.h"
#include "core/readiness.h"
#include "core/reminders.h"
#include "lib/clock.h"
#include "store/writer.h"

int
testclock_set(int64_t t, struct mp_error *err)
{
    /* a clock set back: changes take the new time, not the latest seen */
    if (t < clock_now())
        store_change_time_reset();
    clock_fix(t);
    if (classify_sweep(t, err) != 0 || readiness_integrity_tick(t, err) != 0 ||
        reminders_send_pass(t, err) != 0 || exercise_inject_pass(t, err) != 0)
        return -1;
    return checkpoint_tick(t, err);
}

void
testclock_release(void)
{
    clock_release();
    store_change_time_reset();
}

#else
/* ISO C wants something in a translation unit */
typedef int testclock_unused;
#endif
