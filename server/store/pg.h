/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * pg.h - PostgreSQL through libpq: connecting, migrations, and bound
 * queries (issue 23; docs/STORAGE.md says what exists and what is next).
 *
 * The server still serves from SQLite only (store/db.h).  What this module
 * gives today is the foundation the PostgreSQL engine will stand on, used
 * by `meldpunt migrate-storage` (cli_storage.c) and the leader election
 * (pg_leader.h):
 *  - a connection from a libpq conninfo string or postgresql:// URI, with
 *    the password read from a file or a systemd credential, never from the
 *    conninfo and never logged;
 *  - the migrations schema/pg/NNNN_name.sql, embedded like the SQLite ones and
 *    numbered alike (the same number is the same schema on both engines),
 *    applied in order in one transaction, recorded in schema_migrations; a
 *    database newer than the binary is refused;
 *  - queries whose parameters are always bound (PQexecParams), text in and
 *    out, bytea as binary.
 */
#ifndef MP_STORE_PG_H
#define MP_STORE_PG_H

#include "lib/embed.h"
#include "lib/error.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the files of schema/pg/, embedded (build/gen/pg_schema_files.c) */
extern const struct embedded_file pg_schema_files[];
extern const size_t pg_schema_files_count;

/* The credential name under $CREDENTIALS_DIRECTORY (systemd's
 * LoadCredential=pg-password:/path) read when no password file is given. */
#define PG_CREDENTIAL_NAME "pg-password"
#define PG_PASSWORD_MAX    1024

/*
 * Connects to conninfo (key=value pairs or a postgresql:// URI).  The
 * password comes from password_file (its first line), else from
 * $CREDENTIALS_DIRECTORY/pg-password when that exists, else none (peer or
 * trust authentication).  A conninfo that holds a password itself is
 * refused (422, field "to"): it would end up in process lists and shell
 * histories.  Errors name the host and database, never the password.
 */
PGconn *pg_connect(const char *conninfo, const char *password_file, struct mp_error *err);
/* "host H port P database D" of c, for messages and logs. */
void pg_describe(PGconn *c, char *out, size_t size);

/* Runs sql (one or more statements, no parameters).  0, or -1 with err. */
int pg_exec(PGconn *c, const char *sql, const char *what, struct mp_error *err);
/* Runs sql with n text parameters bound ($1..$n; NULL binds NULL).  The
 * result (PGRES_TUPLES_OK or PGRES_COMMAND_OK), which the caller clears, or
 * NULL with err naming what. */
PGresult *pg_query(PGconn *c, const char *sql, int n, const char *const *params, const char *what,
                   struct mp_error *err);
/* Fills err from c's last error or res ("what: the server's message") and
 * returns -1; 503 when the connection is gone, else 500. */
int pg_fail(PGconn *c, const PGresult *res, const char *what, struct mp_error *err);

/* The version of the last embedded PostgreSQL migration. */
int pg_known_version(void);
/* Highest applied migration version, 0 when schema_migrations does not
 * exist, -1 on error. */
int pg_schema_version(PGconn *c, struct mp_error *err);
/* Applies files[0..count) (sorted NNNN_name.sql) to c in one transaction,
 * serialised across processes by a transaction-level advisory lock; now
 * (Unix seconds) is recorded as applied_at.  0, or -1 with err and the
 * database unchanged. */
int pg_migrate(PGconn *c, const struct embedded_file *files, size_t count, int64_t now,
               struct mp_error *err);
/* The same inside a transaction the caller opened (and commits or rolls
 * back): `meldpunt migrate-storage` creates the schema and copies the rows
 * in one. */
int pg_migrate_within(PGconn *c, const struct embedded_file *files, size_t count, int64_t now,
                      struct mp_error *err);
/* Number of tables in the schemas the connection's user can create in
 * (public): 0 for an empty database.  -1 on error. */
int64_t pg_table_count(PGconn *c, struct mp_error *err);

/* Integer value of row r, column i of res (0 for NULL). */
int64_t pg_int(const PGresult *res, int r, int i);

#endif
