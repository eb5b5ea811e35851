/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * db.h - the SQLite database: opening, migrations, per-thread readers.
 *
 * One database file holds everything.  It runs in WAL mode with
 * synchronous=FULL and foreign keys on, so that a commit that returned is on
 * disk ("a 2xx answer means the write is on disk").
 *
 * Connections:
 *  - readers: one per thread, opened on first use and closed when the thread
 *    exits (libmicrohttpd's worker threads each get their own), marked
 *    query_only so a read path can never write by mistake;
 *  - the writer: exactly one, owned by writer.c, through which every change
 *    goes (see writer.h).
 * Other processes (the CLI while the server runs) open their own connections;
 * SQLite's locking and busy timeout serialise them with the server's writer.
 *
 * Migrations are the numbered files schema/NNNN_name.sql, embedded in the
 * binary.  At open they are applied in order inside one transaction and
 * recorded in schema_migrations; a database that records a version this
 * binary does not know is refused, never "downgraded".
 */
#ifndef MP_DB_H
#define MP_DB_H

#include "lib/embed.h"
#include "lib/error.h"
#include "lib/timeutil.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DB_BUSY_TIMEOUT_MS 10000

/* Opens the database at path (creating it when create is true), applies the
 * embedded migrations and remembers the path for the per-thread readers and
 * the writer.  No integrity check here: its cost grows with the data, so it
 * runs in the background after start (core/readiness.h), before a backup
 * and before the copy taken ahead of a migration. */
int db_open(const char *path, bool create, struct mp_error *err);
/* PRAGMA quick_check (full: integrity_check) on db: 0 when "ok", else -1;
 * out holds "ok" or the first problem (or the error). */
int db_check(sqlite3 *db, bool full, char *out, size_t size);
void db_close(void);
const char *db_path(void);

/* A fresh connection with meldpunt's pragmas; the caller closes it. */
sqlite3 *db_connect(const char *path, bool create, struct mp_error *err);
/* This thread's read connection (NULL with err filled when it cannot open). */
sqlite3 *db_reader(struct mp_error *err);

/* Applies files[0..count) (sorted NNNN_name.sql) to db.  Returns 0, or -1
 * with err (the database left unchanged) on a bad file, a failed statement,
 * or a database newer than the files. */
int db_migrate(sqlite3 *db, const struct embedded_file *files, size_t count, struct mp_error *err);
/* The version NNNN of a migration named NNNN_name.sql, -1 for another name
 * (store/pg.c reads its own migrations' names with it too). */
int db_migration_version(const char *name);
/* Highest applied migration version, 0 for an empty database, -1 on error. */
int db_schema_version(sqlite3 *db);

/*
 * Prepared-statement cache.  db_stmt() returns a ready (reset, unbound)
 * statement for sql on db, prepared once per connection and thread and kept;
 * sql must be a string literal (its address is the key).  The caller never
 * finalizes it; db_release() must be called before closing a connection that
 * used the cache.  Statements are per thread, like the connections.
 *
 * The cache holds DB_STMT_CACHE_SLOTS statements per thread, more than the
 * store has; should a thread use more, the least recently used statement
 * that no caller is stepping through is finalized to make room.  A
 * statement handed out stays valid while its caller steps through it, also
 * when it calls other store functions per row.
 */
#define DB_STMT_CACHE_SLOTS 224
sqlite3_stmt *db_stmt(sqlite3 *db, const char *sql);
void db_release(sqlite3 *db);
/* Closes a connection after releasing its cached statements. */
void db_disconnect(sqlite3 *db);

/* True when the database answers a trivial query on this thread's reader. */
bool db_ping(void);

/* Consistent online copy through SQLite's backup API. */
int db_backup(const char *dest, struct mp_error *err);
/* The same copy from the database file src_path (opened read-only) to dest,
 * which must not exist: `meldpunt restore` puts a backup in place with it. */
int db_copy_file(const char *src_path, const char *dest, struct mp_error *err);
/* The schema version of the last embedded migration: what db_open()
 * migrates to.  Before migrating a database that holds an older schema,
 * db_open() copies it to DIR/backups/meldpunt-schema-NNNN-STAMP.db. */
int db_known_version(void);
/* DIR/backups/meldpunt-LABEL-YYYYMMDDTHHMMSSZ.db for the database at path
 * (DIR/meldpunt.db); DIR/backups/ is created (0700) when missing. */
int db_backups_path(const char *path, const char *label, char *out, size_t size,
                    struct mp_error *err);

/* Column and parameter helpers shared by the store files.  Times are
 * stored as RFC 3339 text; TIME_UNSET (INT64_MIN, the same value as
 * TIME_UNSET and TIME_UNSET) stands for NULL. */
/* Column i as text, "" for NULL (valid until the statement moves on). */
const char *db_col_text(sqlite3_stmt *st, int i);
/* Column i copied into dst (size bytes), "" for NULL. */
void db_col_copy(char *dst, size_t size, sqlite3_stmt *st, int i);
/* Column i as a malloc'd string, NULL for NULL. */
char *db_col_dup(sqlite3_stmt *st, int i);
/* Column i parsed as RFC 3339; TIME_UNSET for NULL or unreadable. */
int64_t db_col_time(sqlite3_stmt *st, int i);
/* Steps st to its end (at most max rows; 0: no limit, and a list that
 * pages asks for limit + 1 to know a next page exists) and reads each row
 * with read into a growing array of elements of `size` bytes, each zeroed
 * first: *items (malloc'd, NULL when no row) and *count.  read returns 0,
 * or -1 for a row it cannot read (holding nothing allocated then); drop
 * frees one element read (NULL: elements hold nothing to free).  On failure everything read is
 * dropped, and err names the list (`what`).  The caller resets or finalizes st. */
int db_rows(sqlite3 *db, sqlite3_stmt *st, size_t size, int max,
            int (*read)(sqlite3_stmt *st, void *item), void (*drop)(void *item), void **items,
            int *count, const char *what, struct mp_error *err);
/* Binds s, or NULL when s is NULL; "" binds NULL too unless keep_empty.
 * Most optional columns hold "nothing" as NULL, and an empty string from a
 * fixed-size char member means nothing was set.  The timeline keeps ""
 * (keep_empty): what it records is text as it was given, and an empty old
 * or new value is not the same as none.  The text must outlive the
 * statement's use (SQLITE_STATIC). */
void db_bind_text_opt(sqlite3_stmt *st, int i, const char *s, bool keep_empty);
#define db_bind_opt(st, i, s) db_bind_text_opt((st), (i), (s), false)
/* Binds t as RFC 3339 text, or NULL for TIME_UNSET. */
void db_bind_time(sqlite3_stmt *st, int i, int64_t t);

/* Steps st, a statement that changes rows, once: 0 when it is done, else
 * -1 with err (db_fail, naming what).  Resets st and clears its bindings
 * either way. */
int db_done(sqlite3 *db, sqlite3_stmt *st, const char *what, struct mp_error *err);

/* Fills err from db's last error ("what: SQLite's message", the status
 * from db_error_status) and returns -1. */
int db_fail(sqlite3 *db, struct mp_error *err, const char *what);

/* Maps a SQLite result code from a failed write to an HTTP status: 507 when
 * the disk is full, 503 when busy or locked, 500 otherwise. */
int db_error_status(int rc);

#endif
