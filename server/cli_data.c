/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * cli_data.c - the data directory's life: `meldpunt init`, `meldpunt backup`
 * (an online copy) and `meldpunt restore` (a checked copy put in place while
 * no server runs).
 */
#include "cli.h"
#include "core/audit.h"
#include "datadir.h"
#include "lib/clock.h"
#include "store/db.h"
#include "store/state.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- init ---- */

int
cmd_init(int argc, char **argv)
{
    static const char usage[] = "usage: meldpunt init [--config FILE] [--data DIR]\n";
    char token[TOKEN_TEXT_LEN + 1], actor[96];
    struct mp_error err;
    struct common co;
    struct config cfg;
    int rc;

    rc = parse_opts(argc, argv, usage,
                    "Creates a data directory: database, signing key (minisign format), token\n"
                    "secret, and a first API token named 'admin' with the admin role, printed\n"
                    "alone on standard output (it is shown this once).\n\n",
                    NULL, NULL, NULL, NULL, &co);
    if (rc >= 0)
        return rc;
    if (optind < argc) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (cli_load_config(co.config, co.data, &cfg) != 0)
        return 1;
    cli_actor(actor, sizeof(actor));
    if (datadir_init(cfg.data_dir, actor, clock_now(), token, &err) != 0) {
        fprintf(stderr, "meldpunt init: %s\n", err.message);
        datadir_close();
        return 1;
    }
    fprintf(stderr, "meldpunt: initialised %s; the admin API token (shown once) follows\n",
            cfg.data_dir);
    printf("%s\n", token);
    sodium_memzero(token, sizeof(token));
    datadir_close();
    return 0;
}

/* ---- backup ---- */

int
cmd_backup(int argc, char **argv)
{
    static const char usage[] = "usage: meldpunt backup FILE [--config FILE] [--data DIR]\n";
    char help[1024];
    struct mp_error err;
    struct common co;
    struct config cfg;
    int rc;

    snprintf(help, sizeof(help),
             "Writes a consistent copy of the database to FILE (which must not exist),\n"
             "also while the server runs.  Keep signing.key and token.secret from the\n"
             "data directory with it: without token.secret no token in the copy works.\n\n%s",
             common_help);
    rc = parse_opts(argc, argv, usage, help, NULL, NULL, NULL, NULL, &co);
    if (rc >= 0)
        return rc;
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (open_data(&co, &cfg) != 0)
        return 1;
    rc = 0;
    if (db_backup(argv[optind], &err) != 0) {
        fprintf(stderr, "meldpunt backup: %s\n", err.message);
        rc = 1;
    } else {
        fprintf(stderr, "meldpunt: backed up %s/meldpunt.db to %s\n", cfg.data_dir, argv[optind]);
    }
    datadir_close();
    return rc;
}

/* ---- restore ---- */

/* A restored backup is older than what the state file recorded (that is
 * what restoring means): the loss is accepted here, audited, so that the
 * server starts, and the references recorded stay: none is issued again.
 * Needs the restored database open. */
static int
restore_accept(struct mp_error *err)
{
    struct store_state_gap gap;
    bool created;
    int64_t seq;

    if (cli_state_check(true, "restore", &gap, &created, &seq, err) != 0)
        return -1;
    if (!gap.behind)
        return 0;
    fprintf(stderr,
            "meldpunt: the restored database ends at audit entry %lld, %lld was recorded: the "
            "loss is accepted in audit entry %lld; incident references go on after the highest "
            "ever issued\n",
            (long long)gap.database_seq, (long long)gap.recorded_seq, (long long)seq);
    return 0;
}

int
cmd_restore(int argc, char **argv)
{
    static const char usage[] = "usage: meldpunt restore FILE [--config FILE] [--data DIR]\n";
    struct datadir_backup_check chk;
    char help[1400], kept[PATH_MAX + 64];
    struct mp_error err;
    struct common co;
    struct config cfg;
    int rc;

    snprintf(help, sizeof(help),
             "Puts a backup (from `meldpunt backup`) in place as the data directory's\n"
             "database.  Refused while `meldpunt serve` runs on the directory (stop it\n"
             "first).  The backup is checked first: PRAGMA integrity_check, a schema this\n"
             "binary knows, and the whole audit chain; a backup that fails is not restored.\n"
             "The database it replaces is kept in DATA/backups/.  An older schema is\n"
             "migrated at once (after its own backup).  token.secret and signing.key are\n"
             "not in the backup: keep them in the data directory.\n\n%s",
             common_help);
    rc = parse_opts(argc, argv, usage, help, NULL, NULL, NULL, NULL, &co);
    if (rc >= 0)
        return rc;
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (cli_load_config(co.config, co.data, &cfg) != 0)
        return 1;
    if (mkdir(cfg.data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "meldpunt restore: cannot create %s: %s\n", cfg.data_dir, strerror(errno));
        return 1;
    }
    if (datadir_lock(cfg.data_dir, &err) != 0) {
        fprintf(stderr, "meldpunt restore: %s; stop it first\n", err.message);
        return 1;
    }
    rc = 1;
    if (datadir_check_backup(argv[optind], &chk, &err) != 0) {
        fprintf(stderr, "meldpunt restore: refused: %s\n", err.message);
        goto out;
    }
    fprintf(stderr,
            "meldpunt: %s: integrity ok, schema %d, audit chain verified (%lld entries, head "
            "%.16s)\n",
            argv[optind], chk.schema_version, (long long)chk.audit_entries, chk.audit_head);
    if (datadir_restore(cfg.data_dir, argv[optind], kept, sizeof(kept), &err) != 0) {
        fprintf(stderr, "meldpunt restore: %s\n", err.message);
        goto out;
    }
    if (kept[0])
        fprintf(stderr, "meldpunt: the database it replaced is kept as %s\n", kept);
    fprintf(stderr, "meldpunt: restored %s to %s/meldpunt.db\n", argv[optind], cfg.data_dir);
    /* migrate now, so a problem shows here and not at the next start */
    {
        char db[PATH_MAX + 16];
        snprintf(db, sizeof(db), "%s/meldpunt.db", cfg.data_dir);
        if (db_open(db, false, &err) != 0) {
            fprintf(stderr, "meldpunt restore: the restored database does not open: %s\n",
                    err.message);
            goto out;
        }
        if (restore_accept(&err) != 0) {
            fprintf(stderr, "meldpunt restore: %s\n", err.message);
            db_close();
            goto out;
        }
        db_close();
    }
    snprintf(kept, sizeof(kept), "%s/token.secret", cfg.data_dir);
    if (access(kept, F_OK) != 0)
        fprintf(stderr,
                "meldpunt: warning: %s is missing: no token in the restored database "
                "will work until it is put back\n",
                kept);
    rc = 0;
out:
    datadir_unlock();
    return rc;
}
