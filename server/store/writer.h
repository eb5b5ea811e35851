/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * writer.h - the one write path, with group commit.
 *
 * Every change to the database is a function that runs on the writer
 * connection inside a transaction.  While the server runs, a writer thread
 * takes all changes queued by concurrent requests, runs each inside its own
 * SAVEPOINT within one transaction, and commits them together (group commit):
 * one fsync for many requests.  A change that fails is rolled back to its
 * savepoint and fails alone; the others still commit.  store_write() returns
 * only after the commit that holds the change has returned, so a caller that
 * answers 2xx afterwards answers for data that is on disk.
 *
 * Without the writer thread (the CLI), store_write() runs the change in a
 * transaction of its own on a private connection.  Either way the change
 * runs inside BEGIN IMMEDIATE, so reads it makes (the audit chain's head)
 * see the latest committed state and nobody else writes in between.
 */
#ifndef MP_WRITER_H
#define MP_WRITER_H

#include "lib/error.h"

#include <sqlite3.h>
#include <stdint.h>

/* A change: returns 0, or -1 with err filled (its own writes are undone). */
typedef int (*store_write_fn)(sqlite3 *db, void *arg, struct mp_error *err);

int store_writer_start(unsigned max_batch, struct mp_error *err);
/* Finishes what is queued, then stops the thread and closes its connection. */
void store_writer_stop(void);

int store_write(store_write_fn fn, void *arg, struct mp_error *err);
/* store_write for work nobody waits on: the reminder send loop,
 * re-planning, the obligation sweeper.  Its changes queue apart and a
 * commit group takes at most one of them, after every request's change
 * queued, so background work delays a request by one group at most.  Keep
 * each such change short (a page, a batch): it holds the writer while it
 * runs. */
int store_write_background(store_write_fn fn, void *arg, struct mp_error *err);
/* Runs fn in a transaction of its own that is always rolled back: what a
 * change would do, seen from inside it, with nothing kept (`meldpunt rules
 * replay`).  On a private connection, beside a running server. */
int store_write_dry(store_write_fn fn, void *arg, struct mp_error *err);

/* Read-only: while why is set (not NULL or ""), store_write refuses every
 * change with status 503 and why as the message, whoever asks (a request,
 * the sweeper, the checkpoint timer).  The server sets it when the audit
 * chain does not verify (core/readiness.h). */
void store_writer_read_only(const char *why);

/* store_write without that refusal: for the readiness probe (an empty
 * transaction: does the database take the write lock?) and for the one
 * change that ends read-only, the acknowledgement of the break
 * (core/audit.h). */
int store_write_unguarded(store_write_fn fn, void *arg, struct mp_error *err);

/* Inside a change: the time the change is recorded with.  That is the
 * request's `now`, read once at its edge, unless a change committed before
 * this one already carried a later time: then that time.  So times never go
 * backwards in commit order, which clients that poll with ?updated_since=
 * rely on, even when two requests read the clock in one order and reach
 * the writer in the other. */
int64_t store_change_time(int64_t requested);
#ifdef MP_TEST_BUILD
/* Test builds: forget the latest time, for a test clock set backwards. */
void store_change_time_reset(void);
/* Test builds: how many changes wait in each queue, not yet taken. */
void store_writer_queued(unsigned *requests, unsigned *background);
#endif

struct store_writer_stats {
    uint64_t commits;
    uint64_t changes;
    uint64_t failures;
};
void store_writer_stats(struct store_writer_stats *out);

#endif
