/*
 * ticker.h - a background job run every so many seconds.
 *
 * The obligation sweeper and the audit checkpoint timer are the same
 * thing: a thread that waits an interval, runs one pass, and stops
 * promptly when asked.  The wait is on the monotonic clock, so setting the
 * wall clock (or a test clock) neither fires nor stalls it; a pass reads
 * the wall clock itself, once, at its start (lib/clock.h).
 */
#ifndef MP_TICKER_H
#define MP_TICKER_H

#include <pthread.h>
#include <stdbool.h>

struct ticker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool running, stop;
    unsigned interval;
    void (*pass)(void *arg);
    void *arg;
};

/* Starts a thread that calls pass(arg) every interval_seconds (> 0).
 * Starting a running ticker does nothing.  0, or -1 when no thread could
 * be started. */
int ticker_start(struct ticker *t, unsigned interval_seconds, void (*pass)(void *arg), void *arg);
/* Stops it: a pass under way finishes first.  Stopping a stopped ticker
 * does nothing. */
void ticker_stop(struct ticker *t);

#endif
