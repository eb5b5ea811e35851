/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * clock.h - the one place that reads the system clock.
 *
 * meldpunt is about legal clocks, so "now" is an input like any other.
 * Domain code (core/, store/) never reads the clock: every function that
 * needs the time takes `now` as a parameter.  The clock is read once at an
 * edge and that value is passed down:
 *   - a request, when http/server.c dispatches it (struct api_request.now);
 *   - a background job (the obligation sweeper, the checkpoint timer), once
 *     per pass;
 *   - a CLI command, once when it starts;
 *   - log lines, for their timestamp.
 * So one change carries one time: the incident, its timeline entry, its
 * classification and its audit entry all say the same second.
 *
 * The monotonic clock is for measuring and waiting (latencies, rate
 * limits, timer threads), never for a date.
 *
 * Test builds (MP_TEST_BUILD) can fix the wall clock at any instant, so
 * the tests can move time forward instead of sleeping for it: a report
 * becomes due, then missed; a session times out; a suppression expires.
 * Release builds have no such switch.
 */
#ifndef MP_CLOCK_H
#define MP_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <time.h>

/* Wall clock: Unix seconds, and Unix microseconds. */
int64_t clock_now(void);
int64_t clock_now_us(void);
/* Monotonic microseconds for limits that count time between a person's
 * or a client's attempts (sign-in backoff, rate limits).  In test builds
 * this clock stands still while the test clock is fixed and moves only
 * with it, so a limit is tested to the second however slow the machine. */
int64_t clock_mono_us(void);
/* Monotonic microseconds, never moved by the test clock: for durations and
 * waits that are real time in tests too (latencies, how long a peer takes
 * on the network, a drain deadline, benchmarks). */
int64_t clock_mono_real_us(void);

/* For a timer thread: a condition variable whose timed waits use the
 * monotonic clock (so a change of the wall clock neither wakes nor stalls
 * it), and the absolute deadline `seconds` from now on that clock. */
int clock_cond_init(pthread_cond_t *cond);
void clock_cond_deadline(unsigned seconds, struct timespec *ts);

#ifdef MP_TEST_BUILD
/* Test builds only: the wall clock stands still at unix_seconds until it
 * is set again or released.  Meanwhile clock_mono_us() stands still too,
 * and moving the test clock forward moves it by as much (never back), so
 * what is timed on it (sign-in backoff, rate limits) sees exactly the time
 * the test lets pass; timer threads still wait in real time. */
void clock_fix(int64_t unix_seconds);
/* Back to the system clock. */
void clock_release(void);
/* True while the clock is fixed. */
bool clock_is_fixed(void);
#endif

#endif
