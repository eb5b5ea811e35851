/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * pg_copy.h - a SQLite database copied into PostgreSQL, and the two
 * compared (`meldpunt migrate-storage`, cli_storage.c; issue 23).
 *
 * The copy goes table by table in one PostgreSQL transaction: the target
 * must hold no table at all; the PostgreSQL migrations (schema/pg/) are
 * applied first, at the SQLite database's own schema version (the same
 * numbers mean the same tables and columns); then every table is copied in
 * the order its foreign keys need, identity sequences are moved past the
 * ids copied, and before the commit the two sides are compared: the rows of
 * every table, and the audit chain walked on each side by the same check
 * (store_audit_walk_*, store/audit.h).  Anything that differs rolls the
 * whole copy back, leaving the target empty.
 *
 * What is not copied: the FTS5 index of incidents (PostgreSQL has its own
 * trigram index, schema/pg/0016) and schema_migrations (written by the
 * migrations).  incident_counts is copied last, over what the PostgreSQL
 * triggers counted while the incidents went in.
 *
 * The SQLite side is read in one read transaction: a consistent snapshot.
 * `meldpunt migrate-storage` also refuses to run beside the server (the
 * data directory's lock), or changes after the snapshot would stay
 * behind.
 */
#ifndef MP_STORE_PG_COPY_H
#define MP_STORE_PG_COPY_H

#include "lib/error.h"
#include "store/audit.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#define PG_COPY_TABLES_MAX 64

struct pg_copy_table {
    char name[64];
    int64_t sqlite_rows;
    int64_t pg_rows;
};

struct pg_copy_report {
    int schema_version;
    int ntables;
    struct pg_copy_table tables[PG_COPY_TABLES_MAX];
    struct audit_verify_result sqlite_chain;
    struct audit_verify_result pg_chain;
    bool copied; /* committed */
};

/* copy: copy src into the empty dst, then compare (committed only when
 * everything matches; 409 for a target that is not empty).  !copy: only
 * compare src with a dst copied before (`--check`).  0 when the work ran
 * (see pg_copy_matches), -1 with err otherwise. */
int pg_copy_from_sqlite(sqlite3 *src, PGconn *dst, bool copy, int64_t now,
                        struct pg_copy_report *rep, struct mp_error *err);
/* Every table has as many rows on both sides, and both chains verify to
 * the same head. */
bool pg_copy_matches(const struct pg_copy_report *rep);

/* The audit chain on PostgreSQL walked whole, by the same check as
 * store_audit_verify: 0 when the walk ran (see out->ok), -1 on error. */
int pg_audit_verify(PGconn *c, struct audit_verify_result *out, struct mp_error *err);

#endif
