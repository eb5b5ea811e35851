/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * pg.c - see pg.h.
 *
 * Why the password never travels in the conninfo: a postgresql:// URI with
 * a password ends up in `ps`, in shell histories and in unit files.  So the
 * conninfo is parsed first (PQconninfoParse) and refused when it holds one;
 * the password read from its file is handed to libpq as a separate
 * keyword, after the conninfo, and the buffer is wiped once connected.
 *
 * Why migrations take an advisory lock: several daemons on one database
 * may start at once.  pg_advisory_xact_lock serialises them; the second
 * finds the schema current once the first committed.
 */
#include "pg.h"
#include "db.h"
#include "lib/log.h"
#include "lib/timeutil.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The key of the migration lock: "meldpunt" in ASCII, one 64-bit key. */
#define PG_MIGRATE_LOCK "7882825901421194868"

int
pg_fail(PGconn *c, const PGresult *res, const char *what, struct mp_error *err)
{
    const char *msg = res != NULL ? PQresultErrorMessage(res) : "";
    char text[160];
    size_t n;

    if (msg == NULL || *msg == '\0')
        msg = c != NULL ? PQerrorMessage(c) : "no connection";
    snprintf(text, sizeof(text), "%s", msg);
    n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
        text[--n] = '\0';
    return mp_error_set(err, c == NULL || PQstatus(c) != CONNECTION_OK ? 503 : 500, "", "%s: %s",
                        what, text);
}

/* The first line of path into out; 0, or -1 with err. */
static int
read_password(const char *path, char *out, size_t size, struct mp_error *err)
{
    FILE *f = fopen(path, "r");
    size_t n;

    if (f == NULL)
        return mp_error_set(err, 422, "password-file", "cannot read the password file %s: %s", path,
                            strerror(errno));
    if (fgets(out, (int)size, f) == NULL)
        out[0] = '\0';
    fclose(f);
    n = strcspn(out, "\r\n");
    out[n] = '\0';
    if (n == 0)
        return mp_error_set(err, 422, "password-file", "the password file %s is empty", path);
    return 0;
}

/* The password for a connection: password_file, else the systemd
 * credential, else none (*out ""). */
static int
find_password(const char *password_file, char *out, size_t size, struct mp_error *err)
{
    const char *creds = getenv("CREDENTIALS_DIRECTORY");
    char path[PATH_MAX];
    FILE *f;

    out[0] = '\0';
    if (password_file != NULL)
        return read_password(password_file, out, size, err);
    if (creds == NULL || *creds == '\0')
        return 0;
    snprintf(path, sizeof(path), "%s/%s", creds, PG_CREDENTIAL_NAME);
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    fclose(f);
    return read_password(path, out, size, err);
}

/* Refuses a conninfo that does not parse or that holds a password. */
static int
check_conninfo(const char *conninfo, struct mp_error *err)
{
    char *why = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &why);
    int rc = 0;

    if (opts == NULL) {
        rc = mp_error_set(err, 422, "to", "not a PostgreSQL connection string: %s",
                          why ? why : "out of memory");
        PQfreemem(why);
        return rc;
    }
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0')
            rc = mp_error_set(err, 422, "to",
                              "the connection string holds a password: give it in a file "
                              "(--password-file) or as the systemd credential %s",
                              PG_CREDENTIAL_NAME);
    PQconninfoFree(opts);
    return rc;
}

void
pg_describe(PGconn *c, char *out, size_t size)
{
    const char *host = PQhost(c), *port = PQport(c), *db = PQdb(c);

    snprintf(out, size, "host %s port %s database %s", host ? host : "?", port ? port : "?",
             db ? db : "?");
}

PGconn *
pg_connect(const char *conninfo, const char *password_file, struct mp_error *err)
{
    char password[PG_PASSWORD_MAX];
    const char *keys[4], *vals[4];
    PGconn *c;
    int n = 0;

    if (check_conninfo(conninfo, err) != 0)
        return NULL;
    if (find_password(password_file, password, sizeof(password), err) != 0)
        return NULL;
    /* later keywords win over what the expanded dbname (the conninfo) says */
    keys[n] = "dbname", vals[n++] = conninfo;
    keys[n] = "client_encoding", vals[n++] = "UTF8";
    if (password[0] != '\0')
        keys[n] = "password", vals[n++] = password;
    keys[n] = NULL, vals[n] = NULL;
    c = PQconnectdbParams(keys, vals, 1);
    sodium_memzero(password, sizeof(password));
    if (c == NULL) {
        mp_error_set(err, 503, "", "cannot connect to PostgreSQL: out of memory");
        return NULL;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        pg_fail(c, NULL, "cannot connect to PostgreSQL", err);
        PQfinish(c);
        return NULL;
    }
    return c;
}

int
pg_exec(PGconn *c, const char *sql, const char *what, struct mp_error *err)
{
    PGresult *res = PQexec(c, sql);
    int rc = 0;

    if (res == NULL ||
        (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK))
        rc = pg_fail(c, res, what, err);
    PQclear(res);
    return rc;
}

PGresult *
pg_query(PGconn *c, const char *sql, int n, const char *const *params, const char *what,
         struct mp_error *err)
{
    PGresult *res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);

    if (res == NULL ||
        (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)) {
        pg_fail(c, res, what, err);
        PQclear(res);
        return NULL;
    }
    return res;
}

int64_t
pg_int(const PGresult *res, int r, int i)
{
    return PQgetisnull(res, r, i) ? 0 : strtoll(PQgetvalue(res, r, i), NULL, 10);
}

int
pg_known_version(void)
{
    return pg_schema_files_count
               ? db_migration_version(pg_schema_files[pg_schema_files_count - 1].name)
               : 0;
}

int
pg_schema_version(PGconn *c, struct mp_error *err)
{
    PGresult *res;
    int v;

    res = pg_query(c, "SELECT to_regclass('schema_migrations') IS NOT NULL", 0, NULL,
                   "reading the schema version", err);
    if (res == NULL)
        return -1;
    v = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (!v)
        return 0;
    res = pg_query(c, "SELECT coalesce(max(version), 0) FROM schema_migrations", 0, NULL,
                   "reading the schema version", err);
    if (res == NULL)
        return -1;
    v = (int)pg_int(res, 0, 0);
    PQclear(res);
    return v;
}

/* Applies file (version v) and records it, inside the open transaction. */
static int
apply_one(PGconn *c, const struct embedded_file *f, int v, const char *at, struct mp_error *err)
{
    char version[16], what[128];
    const char *params[3] = {version, f->name, at};
    char *sql = strndup((const char *)f->data, f->len);
    PGresult *res;
    int rc;

    if (sql == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    snprintf(what, sizeof(what), "migration %s failed", f->name);
    rc = pg_exec(c, sql, what, err);
    free(sql);
    if (rc != 0)
        return -1;
    snprintf(version, sizeof(version), "%d", v);
    res =
        pg_query(c, "INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1, $2, $3)",
                 3, params, "recording the migration", err);
    if (res == NULL)
        return -1;
    PQclear(res);
    log_msg(LOG_NOTICE, "postgresql migration applied version=%d name=%s", v, f->name);
    return 0;
}

int
pg_migrate_within(PGconn *c, const struct embedded_file *files, size_t count, int64_t now,
                  struct mp_error *err)
{
    char at[TIME_RFC3339_LEN];
    int current, known = 0, prev = 0;

    for (size_t i = 0; i < count; i++) {
        int v = db_migration_version(files[i].name);
        if (v <= prev)
            return mp_error_set(err, 500, "", "migration %s: bad name or out of order",
                                files[i].name);
        prev = known = v;
    }
    if (pg_exec(c,
                "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK ");"
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version bigint PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL);",
                "cannot start migrations", err) != 0)
        return -1;
    if ((current = pg_schema_version(c, err)) < 0)
        return -1;
    if (current > known)
        return mp_error_set(err, 500, "",
                            "the database has schema version %d but this meldpunt knows only up "
                            "to %d: use a newer meldpunt",
                            current, known);
    time_format_rfc3339(now, at, sizeof(at));
    for (size_t i = 0; i < count; i++) {
        int v = db_migration_version(files[i].name);
        if (v > current && apply_one(c, &files[i], v, at, err) != 0)
            return -1;
    }
    return 0;
}

int
pg_migrate(PGconn *c, const struct embedded_file *files, size_t count, int64_t now,
           struct mp_error *err)
{
    if (pg_exec(c, "BEGIN", "cannot start migrations", err) == 0 &&
        pg_migrate_within(c, files, count, now, err) == 0 &&
        pg_exec(c, "COMMIT", "committing migrations", err) == 0)
        return 0;
    if (PQtransactionStatus(c) != PQTRANS_IDLE)
        PQclear(PQexec(c, "ROLLBACK"));
    return -1;
}

int64_t
pg_table_count(PGconn *c, struct mp_error *err)
{
    PGresult *res = pg_query(c,
                             "SELECT count(*) FROM pg_catalog.pg_tables "
                             "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
                             0, NULL, "listing the tables", err);
    int64_t n;

    if (res == NULL)
        return -1;
    n = pg_int(res, 0, 0);
    PQclear(res);
    return n;
}
