/*
 * cli.h - the subcommands.
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

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);

/* Shared by the commands: --config and --data, in that precedence. */
int cli_load_config(const char *config_file, const char *data_dir, struct config *cfg);
/* Loads the rules from dir (empty: the built-in copy) and installs them;
 * logs what was loaded. */
int cli_load_rules(const char *dir, struct mp_error *err);
/* "cli:USER", the principal recorded for changes made from the shell. */
void cli_actor(char *out, size_t size);

#endif
