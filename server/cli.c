/*
 * cli.c - the subcommands other than serve (see cli.h).
 */
#include "cli.h"
#include "core/assessment.h"
#include "core/checkpoint.h"
#include "core/detect.h"
#include "core/rules.h"
#include "datadir.h"
#include "http/router.h"
#include "lib/clock.h"
#include "lib/file.h"
#include "lib/jcs.h"
#include "lib/minisign.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/writer.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
cli_load_config(const char *config_file, const char *data_dir, struct config *cfg)
{
    struct mp_error err;

    config_defaults(cfg);
    if (config_file != NULL && config_load(config_file, cfg, &err) != 0) {
        fprintf(stderr, "meldpunt: %s\n", err.message);
        return -1;
    }
    if (data_dir != NULL)
        snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", data_dir);
    return 0;
}

void
cli_actor(char *out, size_t size)
{
    struct passwd *pw = getpwuid(geteuid());

    if (pw != NULL && pw->pw_name != NULL)
        snprintf(out, size, "cli:%s", pw->pw_name);
    else
        snprintf(out, size, "cli:uid-%u", (unsigned)geteuid());
}

/*
 * Parses the options every data command shares (--config, --data, --help)
 * plus those in extra (given as getopt_long options with short letters).
 * Returns the option letter for extras via the callback; -1 done, 2 usage
 * printed, 0 help printed.
 */
int
parse_opts(int argc, char **argv, const char *usage, const char *help, const struct option *extra,
           const char *extra_short, extra_fn on_extra, void *ctx, struct common *co)
{
    struct option longopts[16];
    char shortopts[32];
    size_t n = 0;
    int c;

    longopts[n++] = (struct option){"config", required_argument, NULL, 'c'};
    longopts[n++] = (struct option){"data", required_argument, NULL, 'd'};
    longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
    for (size_t i = 0; extra && extra[i].name && n < 15; i++)
        longopts[n++] = extra[i];
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    snprintf(shortopts, sizeof(shortopts), "c:d:h%s", extra_short ? extra_short : "");
    co->config = co->data = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            co->config = optarg;
            break;
        case 'd':
            co->data = optarg;
            break;
        case 'h':
            printf("%s\n%s", usage, help);
            return 0;
        default:
            if (on_extra != NULL && c != '?' && on_extra(c, optarg, ctx) == 0)
                break;
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    return -1;
}

const char common_help[] =
    "  -c, --config FILE   read settings (the data directory) from FILE\n"
    "  -d, --data DIR      data directory (default ./var; overrides the config)\n"
    "  -h, --help          show this help\n";

int
open_data(const struct common *co, struct config *cfg)
{
    struct mp_error err;

    if (cli_load_config(co->config, co->data, cfg) != 0)
        return -1;
    if (!datadir_initialised(cfg->data_dir)) {
        fprintf(stderr, "meldpunt: %s is not initialised (run `meldpunt init --data %s`)\n",
                cfg->data_dir, cfg->data_dir);
        return -1;
    }
    if (datadir_open(cfg->data_dir, &err) != 0) {
        fprintf(stderr, "meldpunt: %s\n", err.message);
        return -1;
    }
    return 0;
}

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

/* ---- token ---- */

struct token_opts {
    const char *name;
    const char *role;
    const char *tlp_max;
    const char *expires; /* RFC 3339, or an ISO 8601 duration from now */
    bool all;
};

static int
token_extra(int opt, const char *arg, void *ctx)
{
    struct token_opts *t = ctx;

    switch (opt) {
    case 'n':
        t->name = arg;
        return 0;
    case 'r':
        t->role = arg;
        return 0;
    case 'a':
        t->all = true;
        return 0;
    case 't':
        t->tlp_max = arg;
        return 0;
    case 'e':
        t->expires = arg;
        return 0;
    default:
        return -1;
    }
}

/* --expires: a time (RFC 3339) or a lifetime from now (ISO 8601, P90D);
 * 0 when absent, -1 when neither. */
static int64_t
token_expiry(const char *s, int64_t now)
{
    struct duration d;
    int64_t t;

    if (s == NULL)
        return 0;
    if (time_parse_rfc3339(s, &t) == 0)
        return t;
    if (duration_parse(s, &d) == 0)
        return time_add_duration(now, &d);
    return -1;
}

static const char token_usage[] =
    "usage: meldpunt token create --name NAME --role ROLE [--tlp-max LEVEL] [--expires WHEN]\n"
    "                             [--config FILE] [--data DIR]\n"
    "       meldpunt token list [--all] [--config FILE] [--data DIR]\n"
    "       meldpunt token revoke NAME [--config FILE] [--data DIR]\n";

static const char token_help[] =
    "API tokens authenticate tools and people to /api/v1.  A token is shown once,\n"
    "when created, and stored only as a keyed hash.\n\n"
    "  create   prints the new token alone on standard output\n"
    "  list     the active tokens (--all: revoked ones too)\n"
    "  revoke   the token stops working at once, also while the server runs\n\n"
    "  -n, --name NAME     1-64 of A-Z a-z 0-9 . _ -\n"
    "  -r, --role ROLE     viewer, analyst, manager, admin or ingest\n"
    "  -t, --tlp-max LEVEL the token never sees incidents above this TLP level\n"
    "                      (clear, green, amber, amber+strict, red; default: all)\n"
    "  -e, --expires WHEN  the token stops working then: a time (2027-06-30T00:00:00Z)\n"
    "                      or a lifetime from now (P90D, PT12H); at most five years\n"
    "  -a, --all           with list: include revoked tokens\n";

int
cmd_token(int argc, char **argv)
{
    static const struct option extra[] = {
        {"name", required_argument, NULL, 'n'},    {"role", required_argument, NULL, 'r'},
        {"all", no_argument, NULL, 'a'},           {"tlp-max", required_argument, NULL, 't'},
        {"expires", required_argument, NULL, 'e'}, {NULL, 0, NULL, 0}};
    struct token_opts t = {0};
    char help[2048], actor[96], token[TOKEN_TEXT_LEN + 1];
    int64_t now;
    struct token_row *rows, row;
    struct mp_error err;
    struct common co;
    struct config cfg;
    const char *sub;
    int rc, n;

    snprintf(help, sizeof(help), "%s%s", token_help, common_help);
    if (argc < 2) {
        fputs(token_usage, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        printf("%s\n%s", token_usage, help);
        return 0;
    }
    sub = argv[1];
    if (strcmp(sub, "create") != 0 && strcmp(sub, "list") != 0 && strcmp(sub, "revoke") != 0) {
        fprintf(stderr, "meldpunt token: unknown subcommand '%s'\n%s", sub, token_usage);
        return EXIT_USAGE;
    }
    rc =
        parse_opts(argc - 1, argv + 1, token_usage, help, extra, "n:r:at:e:", token_extra, &t, &co);
    if (rc >= 0)
        return rc;
    argc--;
    argv++;
    if (strcmp(sub, "create") == 0) {
        if (optind != argc || t.name == NULL || t.role == NULL || t.all) {
            fprintf(stderr, "meldpunt token create: needs --name and --role\n%s", token_usage);
            return EXIT_USAGE;
        }
    } else if (strcmp(sub, "list") == 0) {
        if (optind != argc || t.name || t.role || t.expires) {
            fputs(token_usage, stderr);
            return EXIT_USAGE;
        }
    } else if (optind != argc - 1 || t.name || t.role || t.all) {
        fprintf(stderr, "meldpunt token revoke: needs the token's NAME\n%s", token_usage);
        return EXIT_USAGE;
    }
    if (open_data(&co, &cfg) != 0)
        return 1;
    cli_actor(actor, sizeof(actor));
    now = clock_now(); /* the command's one "now" */
    rc = 1;
    if (strcmp(sub, "create") == 0) {
        int64_t expires = token_expiry(t.expires, now);
        if (expires < 0) {
            fprintf(stderr,
                    "meldpunt token create: expires: give a time (2027-06-30T00:00:00Z) or a "
                    "lifetime (P90D)\n");
        } else if (token_create(actor, now, t.name, t.role, t.tlp_max, expires, token, &row,
                                &err) != 0) {
            fprintf(stderr, "meldpunt token create: %s%s%s\n", err.field, err.field[0] ? ": " : "",
                    err.message);
        } else {
            printf("%s\n", token);
            sodium_memzero(token, sizeof(token));
            rc = 0;
        }
    } else if (strcmp(sub, "list") == 0) {
        if (token_list(t.all, &rows, &n, &err) != 0) {
            fprintf(stderr, "meldpunt token list: %s\n", err.message);
        } else {
            printf("%-24s %-8s %-21s %-21s %-21s %s\n", "NAME", "ROLE", "CREATED", "REVOKED",
                   "EXPIRES", "CREATED BY");
            for (int i = 0; i < n; i++)
                printf("%-24s %-8s %-21s %-21s %-21s %s\n", rows[i].name, rows[i].role,
                       rows[i].created_at, rows[i].revoked_at[0] ? rows[i].revoked_at : "-",
                       rows[i].expires_at[0] ? rows[i].expires_at : "-", rows[i].created_by);
            free(rows);
            rc = 0;
        }
    } else {
        if (token_revoke(actor, now, argv[optind], &row, &err) != 0) {
            fprintf(stderr, "meldpunt token revoke: %s\n", err.message);
        } else {
            fprintf(stderr, "meldpunt: revoked token '%s' (%s)\n", row.name, row.role);
            rc = 0;
        }
    }
    datadir_close();
    return rc;
}

/* ---- audit ---- */

struct audit_opts {
    const char *checkpoint;
};

static int
audit_extra(int opt, const char *arg, void *ctx)
{
    struct audit_opts *a = ctx;

    if (opt != 'k')
        return -1;
    a->checkpoint = arg;
    return 0;
}

/* `audit verify --checkpoint FILE`: the chain against a signed checkpoint
 * kept elsewhere (core/checkpoint.h).  FILE holds one checkpoint, or a page
 * of them as GET /api/v1/audit/checkpoints serves it ({"items": [...]}):
 * then every one is checked. */
static int
audit_verify_checkpoint(sqlite3 *db, const char *file)
{
    struct mp_error err;
    char why[300], *text, *one;
    json_t *doc, *items, *cp;
    size_t len, i;
    int failed = 0;
    bool ok;

    text = file_read(file, 64u << 20, &len, &err);
    if (text == NULL) {
        fprintf(stderr, "meldpunt audit verify: %s\n", err.message);
        return 1;
    }
    doc = json_loads(text, 0, NULL);
    items = json_object_get(doc, "items");
    if (!json_is_array(items)) {
        if (checkpoint_verify(db, text, &ok, why, sizeof(why), &err) != 0) {
            fprintf(stderr, "meldpunt audit verify: %s\n", err.message);
            failed = 1;
        } else {
            printf("%s %s: %s\n", ok ? "OK" : "FAILED", file, why);
            failed = !ok;
        }
        goto out;
    }
    if (json_array_size(items) == 0) {
        printf("FAILED %s: no checkpoints in it\n", file);
        failed = 1;
    }
    json_array_foreach(items, i, cp)
    {
        one = json_dumps(cp, JSON_COMPACT);
        if (one == NULL || checkpoint_verify(db, one, &ok, why, sizeof(why), &err) != 0) {
            fprintf(stderr, "meldpunt audit verify: %s\n", one ? err.message : "out of memory");
            free(one);
            failed = 1;
            break;
        }
        printf("%s %s checkpoint %lld: %s\n", ok ? "OK" : "FAILED", file,
               (long long)json_integer_value(json_object_get(cp, "id")), why);
        failed |= !ok;
        free(one);
    }
out:
    json_decref(doc);
    free(text);
    return failed ? 1 : 0;
}

int
cmd_audit(int argc, char **argv)
{
    static const char usage[] =
        "usage: meldpunt audit verify [--checkpoint FILE] [--config FILE] [--data DIR]\n"
        "       meldpunt audit checkpoint [--config FILE] [--data DIR]\n";
    static const struct option extra[] = {{"checkpoint", required_argument, NULL, 'k'},
                                          {NULL, 0, NULL, 0}};
    char help[2048], hex[2 * CHAIN_HASH_LEN + 1], actor[96];
    struct audit_verify_result r;
    struct audit_opts ao = {0};
    struct mp_error err;
    struct common co;
    struct config cfg;
    bool verify;
    json_t *cp;
    sqlite3 *db;
    int rc;

    snprintf(help, sizeof(help),
             "verify walks the audit chain from the first entry and recomputes every hash.\n"
             "Prints OK, the number of entries and the head hash (exit 0), or the first\n"
             "entry that does not match and why (exit 1).  With --checkpoint FILE (a\n"
             "checkpoint as printed by `audit checkpoint`, or a page of them as served by\n"
             "GET /api/v1/audit/checkpoints) it also checks each signature and that\n"
             "the entry it signed still has the same hash: a chain recomputed after\n"
             "tampering fails.\n\n"
             "checkpoint signs the chain's head now, stores it and prints it as JSON.\n\n"
             "  -k, --checkpoint FILE  with verify: check against this checkpoint\n%s",
             common_help);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%s\n%s", usage, help);
        return 0;
    }
    if (argc < 2 || (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "checkpoint") != 0)) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    verify = strcmp(argv[1], "verify") == 0;
    rc = parse_opts(argc - 1, argv + 1, usage, help, verify ? extra : NULL, verify ? "k:" : NULL,
                    audit_extra, &ao, &co);
    if (rc >= 0)
        return rc;
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (open_data(&co, &cfg) != 0)
        return 1;
    rc = 1;
    if (!verify) {
        int64_t now = clock_now(); /* the command's one "now" */
        cli_actor(actor, sizeof(actor));
        if (checkpoint_create(actor, now, "demand", false, &cp, &err) < 0) {
            fprintf(stderr, "meldpunt audit checkpoint: %s\n", err.message);
        } else {
            char *t = json_dumps(cp, JSON_INDENT(2));
            printf("%s\n", t ? t : "");
            free(t);
            json_decref(cp);
            rc = 0;
        }
        datadir_close();
        return rc;
    }
    db = db_reader(&err);
    if (db == NULL) {
        fprintf(stderr, "meldpunt audit verify: %s\n", err.message);
    } else if (ao.checkpoint != NULL) {
        rc = audit_verify_checkpoint(db, ao.checkpoint);
    } else if (store_audit_verify(db, &r, &err) != 0) {
        fprintf(stderr, "meldpunt audit verify: %s\n", err.message);
    } else if (r.ok) {
        sodium_bin2hex(hex, sizeof(hex), r.head_hash, CHAIN_HASH_LEN);
        printf("OK %lld entries, head %lld %s\n", (long long)r.entries, (long long)r.head_seq, hex);
        rc = 0;
    } else {
        printf("FAILED at entry %lld: %s (%lld entries before it verified)\n", (long long)r.bad_seq,
               r.reason, (long long)r.entries);
    }
    datadir_close();
    return rc;
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

/* ---- rules ---- */

int
cli_load_rules(const char *dir, struct mp_error *err)
{
    struct rules *r;
    int rc = dir && dir[0] ? rules_load(dir, &r, err) : rules_load_builtin(&r, err);

    if (rc != 0)
        return -1;
    for (int i = 0; i < r->nsets; i++)
        log_notice("rules loaded regime=%s version=%s file=\"%s\"", r->sets[i].regime,
                   r->sets[i].version, r->sets[i].file);
    rules_install(r);
    return 0;
}

int
cli_load_detection(const char *dir, struct mp_error *err)
{
    struct detection *d;
    int rc = dir && dir[0] ? detect_load(dir, &d, err) : detect_load_builtin(&d, err);

    if (rc != 0)
        return -1;
    log_notice("detection rules loaded dir=\"%s\" rules=%d", d->dir, d->nrules);
    detect_install(d);
    return 0;
}

int
cli_load_assessment(const char *dir, struct mp_error *err)
{
    json_t *set;
    int rc = dir && dir[0] ? assessment_load(dir, &set, err) : assessment_load_builtin(&set, err);

    if (rc != 0)
        return -1;
    log_notice("assessment data loaded dir=\"%s\" questionnaire=%s law=%s",
               json_string_value(json_object_get(set, "dir")),
               json_string_value(json_object_get(json_object_get(set, "questions"), "version")),
               json_string_value(json_object_get(json_object_get(set, "law"), "version")));
    assessment_install(set);
    return 0;
}

/* A deterministic generator, so every run evaluates the same incidents. */
static uint64_t
bench_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* An incident's facts with values spread around the thresholds, half of
 * them absent (unknown). */
static json_t *
bench_facts(uint64_t *seed)
{
    static const char *const counts[] = {
        "users_affected",      "users_total",   "duration_minutes", "deaths",
        "unavailable_minutes", "users_limited", "clients_affected", "data_subjects_affected"};
    static const char *const bools[] = {"suspected_malicious",   "unauthorised_access",
                                        "personal_data_breach",  "critical_service_affected",
                                        "scheduled_maintenance", "cross_border"};
    json_t *f = json_object();

    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        if (bench_rand(seed) % 2)
            json_object_set_new(f, counts[i],
                                json_integer((json_int_t)(bench_rand(seed) % 2000000)));
    }
    for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
        if (bench_rand(seed) % 2)
            json_object_set_new(f, bools[i], json_boolean(bench_rand(seed) % 2));
    }
    if (bench_rand(seed) % 2)
        json_object_set_new(f, "financial_loss_eur",
                            json_real((double)(bench_rand(seed) % 1000000)));
    json_object_set_new(f, "category", json_string("cyber"));
    json_object_set_new(f, "severity", json_string("high"));
    return f;
}

/* `meldpunt rules bench`: every rule set evaluated over generated
 * incidents, beside a baseline from the same run (a JSON encode and decode
 * of the same facts), so the figure is a ratio. */
static int
rules_bench(int argc, char **argv)
{
    int count = argc >= 2 ? atoi(argv[1]) : 20000;
    const char *dir = argc >= 3 ? argv[2] : NULL;
    json_t *profile =
        json_pack("{s:s, s:[s,s], s:b, s:b, s:f, s:b}", "nis2_class", "essential", "entity_types",
                  "cloud", "trust_service", "cer_critical", 1, "dora_financial", 0,
                  "annual_turnover_eur", 5e7, "microenterprise", 0);
    json_t **facts;
    struct mp_error err;
    struct rules *r;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    int64_t t0, t_base, t_eval, evals = 0;
    size_t sink = 0;

    if (count <= 0 || count > 10000000) {
        json_decref(profile);
        fputs("usage: meldpunt rules bench [COUNT] [DIR]\n", stderr);
        return EXIT_USAGE;
    }
    if ((dir ? rules_load(dir, &r, &err) : rules_load_builtin(&r, &err)) != 0) {
        json_decref(profile);
        fprintf(stderr, "meldpunt rules bench: %s\n", err.message);
        return 1;
    }
    facts = calloc((size_t)count, sizeof(*facts));
    for (int i = 0; i < count; i++)
        facts[i] = bench_facts(&seed);
    t0 = clock_mono_us();
    for (int i = 0; i < count; i++) {
        char *text = json_dumps(facts[i], JSON_COMPACT);
        json_t *back = json_loads(text, 0, NULL);
        sink += json_object_size(back);
        json_decref(back);
        free(text);
    }
    t_base = clock_mono_us() - t0;
    t0 = clock_mono_us();
    for (int i = 0; i < count; i++) {
        for (int k = 0; k < r->nsets; k++) {
            json_t *res = rules_evaluate(&r->sets[k], facts[i], profile);
            sink += json_array_size(json_object_get(res, "criteria"));
            json_decref(res);
            evals++;
        }
    }
    t_eval = clock_mono_us() - t0;
    if (t_base < 1)
        t_base = 1;
    if (t_eval < 1)
        t_eval = 1;
    printf("rule sets %d, incidents %d\n", r->nsets, count);
    printf("baseline: JSON encode+decode of the facts  %10.0f incidents/s\n",
           count / (t_base / 1e6));
    printf("classification under every rule set        %10.0f incidents/s  ratio %.2f\n",
           count / (t_eval / 1e6), (double)t_base / (double)t_eval);
    printf("rule-set evaluations                       %10.0f /s (checksum %zu)\n",
           evals / (t_eval / 1e6), sink);
    for (int i = 0; i < count; i++)
        json_decref(facts[i]);
    free(facts);
    json_decref(profile);
    rules_release(r);
    return 0;
}

int
cmd_rules(int argc, char **argv)
{
    static const char usage[] = "usage: meldpunt rules check [DIR]\n"
                                "       meldpunt rules bench [COUNT] [DIR]\n";
    struct mp_error err;
    struct rules *r;
    int rc;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%s\nValidates the reporting-rule files in DIR (docs/RULES.md), or the copy\n"
               "built into this binary when DIR is not given.  Prints each rule set, or the\n"
               "file, JSON path and reason of the first problem (exit 1).\n",
               usage);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "bench") == 0)
        return rules_bench(argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "check") != 0 || argc > 3 || (argc == 3 && argv[2][0] == '-')) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    rc = argc == 3 ? rules_load(argv[2], &r, &err) : rules_load_builtin(&r, &err);
    if (rc != 0) {
        fprintf(stderr, "meldpunt rules check: %s\n", err.message);
        return 1;
    }
    for (int i = 0; i < r->nsets; i++)
        printf("OK %-10s %-14s %d stages  %s\n", r->sets[i].regime, r->sets[i].version,
               r->sets[i].nstages, r->sets[i].file);
    rules_release(r);
    return 0;
}

int
cmd_detection(int argc, char **argv)
{
    static const char usage[] = "usage: meldpunt detection check [DIR]\n";
    struct detection *d;
    struct mp_error err;
    int rc;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%s\nValidates the detection-rule files in DIR (docs/ALERTS.md), or the copy\n"
               "built into this binary when DIR is not given.  Prints each rule, or the\n"
               "file, JSON path and reason of the first problem (exit 1).\n",
               usage);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "check") != 0 || argc > 3 || (argc == 3 && argv[2][0] == '-')) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    rc = argc == 3 ? detect_load(argv[2], &d, &err) : detect_load_builtin(&d, &err);
    if (rc != 0) {
        fprintf(stderr, "meldpunt detection check: %s\n", err.message);
        return 1;
    }
    for (int i = 0; i < d->nrules; i++)
        printf("OK %-32s %-14s %s\n", d->rules[i].id, detect_action_names[d->rules[i].action],
               d->rules[i].file);
    detect_release(d);
    return 0;
}

/* ---- verify ---- */

int
cmd_verify(int argc, char **argv)
{
    static const char usage[] =
        "usage: meldpunt verify FILE [--sig FILE.minisig] [--pubkey KEY.pub | --data DIR]\n";
    static const struct option longopts[] = {{"sig", required_argument, NULL, 's'},
                                             {"pubkey", required_argument, NULL, 'p'},
                                             {"data", required_argument, NULL, 'd'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *sig_path = NULL, *pub_path = NULL, *data_dir = "./var", *why = NULL;
    char sig_default[4096], trusted[1024], *data = NULL, *sig = NULL, *pub = NULL;
    struct minisign_key key;
    size_t len = 0, n = 0;
    int c, rc = 1;

    optind = 1;
    while ((c = getopt_long(argc, argv, "s:p:d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            sig_path = optarg;
            break;
        case 'd':
            data_dir = optarg;
            break;
        case 'p':
            pub_path = optarg;
            break;
        case 'h':
            printf("%s\nChecks a file meldpunt signed (a notification draft, an export) against\n"
                   "its detached minisign signature and meldpunt's public key (signing.pub in\n"
                   "the data directory).  The same check as `minisign -V -m FILE -p KEY`.\n"
                   "Prints OK and the trusted comment (exit 0), or why not (exit 1).\n",
                   usage);
            return 0;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (sig_path == NULL) {
        snprintf(sig_default, sizeof(sig_default), "%s.minisig", argv[optind]);
        sig_path = sig_default;
    }
    data = file_read(argv[optind], 64u << 20, &len, NULL);
    sig = file_read(sig_path, 8192, &n, NULL);
    if (data == NULL || sig == NULL) {
        fprintf(stderr, "meldpunt verify: cannot read %s\n",
                data == NULL ? argv[optind] : sig_path);
        goto out;
    }
    if (pub_path != NULL) {
        pub = file_read(pub_path, 8192, &n, NULL);
        if (pub == NULL) {
            fprintf(stderr, "meldpunt verify: cannot read %s\n", pub_path);
            goto out;
        }
        if (minisign_parse_public(pub, &key, &why) != 0 ||
            minisign_verify(&key, data, len, sig, trusted, sizeof(trusted), &why) != 0)
            printf("FAILED: %s\n", why);
        else
            rc = 0;
    } else {
        /* the current key, then every key rotated out: the one whose id the
         * signature names decides */
        char path[PATH_MAX + 300];
        struct dirent *de;
        DIR *dir;

        snprintf(path, sizeof(path), "%s/signing.pub", data_dir);
        why = "no public key of this data directory signed it";
        pub = file_read(path, 8192, &n, NULL);
        if (pub != NULL && minisign_parse_public(pub, &key, &why) == 0)
            rc = minisign_verify(&key, data, len, sig, trusted, sizeof(trusted), &why) == 0 ? 0 : 1;
        snprintf(path, sizeof(path), "%s/public-keys", data_dir);
        if (rc != 0 && strcmp(why, "signed with another key (key id differs)") == 0 &&
            (dir = opendir(path)) != NULL) {
            while (rc != 0 && (de = readdir(dir)) != NULL) {
                char file[PATH_MAX + 600];
                if (strstr(de->d_name, ".pub") == NULL)
                    continue;
                snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
                free(pub);
                pub = file_read(file, 8192, &n, NULL);
                if (pub != NULL && minisign_parse_public(pub, &key, &why) == 0)
                    rc = minisign_verify(&key, data, len, sig, trusted, sizeof(trusted), &why) ? 1
                                                                                               : 0;
            }
            closedir(dir);
        }
        if (rc != 0)
            printf("FAILED: %s\n", why);
    }
    if (rc == 0)
        printf("OK signature and trusted comment verified\ntrusted comment: %s\n", trusted);
out:
    free(data);
    free(sig);
    free(pub);
    return rc;
}

/* ---- key ---- */

struct rotate_audit {
    const char *actor;
    int64_t now;
    char payload[96];
};

static int
rotate_audit_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct rotate_audit *r = arg;
    return store_audit_append(db, r->now, r->actor, "key.rotate", "signing.key", r->payload, err);
}

/* `meldpunt key bench`: approve-and-sign without the database: a
 * notification document put in canonical form (RFC 8785) and signed in
 * minisign format, beside a baseline from the same run (a plain JSON
 * encode of the same document). */
static int
key_bench(int count)
{
    json_t *doc = json_pack(
        "{s:{s:s, s:s}, s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s, "
        "s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:s}",
        "meldpunt", "document", "notification", "version", MP_VERSION, "notification",
        "01a22580-27d0-7500-9025-6115ea67b771", "language", "nl", "organisation", "name",
        "Waterbedrijf Zuid", "country", "NL", "nis2_class", "essential", "recipient", "role",
        "csirt", "name", "NCSC-NL", "contact", "cert@ncsc.nl", "incident", "id",
        "01a22580-274d-79be-a69f-c966e33760d0", "ref", "INC-2026-0001", "title",
        "Chlorine dosing sabotage", "category", "cyber", "detected_at", "2026-11-29T03:00:00Z",
        "regime", "id", "nis2", "version", "2026-11-29.2", "stage", "id", "early_warning", "name",
        "Vroegtijdige waarschuwing", "due_at", "2026-11-30T03:00:00Z");
    json_t *contents = json_array();
    struct minisign_key key;
    int64_t t0, t_base, t_sign;
    size_t sink = 0;

    for (int i = 0; i < 7; i++)
        json_array_append_new(contents,
                              json_pack("{s:s, s:s, s:s}", "id", "suspected_malicious", "label",
                                        "Wordt vermoed dat het incident door onrechtmatige of "
                                        "kwaadwillige handelingen is veroorzaakt?",
                                        "value", "ja, de dosering is van buitenaf gewijzigd"));
    json_object_set_new(doc, "contents", contents);
    minisign_key_generate(&key);
    t0 = clock_mono_us();
    for (int i = 0; i < count; i++) {
        char *t = json_dumps(doc, JSON_COMPACT);
        sink += strlen(t);
        free(t);
    }
    t_base = clock_mono_us() - t0;
    t0 = clock_mono_us();
    for (int i = 0; i < count; i++) {
        struct buf text = BUF_INIT, sig = BUF_INIT;
        jcs_serialize(doc, &text);
        minisign_sign(&key, text.data, text.len, "signed by meldpunt",
                      "meldpunt incident=INC-2026-0001 regime=nis2 stage=early_warning", &sig);
        sink += sig.len;
        buf_free(&text);
        buf_free(&sig);
    }
    t_sign = clock_mono_us() - t0;
    if (t_base < 1)
        t_base = 1;
    if (t_sign < 1)
        t_sign = 1;
    printf("documents %d\n", count);
    printf("baseline: JSON encode of the document      %10.0f /s\n", count / (t_base / 1e6));
    printf("canonical form (RFC 8785) and signature    %10.0f /s  ratio %.2f (checksum %zu)\n",
           count / (t_sign / 1e6), (double)t_base / (double)t_sign, sink);
    json_decref(doc);
    sodium_memzero(&key, sizeof(key));
    return 0;
}

int
cmd_key(int argc, char **argv)
{
    static const char usage[] = "usage: meldpunt key rotate [--config FILE] [--data DIR]\n"
                                "       meldpunt key generate FILE\n";
    char help[1024], actor[96], old_id[17], new_id[17];
    struct rotate_audit ra;
    struct mp_error err;
    struct common co;
    struct config cfg;
    int rc;

    snprintf(help, sizeof(help),
             "Makes a new signing key pair.  The old public key is kept in\n"
             "DATA/public-keys/KEYID.pub and still served at /api/v1/signing-key, so\n"
             "documents signed before still verify.  A running server takes the new key on\n"
             "SIGHUP or restart.\n\n"
             "generate writes a new secret key (minisign format, mode 0600) to FILE, which\n"
             "must not exist: the signing key for a systemd credential\n"
             "(LoadCredential=signing.key:FILE), kept outside the data directory.\n\n%s",
             common_help);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%s\n%s", usage, help);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "bench") == 0)
        return key_bench(argc >= 3 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 5000);
    if (argc >= 2 && strcmp(argv[1], "generate") == 0) {
        if (argc != 3 || argv[2][0] == '-') {
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
        if (datadir_write_new_key(argv[2], &err) != 0) {
            fprintf(stderr, "meldpunt key generate: %s\n", err.message);
            return 1;
        }
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "rotate") != 0) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    rc = parse_opts(argc - 1, argv + 1, usage, help, NULL, NULL, NULL, NULL, &co);
    if (rc >= 0)
        return rc;
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (open_data(&co, &cfg) != 0)
        return 1;
    rc = 1;
    if (datadir_rotate_key(cfg.data_dir, old_id, new_id, &err) != 0) {
        fprintf(stderr, "meldpunt key rotate: %s\n", err.message);
    } else {
        cli_actor(actor, sizeof(actor));
        ra.actor = actor;
        ra.now = clock_now();
        snprintf(ra.payload, sizeof(ra.payload), "{\"old\":\"%s\",\"new\":\"%s\"}", old_id, new_id);
        if (store_write(rotate_audit_apply, &ra, &err) != 0)
            fprintf(stderr,
                    "meldpunt key rotate: the key was rotated, but the audit entry "
                    "failed: %s\n",
                    err.message);
        printf("%s\n", new_id);
        fprintf(stderr,
                "meldpunt: signing key %s replaced by %s; the old public key stays in "
                "%s/public-keys/; send SIGHUP to a running server\n",
                old_id, new_id, cfg.data_dir);
        rc = 0;
    }
    datadir_close();
    return rc;
}

/* ---- routes ---- */

/* `meldpunt routes`: the route table with the roles allowed on each, as the
 * Markdown of docs/ACCESS.md (a test checks the file matches). */
int
cmd_routes(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fputs("usage: meldpunt routes\n", stderr);
        return EXIT_USAGE;
    }
    printf("# Who may do what\n\n"
           "Generated by `meldpunt routes` from `server/http/routes.c`, the one table the\n"
           "server enforces; `tests/e2e/access.test.mjs` checks this file against it and\n"
           "calls every route with every role.\n\n");
    printf("| method | path | viewer | analyst | manager | admin | ingest |\n");
    printf("|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < http_routes_count; i++) {
        const struct route *r = &http_routes[i];
        if (r->bench_only || strncmp(r->pattern, ROUTE_TEST_PREFIX, strlen(ROUTE_TEST_PREFIX)) == 0)
            continue;
        printf("| %s | `%s` |", r->method, r->pattern);
        for (int role = 0; role < ROLE_COUNT; role++)
            printf(" %s |", r->roles == 0 ? "public" : (r->roles & ROLE_BIT(role)) ? "yes" : "-");
        printf("\n");
    }
    printf("\n`public`: no token needed. Every other route answers 401 without a valid token and\n"
           "403 to a role marked `-`.\n");
    return 0;
}

/* ---- version, help ---- */

int
cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("meldpunt %s (libmicrohttpd, jansson %s, SQLite %s, libsodium %s)\n", MP_VERSION,
           JANSSON_VERSION, sqlite3_libversion(), sodium_version_string());
    return 0;
}

int
cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("usage: meldpunt COMMAND [OPTIONS]\n\n"
           "meldpunt: incident management and NIS2/CER/GDPR/DORA notification drafts.\n\n"
           "Commands:\n"
           "  serve          run the daemon (initialises ./var on first start)\n"
           "  init           create a data directory and a first admin token\n"
           "  token          create, list or revoke API tokens\n"
           "  user           add, list, disable, enable people who sign in; set passwords\n"
           "  audit verify   check the audit chain (--checkpoint FILE: against a signed one)\n"
           "  audit checkpoint  sign the audit chain's head now\n"
           "  backup FILE    consistent online copy of the database\n"
           "  restore FILE   put a checked backup in place (server stopped)\n"
           "  rules check    validate reporting-rule files\n"
           "  detection check  validate detection-rule files\n"
           "  verify FILE    check a file meldpunt signed (minisign format)\n"
           "  key rotate     make a new signing key, keeping the old public key\n"
           "  routes         who may call which route\n"
           "  version        print the version\n"
           "  help           this text\n\n"
           "`meldpunt COMMAND --help` describes each command.\n");
    return 0;
}
