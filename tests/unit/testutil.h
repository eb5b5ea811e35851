/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * testutil.h - small helpers shared by the Check suites.
 *
 * Temporary directories live under $TMPDIR (or /tmp) as mp-unit-XXXXXX and
 * are removed recursively by tu_rmrf().  Everything here is static inline so
 * a suite that does not use a helper gets no unused-function warning.
 */
#ifndef MP_TESTUTIL_H
#define MP_TESTUTIL_H

#include "store/db.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory every suite's temporary directories go under: created by
 * tu_base_setup() and removed, whatever the tests left, by
 * tu_base_teardown().  Register the two as an *unchecked* fixture (it runs
 * in the parent process), so even a test that fails before its own
 * teardown leaves nothing behind in /tmp. */
static inline char *
tu_base_dir(void)
{
    static char base[PATH_MAX];
    return base;
}

/* Creates a fresh private directory (under the base directory when one is
 * set up); aborts the test when it cannot. */
static inline void
tu_mkdtemp(char out[PATH_MAX])
{
    static const char tmpl[] = "/mp-unit-XXXXXX";
    const char *base = tu_base_dir();
    size_t len;

    if (base[0] == '\0')
        base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    len = strlen(base);
    ck_assert_uint_lt(len + sizeof(tmpl), PATH_MAX);
    memcpy(out, base, len);
    memcpy(out + len, tmpl, sizeof(tmpl));
    ck_assert_msg(mkdtemp(out) != NULL, "mkdtemp(%s): %s", out, strerror(errno));
}

/* Removes path and, when it is a directory, everything below it. */
static inline void
tu_rmrf(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;

    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    d = opendir(path);
    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            char child[PATH_MAX];

            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            if ((size_t)snprintf(child, sizeof(child), "%s/%s", path, e->d_name) >= sizeof(child))
                continue;
            tu_rmrf(child);
        }
        closedir(d);
    }
    rmdir(path);
}

static inline void
tu_base_setup(void)
{
    char dir[PATH_MAX];

    tu_base_dir()[0] = '\0';
    tu_mkdtemp(dir);
    memcpy(tu_base_dir(), dir, PATH_MAX);
}

static inline void
tu_base_teardown(void)
{
    if (tu_base_dir()[0] != '\0')
        tu_rmrf(tu_base_dir());
    tu_base_dir()[0] = '\0';
}

/* out = dir/name. */
static inline void
tu_path(char out[PATH_MAX], const char *dir, const char *name)
{
    ck_assert_int_lt(snprintf(out, PATH_MAX, "%s/%s", dir, name), PATH_MAX);
}

/* Writes text to path (truncating). */
static inline void
tu_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_msg(f != NULL, "fopen(%s): %s", path, strerror(errno));
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    ck_assert_int_eq(fclose(f), 0);
}

/* Reads a whole file into a malloc'd NUL-terminated string (NULL when it
 * cannot be read). */
static inline char *
tu_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t len = 0, cap = 0, n;

    if (f == NULL)
        return NULL;
    do {
        if (cap - len < 4096) {
            char *p = realloc(data, cap + 4096 + 1);
            if (p == NULL) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = p;
            cap += 4096;
        }
        n = fread(data + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    data[len] = '\0';
    return data;
}

/* A fresh database for a test: dir is a new private directory, file (when
 * not NULL) is set to dir/meldpunt.db, which is created, migrated and
 * opened as the process's database (db_open); conn (when not NULL) gets a
 * private connection to it for raw SQL.  Undone by tu_db_teardown(). */
static inline void
tu_db_setup(char dir[PATH_MAX], char file[PATH_MAX], sqlite3 **conn)
{
    char path[PATH_MAX];
    struct mp_error err;

    tu_mkdtemp(dir);
    tu_path(path, dir, "meldpunt.db");
    if (file != NULL)
        memcpy(file, path, PATH_MAX);
    mp_error_clear(&err);
    ck_assert_msg(db_open(path, true, &err) == 0, "db_open: %s", err.message);
    if (conn != NULL) {
        *conn = db_connect(path, false, &err);
        ck_assert_msg(*conn != NULL, "db_connect: %s", err.message);
    }
}

static inline void
tu_db_teardown(char dir[PATH_MAX], sqlite3 **conn)
{
    if (conn != NULL && *conn != NULL) {
        sqlite3_close_v2(*conn);
        *conn = NULL;
    }
    db_close();
    tu_rmrf(dir);
}

/* Runs suite s and returns the process exit status for main(). */
static inline int
tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
