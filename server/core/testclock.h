/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * testclock.h - moving a test build's clock, and what follows from it.
 *
 * Test builds only (MP_TEST_BUILD): the end-to-end tests set the daemon's
 * wall clock through POST /api/v1/test/clock instead of sleeping, so they
 * can see a report fall due and turn missed, a session time out, a
 * suppression expire, a measure become overdue.  Setting the clock runs
 * the background jobs' passes at once, at the new time (the sweeper, the
 * checkpoint timer), so what they do is visible as soon as the answer
 * arrives.  Release builds have neither this module nor the route.
 */
#ifndef MP_TESTCLOCK_H
#define MP_TESTCLOCK_H

#ifdef MP_TEST_BUILD

#include "lib/error.h"

#include <stdint.h>

/* Fixes the clock at t and runs the background passes at t. */
int testclock_set(int64_t t, struct mp_error *err);
/* Back to the system clock. */
void testclock_release(void);

#endif
#endif
