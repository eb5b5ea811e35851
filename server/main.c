/*
 * main.c - entry point: picks the subcommand; and `meldpunt serve`, the
 * daemon's life cycle.
 *
 * serve: load the config, initialise the data directory on first start,
 * open the database, start the writer thread and the HTTP server, then wait
 * for signals in the main thread (all other threads block them):
 *   SIGHUP          re-read the config file; apply what can change live
 *                   (the log level); a bad file is logged and ignored;
 *   SIGTERM/SIGINT  stop accepting, let requests in progress finish (up to
 *                   shutdown_timeout), drain the writer, checkpoint the WAL
 *                   and close the database; exit 0.
 */
#include "cli.h"
#include "core/alert.h"
#include "core/classify.h"
#include "core/detect.h"
#include "core/readiness.h"
#include "core/assessment.h"
#include "core/rules.h"
#include "core/user.h"
#include "datadir.h"
#include "http/server.h"
#include "lib/file.h"
#include "lib/log.h"
#include "store/writer.h"

#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char serve_usage[] =
    "usage: meldpunt serve [--config FILE] [--listen ADDR:PORT] [--data DIR] [--web-root DIR]\n"
    "                      [--log-level LEVEL]\n";

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
           "  -h, --help            show this help\n\n"
           "Signals: SIGHUP reloads the config's log level, the rules and the detection rules;\n"
           "SIGTERM and SIGINT stop cleanly.\n",
           serve_usage);
}

int
cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"listen", required_argument, NULL, 'l'},
                                             {"data", required_argument, NULL, 'd'},
                                             {"web-root", required_argument, NULL, 'w'},
                                             {"log-level", required_argument, NULL, 'L'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *config_file = NULL, *listen = NULL, *data = NULL, *web_root = NULL, *level = NULL;
    char token[TOKEN_TEXT_LEN + 1], actor[96], host[64];
    struct http_options ho;
    char *tls_cert = NULL, *tls_key = NULL;
    size_t tls_len;
    struct mp_error err;
    struct config cfg;
    sigset_t sigs;
    uint16_t port;
    bool v6;
    int c, sig, status = 1;

    optind = 1;
    while ((c = getopt_long(argc, argv, "c:l:d:w:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config_file = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 'd':
            data = optarg;
            break;
        case 'w':
            web_root = optarg;
            break;
        case 'L':
            level = optarg;
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
    if (cli_load_config(config_file, data, &cfg) != 0)
        return 1;
    if (listen != NULL) {
        if (http_parse_listen(listen, host, &port, &v6) != 0) {
            fprintf(stderr, "meldpunt serve: --listen %s: must be ADDR:PORT\n", listen);
            return EXIT_USAGE;
        }
        snprintf(cfg.listen, sizeof(cfg.listen), "%s", listen);
    }
    if (web_root != NULL)
        snprintf(cfg.web_root, sizeof(cfg.web_root), "%s", web_root);
    if (level != NULL && log_level_parse(level, &cfg.log_level) != 0) {
        fprintf(stderr,
                "meldpunt serve: --log-level %s: must be error, warn, notice, info or "
                "debug\n",
                level);
        return EXIT_USAGE;
    }
    log_set_level(cfg.log_level);

    /* Requests allocate in one thread and free in another (event thread,
     * worker, writer), and glibc's default is to hand freed memory back to
     * the kernel as soon as the top of an arena is free: under load that
     * meant an madvise() and fresh page faults for every request (measured:
     * durable creates at 40% of their rate).  Keep up to 16 MiB per arena
     * and serve allocations below 1 MiB from the arenas. */
    mallopt(M_TRIM_THRESHOLD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 1 << 20);

    /* Signals are taken by sigwait() below; every thread started from here
     * on inherits this mask. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGHUP);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (!datadir_initialised(cfg.data_dir)) {
        cli_actor(actor, sizeof(actor));
        if (datadir_init(cfg.data_dir, actor, token, &err) != 0) {
            fprintf(stderr, "meldpunt: %s\n", err.message);
            return 1;
        }
        fprintf(stderr,
                "meldpunt: initialised the data directory %s\n"
                "meldpunt: the admin API token follows; it is shown this once, store it now:\n",
                cfg.data_dir);
        printf("%s\n", token);
        fflush(stdout);
        sodium_memzero(token, sizeof(token));
        datadir_close();
    }
    if (cli_load_rules(cfg.rules_dir, &err) != 0) {
        fprintf(stderr, "meldpunt: %s\n", err.message);
        return 1;
    }
    if (cli_load_detection(cfg.detection_dir, &err) != 0) {
        fprintf(stderr, "meldpunt: %s\n", err.message);
        rules_install(NULL);
        return 1;
    }
    if (cli_load_assessment(cfg.assessment_dir, &err) != 0) {
        fprintf(stderr, "meldpunt: %s\n", err.message);
        rules_install(NULL);
        detect_install(NULL);
        return 1;
    }
    alert_configure(cfg.alert_batch_max, cfg.alert_payload_limit);
    if (datadir_open(cfg.data_dir, &err) != 0) {
        fprintf(stderr, "meldpunt: %s\n", err.message);
        rules_install(NULL);
        detect_install(NULL);
        assessment_install(NULL);
        return 1;
    }
    /* the audit chain is walked once here; /readyz reports the outcome */
    if (readiness_init(cfg.data_dir, cfg.min_free_space, &err) != 0) {
        fprintf(stderr, "meldpunt: %s\n", err.message);
        goto out_db;
    }
    if (store_writer_start(cfg.write_batch, &err) != 0) {
        fprintf(stderr, "meldpunt: %s\n", err.message);
        goto out_db;
    }
    user_configure(&(struct auth_settings){
        .session_idle = cfg.session_idle,
        .session_max = cfg.session_max,
        .password_min = cfg.password_min_length,
        .lockout_after = cfg.lockout_after,
        .lockout_time = cfg.lockout_time,
    });
    if ((cfg.tls_cert[0] != '\0') != (cfg.tls_key[0] != '\0')) {
        fprintf(stderr, "meldpunt: [server] tls_cert and tls_key go together\n");
        goto out_writer;
    }
    if (cfg.tls_cert[0] != '\0') {
        if ((tls_cert = file_read(cfg.tls_cert, 1 << 20, &tls_len, &err)) == NULL ||
            (tls_key = file_read(cfg.tls_key, 1 << 20, &tls_len, &err)) == NULL) {
            fprintf(stderr, "meldpunt: %s\n", err.message);
            goto out_writer;
        }
    }
    ho = (struct http_options){
        .listen = cfg.listen,
        .web_root = cfg.web_root,
        .threads = cfg.threads,
        .workers = cfg.workers,
        .connection_limit = cfg.connection_limit,
        .per_ip_connection_limit = cfg.per_ip_connection_limit,
        .connection_timeout = cfg.connection_timeout,
        .connection_memory_limit = cfg.connection_memory_limit,
        .body_limit = cfg.body_limit,
        .bench_endpoints = cfg.bench_endpoints,
        .tls_cert_pem = tls_cert,
        .tls_key_pem = tls_key,
        .trusted_proxies = cfg.trusted_proxies,
        .rate_limit = cfg.rate_limit,
        .rate_burst = cfg.rate_burst,
    };
    classify_sweeper_start(30);
    if (http_start(&ho, &err) != 0) {
        fprintf(stderr, "meldpunt: %s\n", err.message);
        goto out_writer;
    }
    if (http_parse_listen(cfg.listen, host, &port, &v6) == 0)
        log_notice("listening url=http%s://%s%s%s:%u data=%s version=%s", http_tls() ? "s" : "",
                   v6 ? "[" : "", host, v6 ? "]" : "", http_port(), cfg.data_dir, MP_VERSION);

    for (;;) {
        if (sigwait(&sigs, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            /* a rotated key (meldpunt key rotate) is taken up here */
            if (datadir_load_signing(cfg.data_dir, &err) != 0)
                log_error("reload of the signing key failed, keeping the key in use "
                          "error=\"%s\"",
                          err.message);
            else
                log_notice("signing key loaded");
            struct config fresh;
            if (config_file == NULL) {
                log_notice("reload skipped reason=\"no config file\"");
                continue;
            }
            config_defaults(&fresh);
            if (config_load(config_file, &fresh, &err) != 0) {
                log_error("reload failed, keeping the running config error=\"%s\"", err.message);
                continue;
            }
            if (level == NULL)
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
            log_notice("reloaded config=%s log_level=%s", config_file,
                       log_level_name(log_get_level()));
            continue;
        }
        log_notice("stopping signal=%s in_flight=%d", sig == SIGTERM ? "TERM" : "INT",
                   http_in_flight());
        break;
    }
    http_stop(cfg.shutdown_timeout * 1000);
    status = 0;
out_writer:
    if (tls_key != NULL)
        sodium_memzero(tls_key, strlen(tls_key));
    free(tls_key);
    free(tls_cert);
    classify_sweeper_stop();
    store_writer_stop();
out_db:
    datadir_close();
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
    {"serve", cmd_serve},         {"init", cmd_init},
    {"token", cmd_token},         {"audit", cmd_audit},
    {"backup", cmd_backup},       {"rules", cmd_rules},
    {"detection", cmd_detection}, {"verify", cmd_verify},
    {"routes", cmd_routes},       {"key", cmd_key},
    {"user", cmd_user},           {"version", cmd_version},
    {"--version", cmd_version},   {"help", cmd_help},
    {"--help", cmd_help},         {"-h", cmd_help},
};

int
main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fputs("meldpunt: libsodium failed to initialise\n", stderr);
        return 1;
    }
    if (argc < 2) {
        cmd_help(0, NULL);
        return EXIT_USAGE;
    }
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
