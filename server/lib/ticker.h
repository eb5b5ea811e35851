/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * ticker.h - a background job run every so many seconds.
 *
 * The obligation sweeper and the audit checkpoint timer are the same
 * thing: a thread that waits an interval, runs one pass, and stops
 * promptly when asked.  The wait is on the monotonic clock, so setting the
 * wall clock (or a test clock) neither fires nor stalls it.  The ticker is
 * the job's edge: it reads the wall clock once per pass and hands that
 * `now` to the pass (lib/clock.h), and it logs a pass that fails.
 */
#ifndef MP_TICKER_H
#define MP_TICKER_H

#include "error.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* One pass at `now`: 0, or -1 with err. */
typedef int (*ticker_pass_fn)(int64_t now, struct mp_error *err);

struct ticker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool running, stop;
    unsigned interval;
    unsigned first;   /* the wait before the first pass */
    const char *what; /* names the job in the log */
    ticker_pass_fn pass;
};

/* Starts a thread that calls pass(clock_now()) every interval_seconds
 * (> 0); a failed pass is logged as "WHAT failed".  Starting a running
 * ticker does nothing.  0, or -1 when no thread could be started. */
int ticker_start(struct ticker *t, unsigned interval_seconds, const char *what,
                 ticker_pass_fn pass);
/* The same with the first pass first_seconds after the start. */
int ticker_start_first(struct ticker *t, unsigned first_seconds, unsigned interval_seconds,
                       const char *what, ticker_pass_fn pass);
/* Stops it: a pass under way finishes first.  Stopping a stopped ticker
 * does nothing. */
void ticker_stop(struct ticker *t);

#endif
