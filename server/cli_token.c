/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * cli_token.c - `meldpunt token`: API tokens for tools (create, list,
 * revoke); the domain work is core/token.c.
 */
#include "cli.h"
#include "datadir.h"
#include "lib/cidr.h"
#include "lib/clock.h"
#include "lib/timeutil.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct token_opts {
    const char *name;
    const char *role;
    const char *tlp_max;
    const char *expires;                /* RFC 3339, or an ISO 8601 duration from now */
    const char *sources[CIDR_LIST_MAX]; /* --allow, each a block (lib/cidr.h) */
    size_t nsources;
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
    case 'A':
        if (t->nsources >= CIDR_LIST_MAX) {
            fprintf(stderr, "meldpunt token create: at most %d --allow\n", CIDR_LIST_MAX);
            return -1;
        }
        t->sources[t->nsources++] = arg;
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
    "                             [--allow BLOCK]... [--config FILE] [--data DIR]\n"
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
    "  -A, --allow BLOCK   the token may be used only from these addresses or CIDR\n"
    "                      blocks (192.0.2.0/24, 2001:db8::/32; repeat, at most 16)\n"
    "  -a, --all           with list: include revoked tokens\n";

int
cmd_token(int argc, char **argv)
{
    static const struct option extra[] = {{"name", required_argument, NULL, 'n'},
                                          {"role", required_argument, NULL, 'r'},
                                          {"all", no_argument, NULL, 'a'},
                                          {"tlp-max", required_argument, NULL, 't'},
                                          {"expires", required_argument, NULL, 'e'},
                                          {"allow", required_argument, NULL, 'A'},
                                          {NULL, 0, NULL, 0}};
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
    rc = parse_opts(argc - 1, argv + 1, token_usage, help, extra, "n:r:at:e:A:", token_extra, &t,
                    &co);
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
        if (optind != argc || t.name || t.role || t.expires || t.nsources) {
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
        } else if (token_create(actor, now, t.name, t.role, t.tlp_max, expires, t.sources,
                                t.nsources, token, &row, &err) != 0) {
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
