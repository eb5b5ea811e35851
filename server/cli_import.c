/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * cli_import.c - `meldpunt import FILE.jsonl`: incidents in bulk, one JSON
 * object a line (core/incident_import.c says what a line holds;
 * docs/IMPORT.md maps TheHive 5 and DFIR-IRIS exports onto it).
 *
 * Two passes.  The first decodes and checks every line and writes nothing:
 * each bad line is reported with its number and the field at fault, and
 * then the import stops, so a file is imported whole or not at all.  The
 * second decodes again and writes --batch incidents per transaction
 * (audited and classified like a create), keeping only one batch in memory
 * however long the file is.  Then the audit chain's head is signed (a
 * checkpoint), so a server started next walks the chain from there.
 */
#include "cli.h"
#include "core/checkpoint.h"
#include "core/classify.h"
#include "core/incident.h"
#include "core/rules.h"
#include "core/token.h"
#include "datadir.h"
#include "lib/clock.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT_LINE_MAX (1 << 20)

struct import_opts {
    int batch;
};

static int
import_extra(int opt, const char *arg, void *ctx)
{
    struct import_opts *o = ctx;

    if (opt != 'b')
        return -1;
    o->batch = cli_count("--batch", arg, 1000);
    return o->batch > 0 && o->batch <= 100000 ? 0 : -1;
}

/* Line `no` of path: decoded into *it (0), blank (1), or reported on
 * stderr (-1). */
static int
decode_line(const char *path, long no, const char *line, int64_t now, struct incident_import *it)
{
    struct field_errors errs = {0};
    json_error_t jerr;
    json_t *obj;
    bool ok;

    if (line[strspn(line, " \t\r\n")] == '\0')
        return 1;
    obj = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
    if (obj == NULL) {
        fprintf(stderr, "%s:%ld: not JSON: %s (column %d)\n", path, no, jerr.text, jerr.column);
        memset(it, 0, sizeof(*it));
        return -1;
    }
    ok = incident_import_decode(obj, now, it, &errs);
    json_decref(obj);
    if (ok)
        return 0;
    for (int i = 0; i < errs.count; i++)
        fprintf(stderr, "%s:%ld: %s: %s\n", path, no,
                errs.items[i].field[0] ? errs.items[i].field : "(line)", errs.items[i].message);
    incident_import_free(it);
    return -1;
}

/* Pass one: the number of bad lines (0: go on), -1 when unreadable. */
static long
check_file(FILE *f, const char *path, int64_t now, long *good)
{
    char *line = NULL;
    size_t cap = 0;
    long no = 0, bad = 0;
    ssize_t len;

    *good = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        struct incident_import it;
        int r;

        no++;
        if (len > IMPORT_LINE_MAX) {
            fprintf(stderr, "%s:%ld: longer than %d bytes\n", path, no, IMPORT_LINE_MAX);
            bad++;
            continue;
        }
        r = decode_line(path, no, line, now, &it);
        if (r == 0) {
            incident_import_free(&it);
            (*good)++;
        } else if (r < 0) {
            bad++;
        }
    }
    free(line);
    return ferror(f) ? -1 : bad;
}

/* Pass two: every line written, batch lines per transaction.  0, or -1
 * after a message (the batches before it stay written). */
static int
write_file(FILE *f, const char *path, int batch, const struct principal *p, int64_t now,
           long *written)
{
    struct incident_import *items = calloc((size_t)batch, sizeof(*items));
    char *line = NULL;
    size_t cap = 0;
    long no = 0;
    int n = 0, rc = 0;
    struct mp_error err;

    *written = 0;
    if (items == NULL)
        return -1;
    for (;;) {
        bool more = getline(&line, &cap, f) >= 0;

        if (more) {
            no++;
            if (decode_line(path, no, line, now, &items[n]) == 0)
                n++;
            if (n < batch)
                continue;
        }
        if (n > 0 && incident_import_write(p, now, items, n, &err) != 0) {
            fprintf(stderr, "meldpunt import: %s: a batch ending at line %ld was not written: %s\n",
                    path, no, err.message);
            rc = -1;
        } else {
            *written += n;
        }
        for (int i = 0; i < n; i++)
            incident_import_free(&items[i]);
        n = 0;
        if (!more || rc != 0)
            break;
    }
    free(line);
    free(items);
    return rc;
}

int
cmd_import(int argc, char **argv)
{
    static const char usage[] =
        "usage: meldpunt import FILE.jsonl [--batch N] [--config FILE] [--data DIR]\n";
    static const struct option extra[] = {{"batch", required_argument, NULL, 'b'},
                                          {NULL, 0, NULL, 0}};
    struct import_opts o = {.batch = 1000};
    struct principal p = {.authenticated = true, .role = ROLE_ADMIN, .tlp_max = TLP_RED};
    int64_t now = clock_now(); /* the command's one "now" */
    char help[1536];
    struct mp_error err;
    struct common co;
    struct config cfg;
    long bad, good, written = 0;
    const char *path;
    FILE *f;
    int rc;

    snprintf(help, sizeof(help),
             "Imports incidents, one JSON object a line: the fields of a create\n"
             "(POST /api/v1/incidents) plus state, state_times, created_at and notes\n"
             "(docs/IMPORT.md).  Every line is checked first; a bad line is reported as\n"
             "FILE:LINE: FIELD: why, and then nothing is imported.  Then the incidents are\n"
             "written N to a transaction, each audited (incident.import) and classified.\n\n"
             "  -b, --batch N       incidents per transaction (default 1000)\n%s",
             common_help);
    rc = parse_opts(argc, argv, usage, help, extra, "b:", import_extra, &o, &co);
    if (rc >= 0)
        return rc;
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    path = argv[optind];
    if ((f = fopen(path, "r")) == NULL) {
        fprintf(stderr, "meldpunt import: cannot read %s\n", path);
        return 1;
    }
    rc = 1;
    if (open_data(&co, &cfg) != 0)
        goto out;
    if (cli_load_rules(cfg.rules_dir, &err) != 0) {
        fprintf(stderr, "meldpunt import: %s\n", err.message);
        goto close;
    }
    incident_on_change(&classify_incident_hooks);
    cli_actor(p.name, sizeof(p.name));
    bad = check_file(f, path, now, &good);
    if (bad != 0) {
        fprintf(stderr, "meldpunt import: %s: %s; nothing imported\n", path,
                bad < 0 ? "cannot be read" : "bad lines (above)");
        goto close;
    }
    rewind(f);
    if (write_file(f, path, o.batch, &p, now, &written) == 0)
        rc = 0;
    printf("imported %ld of %ld incidents from %s\n", written, good, path);
    /* a signed checkpoint after what was written: the next start walks the
     * audit chain from here, not through every entry just added */
    if (written > 0 && checkpoint_create(p.name, now, "demand", true, NULL, &err) < 0)
        fprintf(stderr, "meldpunt import: no audit checkpoint after the import: %s\n", err.message);
close:
    rules_install(NULL);
    datadir_close();
out:
    fclose(f);
    return rc;
}
