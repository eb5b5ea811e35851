/*
 * cli_rules.c - `meldpunt rules check|bench` and `meldpunt detection check`:
 * the rule files validated (or measured) without a data directory.
 */
#include "cli.h"
#include "core/detect.h"
#include "core/rules.h"
#include "lib/clock.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A deterministic generator, so every run evaluates the same incidents. */
static uint64_t
bench_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* An incident's facts with values spread around the thresholds, half of
 * them absent (unknown). */
static json_t *
bench_facts(uint64_t *seed)
{
    static const char *const counts[] = {
        "users_affected",      "users_total",   "duration_minutes", "deaths",
        "unavailable_minutes", "users_limited", "clients_affected", "data_subjects_affected"};
    static const char *const bools[] = {"suspected_malicious",   "unauthorised_access",
                                        "personal_data_breach",  "critical_service_affected",
                                        "scheduled_maintenance", "cross_border"};
    json_t *f = json_object();

    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        if (bench_rand(seed) % 2)
            json_object_set_new(f, counts[i],
                                json_integer((json_int_t)(bench_rand(seed) % 2000000)));
    }
    for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
        if (bench_rand(seed) % 2)
            json_object_set_new(f, bools[i], json_boolean(bench_rand(seed) % 2));
    }
    if (bench_rand(seed) % 2)
        json_object_set_new(f, "financial_loss_eur",
                            json_real((double)(bench_rand(seed) % 1000000)));
    json_object_set_new(f, "category", json_string("cyber"));
    json_object_set_new(f, "severity", json_string("high"));
    return f;
}

/* `meldpunt rules bench`: every rule set evaluated over generated
 * incidents, beside a baseline from the same run (a JSON encode and decode
 * of the same facts), so the figure is a ratio. */
static int
rules_bench(int argc, char **argv)
{
    int count = argc >= 2 ? atoi(argv[1]) : 20000;
    const char *dir = argc >= 3 ? argv[2] : NULL;
    json_t *profile =
        json_pack("{s:s, s:[s,s], s:b, s:b, s:f, s:b}", "nis2_class", "essential", "entity_types",
                  "cloud", "trust_service", "cer_critical", 1, "dora_financial", 0,
                  "annual_turnover_eur", 5e7, "microenterprise", 0);
    json_t **facts;
    struct mp_error err;
    struct rules *r;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    int64_t t0, t_base, t_eval, evals = 0;
    size_t sink = 0;

    if (count <= 0 || count > 10000000) {
        json_decref(profile);
        fputs("usage: meldpunt rules bench [COUNT] [DIR]\n", stderr);
        return EXIT_USAGE;
    }
    if ((dir ? rules_load(dir, &r, &err) : rules_load_builtin(&r, &err)) != 0) {
        json_decref(profile);
        fprintf(stderr, "meldpunt rules bench: %s\n", err.message);
        return 1;
    }
    facts = calloc((size_t)count, sizeof(*facts));
    for (int i = 0; i < count; i++)
        facts[i] = bench_facts(&seed);
    t0 = clock_mono_us();
    for (int i = 0; i < count; i++) {
        char *text = json_dumps(facts[i], JSON_COMPACT);
        json_t *back = json_loads(text, 0, NULL);
        sink += json_object_size(back);
        json_decref(back);
        free(text);
    }
    t_base = clock_mono_us() - t0;
    t0 = clock_mono_us();
    for (int i = 0; i < count; i++) {
        for (int k = 0; k < r->nsets; k++) {
            json_t *res = rules_evaluate(&r->sets[k], facts[i], profile);
            sink += json_array_size(json_object_get(res, "criteria"));
            json_decref(res);
            evals++;
        }
    }
    t_eval = clock_mono_us() - t0;
    if (t_base < 1)
        t_base = 1;
    if (t_eval < 1)
        t_eval = 1;
    printf("rule sets %d, incidents %d\n", r->nsets, count);
    printf("baseline: JSON encode+decode of the facts  %10.0f incidents/s\n",
           count / (t_base / 1e6));
    printf("classification under every rule set        %10.0f incidents/s  ratio %.2f\n",
           count / (t_eval / 1e6), (double)t_base / (double)t_eval);
    printf("rule-set evaluations                       %10.0f /s (checksum %zu)\n",
           evals / (t_eval / 1e6), sink);
    for (int i = 0; i < count; i++)
        json_decref(facts[i]);
    free(facts);
    json_decref(profile);
    rules_release(r);
    return 0;
}

int
cmd_rules(int argc, char **argv)
{
    static const char usage[] = "usage: meldpunt rules check [DIR]\n"
                                "       meldpunt rules bench [COUNT] [DIR]\n";
    struct mp_error err;
    struct rules *r;
    int rc;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%s\nValidates the reporting-rule files in DIR (docs/RULES.md), or the copy\n"
               "built into this binary when DIR is not given.  Prints each rule set, or the\n"
               "file, JSON path and reason of the first problem (exit 1).\n",
               usage);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "bench") == 0)
        return rules_bench(argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "check") != 0 || argc > 3 || (argc == 3 && argv[2][0] == '-')) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    rc = argc == 3 ? rules_load(argv[2], &r, &err) : rules_load_builtin(&r, &err);
    if (rc != 0) {
        fprintf(stderr, "meldpunt rules check: %s\n", err.message);
        return 1;
    }
    for (int i = 0; i < r->nsets; i++)
        printf("OK %-10s %-14s %d stages  %s\n", r->sets[i].regime, r->sets[i].version,
               r->sets[i].nstages, r->sets[i].file);
    rules_release(r);
    return 0;
}

int
cmd_detection(int argc, char **argv)
{
    static const char usage[] = "usage: meldpunt detection check [DIR]\n";
    struct detection *d;
    struct mp_error err;
    int rc;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("%s\nValidates the detection-rule files in DIR (docs/ALERTS.md), or the copy\n"
               "built into this binary when DIR is not given.  Prints each rule, or the\n"
               "file, JSON path and reason of the first problem (exit 1).\n",
               usage);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "check") != 0 || argc > 3 || (argc == 3 && argv[2][0] == '-')) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    rc = argc == 3 ? detect_load(argv[2], &d, &err) : detect_load_builtin(&d, &err);
    if (rc != 0) {
        fprintf(stderr, "meldpunt detection check: %s\n", err.message);
        return 1;
    }
    for (int i = 0; i < d->nrules; i++)
        printf("OK %-32s %-14s %s\n", d->rules[i].id, detect_action_names[d->rules[i].action],
               d->rules[i].file);
    detect_release(d);
    return 0;
}
