/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * pg_leader.c - see pg_leader.h.
 *
 * Why the check asks pg_locks rather than locking again: session advisory
 * locks stack (each pg_try_advisory_lock by the holder counts once more and
 * needs its own unlock), so "try again to see" would pile up counts and a
 * single release would no longer hand over.  pg_locks shows the lock of
 * this backend without changing it; a 64-bit key is kept there as classid
 * (high 32 bits) and objid (low 32 bits) with objsubid 1.
 */
#include "pg_leader.h"
#include "pg.h"
#include "lib/log.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int
pg_leader_open(struct pg_leader *l, const char *conninfo, const char *password_file, int64_t key,
               struct mp_error *err)
{
    memset(l, 0, sizeof(*l));
    l->key = key;
    l->conn = pg_connect(conninfo, password_file, err);
    return l->conn != NULL ? 0 : -1;
}

/* The connection is gone: whatever was held went with it. */
static void
lost(struct pg_leader *l)
{
    if (l->held)
        log_warn("leadership lost key=%" PRId64 ": the election's connection is gone", l->key);
    l->held = false;
}

int
pg_leader_try(struct pg_leader *l, struct mp_error *err)
{
    char key[24];
    const char *params[1] = {key};
    PGresult *res;
    int rc;

    if (l->conn == NULL)
        return mp_error_set(err, 503, "", "leader election: not connected");
    if (PQstatus(l->conn) != CONNECTION_OK) {
        lost(l);
        PQreset(l->conn);
        if (PQstatus(l->conn) != CONNECTION_OK)
            return pg_fail(l->conn, NULL, "leader election: reconnecting", err);
    }
    if (l->held)
        return pg_leader_check(l, err) ? 1 : pg_leader_try(l, err);
    snprintf(key, sizeof(key), "%" PRId64, l->key);
    res = pg_query(l->conn, "SELECT pg_try_advisory_lock($1::bigint)", 1, params, "leader election",
                   err);
    if (res == NULL) {
        if (PQstatus(l->conn) != CONNECTION_OK)
            lost(l);
        return -1;
    }
    rc = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (rc)
        log_notice("leadership taken key=%" PRId64 " backend=%d", l->key, PQbackendPID(l->conn));
    l->held = rc;
    return rc;
}

bool
pg_leader_check(struct pg_leader *l, struct mp_error *err)
{
    char key[24];
    const char *params[1] = {key};
    PGresult *res;
    bool held;

    if (l->conn == NULL || !l->held) {
        mp_error_set(err, 503, "", "leader election: not the leader");
        return false;
    }
    snprintf(key, sizeof(key), "%" PRId64, l->key);
    res = pg_query(l->conn,
                   "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory' "
                   "AND pid = pg_backend_pid() AND granted AND objsubid = 1 "
                   "AND ((classid::bigint << 32) | objid::bigint) = $1::bigint)",
                   1, params, "leader election: checking", err);
    if (res == NULL) {
        if (PQstatus(l->conn) != CONNECTION_OK)
            lost(l);
        return false;
    }
    held = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (!held) {
        l->held = false;
        mp_error_set(err, 503, "", "leader election: the lock is no longer held");
    }
    return held;
}

void
pg_leader_release(struct pg_leader *l)
{
    char key[24];
    const char *params[1] = {key};
    struct mp_error err;

    if (l->conn == NULL || !l->held)
        return;
    l->held = false;
    snprintf(key, sizeof(key), "%" PRId64, l->key);
    PQclear(pg_query(l->conn, "SELECT pg_advisory_unlock($1::bigint)", 1, params,
                     "leader election: releasing", &err));
    log_notice("leadership released key=%" PRId64, l->key);
}

void
pg_leader_close(struct pg_leader *l)
{
    pg_leader_release(l);
    if (l->conn != NULL)
        PQfinish(l->conn);
    l->conn = NULL;
}

int
pg_leader_backend_pid(const struct pg_leader *l)
{
    return l->conn != NULL && PQstatus(l->conn) == CONNECTION_OK ? PQbackendPID(l->conn) : 0;
}
