/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * pgutil.h - the throwaway PostgreSQL cluster for the Check suites of
 * store/pg*.c (issue 23).
 *
 * tests/run.sh starts one cluster for the run (tests/pg/cluster.sh) and
 * passes it on in MELDPUNT_PG_CONNINFO and MELDPUNT_PG_PASSWORD_FILE; a
 * suite run alone starts its own and stops it when the process that
 * started it exits (never from Check's forked children).  When no cluster
 * can start, pgu_start() says why and returns false: the suite then runs
 * no test and prints SKIPPED with the reason, unless MELDPUNT_PG_REQUIRED=1
 * (make test), where that is a failure.
 */
#ifndef MP_PGUTIL_H
#define MP_PGUTIL_H

#include "store/pg.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pgu {
    char conninfo[512]; /* "host=… port=… user=…" without dbname */
    char password_file[512];
    char own_dir[512]; /* the cluster this process started, "" when given */
    pid_t owner;
};

static struct pgu pgu;

static inline void
pgu_stop(void)
{
    char cmd[1100];

    if (pgu.own_dir[0] == '\0' || getpid() != pgu.owner)
        return;
    snprintf(cmd, sizeof(cmd), "tests/pg/cluster.sh stop '%s' >/dev/null 2>&1", pgu.own_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "pgutil: stopping the cluster in %s failed\n", pgu.own_dir);
    pgu.own_dir[0] = '\0';
}

/* Copies value (quotes dropped) of "NAME=value" lines of text. */
static inline void
pgu_read_env(const char *line, const char *name, char *out, size_t size)
{
    size_t n = strlen(name), len;

    if (strncmp(line, name, n) != 0 || line[n] != '=')
        return;
    line += n + 1;
    if (*line == '\'')
        line++;
    len = strcspn(line, "'\n");
    if (len >= size)
        len = size - 1;
    memcpy(out, line, len);
    out[len] = '\0';
}

static inline bool
pgu_start(char *why, size_t size)
{
    const char *ci = getenv("MELDPUNT_PG_CONNINFO"), *pw = getenv("MELDPUNT_PG_PASSWORD_FILE");
    char cmd[700], line[700];
    FILE *p;
    char *db;

    if (ci != NULL && pw != NULL) {
        snprintf(pgu.conninfo, sizeof(pgu.conninfo), "%s", ci);
        snprintf(pgu.password_file, sizeof(pgu.password_file), "%s", pw);
    } else {
        snprintf(pgu.own_dir, sizeof(pgu.own_dir), "%s/mp-unit-pg-%ld",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
        pgu.owner = getpid();
        atexit(pgu_stop);
        snprintf(cmd, sizeof(cmd), "tests/pg/cluster.sh start '%s' 2>&1", pgu.own_dir);
        if ((p = popen(cmd, "r")) == NULL) {
            snprintf(why, size, "cannot run tests/pg/cluster.sh");
            return false;
        }
        why[0] = '\0';
        while (fgets(line, sizeof(line), p) != NULL) {
            pgu_read_env(line, "MELDPUNT_PG_CONNINFO", pgu.conninfo, sizeof(pgu.conninfo));
            pgu_read_env(line, "MELDPUNT_PG_PASSWORD_FILE", pgu.password_file,
                         sizeof(pgu.password_file));
            if (strncmp(line, "MELDPUNT_", 9) != 0)
                snprintf(why, size, "tests/pg/cluster.sh: %.*s", (int)strcspn(line, "\n"), line);
        }
        if (pclose(p) != 0 || pgu.conninfo[0] == '\0') {
            if (why[0] == '\0')
                snprintf(why, size, "tests/pg/cluster.sh start failed");
            return false;
        }
    }
    /* the databases are the tests' own: drop the dbname given */
    if ((db = strstr(pgu.conninfo, "dbname=")) != NULL)
        *db = '\0';
    return true;
}

/* "CONNINFO dbname=NAME" */
static inline void
pgu_conninfo(char *out, size_t size, const char *db)
{
    snprintf(out, size, "%s dbname=%s", pgu.conninfo, db);
}

/* A connection to db; fails the test when there is none. */
static inline PGconn *
pgu_connect(const char *db)
{
    char ci[640];
    struct mp_error err;
    PGconn *c;

    pgu_conninfo(ci, sizeof(ci), db);
    c = pg_connect(ci, pgu.password_file, &err);
    ck_assert_msg(c != NULL, "connect %s: %s", db, err.message);
    return c;
}

/* A new empty database named prefix_PID_N; its name in out. */
static inline void
pgu_create_db(const char *prefix, char *out, size_t size)
{
    static int n;
    PGconn *c = pgu_connect("postgres");
    struct mp_error err;
    char sql[200];

    snprintf(out, size, "%s_%ld_%d", prefix, (long)getpid(), ++n);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", out); /* our own name: [a-z0-9_] */
    ck_assert_msg(pg_exec(c, sql, "create database", &err) == 0, "%s", err.message);
    PQfinish(c);
}

/* Runs the suite, or says why it is skipped (and fails under make test). */
static inline int
pgu_run(Suite *s, const char *name)
{
    char why[400];
    SRunner *sr;
    int failed;

    if (!pgu_start(why, sizeof(why))) {
        const char *req = getenv("MELDPUNT_PG_REQUIRED");
        bool required = req != NULL && strcmp(req, "1") == 0;
        printf("%s: SKIPPED: no PostgreSQL cluster: %s\n", name, why);
        if (required) {
            printf("%s: MELDPUNT_PG_REQUIRED=1: a cluster must start\n", name);
            return EXIT_FAILURE;
        }
        srunner_free(srunner_create(s)); /* frees s, runs nothing */
        printf("0%%: Checks: 0, Failures: 0, Errors: 0\n");
        return EXIT_SUCCESS;
    }
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
