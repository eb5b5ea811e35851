/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * throttle.c - see throttle.h.
 */
#include "throttle.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#define SHARDS    16
#define SLOTS     1024 /* per shard */
#define PROBE     8
#define FORGET_US (3600LL * 1000000) /* an idle, unlocked entry older than this starts afresh */

struct entry {
    uint64_t key; /* 0: empty */
    uint32_t failures;
    int64_t next_us; /* may try again from here */
    double tokens;
    int64_t refill_us;
    int64_t used_us;
};

static struct shard {
    pthread_mutex_t lock;
    struct entry slots[SLOTS];
} shards[SHARDS];
static uint8_t hash_key[crypto_shorthash_KEYBYTES];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
init_once(void)
{
    randombytes_buf(hash_key, sizeof(hash_key));
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_init(&shards[i].lock, NULL);
}

void
throttle_init(void)
{
    pthread_once(&once, init_once);
}

static uint64_t
key_hash(enum throttle_kind kind, const char *key)
{
    uint8_t out[crypto_shorthash_BYTES];
    uint8_t buf[256];
    size_t n = strlen(key);
    uint64_t h;

    if (n > sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    buf[0] = (uint8_t)kind;
    memcpy(buf + 1, key, n);
    crypto_shorthash(out, buf, n + 1, hash_key);
    memcpy(&h, out, sizeof(h));
    return h == 0 ? 1 : h;
}

/* The entry for h in its shard (locked by the caller), created when
 * create is true; NULL when absent and not created. */
static struct entry *
lookup(struct shard *s, uint64_t h, bool create, int64_t now_us)
{
    size_t base = (size_t)(h >> 4) % SLOTS;
    struct entry *empty = NULL, *oldest = NULL;

    for (size_t i = 0; i < PROBE; i++) {
        struct entry *e = &s->slots[(base + i) % SLOTS];
        if (e->key == h)
            return e;
        if (e->key == 0 && empty == NULL)
            empty = e;
        /* evict an entry that is not making anyone wait, if one is near */
        if (oldest == NULL || (oldest->next_us > now_us && e->next_us <= now_us) ||
            ((oldest->next_us > now_us) == (e->next_us > now_us) && e->used_us < oldest->used_us))
            oldest = e;
    }
    if (!create)
        return NULL;
    if (empty == NULL)
        empty = oldest;
    memset(empty, 0, sizeof(*empty));
    empty->key = h;
    empty->refill_us = now_us;
    empty->used_us = now_us;
    return empty;
}

static struct shard *
shard_of(uint64_t h)
{
    return &shards[h % SHARDS];
}

/* Forgets failures of an entry whose last wait ended long ago. */
static void
decay(struct entry *e, int64_t now_us)
{
    if (e->failures > 0 && now_us > e->next_us + FORGET_US && now_us > e->used_us + FORGET_US) {
        e->failures = 0;
        e->next_us = 0;
    }
}

int64_t
throttle_wait(enum throttle_kind kind, const char *key, int64_t now_us)
{
    uint64_t h;
    struct shard *s;
    struct entry *e;
    int64_t wait = 0;

    throttle_init();
    h = key_hash(kind, key);
    s = shard_of(h);
    pthread_mutex_lock(&s->lock);
    e = lookup(s, h, false, now_us);
    if (e != NULL) {
        decay(e, now_us);
        if (e->next_us > now_us)
            wait = (e->next_us - now_us + 999999) / 1000000;
    }
    pthread_mutex_unlock(&s->lock);
    return wait;
}

bool
throttle_fail(enum throttle_kind kind, const char *key, int64_t now_us, unsigned free,
              unsigned lock_after, unsigned lock_seconds)
{
    uint64_t h;
    struct shard *s;
    struct entry *e;
    bool locked = false;

    throttle_init();
    h = key_hash(kind, key);
    s = shard_of(h);
    pthread_mutex_lock(&s->lock);
    e = lookup(s, h, true, now_us);
    decay(e, now_us);
    e->failures++;
    e->used_us = now_us;
    if (lock_after > 0 && e->failures >= lock_after) {
        e->next_us = now_us + (int64_t)lock_seconds * 1000000;
        locked = e->failures == lock_after;
    } else if (e->failures >= free) {
        unsigned shift = e->failures - free;
        int64_t delay = shift >= 6 ? THROTTLE_MAX_DELAY_S : (int64_t)1 << shift;
        if (delay > THROTTLE_MAX_DELAY_S)
            delay = THROTTLE_MAX_DELAY_S;
        e->next_us = now_us + delay * 1000000;
    }
    pthread_mutex_unlock(&s->lock);
    return locked;
}

void
throttle_clear(enum throttle_kind kind, const char *key)
{
    uint64_t h;
    struct shard *s;
    struct entry *e;

    throttle_init();
    h = key_hash(kind, key);
    s = shard_of(h);
    pthread_mutex_lock(&s->lock);
    e = lookup(s, h, false, 0);
    if (e != NULL)
        e->key = 0;
    pthread_mutex_unlock(&s->lock);
}

bool
throttle_rate(const char *key, int64_t now_us, double rate, double burst, int64_t *retry_s)
{
    uint64_t h;
    struct shard *s;
    struct entry *e;
    bool ok;

    throttle_init();
    h = key_hash(THROTTLE_RATE, key);
    s = shard_of(h);
    pthread_mutex_lock(&s->lock);
    e = lookup(s, h, false, now_us);
    if (e == NULL) {
        e = lookup(s, h, true, now_us);
        e->tokens = burst;
    }
    e->tokens += (double)(now_us - e->refill_us) / 1e6 * rate;
    if (e->tokens > burst)
        e->tokens = burst;
    e->refill_us = now_us;
    e->used_us = now_us;
    ok = e->tokens >= 1.0;
    if (ok) {
        e->tokens -= 1.0;
    } else {
        double need = (1.0 - e->tokens) / rate;
        *retry_s = (int64_t)need + 1;
    }
    pthread_mutex_unlock(&s->lock);
    return ok;
}
