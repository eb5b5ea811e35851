/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * cli.c - what the subcommands share (see cli.h): the config and the data
 * directory (--config, --data), the options every data command takes, the
 * actor recorded for changes made from the shell, and the loaders of the
 * rules, the detection rules and the assessment data (serve uses them too).
 *
 * The commands themselves live one group per file, the way git keeps
 * builtin/: cli_data.c (init, backup, restore), cli_token.c, cli_user.c,
 * cli_audit.c, cli_rules.c (rules, detection), cli_key.c (key, verify) and
 * cli_help.c (help, version, routes); serve is in main.c.
 */
#include "cli.h"
#include "store/state.h"
#include "store/db.h"
#include "lib/clock.h"
#include "core/audit.h"
#include "core/assessment.h"
#include "core/reminders.h"
#include "core/detect.h"
#include "core/rules.h"
#include "datadir.h"
#include "lib/log.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* ---- the loaded data ---- */

int
cli_load_rules(const char *dir, struct mp_error *err)
{
    struct rules *r;
    int rc = dir && dir[0] ? rules_load(dir, &r, err) : rules_load_builtin(&r, err);

    if (rc != 0)
        return -1;
    /* in force first, then said: whoever reads the log line finds it in force */
    snapshot_refs_hold(&r->refs);
    rules_install(r);
    for (int i = 0; i < r->nsets; i++)
        log_notice("rules loaded regime=%s version=%s file=\"%s\"", r->sets[i].regime,
                   r->sets[i].version, r->sets[i].file);
    rules_release(r);
    return 0;
}

int
cli_load_detection(const char *dir, struct mp_error *err)
{
    struct detection *d;
    int rc = dir && dir[0] ? detect_load(dir, &d, err) : detect_load_builtin(&d, err);

    if (rc != 0)
        return -1;
    snapshot_refs_hold(&d->refs);
    detect_install(d);
    log_notice("detection rules loaded dir=\"%s\" rules=%d", d->dir, d->nrules);
    detect_release(d);
    return 0;
}

int
cli_load_assessment(const char *dir, struct mp_error *err)
{
    json_t *set;
    int rc = dir && dir[0] ? assessment_load(dir, &set, err) : assessment_load_builtin(&set, err);

    if (rc != 0)
        return -1;
    assessment_install(json_incref(set));
    log_notice("assessment data loaded dir=\"%s\" questionnaire=%s law=%s",
               json_string_value(json_object_get(set, "dir")),
               json_string_value(json_object_get(json_object_get(set, "questions"), "version")),
               json_string_value(json_object_get(json_object_get(set, "law"), "version")));
    json_decref(set);
    return 0;
}

int
cli_load_reminders(const char *file, struct mp_error *err)
{
    json_t *doc;

    if (reminders_load(file, err) != 0)
        return -1;
    doc = reminders_acquire();
    log_notice("reminder policy loaded file=\"%s\" version=%s",
               file && file[0] ? file : "(built in)",
               json_string_value(json_object_get(doc, "version")));
    json_decref(doc);
    return 0;
}

int
cli_count(const char *what, const char *s, int fallback)
{
    char *end;
    long v;

    if (s == NULL)
        return fallback;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 100000000) {
        fprintf(stderr, "meldpunt %s: '%s' is not a count from 1 to 100000000\n", what, s);
        return -1;
    }
    return (int)v;
}

int
cli_state_check(bool accept, const char *how, struct store_state_gap *gap, bool *created,
                int64_t *seq, struct mp_error *err)
{
    char actor[96];
    sqlite3 *db = db_reader(err);

    if (db == NULL || store_state_compare(db, gap, created, err) != 0)
        return -1;
    if (!gap->behind || !accept)
        return 0;
    cli_actor(actor, sizeof(actor));
    return audit_accept_loss(actor, clock_now(), how, gap, seq, err);
}
