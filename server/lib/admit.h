/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * admit.h - memory for request bodies: how many large ones at once, and
 * giving memory back after them.
 *
 * A body is held whole in memory (up to body_limit), then decoded by
 * jansson, whose values take many times the text: an empty object, 3 bytes
 * of text, is some 250 bytes of hash table.  64 clients sending 1 MiB at
 * once took the daemon to 1 GB, and glibc kept it: the buffers had raised
 * its dynamic mmap threshold, so they and the values were carved from the
 * heaps of each thread's arena, which are trimmed only at their top.  So:
 *
 *   - a body over ADMIT_LARGE bytes (declared by Content-Length, or once a
 *     chunked body grows past it) needs a slot of `admit_bodies` while it is
 *     read and answered (http/server.c);
 *   - a body whose decoded values would take over ADMIT_DECODE bytes, as
 *     lib/jsonscan.h estimates it before building anything, needs a slot of
 *     `admit_decodes` while its handler runs (api/api.c);
 *   - when none is free the request is answered 503 with Retry-After;
 *   - at start the mmap threshold is fixed (M_MMAP_THRESHOLD), so a large
 *     buffer is its own mapping, unmapped when freed;
 *   - within a second of the last slot of either pool being given back,
 *     malloc_trim(0) returns the free pages of every arena to the system.
 *
 * Both pools have [server] large_bodies slots.  docs/SECURITY.md ("Memory")
 * works out the worst case.
 */
#ifndef MP_ADMIT_H
#define MP_ADMIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* A body larger than this is a large body. */
#define ADMIT_LARGE ((size_t)64 * 1024)
/* A body whose decoded values are estimated above this is a heavy one. */
#define ADMIT_DECODE ((size_t)1024 * 1024)

struct admit_pool {
    unsigned slots;
    _Atomic unsigned taken;
    _Atomic unsigned long long refused;
};

/* Request bodies over ADMIT_LARGE being read or answered; bodies being
 * decoded whose values take over ADMIT_DECODE. */
extern struct admit_pool admit_bodies, admit_decodes;

/* Sets both pools' slots and glibc's malloc settings, and starts the ticker
 * that gives memory back: 0, or -1. */
int admit_start(unsigned slots);
/* Stops the ticker. */
void admit_stop(void);
/* Takes a slot: false (and one more refusal counted) when all are taken. */
bool admit_take(struct admit_pool *p);
/* Gives a slot back. */
void admit_give(struct admit_pool *p);

#endif
