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

struct store_writer_stats {
    uint64_t commits;
    uint64_t changes;
    uint64_t failures;
};
void store_writer_stats(struct store_writer_stats *out);

#endif
