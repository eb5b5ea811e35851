/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * cli.h - the subcommands (main.c: serve; cli.c: what they share; cli_*.c:
 * one file per command group).
 *
 * Each takes argc/argv starting at its own name and returns the process
 * exit status: 0 done, 1 failed, 2 bad usage (with a usage line on stderr).
 * Every command that touches data takes --config FILE and --data DIR the
 * same way `serve` does, and works while the server runs (SQLite's locking
 * serialises it with the server's writer).
 */
#ifndef MP_CLI_H
#define MP_CLI_H

#include "config.h"

#define EXIT_USAGE 2

int cmd_serve(int argc, char **argv);     /* main.c */
int cmd_init(int argc, char **argv);      /* cli_data.c */
int cmd_backup(int argc, char **argv);    /* cli_data.c */
int cmd_restore(int argc, char **argv);   /* cli_data.c */
int cmd_token(int argc, char **argv);     /* cli_token.c */
int cmd_user(int argc, char **argv);      /* cli_user.c */
int cmd_audit(int argc, char **argv);     /* cli_audit.c */
int cmd_import(int argc, char **argv);    /* cli_import.c */
int cmd_rules(int argc, char **argv);     /* cli_rules.c */
int cmd_detection(int argc, char **argv); /* cli_rules.c */
int cmd_formats(int argc, char **argv);   /* cli_formats.c */
int cmd_key(int argc, char **argv);       /* cli_key.c */
int cmd_verify(int argc, char **argv);    /* cli_key.c */
int cmd_routes(int argc, char **argv);    /* cli_help.c */
int cmd_version(int argc, char **argv);   /* cli_help.c */
int cmd_help(int argc, char **argv);      /* cli_help.c */

/* issue 23: cli_storage.c */
int cmd_migrate_storage(int argc, char **argv);

/* The rest is cli.c. */

/* The count a bench command was given (argv's s; NULL: fallback): a whole
 * number from 1 to 100,000,000, else -1 after a message on stderr. */
int cli_count(const char *what, const char *s, int fallback);

struct store_state_gap;

/* The database open on this thread's reader against its state file
 * (store/state.h): *gap says how far behind it is, *created whether the
 * state file was new.  When it is behind and accept is true, the loss is
 * audited by the command's actor with reason how, *seq naming that audit
 * entry.  0, or -1 with err. */
int cli_state_check(bool accept, const char *how, struct store_state_gap *gap, bool *created,
                    int64_t *seq, struct mp_error *err);

/* Shared by the commands: --config and --data, in that precedence. */
int cli_load_config(const char *config_file, const char *data_dir, struct config *cfg);
/* Loads the rules from dir (empty: the built-in copy) and installs them;
 * logs what was loaded. */
int cli_load_rules(const char *dir, struct mp_error *err);
/* Loads and installs the detection rules (the built-in ones when dir is
 * empty), logging what was loaded. */
int cli_load_detection(const char *dir, struct mp_error *err);
/* Loads the assessment data (questionnaire, law, threat catalogue) from dir
 * (empty: the built-in copy) and installs it. */
int cli_load_assessment(const char *dir, struct mp_error *err);
/* The reminder policy in force: the one set through the API, else file
 * (empty: the built-in copy); needs the database open.  Logs it. */
int cli_load_reminders(const char *file, struct mp_error *err);
/* "cli:USER", the principal recorded for changes made from the shell. */
void cli_actor(char *out, size_t size);

/* For the commands in cli*.c: the options every data command shares
 * (--config, --data, --help) plus extra ones (getopt_long options with
 * short letters, handed to on_extra).  Returns -1 when parsing is done, 0
 * when help was printed, EXIT_USAGE after a usage message. */
struct common {
    const char *config;
    const char *data;
};
typedef int (*extra_fn)(int opt, const char *arg, void *ctx);
struct option;
int parse_opts(int argc, char **argv, const char *usage, const char *help,
               const struct option *extra, const char *extra_short, extra_fn on_extra, void *ctx,
               struct common *co);
/* Loads the config and opens the initialised data directory. */
int open_data(const struct common *co, struct config *cfg);
extern const char common_help[];

#endif
