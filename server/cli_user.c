/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * cli_user.c - `meldpunt user`: people who sign in from a browser.
 */
#include "cli.h"
#include "core/mfa.h"
#include "core/user.h"
#include "datadir.h"
#include "lib/clock.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char user_usage[] =
    "usage: meldpunt user add NAME --role ROLE [--tlp-max LEVEL] [--generate] [--break-glass]\n"
    "                         [--config FILE] [--data DIR]\n"
    "       meldpunt user list [--config FILE] [--data DIR]\n"
    "       meldpunt user disable|enable NAME [--config FILE] [--data DIR]\n"
    "       meldpunt user passwd NAME [--generate] [--config FILE] [--data DIR]\n"
    "       meldpunt user break-glass NAME [--off] [--config FILE] [--data DIR]\n"
    "       meldpunt user mfa-reset NAME [--config FILE] [--data DIR]\n";

static const char user_help[] =
    "People sign in to the web front end with a name and password; tools use API\n"
    "tokens instead (`meldpunt token`).\n\n"
    "  add      creates a user.  When standard input is not a terminal the password\n"
    "           is read from it (one line); otherwise one is generated and printed,\n"
    "           and must be changed at the first sign-in.\n"
    "  list     every user, with role, limit and state\n"
    "  disable  the user can no longer sign in; their sessions end at once\n"
    "  enable   undoes disable\n"
    "  passwd   sets a new password (read as with add, or generated); the user must\n"
    "           change it at the next sign-in and every session of theirs ends\n"
    "  break-glass  marks an admin as a break-glass account (--off: no longer): it\n"
    "           keeps a local password when [auth] local_passwords = break-glass-only,\n"
    "           must set up TOTP at its first sign-in, and each sign-in is shown to\n"
    "           every admin until one acknowledges it\n"
    "  mfa-reset  removes the user's second factor and recovery codes (a lost\n"
    "           phone and lost codes) and ends their sessions; they set it up anew\n\n"
    "  -r, --role ROLE     viewer, analyst, manager or admin\n"
    "  -t, --tlp-max LEVEL never show incidents above this TLP level\n"
    "                      (clear, green, amber, amber+strict, red; default: all)\n"
    "  -g, --generate      generate a one-time password (printed alone on standard\n"
    "                      output) even when standard input is not a terminal\n"
    "  -b, --break-glass   with add: the new admin is a break-glass account\n"
    "      --off           with break-glass: unmark the account\n\n"
    "In a script:  printf '%s\\n' \"$PASSWORD\" | meldpunt user add NAME --role ROLE\n"
    "          or  meldpunt user add NAME --role ROLE --generate > one-time-password\n";

struct user_opts {
    const char *role;
    const char *tlp_max;
    bool generate;
    bool break_glass; /* add --break-glass */
    bool off;         /* break-glass --off */
};

static int
user_extra(int opt, const char *arg, void *ctx)
{
    struct user_opts *u = ctx;

    if (opt == 'r')
        u->role = arg;
    else if (opt == 't')
        u->tlp_max = arg;
    else if (opt == 'g')
        u->generate = true;
    else if (opt == 'b')
        u->break_glass = true;
    else if (opt == 'o')
        u->off = true;
    else
        return -1;
    return 0;
}

/* Reads one line of password from standard input when it is not a
 * terminal: 1 read, 0 a terminal (generate one), -1 nothing readable. */
static int
read_password(char *out, size_t size)
{
    size_t n;

    if (isatty(STDIN_FILENO))
        return 0;
    if (fgets(out, (int)size, stdin) == NULL)
        return -1;
    n = strcspn(out, "\r\n");
    out[n] = '\0';
    return n > 0 ? 1 : -1;
}

static void
print_error(const char *what, const struct mp_error *err)
{
    fprintf(stderr, "meldpunt user %s: %s%s%s\n", what, err->field, err->field[0] ? ": " : "",
            err->message);
}

static void
print_errors(const char *what, const struct field_errors *errs)
{
    for (int i = 0; i < errs->count; i++)
        print_error(what, &errs->items[i]);
}

/* `user list`: 0, or 1 with the reason on standard error. */
static int
print_users(void)
{
    struct user_row *rows;
    struct mp_error err;
    int n;

    if (user_list(&rows, &n, &err) != 0) {
        print_error("list", &err);
        return 1;
    }
    printf("%-24s %-8s %-13s %-9s %s\n", "NAME", "ROLE", "TLP LIMIT", "STATE", "LAST SIGN-IN");
    for (int i = 0; i < n; i++)
        printf("%-24s %-8s %-13s %-9s %s\n", rows[i].name, rows[i].role,
               rows[i].tlp_max[0] ? rows[i].tlp_max : "-",
               rows[i].disabled_at[0] ? "disabled" : "active",
               rows[i].last_sign_in_at[0] ? rows[i].last_sign_in_at : "-");
    free(rows);
    return 0;
}

/* `user add`: with password, or (NULL) a generated one-time password
 * printed alone on standard output.  0, or 1 with the reasons. */
static int
add_user(const char *actor, int64_t now, const char *name, const struct user_opts *u,
         const char *password, char generated[USER_PASSWORD_GEN + 1])
{
    struct field_errors errs = {0};
    struct user_row row;

    struct mp_error err;

    if (u->break_glass && strcmp(u->role, "admin") != 0) {
        fprintf(stderr, "meldpunt user add: --break-glass: only an admin account can be "
                        "break-glass\n");
        return 1;
    }
    if (user_create(actor, now, name, u->role, password, u->tlp_max, generated, &row, &errs) != 0) {
        print_errors("add", &errs);
        return 1;
    }
    if (u->break_glass && mfa_break_glass_set(actor, now, name, true, &err) != 0) {
        print_error("add", &err);
        return 1;
    }
    if (generated[0] != '\0') {
        fprintf(stderr,
                "meldpunt: created user '%s'; the one-time password follows "
                "(it must be changed at the first sign-in):\n",
                name);
        printf("%s\n", generated);
    } else {
        fprintf(stderr, "meldpunt: created user '%s' (%s)\n", name, u->role);
    }
    return 0;
}

int
cmd_user(int argc, char **argv)
{
    static const struct option extra[] = {
        {"role", required_argument, NULL, 'r'}, {"tlp-max", required_argument, NULL, 't'},
        {"generate", no_argument, NULL, 'g'},   {"break-glass", no_argument, NULL, 'b'},
        {"off", no_argument, NULL, 'o'},        {NULL, 0, NULL, 0}};
    char help[2048], actor[96], password[PASSWORD_MAX + 2], generated[USER_PASSWORD_GEN + 1];
    struct user_opts u = {0};
    struct user_row row;
    struct field_errors errs = {0};
    struct mp_error err;
    struct common co;
    struct config cfg;
    const char *sub, *name = NULL;
    int64_t now;
    int rc, got = 0;

    snprintf(help, sizeof(help), "%s%s", user_help, common_help);
    if (argc < 2) {
        fputs(user_usage, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        printf("%s\n%s", user_usage, help);
        return 0;
    }
    sub = argv[1];
    if (strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0 && strcmp(sub, "disable") != 0 &&
        strcmp(sub, "enable") != 0 && strcmp(sub, "passwd") != 0 &&
        strcmp(sub, "break-glass") != 0 && strcmp(sub, "mfa-reset") != 0) {
        fprintf(stderr, "meldpunt user: unknown subcommand '%s'\n%s", sub, user_usage);
        return EXIT_USAGE;
    }
    rc = parse_opts(argc - 1, argv + 1, user_usage, help, extra, "r:t:gb", user_extra, &u, &co);
    if (rc >= 0)
        return rc;
    argc--;
    argv++;
    if (strcmp(sub, "list") == 0) {
        if (optind != argc || u.role || u.tlp_max || u.generate) {
            fputs(user_usage, stderr);
            return EXIT_USAGE;
        }
    } else {
        if (optind != argc - 1 || (strcmp(sub, "add") == 0) != (u.role != NULL) ||
            (strcmp(sub, "add") != 0 && u.tlp_max != NULL) ||
            (u.generate && strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0) ||
            (u.break_glass && strcmp(sub, "add") != 0) ||
            (u.off && strcmp(sub, "break-glass") != 0)) {
            fprintf(stderr, "meldpunt user %s: needs NAME%s\n%s", sub,
                    strcmp(sub, "add") == 0 ? " and --role" : "", user_usage);
            return EXIT_USAGE;
        }
        name = argv[optind];
    }
    if ((strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) && !u.generate) {
        got = read_password(password, sizeof(password));
        if (got < 0) {
            fprintf(stderr,
                    "meldpunt user %s: no password on standard input.  Give one on a line of\n"
                    "standard input (printf '%%s\\n' \"$PASSWORD\" | meldpunt user %s %s ...),\n"
                    "or add --generate for a one-time password printed on standard output\n",
                    sub, sub, name);
            return 1;
        }
    }
    if (open_data(&co, &cfg) != 0)
        return 1;
    cli_actor(actor, sizeof(actor));
    now = clock_now(); /* the command's one "now" */
    rc = 1;
    if (strcmp(sub, "add") == 0) {
        rc = add_user(actor, now, name, &u, got ? password : NULL, generated);
    } else if (strcmp(sub, "passwd") == 0) {
        if (user_reset_password(actor, now, name, got ? password : NULL, generated, &err) != 0) {
            print_error(sub, &err);
        } else {
            if (generated[0] != '\0')
                printf("%s\n", generated);
            fprintf(stderr,
                    "meldpunt: new password for '%s'; it must be changed at the next "
                    "sign-in\n",
                    name);
            rc = 0;
        }
    } else if (strcmp(sub, "list") == 0) {
        rc = print_users();
    } else if (strcmp(sub, "break-glass") == 0 || strcmp(sub, "mfa-reset") == 0) {
        if ((sub[0] == 'b' ? mfa_break_glass_set(actor, now, name, !u.off, &err)
                           : mfa_reset(actor, now, name, &err)) != 0)
            print_error(sub, &err);
        else
            rc = 0;
    } else {
        struct user_change ch = {.disabled = strcmp(sub, "disable") == 0 ? 1 : 0};
        if (user_update(actor, now, name, &ch, &row, &errs) != 0) {
            print_errors(sub, &errs);
        } else {
            fprintf(stderr, "meldpunt: user '%s' %sd\n", name, sub);
            rc = 0;
        }
    }
    sodium_memzero(password, sizeof(password));
    sodium_memzero(generated, sizeof(generated));
    datadir_close();
    return rc;
}
