/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * ticker.c - see ticker.h.
 */
#include "ticker.h"
#include "clock.h"
#include "log.h"

#include <time.h>

static void *
ticker_main(void *arg)
{
    struct ticker *t = arg;

    unsigned wait = t->first;

    pthread_mutex_lock(&t->lock);
    while (!t->stop) {
        struct timespec ts;

        clock_cond_deadline(wait, &ts);
        wait = t->interval;
        while (!t->stop && pthread_cond_timedwait(&t->cond, &t->lock, &ts) == 0)
            ; /* woken early (spurious): wait out the rest */
        if (t->stop)
            break;
        pthread_mutex_unlock(&t->lock);
        {
            struct mp_error err;
            if (t->pass(clock_now(), &err) != 0)
                log_error("%s failed error=\"%s\"", t->what, err.message);
        }
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

int
ticker_start(struct ticker *t, unsigned interval_seconds, const char *what, ticker_pass_fn pass)
{
    return ticker_start_first(t, interval_seconds, interval_seconds, what, pass);
}

int
ticker_start_first(struct ticker *t, unsigned first_seconds, unsigned interval_seconds,
                   const char *what, ticker_pass_fn pass)
{
    if (t->running)
        return 0;
    if (interval_seconds == 0 || pthread_mutex_init(&t->lock, NULL) != 0)
        return -1;
    t->first = first_seconds;
    if (clock_cond_init(&t->cond) != 0) {
        pthread_mutex_destroy(&t->lock);
        return -1;
    }
    t->interval = interval_seconds;
    t->what = what;
    t->pass = pass;
    t->stop = false;
    if (pthread_create(&t->thread, NULL, ticker_main, t) != 0) {
        pthread_cond_destroy(&t->cond);
        pthread_mutex_destroy(&t->lock);
        return -1;
    }
    t->running = true;
    return 0;
}

void
ticker_stop(struct ticker *t)
{
    if (!t->running)
        return;
    pthread_mutex_lock(&t->lock);
    t->stop = true;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
    t->running = false;
}
