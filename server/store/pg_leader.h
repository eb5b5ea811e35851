/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * pg_leader.h - leader election among daemons sharing one PostgreSQL
 * database, through a session-level advisory lock (issue 23).
 *
 * The background jobs (the obligation sweeper, reminders, checkpoints,
 * retention) must run exactly once across the daemons.  Each daemon keeps
 * one connection of its own for the election, used for nothing else: the
 * daemon whose connection holds pg_try_advisory_lock(key) is the leader.
 * PostgreSQL releases a session lock when its session ends, so a leader
 * that dies (kill -9, a lost network, pg_terminate_backend) hands the lock
 * over by itself: the next daemon to try takes it.
 *
 * A leader must therefore check, before each pass of a job, that it still
 * is one: pg_leader_check() asks the server whether this session holds the
 * lock, which fails when the connection is gone.  Between a check and the
 * end of a pass, the lock can be lost; a job's writes stay correct anyway
 * because they are transactions on the shared database (docs/STORAGE.md).
 *
 * Not yet wired into the server: the server does not serve from
 * PostgreSQL yet (docs/STORAGE.md).
 */
#ifndef MP_STORE_PG_LEADER_H
#define MP_STORE_PG_LEADER_H

#include "lib/error.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

/* The lock key of the background jobs: "mp-jobs\0" read as a 64-bit
 * integer; one key per role that must run once. */
#define PG_LEADER_KEY_JOBS INT64_C(7885852882684244736)

struct pg_leader {
    PGconn *conn; /* the election's own session */
    int64_t key;
    bool held;
};

/* Connects the election's session (pg_connect: conninfo, password file or
 * credential).  Nothing is held yet.  0, or -1 with err. */
int pg_leader_open(struct pg_leader *l, const char *conninfo, const char *password_file,
                   int64_t key, struct mp_error *err);
/* Tries to become the leader, without waiting: 1 when this session holds
 * the lock (now or already), 0 when another session does, -1 with err when
 * the server cannot be asked.  A session that was lost is reconnected first
 * (and has lost the lock with it). */
int pg_leader_try(struct pg_leader *l, struct mp_error *err);
/* Whether this session still holds the lock, asked of the server: false
 * when it does not or when the connection is lost (then l->held becomes
 * false, and err says why). */
bool pg_leader_check(struct pg_leader *l, struct mp_error *err);
/* Gives the lock up (a daemon stopping cleanly hands over at once). */
void pg_leader_release(struct pg_leader *l);
/* Releases and disconnects. */
void pg_leader_close(struct pg_leader *l);
/* The server process of the election's session (for logs and tests), 0
 * when not connected. */
int pg_leader_backend_pid(const struct pg_leader *l);

#endif
