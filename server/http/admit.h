/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * admit.h - memory for request bodies: how many large ones at once, and
 * giving memory back after them.
 *
 * A body is held whole in memory (up to body_limit), then decoded by
 * jansson, whose values take several times the text.  64 clients sending
 * 1 MiB at once once took the daemon to 1 GB, and glibc kept it: the
 * buffers had raised its dynamic mmap threshold, so they and the values
 * were carved from the heaps of each thread's arena, which are trimmed only
 * at their top.  So:
 *
 *   - a body over ADMIT_LARGE bytes (declared by Content-Length, or once a
 *     chunked body grows past it) needs one of `large_bodies` slots; when
 *     none is free the request is answered 503 with Retry-After, its body
 *     unread or dropped;
 *   - at start the mmap threshold is fixed (M_MMAP_THRESHOLD), so a large
 *     buffer is its own mapping, unmapped when freed;
 *   - within a second of the last large body in flight being done,
 *     malloc_trim(0) gives the free pages of every arena back to the system.
 *
 * What jansson may build from one admitted body is bounded in api/ by
 * lib/jsonscan.h.  docs/SECURITY.md ("Memory") works out the worst case.
 */
#ifndef MP_ADMIT_H
#define MP_ADMIT_H

#include <stdbool.h>
#include <stddef.h>

/* A body larger than this is a large body. */
#define ADMIT_LARGE ((size_t)64 * 1024)

/* Sets the number of slots and glibc's malloc settings, and starts the
 * ticker that gives memory back: 0, or -1. */
int admit_start(unsigned large_bodies);
/* Stops the ticker. */
void admit_stop(void);
/* Takes a slot for a large body: false when all are taken. */
bool admit_large(void);
/* Gives a slot back; within a second of the last one out, free memory goes
 * back to the system. */
void admit_release(void);
/* Large bodies in flight, and how many were refused (for /metrics). */
unsigned admit_in_flight(void);
unsigned long long admit_refused_count(void);

#endif
