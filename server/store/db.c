/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * db.c - see db.h.
 */
#include "db.h"
#include "state.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/timeutil.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *db_file;
static pthread_key_t reader_key;
static pthread_once_t reader_once = PTHREAD_ONCE_INIT;

/*
 * The statement cache: DB_STMT_CACHE_SLOTS slots per thread, shared by the
 * connections the thread uses, looked up by (connection, address of the
 * SQL text).  The store has about a hundred distinct statements and a thread
 * uses a part of them, so the slots hold a thread's working set; when they
 * are full the least recently used statement is finalized to make room, but
 * never one a caller is still stepping through (sqlite3_stmt_busy: a loop
 * over rows that calls other store functions per row), unless every slot is
 * such a statement, which the store's nesting (two or three deep) never
 * comes near.
 */
struct stmt_slot {
    sqlite3 *db;
    const char *sql;
    sqlite3_stmt *st;
    uint64_t used; /* stmt_clock when last handed out */
};

static _Thread_local struct stmt_slot stmt_cache[DB_STMT_CACHE_SLOTS];
static _Thread_local uint64_t stmt_clock;

/* The slot a new statement goes in: an empty one, else the least recently
 * used idle one, else the least recently used. */
static struct stmt_slot *
stmt_victim(void)
{
    struct stmt_slot *lru = NULL, *lru_idle = NULL;

    for (int i = 0; i < DB_STMT_CACHE_SLOTS; i++) {
        struct stmt_slot *sl = &stmt_cache[i];
        if (sl->db == NULL)
            return sl;
        if (lru == NULL || sl->used < lru->used)
            lru = sl;
        if (!sqlite3_stmt_busy(sl->st) && (lru_idle == NULL || sl->used < lru_idle->used))
            lru_idle = sl;
    }
    return lru_idle != NULL ? lru_idle : lru;
}

sqlite3_stmt *
db_stmt(sqlite3 *db, const char *sql)
{
    struct stmt_slot *sl;
    sqlite3_stmt *st = NULL;

    for (int i = 0; i < DB_STMT_CACHE_SLOTS; i++) {
        sl = &stmt_cache[i];
        if (sl->db == db && sl->sql == sql) {
            sl->used = ++stmt_clock;
            sqlite3_reset(sl->st);
            sqlite3_clear_bindings(sl->st);
            return sl->st;
        }
    }
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return NULL;
    sl = stmt_victim();
    if (sl->db != NULL)
        sqlite3_finalize(sl->st);
    *sl = (struct stmt_slot){.db = db, .sql = sql, .st = st, .used = ++stmt_clock};
    return st;
}

void
db_release(sqlite3 *db)
{
    for (int i = 0; i < DB_STMT_CACHE_SLOTS; i++) {
        if (stmt_cache[i].db == db) {
            sqlite3_finalize(stmt_cache[i].st);
            memset(&stmt_cache[i], 0, sizeof(stmt_cache[i]));
        }
    }
}

void
db_disconnect(sqlite3 *db)
{
    if (db == NULL)
        return;
    db_release(db);
    sqlite3_close_v2(db);
}

static void
reader_destroy(void *p)
{
    db_disconnect(p);
}

static void
reader_key_init(void)
{
    pthread_key_create(&reader_key, reader_destroy);
}

int
db_error_status(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return 507;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return 503;
    default:
        return 500;
    }
}

int
db_done(sqlite3 *db, sqlite3_stmt *st, const char *what, struct mp_error *err)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(db, err, what);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int
db_fail(sqlite3 *db, struct mp_error *err, const char *what)
{
    return mp_error_set(err, db_error_status(sqlite3_extended_errcode(db)), "", "%s: %s", what,
                        sqlite3_errmsg(db));
}

sqlite3 *
db_connect(const char *path, bool create, struct mp_error *err)
{
    static const char pragmas[] = "PRAGMA foreign_keys=ON;"
                                  "PRAGMA synchronous=FULL;"
                                  "PRAGMA trusted_schema=OFF;";
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    sqlite3 *db = NULL;
    char *msg = NULL;
    int rc;

    rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        mp_error_set(err, 503, "", "cannot open database %s: %s", path,
                     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
    if (sqlite3_exec(db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        mp_error_set(err, 503, "", "cannot configure database %s: %s", path, msg);
        sqlite3_free(msg);
        goto fail;
    }
    return db;
fail:
    sqlite3_close_v2(db);
    return NULL;
}

const char *
db_path(void)
{
    return db_file;
}

sqlite3 *
db_reader(struct mp_error *err)
{
    sqlite3 *db;

    pthread_once(&reader_once, reader_key_init);
    db = pthread_getspecific(reader_key);
    if (db != NULL)
        return db;
    if (db_file == NULL) {
        mp_error_set(err, 503, "", "database not open");
        return NULL;
    }
    db = db_connect(db_file, false, err);
    if (db == NULL)
        return NULL;
    sqlite3_exec(db, "PRAGMA query_only=ON;", NULL, NULL, NULL);
    pthread_setspecific(reader_key, db);
    return db;
}

int
db_schema_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;

    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* "0007_incidents.sql" -> 7; -1 when the name does not have that shape. */
int
db_migration_version(const char *name)
{
    int v = 0, i;

    for (i = 0; i < 4; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        v = v * 10 + (name[i] - '0');
    }
    if (name[4] != '_' || strlen(name) < 10 || strcmp(name + strlen(name) - 4, ".sql") != 0)
        return -1;
    return v;
}

int
db_migrate(sqlite3 *db, const struct embedded_file *files, size_t count, struct mp_error *err)
{
    sqlite3_stmt *ins = NULL;
    char *msg = NULL, now[TIME_RFC3339_LEN];
    int current, known = 0, prev = 0, rc = -1;

    for (size_t i = 0; i < count; i++) {
        int v = db_migration_version(files[i].name);
        if (v <= prev)
            return mp_error_set(err, 500, "", "migration %s: bad name or out of order",
                                files[i].name);
        prev = known = v;
    }
    if (sqlite3_exec(db,
                     "BEGIN IMMEDIATE;"
                     "CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);",
                     NULL, NULL, &msg) != SQLITE_OK) {
        mp_error_set(err, 503, "", "cannot start migrations: %s", msg);
        sqlite3_free(msg);
        return -1;
    }
    current = db_schema_version(db);
    if (current < 0) {
        mp_error_set(err, 503, "", "cannot read schema version: %s", sqlite3_errmsg(db));
        goto out;
    }
    if (current > known) {
        mp_error_set(err, 500, "",
                     "the database has schema version %d but this meldpunt knows only up to %d: "
                     "use a newer meldpunt",
                     current, known);
        goto out;
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO schema_migrations(version, name, applied_at) "
                           "VALUES (?, ?, ?)",
                           -1, &ins, NULL) != SQLITE_OK) {
        mp_error_set(err, 503, "", "%s", sqlite3_errmsg(db));
        goto out;
    }
    time_format_rfc3339(clock_now(), now, sizeof(now));
    for (size_t i = 0; i < count; i++) {
        int v = db_migration_version(files[i].name);
        char *sql;

        if (v <= current)
            continue;
        sql = strndup((const char *)files[i].data, files[i].len);
        if (sql == NULL) {
            mp_error_set(err, 500, "", "out of memory");
            goto out;
        }
        if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
            mp_error_set(err, 500, "", "migration %s failed: %s", files[i].name, msg);
            sqlite3_free(msg);
            free(sql);
            goto out;
        }
        free(sql);
        sqlite3_bind_int(ins, 1, v);
        sqlite3_bind_text(ins, 2, files[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, now, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            mp_error_set(err, 500, "", "recording migration %s: %s", files[i].name,
                         sqlite3_errmsg(db));
            goto out;
        }
        sqlite3_reset(ins);
        log_msg(LOG_NOTICE, "migration applied version=%d name=%s", v, files[i].name);
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        mp_error_set(err, db_error_status(sqlite3_errcode(db)), "", "committing migrations: %s",
                     sqlite3_errmsg(db));
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(ins);
    if (rc != 0 && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int
db_check(sqlite3 *db, bool full, char *out, size_t size)
{
    sqlite3_stmt *st = NULL;
    const unsigned char *t;
    int rc = -1;

    if (sqlite3_prepare_v2(db, full ? "PRAGMA integrity_check" : "PRAGMA quick_check", -1, &st,
                           NULL) != SQLITE_OK) {
        snprintf(out, size, "%s", sqlite3_errmsg(db));
        return -1;
    }
    if (sqlite3_step(st) == SQLITE_ROW && (t = sqlite3_column_text(st, 0)) != NULL) {
        snprintf(out, size, "%s", (const char *)t);
        rc = strcmp((const char *)t, "ok") == 0 ? 0 : -1;
    } else {
        snprintf(out, size, "%s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc;
}

/* Before a copy is taken (a backup, the copy before a migration): a
 * damaged database is not copied as if it were a good one. */
static int
check_before_copy(sqlite3 *db, struct mp_error *err)
{
    char why[200];

    if (db_check(db, false, why, sizeof(why)) != 0)
        return mp_error_set(err, 500, "", "database is damaged: %s", why);
    return 0;
}

int
db_known_version(void)
{
    return schema_files_count ? db_migration_version(schema_files[schema_files_count - 1].name) : 0;
}

static int copy_database(sqlite3 *src, const char *dest, struct mp_error *err);

/* Upgrades run forward only, so before a migration touches a database that
 * already holds data, a copy of it as it was is kept under DIR/backups/: a
 * failed or regretted upgrade is undone with `meldpunt restore` and the
 * older binary.  A new (empty) database needs no copy. */
static int
backup_before_migration(sqlite3 *db, const char *path, struct mp_error *err)
{
    char dest[PATH_MAX + 64], label[32];
    int current = db_schema_version(db), known = db_known_version();

    if (current <= 0 || current >= known)
        return 0;
    if (check_before_copy(db, err) != 0)
        return -1;
    snprintf(label, sizeof(label), "schema-%04d", current);
    if (db_backups_path(path, label, dest, sizeof(dest), err) != 0 ||
        copy_database(db, dest, err) != 0) {
        char why[sizeof(err->message)];
        snprintf(why, sizeof(why), "%s", err->message);
        return mp_error_set(err, 500, "",
                            "not migrating schema %d to %d: the backup before it failed: %s",
                            current, known, why);
    }
    log_notice("backup before migration from=%d to=%d file=\"%s\"", current, known, dest);
    return 0;
}

int
db_open(const char *path, bool create, struct mp_error *err)
{
    sqlite3 *db;
    char *msg = NULL;
    int rc = -1;

    if (!create && access(path, F_OK) != 0)
        return mp_error_set(err, 503, "", "no database at %s (run `meldpunt init` first)", path);
    db = db_connect(path, create, err);
    if (db == NULL)
        return -1;
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL;", NULL, NULL, &msg) != SQLITE_OK) {
        mp_error_set(err, 503, "", "cannot enable WAL on %s: %s", path, msg);
        sqlite3_free(msg);
        goto out;
    }
    if (backup_before_migration(db, path, err) != 0)
        goto out;
    if (db_migrate(db, schema_files, schema_files_count, err) != 0)
        goto out;
    store_state_forget();
    free(db_file);
    db_file = strdup(path);
    rc = db_file ? 0 : mp_error_set(err, 500, "", "out of memory");
out:
    sqlite3_close_v2(db);
    return rc;
}

void
db_close(void)
{
    sqlite3 *db;

    pthread_once(&reader_once, reader_key_init);
    db = pthread_getspecific(reader_key);
    if (db != NULL) {
        db_disconnect(db);
        pthread_setspecific(reader_key, NULL);
    }
    store_state_forget();
    free(db_file);
    db_file = NULL;
}

bool
db_ping(void)
{
    sqlite3 *db = db_reader(NULL);
    sqlite3_stmt *st;
    bool ok;

    if (db == NULL)
        return false;
    st = db_stmt(db, "SELECT count(*) FROM schema_migrations");
    if (st == NULL)
        return false;
    ok = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return ok;
}

/* Copies the database open on src to dest (which must not exist) through
 * SQLite's backup API, as one self-contained file (journal_mode DELETE). */
static int
copy_database(sqlite3 *src, const char *dest, struct mp_error *err)
{
    sqlite3 *dst = NULL;
    sqlite3_backup *b;
    int rc = -1, step;

    if (access(dest, F_OK) == 0)
        return mp_error_set(err, 409, "", "%s exists; not overwriting it", dest);
    if (sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        mp_error_set(err, 500, "", "cannot create %s: %s", dest, sqlite3_errmsg(dst));
        goto out;
    }
    b = sqlite3_backup_init(dst, "main", src, "main");
    if (b == NULL) {
        mp_error_set(err, 500, "", "backup failed: %s", sqlite3_errmsg(dst));
        goto out;
    }
    /* Copy in one step: a read transaction on a WAL database sees one
     * consistent snapshot and never blocks the server's writer. */
    step = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) {
        mp_error_set(err, db_error_status(step), "", "backup failed: %s", sqlite3_errstr(step));
        goto out;
    }
    if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE;", NULL, NULL, NULL) != SQLITE_OK) {
        mp_error_set(err, 500, "", "backup finish failed: %s", sqlite3_errmsg(dst));
        goto out;
    }
    rc = 0;
out:
    sqlite3_close_v2(dst);
    if (rc != 0)
        unlink(dest);
    return rc;
}

int
db_backup(const char *dest, struct mp_error *err)
{
    sqlite3 *src;
    int rc;

    if (db_file == NULL)
        return mp_error_set(err, 500, "", "database not open");
    if (access(dest, F_OK) == 0)
        return mp_error_set(err, 409, "", "%s exists; not overwriting it", dest);
    src = db_connect(db_file, false, err);
    if (src == NULL)
        return -1;
    rc = check_before_copy(src, err) == 0 ? copy_database(src, dest, err) : -1;
    sqlite3_close_v2(src);
    return rc;
}

int
db_copy_file(const char *src_path, const char *dest, struct mp_error *err)
{
    sqlite3 *src = NULL;
    int rc;

    if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        mp_error_set(err, 500, "", "cannot open %s: %s", src_path,
                     src ? sqlite3_errmsg(src) : "out of memory");
        sqlite3_close_v2(src);
        return -1;
    }
    sqlite3_busy_timeout(src, DB_BUSY_TIMEOUT_MS);
    rc = copy_database(src, dest, err);
    sqlite3_close_v2(src);
    return rc;
}

int
db_backups_path(const char *path, const char *label, char *out, size_t size, struct mp_error *err)
{
    char dir[PATH_MAX], stamp[TIME_RFC3339_LEN], compact[32];
    const char *slash = strrchr(path, '/');
    size_t n = 0;

    if (slash == NULL)
        snprintf(dir, sizeof(dir), "backups");
    else
        snprintf(dir, sizeof(dir), "%.*s/backups", (int)(slash - path), path);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return mp_error_set(err, 500, "", "cannot create %s: %s", dir, strerror(errno));
    time_format_rfc3339(clock_now(), stamp, sizeof(stamp));
    for (const char *p = stamp; *p && n < sizeof(compact) - 1; p++) {
        if (*p != '-' && *p != ':')
            compact[n++] = *p;
    }
    compact[n] = '\0';
    if ((size_t)snprintf(out, size, "%s/meldpunt-%s-%s.db", dir, label, compact) >= size)
        return mp_error_set(err, 500, "", "backup path too long");
    return 0;
}

const char *
db_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

void
db_col_copy(char *dst, size_t size, sqlite3_stmt *st, int i)
{
    snprintf(dst, size, "%s", db_col_text(st, i));
}

char *
db_col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

int64_t
db_col_time(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    int64_t v;

    if (t == NULL || time_parse_rfc3339((const char *)t, &v) != 0)
        return TIME_UNSET;
    return v;
}

void
db_bind_text_opt(sqlite3_stmt *st, int i, const char *s, bool keep_empty)
{
    if (s != NULL && (keep_empty || s[0] != '\0'))
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

void
db_bind_time(sqlite3_stmt *st, int i, int64_t t)
{
    char buf[TIME_RFC3339_LEN];

    if (t == TIME_UNSET || time_format_rfc3339(t, buf, sizeof(buf)) < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
}

int
db_rows(sqlite3 *db, sqlite3_stmt *st, size_t size, int max,
        int (*read)(sqlite3_stmt *st, void *item), void (*drop)(void *item), void **items,
        int *count, const char *what, struct mp_error *err)
{
    char *v = NULL;
    int n = 0, cap = 0, step = SQLITE_DONE;

    *items = NULL;
    *count = 0;
    while ((max == 0 || n < max) && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            char *nv;
            cap = cap ? cap * 2 : 16;
            nv = realloc(v, (size_t)cap * size);
            if (nv == NULL) {
                mp_error_set(err, 500, "", "out of memory reading %s", what);
                goto fail;
            }
            v = nv;
        }
        memset(v + (size_t)n * size, 0, size);
        if (read(st, v + (size_t)n * size) != 0) {
            mp_error_set(err, 500, "", "an unreadable row in %s", what);
            goto fail;
        }
        n++;
    }
    if ((max == 0 || n < max) && step != SQLITE_DONE) {
        db_fail(db, err, what);
        goto fail;
    }
    *items = v;
    *count = n;
    return 0;
fail:
    for (int k = 0; drop != NULL && k < n; k++)
        drop(v + (size_t)k * size);
    free(v);
    return -1;
}
