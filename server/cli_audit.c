/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * cli_audit.c - `meldpunt audit`: verify the hash-chained audit log (whole,
 * or against signed checkpoints kept elsewhere), sign its head now, and
 * acknowledge a break so that the server takes writes again.
 */
#include "cli.h"
#include "core/audit.h"
#include "core/checkpoint.h"
#include "datadir.h"
#include "lib/clock.h"
#include "lib/file.h"
#include "store/audit.h"
#include "store/db.h"

#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct audit_opts {
    const char *checkpoint;
    const char *reason;
};

static int
audit_extra(int opt, const char *arg, void *ctx)
{
    struct audit_opts *a = ctx;

    if (opt == 'k')
        a->checkpoint = arg;
    else if (opt == 'r')
        a->reason = arg;
    else
        return -1;
    return 0;
}

/* `audit acknowledge --reason TEXT` (core/audit.h). */
static int
audit_acknowledge_cmd(const char *reason)
{
    int64_t now = clock_now(); /* the command's one "now" */
    struct mp_error err;
    char actor[96], *t;
    json_t *out;

    cli_actor(actor, sizeof(actor));
    if (audit_acknowledge(actor, now, reason, &out, &err) != 0) {
        fprintf(stderr, "meldpunt audit acknowledge: %s%s%s\n", err.field, err.field[0] ? ": " : "",
                err.message);
        return 1;
    }
    t = json_dumps(out, JSON_INDENT(2) | JSON_SORT_KEYS);
    printf("%s\n", t ? t : "");
    fprintf(stderr,
            "meldpunt audit acknowledge: the break at entry %lld is acknowledged in entry %lld; "
            "entries %lld to %lld stay unverified.  Restart the server or send it SIGHUP to "
            "take writes again.\n",
            (long long)json_integer_value(json_object_get(out, "bad_seq")),
            (long long)json_integer_value(json_object_get(out, "seq")),
            (long long)json_integer_value(json_object_get(out, "bad_seq")),
            (long long)json_integer_value(json_object_get(out, "old_head_seq")));
    free(t);
    json_decref(out);
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
        "       meldpunt audit checkpoint [--config FILE] [--data DIR]\n"
        "       meldpunt audit acknowledge --reason TEXT [--config FILE] [--data DIR]\n";
    static const struct option extra[] = {{"checkpoint", required_argument, NULL, 'k'},
                                          {NULL, 0, NULL, 0}};
    static const struct option ack_extra[] = {{"reason", required_argument, NULL, 'r'},
                                              {NULL, 0, NULL, 0}};
    char help[2048], hex[2 * CHAIN_HASH_LEN + 1], actor[96];
    struct audit_verify_result r;
    struct audit_opts ao = {0};
    struct mp_error err;
    struct common co;
    struct config cfg;
    bool verify, ack;
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
             "checkpoint signs the chain's head now, stores it and prints it as JSON; it is\n"
             "refused while the chain does not verify.\n\n"
             "acknowledge records, as an audit entry, that the chain is broken: it names the\n"
             "first entry that does not verify and the head it follows, with the reason.\n"
             "The chain verifies again from that entry on (the entries between stay\n"
             "unverified), and a server that was read-only because of the break takes\n"
             "writes again once restarted or sent SIGHUP.\n\n"
             "  -k, --checkpoint FILE  with verify: check against this checkpoint\n"
             "  -r, --reason TEXT      with acknowledge: why (required)\n%s",
             common_help);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%s\n%s", usage, help);
        return 0;
    }
    if (argc < 2 || (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "checkpoint") != 0 &&
                     strcmp(argv[1], "acknowledge") != 0)) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    verify = strcmp(argv[1], "verify") == 0;
    ack = strcmp(argv[1], "acknowledge") == 0;
    rc = parse_opts(argc - 1, argv + 1, usage, help,
                    verify ? extra
                    : ack  ? ack_extra
                           : NULL,
                    verify ? "k:"
                    : ack  ? "r:"
                           : NULL,
                    audit_extra, &ao, &co);
    if (rc >= 0)
        return rc;
    if (optind != argc - 1 || (ack && ao.reason == NULL)) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (open_data(&co, &cfg) != 0)
        return 1;
    if (ack) {
        rc = audit_acknowledge_cmd(ao.reason);
        datadir_close();
        return rc;
    }
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
        printf("OK %lld entries, head %lld %s", (long long)r.entries, (long long)r.head_seq, hex);
        if (r.acknowledged > 0)
            printf(" (%lld acknowledged break%s: entries audit.acknowledge)",
                   (long long)r.acknowledged, r.acknowledged == 1 ? "" : "s");
        printf("\n");
        rc = 0;
    } else {
        printf("FAILED at entry %lld: %s (%lld entries before it verified)\n", (long long)r.bad_seq,
               r.reason, (long long)r.entries);
    }
    datadir_close();
    return rc;
}
