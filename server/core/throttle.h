/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * throttle.h - in-memory limits per client address and per account name.
 *
 * Two uses:
 *  - sign-in failures: after `free` failures a key must wait, the wait
 *    doubling with each further failure (1 s, 2 s, 4 s ... at most 60 s);
 *    at lock_after failures it is locked for lock_seconds.  Account keys are
 *    the name typed, whether or not such a user exists, so the answers do
 *    not tell which names exist.
 *  - request rate: a token bucket per client address (rate per second,
 *    burst), checked on every request when configured.
 *
 * The table is fixed-size (memory does not grow with the number of
 * attackers' addresses); when full, the least recently used entry nearby
 * is forgotten.  Keys are hashed with SipHash under a random key, so
 * nobody can aim collisions.  Counts reset when the daemon restarts.
 */
#ifndef MP_THROTTLE_H
#define MP_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

enum throttle_kind { THROTTLE_ACCOUNT = 1, THROTTLE_ADDRESS, THROTTLE_RATE };

#define THROTTLE_MAX_DELAY_S 60

void throttle_init(void);
/* Seconds key must still wait before its next attempt (0: may try). */
int64_t throttle_wait(enum throttle_kind kind, const char *key, int64_t now_us);
/* Records a failure.  Returns true when this one started a lock. */
bool throttle_fail(enum throttle_kind kind, const char *key, int64_t now_us, unsigned free,
                   unsigned lock_after, unsigned lock_seconds);
void throttle_clear(enum throttle_kind kind, const char *key);
/* Takes one request from key's bucket: true when allowed, else false with
 * *retry_s (>= 1) filled. */
bool throttle_rate(const char *key, int64_t now_us, double rate, double burst, int64_t *retry_s);

#endif
