/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * main.c - entry point: picks the subcommand; and `meldpunt serve`, the
 * daemon's life cycle.
 *
 * serve: load the config, initialise the data directory on first start,
 * open the database, start the writer thread and the HTTP server, then wait
 * for signals in the main thread (all other threads block them):
 *   SIGHUP          walk the audit chain again (an acknowledged break ends
 *                   read-only); re-read the config file; apply what can
 *                   change live (the log level); a bad file is logged and
 *                   ignored;
 *   SIGTERM/SIGINT  stop accepting at once (new clients are refused),
 *                   let requests in progress finish (up to
 *                   shutdown_timeout), drain the writer, checkpoint the WAL
 *                   and close the database; exit 0.
 */
#include "cli.h"
#include "core/alert.h"
#include "core/audit.h"
#include "core/checkpoint.h"
#include "core/exercise.h"
#include "core/classify.h"
#include "core/mfa.h"
#include "core/detect.h"
#include "core/ioc.h"
#include "core/misp.h"
#include "core/organisation.h"
#include "core/readiness.h"
#include "core/reminders.h"
#include "core/assessment.h"
#include "core/rules.h"
#include "core/oidc.h"
#include "core/user.h"
#include "lib/deliver.h"
#include "datadir.h"
#include "http/server.h"
#include "lib/clock.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/sdnotify.h"
#include "lib/timeutil.h"
#include "store/db.h"
#include "store/faultvfs.h"
#include "store/state.h"
#include "store/writer.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char serve_usage[] =
    "usage: meldpunt serve [--config FILE] [--listen ADDR:PORT] [--data DIR] [--web-root DIR]\n"
    "                      [--log-level LEVEL] [--check-config] [--accept-loss]\n";

static void
serve_help(void)
{
    printf("%s\n"
           "Runs the daemon in the foreground.  On first start it initialises the data\n"
           "directory (database, signing key, token secret) and prints an admin API token\n"
           "once.\n\n"
           "  -c, --config FILE     read settings from FILE (INI; see config/meldpunt.conf)\n"
           "  -l, --listen ADDR:PORT  listen here (default 127.0.0.1:8080; port 0: any free)\n"
           "  -d, --data DIR        data directory (default ./var)\n"
           "  -w, --web-root DIR    serve the web front end from DIR instead of the built-in copy\n"
           "      --log-level LEVEL error, warn, notice (default), info (one line per request), "
           "debug\n"
           "  -t, --check-config    check the config file, the rules and the signing key, then\n"
           "                        exit: 0 and OK, or 1 and the first problem (like nginx -t)\n"
           "      --accept-loss     start although the database is behind its own recorded\n"
           "                        state (DATA/meldpunt.db.state: acknowledged changes were\n"
           "                        lost); the loss is audited, references go on after the\n"
           "                        highest ever issued\n"
           "  -h, --help            show this help\n\n"
           "Signals: SIGHUP walks the audit chain again (an acknowledged break ends\n"
           "read-only) and reloads the config's log level, the rules and the detection rules;\n"
           "SIGTERM and SIGINT stop cleanly.  Under systemd (Type=notify) it reports\n"
           "READY=1, RELOADING=1 and STOPPING=1; with $CREDENTIALS_DIRECTORY/signing.key\n"
           "(LoadCredential=) it signs with that key.\n",
           serve_usage);
}

/* Tells systemd (Type=notify); a failure is logged once, never fatal. */
static void
notify_state(const char *state)
{
    static bool warned;

    if (sd_notify_send(state) < 0 && !warned) {
        warned = true;
        log_warn("sd_notify failed error=\"%s\"", strerror(errno));
    }
}

/* RELOADING=1 carries the monotonic time, as systemd >= 253 wants it for
 * Type=notify-reload (older versions ignore the field). */
static void
notify_reloading(void)
{
    char msg[96];

    snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%lld\nSTATUS=reloading",
             (long long)clock_mono_real_us());
    notify_state(msg);
}

/* `serve --check-config`: everything serve reads before it listens, checked
 * without starting: the config file (already parsed by the caller), the
 * listen address, the rules, the detection rules, the assessment data
 * (questionnaire, law, threat catalogue), the web root, the TLS
 * files, and the signing
 * key (from the credential or the data directory, when initialised).  Like
 * `nginx -t`. */
static int
check_config(const char *config_file, const struct config *cfg)
{
    struct mp_error err;
    struct detection *d;
    struct rules *r;
    json_t *assess;
    struct stat st;
    int nsets, ndetect;

    if (cfg->rules_dir[0] ? rules_load(cfg->rules_dir, &r, &err) != 0
                          : rules_load_builtin(&r, &err) != 0) {
        fprintf(stderr, "meldpunt: rules: %s\n", err.message);
        return 1;
    }
    nsets = r->nsets;
    rules_release(r);
    if (cfg->detection_dir[0] ? detect_load(cfg->detection_dir, &d, &err) != 0
                              : detect_load_builtin(&d, &err) != 0) {
        fprintf(stderr, "meldpunt: detection rules: %s\n", err.message);
        return 1;
    }
    ndetect = d->nrules;
    detect_release(d);
    if (cfg->assessment_dir[0] ? assessment_load(cfg->assessment_dir, &assess, &err) != 0
                               : assessment_load_builtin(&assess, &err) != 0) {
        fprintf(stderr, "meldpunt: assessment data: %s\n", err.message);
        return 1;
    }
    json_decref(assess);
    if (cfg->web_root[0] && (stat(cfg->web_root, &st) != 0 || !S_ISDIR(st.st_mode))) {
        fprintf(stderr, "meldpunt: [server] web_root %s is not a directory\n", cfg->web_root);
        return 1;
    }
    if ((cfg->tls_cert[0] != '\0') != (cfg->tls_key[0] != '\0')) {
        fprintf(stderr, "meldpunt: [server] tls_cert and tls_key go together\n");
        return 1;
    }
    for (int i = 0; i < 2 && cfg->tls_cert[0] != '\0'; i++) {
        const char *f = i == 0 ? cfg->tls_cert : cfg->tls_key;
        if (access(f, R_OK) != 0) {
            fprintf(stderr, "meldpunt: [server] %s %s: %s\n", i == 0 ? "tls_cert" : "tls_key", f,
                    strerror(errno));
            return 1;
        }
    }
    if (datadir_check_signing(cfg->data_dir, &err) != 0) {
        fprintf(stderr, "meldpunt: signing key: %s\n", err.message);
        return 1;
    }
    printf("meldpunt: configuration OK (config %s, listen %s, data %s%s, rules %s: %d sets, "
           "detection %s: %d rules, assessment %s)\n",
           config_file ? config_file : "built-in defaults", cfg->listen, cfg->data_dir,
           datadir_initialised(cfg->data_dir) ? "" : " (initialised at first start)",
           cfg->rules_dir[0] ? cfg->rules_dir : "built-in", nsets,
           cfg->detection_dir[0] ? cfg->detection_dir : "built-in", ndetect,
           cfg->assessment_dir[0] ? cfg->assessment_dir : "built-in");
    return 0;
}

/* What serve was told on its command line; the config file says the rest. */
struct serve_args {
    const char *config_file;
    const char *listen;
    const char *data;
    const char *web_root;
    const char *level; /* --log-level: then a reload leaves the level alone */
    bool check_only;
    bool accept_loss;
};

/* Returns -1 to go on, or the exit status (help printed, bad usage). */
static int
serve_parse_args(int argc, char **argv, struct serve_args *a)
{
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"listen", required_argument, NULL, 'l'},
                                             {"data", required_argument, NULL, 'd'},
                                             {"web-root", required_argument, NULL, 'w'},
                                             {"log-level", required_argument, NULL, 'L'},
                                             {"check-config", no_argument, NULL, 't'},
                                             {"accept-loss", no_argument, NULL, 'A'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c;

    *a = (struct serve_args){0};
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:l:d:w:th", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            a->config_file = optarg;
            break;
        case 'l':
            a->listen = optarg;
            break;
        case 'd':
            a->data = optarg;
            break;
        case 'w':
            a->web_root = optarg;
            break;
        case 'L':
            a->level = optarg;
            break;
        case 't':
            a->check_only = true;
            break;
        case 'A':
            a->accept_loss = true;
            break;
        case 'h':
            serve_help();
            return 0;
        default:
            fputs(serve_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "meldpunt serve: unexpected argument '%s'\n%s", argv[optind], serve_usage);
        return EXIT_USAGE;
    }
    return -1;
}

/* The config file, then the command line over it.  Returns -1 to go on, or
 * the exit status. */
static int
serve_config(const struct serve_args *a, struct config *cfg)
{
    char host[64];
    uint16_t port;
    bool v6;

    if (cli_load_config(a->config_file, a->data, cfg) != 0)
        return 1;
    if (a->listen != NULL) {
        if (http_parse_listen(a->listen, host, &port, &v6) != 0) {
            fprintf(stderr, "meldpunt serve: --listen %s: must be ADDR:PORT\n", a->listen);
            return EXIT_USAGE;
        }
        snprintf(cfg->listen, sizeof(cfg->listen), "%s", a->listen);
    }
    if (a->web_root != NULL)
        snprintf(cfg->web_root, sizeof(cfg->web_root), "%s", a->web_root);
    if (a->level != NULL && log_level_parse(a->level, &cfg->log_level) != 0) {
        fprintf(stderr,
                "meldpunt serve: --log-level %s: must be error, warn, notice, info or "
                "debug\n",
                a->level);
        return EXIT_USAGE;
    }
    return -1;
}

/* Settings of the whole process, made before the first thread starts. */
static void
serve_process_setup(sigset_t *sigs)
{
    /* Requests allocate in one thread and free in another (event thread,
     * worker, writer), and glibc's default is to hand freed memory back to
     * the kernel as soon as the top of an arena is free: under load that
     * meant an madvise() and fresh page faults for every request (measured:
     * durable creates at 40% of their rate).  Keep up to 16 MiB per arena
     * and serve allocations below 1 MiB from the arenas. */
    mallopt(M_TRIM_THRESHOLD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 1 << 20);

    /* Signals are taken by sigwait() in serve_wait(); every thread started
     * from here on inherits this mask. */
    sigemptyset(sigs);
    sigaddset(sigs, SIGHUP);
    sigaddset(sigs, SIGTERM);
    sigaddset(sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* First start: initialise the data directory and print the admin token
 * once.  Nothing to do when it is initialised already. */
static int
serve_first_start(const struct config *cfg, struct mp_error *err)
{
    char token[TOKEN_TEXT_LEN + 1], actor[96];

    if (datadir_initialised(cfg->data_dir))
        return 0;
    cli_actor(actor, sizeof(actor));
    if (datadir_init(cfg->data_dir, actor, clock_now(), token, err) != 0)
        return -1;
    fprintf(stderr,
            "meldpunt: initialised the data directory %s\n"
            "meldpunt: the admin API token follows; it is shown this once, store it now:\n",
            cfg->data_dir);
    printf("%s\n", token);
    fflush(stdout);
    sodium_memzero(token, sizeof(token));
    datadir_close();
    return 0;
}

/* The rules, the detection rules and the assessment data, installed. */
static int
serve_load_data(const struct config *cfg, struct mp_error *err)
{
    if (cli_load_rules(cfg->rules_dir, err) != 0 ||
        cli_load_detection(cfg->detection_dir, err) != 0 ||
        cli_load_assessment(cfg->assessment_dir, err) != 0)
        return -1;
    return 0;
}

/* [auth]'s second-factor settings (checked when the file was read). */
static void
mfa_configure_from(const struct config *cfg)
{
    struct mfa_settings m = {.step_up_window = cfg->step_up_window};

    (void)mfa_parse_roles(cfg->require_mfa, &m.require_roles);
    m.local_passwords = strcmp(cfg->local_passwords, "break-glass-only") == 0
                            ? MFA_PASSWORDS_BREAK_GLASS_ONLY
                            : MFA_PASSWORDS_ALL;
    mfa_configure(&m);
}

/* The IoC texts of drafts written before migration 0024, typed once
 * (core/ioc.h): what a word can be is typed, the rest kept in a note. */
static int
serve_import_iocs(struct mp_error *err)
{
    int typed, untyped;

    if (ioc_import_drafts(clock_now(), &typed, &untyped, err) != 0)
        return -1;
    if (typed > 0 || untyped > 0)
        log_notice("ioc texts of drafts typed typed=%d kept_as_notes=%d", typed, untyped);
    return 0;
}

/* [oidc]: sign-in through an OpenID provider (core/oidc.h); off when no
 * issuer is set. */
static int
serve_oidc(const struct config *c, struct mp_error *err)
{
    return oidc_configure(&(struct oidc_settings){.issuer = c->oidc_issuer,
                                                  .client_id = c->oidc_client_id,
                                                  .client_secret_file = c->oidc_client_secret_file,
                                                  .redirect_uri = c->oidc_redirect_uri,
                                                  .scopes = c->oidc_scopes,
                                                  .label = c->oidc_label,
                                                  .username_claim = c->oidc_username_claim,
                                                  .name_claim = c->oidc_name_claim,
                                                  .groups_claim = c->oidc_groups_claim,
                                                  .role_map = c->oidc_role_map,
                                                  .tlp_map = c->oidc_tlp_map,
                                                  .disabled_group = c->oidc_disabled_group,
                                                  .ca_file = c->oidc_ca_file},
                          c->data_dir, err);
}

/* The TLS certificate and key (PEM), when configured; the caller frees
 * them. */
static int
serve_read_tls(const struct config *cfg, char **cert, char **key, struct mp_error *err)
{
    size_t len;

    if ((cfg->tls_cert[0] != '\0') != (cfg->tls_key[0] != '\0'))
        return mp_error_set(err, 0, "", "[server] tls_cert and tls_key go together");
    if (cfg->tls_cert[0] == '\0')
        return 0;
    if ((*cert = file_read(cfg->tls_cert, 1 << 20, &len, err)) == NULL ||
        (*key = file_read(cfg->tls_key, 1 << 20, &len, err)) == NULL)
        return -1;
    return 0;
}

/* What a database behind its state file lacks, in English and Dutch. */
struct gap_words {
    const char *head, *audit, *diverged, *refs, *upto, *none, *advice;
};

static const struct gap_words gap_words[2] = {
    {
        .head = "meldpunt: the database %s is behind its own recorded state (%s):\n",
        .audit =
            "  the audit chain was recorded up to entry %lld, the database ends at entry %lld%s\n",
        .diverged = "; the entry recorded as the head differs",
        .refs = "  references up to INC-%04d-%04d were issued, the database holds %s\n",
        .upto = "up to INC-%04d-%04d",
        .none = "none of that year",
        .advice = "Acknowledged changes are lost (a damaged write-ahead log, or an older copy put "
                  "back).\nPut the latest backup back (meldpunt restore), or start with "
                  "--accept-loss to go on\nwith what the database holds: that is audited, and "
                  "references go on after the\nhighest ever issued.\n",
    },
    {
        .head = "meldpunt: de database %s loopt achter op haar eigen vastgelegde stand (%s):\n",
        .audit = "  de auditketen was vastgelegd tot en met regel %lld, de database eindigt bij "
                 "regel %lld%s\n",
        .diverged = "; de regel die als laatste was vastgelegd, wijkt af",
        .refs = "  kenmerken tot en met INC-%04d-%04d zijn uitgegeven, de database heeft %s\n",
        .upto = "tot en met INC-%04d-%04d",
        .none = "er geen van dat jaar",
        .advice = "Bevestigde wijzigingen zijn verloren (een beschadigd write-ahead-log, of een "
                  "oudere\nkopie teruggezet).  Zet de laatste back-up terug (meldpunt restore), of "
                  "start met\n--accept-loss om verder te gaan met wat de database heeft: dat "
                  "wordt in de auditketen\nvastgelegd, en kenmerken gaan verder na het hoogste "
                  "ooit uitgegeven.\n",
    },
};

static void
print_gap(const struct store_state_gap *g, bool advice)
{
    for (int l = 0; l < 2; l++) {
        const struct gap_words *w = &gap_words[l];

        fprintf(stderr, w->head, db_path(), store_state_path());
        fprintf(stderr, w->audit, (long long)g->recorded_seq, (long long)g->database_seq,
                g->diverged ? w->diverged : "");
        for (int i = 0; i < g->nlost; i++) {
            char have[64];
            if (g->lost[i].present > 0)
                snprintf(have, sizeof(have), w->upto, g->lost[i].year, g->lost[i].present);
            else
                snprintf(have, sizeof(have), "%s", w->none);
            fprintf(stderr, w->refs, g->lost[i].year, g->lost[i].issued, have);
        }
        if (advice)
            fputs(w->advice, stderr);
    }
}

/* The database against its state file (store/state.h), before anything
 * else reads or writes it.  Behind: refused, unless --accept-loss; then
 * the loss is audited (core/audit.h) and serving goes on. */
static int
serve_check_state(bool accept_loss, struct mp_error *err)
{
    struct store_state_gap gap;
    bool created;
    int64_t seq;

    if (cli_state_check(accept_loss, "serve --accept-loss", &gap, &created, &seq, err) != 0)
        return -1;
    if (created)
        log_notice("state file created path=%s", store_state_path());
    if (!gap.behind) {
        if (accept_loss)
            log_notice("accept-loss ignored reason=\"the database is not behind its state\"");
        return 0;
    }
    print_gap(&gap, !accept_loss);
    if (!accept_loss)
        return mp_error_set(err, 0, "",
                            "refusing to start: the database is behind its recorded state / "
                            "start geweigerd: de database loopt achter (--accept-loss)");
    log_warn("loss accepted audit_seq=%lld recorded_seq=%lld database_seq=%lld lost_years=%d",
             (long long)seq, (long long)gap.recorded_seq, (long long)gap.database_seq, gap.nlost);
    return 0;
}

/* The background jobs and the HTTP server; logs where it listens and tells
 * systemd it is ready. */
static int
serve_start(const struct config *cfg, const char *tls_cert, const char *tls_key,
            struct mp_error *err)
{
    const struct http_options ho = {
        .listen = cfg->listen,
        .web_root = cfg->web_root,
        .threads = cfg->threads,
        .workers = cfg->workers,
        .connection_limit = cfg->connection_limit,
        .per_ip_connection_limit = cfg->per_ip_connection_limit,
        .connection_timeout = cfg->connection_timeout,
        .header_timeout = cfg->header_timeout,
        .body_min_rate = cfg->body_min_rate,
        .connection_memory_limit = cfg->connection_memory_limit,
        .body_limit = cfg->body_limit,
        .large_bodies = cfg->large_bodies,
        .bench_endpoints = cfg->bench_endpoints,
        .tls_cert_pem = tls_cert,
        .tls_key_pem = tls_key,
        .trusted_proxies = cfg->trusted_proxies,
        .rate_limit = cfg->rate_limit,
        .rate_burst = cfg->rate_burst,
    };
    char host[64];
    uint16_t port;
    bool v6;

    /* what follows a change, inside it: the incident and the profile do not
     * know the classifier (layers in docs/ARCHITECTURE.md) */
    incident_on_change(&classify_incident_hooks);
    organisation_on_change(classify_refresh_open);
    if (cli_load_reminders(cfg->reminders_file, err) != 0)
        return -1;
    reminders_configure(cfg->data_dir, cfg->reminders_ca_file);
    classify_on_obligations(reminders_plan);
    classify_sweeper_start(cfg->sweep_interval);
    reminders_sender_start(cfg->reminder_interval);
    exercise_injector_start(0); /* issue 22 */
    checkpoint_timer_start(cfg->checkpoint_interval);
    readiness_integrity_start(cfg->integrity_interval);
    if (http_start(&ho, err) != 0)
        return -1;
#ifdef MP_TEST_BUILD
    faultvfs_arm(); /* MELDPUNT_FAULT: storage faults from here on */
#endif
    if (http_parse_listen(cfg->listen, host, &port, &v6) == 0)
        log_notice("listening url=http%s://%s%s%s:%u data=%s version=%s", http_tls() ? "s" : "",
                   v6 ? "[" : "", host, v6 ? "]" : "", http_port(), cfg->data_dir, MP_VERSION);
    notify_state("READY=1\nSTATUS=serving");
    return 0;
}

/* SIGHUP: the signing key (a rotated one is taken up here), then the config
 * file's log level, rules, detection rules and assessment data.  What fails
 * to load is logged and the running copy kept. */
static void
serve_reload(const struct serve_args *a, const struct config *cfg)
{
    struct mp_error err;
    struct config fresh;

    notify_reloading();
    /* the audit chain again: an acknowledged break lets writes resume */
    if (readiness_audit_check(&err) != 0)
        log_error("reload could not read the audit chain error=\"%s\"", err.message);
    if (datadir_load_signing(cfg->data_dir, &err) != 0)
        log_error("reload of the signing key failed, keeping the key in use "
                  "error=\"%s\"",
                  err.message);
    else
        log_notice("signing key loaded");
    if (a->config_file == NULL) {
        log_notice("reload skipped reason=\"no config file\"");
        notify_state("READY=1\nSTATUS=serving");
        return;
    }
    config_defaults(&fresh);
    if (config_load(a->config_file, &fresh, &err) != 0) {
        log_error("reload failed, keeping the running config error=\"%s\"", err.message);
        notify_state("READY=1\nSTATUS=serving (the last reload failed; see the log)");
        return;
    }
    if (a->level == NULL)
        log_set_level(fresh.log_level);
    if (cli_load_rules(fresh.rules_dir, &err) != 0)
        log_error("reload of the rules failed, keeping the rules in force error=\"%s\"",
                  err.message);
    if (cli_load_detection(fresh.detection_dir, &err) != 0)
        log_error("reload of the detection rules failed, keeping the rules in force "
                  "error=\"%s\"",
                  err.message);
    if (cli_load_assessment(fresh.assessment_dir, &err) != 0)
        log_error("reload of the assessment data failed, keeping the data in force "
                  "error=\"%s\"",
                  err.message);
    if (cli_load_reminders(fresh.reminders_file, &err) != 0)
        log_error("reload of the reminder policy failed, keeping the policy in force "
                  "error=\"%s\"",
                  err.message);
    log_notice("reloaded config=%s log_level=%s", a->config_file, log_level_name(log_get_level()));
    notify_state("READY=1\nSTATUS=serving");
}

/* The main thread's work while serving: signals, until SIGTERM or SIGINT. */
static void
serve_wait(const sigset_t *sigs, const struct serve_args *a, const struct config *cfg)
{
    int sig;

    for (;;) {
        if (sigwait(sigs, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            serve_reload(a, cfg);
            continue;
        }
        log_notice("stopping signal=%s in_flight=%d", sig == SIGTERM ? "TERM" : "INT",
                   http_in_flight());
        notify_state("STOPPING=1\nSTATUS=stopping");
        return;
    }
}

/*
 * `meldpunt serve`.  Every step after the options either succeeds or fills
 * err and jumps to the one way out, which undoes whatever was done (each
 * undo is harmless when its step was not reached) in the reverse order:
 * background jobs, TLS material, the writer, the database, the lock, the
 * loaded data.
 */
int
cmd_serve(int argc, char **argv)
{
    struct serve_args a;
    char *tls_cert = NULL, *tls_key = NULL;
    struct mp_error err = {0};
    struct config cfg;
    sigset_t sigs;
    int rc, status = 1;

    if ((rc = serve_parse_args(argc, argv, &a)) >= 0)
        return rc;
    if ((rc = serve_config(&a, &cfg)) >= 0)
        return rc;
    log_set_level(cfg.log_level);
    if (a.check_only)
        return check_config(a.config_file, &cfg);

    serve_process_setup(&sigs);
    if (serve_first_start(&cfg, &err) != 0)
        goto out;
    /* one server per data directory; `meldpunt restore` waits for none */
    if (datadir_lock(cfg.data_dir, &err) != 0 || serve_load_data(&cfg, &err) != 0)
        goto out;
    alert_configure(cfg.alert_batch_max, cfg.alert_payload_limit);
    if (datadir_open(cfg.data_dir, &err) != 0 || serve_check_state(a.accept_loss, &err) != 0)
        goto out;
    /* the audit chain is walked here from the newest signed checkpoint on,
     * the whole of it in the background (readiness_integrity_start);
     * /readyz reports the outcome */
    if (readiness_init(cfg.data_dir, cfg.min_free_space, &err) != 0 ||
        store_writer_start(cfg.write_batch, &err) != 0)
        goto out;
    if (serve_import_iocs(&err) != 0)
        goto out;
    user_configure(&(struct auth_settings){
        .session_idle = cfg.session_idle,
        .session_max = cfg.session_max,
        .password_min = cfg.password_min_length,
        .lockout_after = cfg.lockout_after,
        .lockout_time = cfg.lockout_time,
    });
    mfa_configure_from(&cfg);
    if (webauthn_configure(cfg.webauthn_rp_id, cfg.webauthn_origin, cfg.oidc_redirect_uri,
                           cfg.listen, &err) != 0)
        goto out;
    if (serve_oidc(&cfg, &err) != 0 ||
        misp_configure(&(struct misp_settings){.url = cfg.misp_url,
                                               .key_file = cfg.misp_key_file,
                                               .ca_file = cfg.misp_ca_file},
                       cfg.data_dir, &err) != 0 ||
        serve_read_tls(&cfg, &tls_cert, &tls_key, &err) != 0 ||
        serve_start(&cfg, tls_cert, tls_key, &err) != 0)
        goto out;
    serve_wait(&sigs, &a, &cfg);
#ifdef MP_TEST_BUILD
    faultvfs_disarm(); /* what is tested is serving, not stopping */
#endif
    http_stop(cfg.shutdown_timeout * 1000);
    status = 0;
out:
    if (status != 0)
        fprintf(stderr, "meldpunt: %s\n", err.message);
    checkpoint_timer_stop();
    readiness_integrity_stop();
    if (tls_key != NULL)
        sodium_memzero(tls_key, strlen(tls_key));
    free(tls_key);
    free(tls_cert);
    classify_sweeper_stop();
    reminders_sender_stop();
    exercise_injector_stop();
    store_writer_stop();
    datadir_close();
    datadir_unlock();
    rules_install(NULL);
    detect_install(NULL);
    assessment_install(NULL);
    if (status == 0)
        log_notice("stopped");
    return status;
}

static const struct {
    const char *name;
    int (*run)(int, char **);
} commands[] = {
    {"serve", cmd_serve},
    {"init", cmd_init},
    {"token", cmd_token},
    {"audit", cmd_audit},
    {"backup", cmd_backup},
    {"restore", cmd_restore},
    {"rules", cmd_rules},
    {"detection", cmd_detection},
    {"import", cmd_import},
    {"verify", cmd_verify},
    {"routes", cmd_routes},
    {"key", cmd_key},
    {"user", cmd_user},
    {"version", cmd_version},
    {"--version", cmd_version},
    {"help", cmd_help},
    {"--help", cmd_help},
    {"-h", cmd_help},
    {"formats", cmd_formats},
    /* issue 23: cli_storage.c */
    {"migrate-storage", cmd_migrate_storage},
};

int
main(int argc, char **argv)
{
    if (sodium_init() < 0 || deliver_global_init() != 0) {
        fputs("meldpunt: libsodium or libcurl failed to initialise\n", stderr);
        return 1;
    }
    if (argc < 2) {
        cmd_help(0, NULL);
        return EXIT_USAGE;
    }
#ifdef MP_TEST_BUILD
    {
        /* test builds: MELDPUNT_TEST_CLOCK=RFC 3339 starts with the clock
         * fixed there (the tests move it on with POST /api/v1/test/clock) */
        const char *t = getenv("MELDPUNT_TEST_CLOCK");
        int64_t at;
        if (t != NULL && t[0] != '\0') {
            if (time_parse_rfc3339(t, &at) != 0) {
                fputs("meldpunt: MELDPUNT_TEST_CLOCK must be an RFC 3339 time\n", stderr);
                return EXIT_USAGE;
            }
            clock_fix(at);
        }
    }
    {
        /* MELDPUNT_FAULT=KIND:N[:ERROR]: storage faults (store/faultvfs.h) */
        struct mp_error err;
        if (faultvfs_install(&err) != 0) {
            fprintf(stderr, "meldpunt: %s\n", err.message);
            return EXIT_USAGE;
        }
    }
#endif
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr,
            "meldpunt: unknown command '%s'\nusage: meldpunt COMMAND [OPTIONS]; "
            "`meldpunt help` lists the commands\n",
            argv[1]);
    return EXIT_USAGE;
}
