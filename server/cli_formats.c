/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * cli_formats.c - `meldpunt formats check [DIR]`: the authorities' report
 * formats (config/formats/, docs/FORMATS.md) checked against the rules
 * built into this binary, without a data directory.
 */
#include "cli.h"
#include "core/formats.h"
#include "core/rules.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmd_formats(int argc, char **argv)
{
    static const char usage[] = "usage: meldpunt formats check [DIR] [--rules DIR]\n";
    const char *dir = NULL, *rules_dir = NULL;
    struct mp_error err;
    struct rules *r;
    json_t *list, *d;
    size_t i;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%s\nChecks the report-format files in DIR (docs/FORMATS.md), or the copy built\n"
               "into this binary when DIR is not given, against the reporting rules (those\n"
               "built in, or in --rules DIR): unknown source paths, code-list values not in\n"
               "their list, duplicate fields, fields with no mapping and no reason.  Prints\n"
               "each format, or the file, JSON path and reason of the first problem (exit 1).\n",
               usage);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "check") != 0) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    for (int a = 2; a < argc; a++) {
        if (strcmp(argv[a], "--rules") == 0 && a + 1 < argc) {
            rules_dir = argv[++a];
        } else if (argv[a][0] != '-' && dir == NULL) {
            dir = argv[a];
        } else {
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    if ((rules_dir ? rules_load(rules_dir, &r, &err) : rules_load_builtin(&r, &err)) != 0) {
        fprintf(stderr, "meldpunt formats check: the rules: %s\n", err.message);
        return 1;
    }
    if (formats_load(dir, r, &list, &err) != 0) {
        fprintf(stderr, "meldpunt formats check: %s\n", err.message);
        rules_release(r);
        return 1;
    }
    json_array_foreach(list, i, d)
    {
        printf("OK %-22s %-14s %-6s %3zu fields  %s\n",
               json_string_value(json_object_get(d, "format")),
               json_string_value(json_object_get(d, "version")),
               json_string_value(json_object_get(d, "regime")),
               json_array_size(json_object_get(d, "fields")),
               json_string_value(json_object_get(d, "status")));
    }
    json_decref(list);
    rules_release(r);
    return 0;
}
