/*
 * cli_rules.c - `meldpunt rules check|bench` and `meldpunt detection check`:
 * the rule files validated (or measured) without a data directory.
 */
#include "cli.h"
#include "core/classify.h"
#include "core/detect.h"
#include "core/incident.h"
#include "datadir.h"
#include "core/rules.h"
#include "lib/clock.h"

#include <getopt.h>
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

/* ---- rules explain ---- */

static int
lang_opt(int opt, const char *arg, void *ctx)
{
    if (opt != 'l')
        return -1;
    *(const char **)ctx = arg;
    return 0;
}

static const char *
word(const char *tri, bool nl)
{
    if (tri == NULL)
        return nl ? "onbekend" : "unknown";
    if (strcmp(tri, "yes") == 0)
        return nl ? "ja" : "yes";
    if (strcmp(tri, "no") == 0)
        return nl ? "nee" : "no";
    return nl ? "nog niet te zeggen" : "undetermined";
}

/* An obligation's status in words. */
static const char *
status_word(const char *status, bool nl)
{
    static const char *const words[][3] = {{"pending", "open", "openstaand"},
                                           {"submitted", "submitted", "ingediend"},
                                           {"missed", "missed (late)", "termijn verstreken"},
                                           {"waived", "waived", "afgezien van melden"}};

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(words[i][0], status) == 0)
            return words[i][nl ? 2 : 1];
    }
    return status;
}

static const char *
text_in(json_t *texts, const char *lang)
{
    const char *t = json_string_value(json_object_get(texts, lang));

    return t ? t : json_is_string(texts) ? json_string_value(texts) : "";
}

/* "2026-12-06T08:00:00Z" as "2026-12-06 08:00 UTC" (people read it). */
static const char *
when(const char *rfc3339, char out[32])
{
    if (rfc3339 == NULL || strlen(rfc3339) < 16) {
        snprintf(out, 32, "-");
        return out;
    }
    snprintf(out, 32, "%.10s %.5s UTC", rfc3339, rfc3339 + 11);
    return out;
}

static void
explain_regime(json_t *r, json_t *obligations, const char *lang)
{
    bool nl = strcmp(lang, "nl") == 0;
    const char *regime = json_string_value(json_object_get(r, "regime"));
    json_t *c, *x, *o;
    size_t i, k;
    char t[32];

    printf("\n%s (%s %s)\n", text_in(json_object_get(r, "title"), lang), regime,
           json_string_value(json_object_get(r, "version")));
    printf("  %s: %s   %s: %s   %s: %s\n", nl ? "van toepassing" : "applies",
           word(json_string_value(json_object_get(r, "applies")), nl),
           nl ? "significant" : "significant",
           word(json_string_value(json_object_get(r, "significant")), nl),
           nl ? "meldplicht" : "reporting duty",
           word(json_string_value(json_object_get(r, "effective")), nl));
    json_array_foreach(json_object_get(r, "criteria"), i, c)
    {
        printf("  [%s] %s (%s)\n", word(json_string_value(json_object_get(c, "result")), nl),
               text_in(json_object_get(c, "text"), lang),
               json_string_value(json_object_get(c, "source")));
    }
    if (json_array_size(json_object_get(r, "missing")) > 0) {
        printf("  %s:", nl ? "nog niet bekend" : "not known yet");
        json_array_foreach(json_object_get(r, "missing"), i, x)
        {
            printf("%s %s", i ? "," : "", json_string_value(x));
        }
        printf("\n");
    }
    json_array_foreach(json_object_get(r, "stages"), i, x)
    {
        const char *status = NULL;
        json_array_foreach(obligations, k, o)
        {
            if (strcmp(json_string_value(json_object_get(o, "regime")), regime) == 0 &&
                strcmp(json_string_value(json_object_get(o, "stage")),
                       json_string_value(json_object_get(x, "id"))) == 0)
                status = json_string_value(json_object_get(o, "status"));
        }
        if (status == NULL)
            continue; /* not owed */
        printf("  %s %s: %s, %s %s\n", nl ? "melding" : "report",
               text_in(json_object_get(x, "name"), lang), status_word(status, nl),
               nl ? "uiterlijk" : "due", when(json_string_value(json_object_get(x, "due_at")), t));
    }
}

/* `meldpunt rules explain INCIDENT`: the full reasoning for one incident
 * in the terminal, in the words the web page uses. */
static int
rules_explain(int argc, char **argv)
{
    static const char usage[] =
        "usage: meldpunt rules explain INCIDENT [--lang nl|en] [--config FILE] [--data DIR]\n";
    static const struct option extra[] = {{"lang", required_argument, NULL, 'l'},
                                          {NULL, 0, NULL, 0}};
    const char *lang = "en";
    struct common co;
    struct config cfg;
    struct mp_error err;
    struct incident inc;
    json_t *out, *r;
    size_t i;
    int rc;

    rc = parse_opts(argc, argv, usage, common_help, extra, "l:", lang_opt, &lang, &co);
    if (rc >= 0)
        return rc;
    if (optind != argc - 1 || (strcmp(lang, "nl") != 0 && strcmp(lang, "en") != 0)) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (open_data(&co, &cfg) != 0 || cli_load_rules(cfg.rules_dir, &err) != 0)
        return 1;
    rc = 1;
    if (incident_get(argv[optind], &inc, &err) != 0 ||
        classify_get(argv[optind], clock_now(), &out, &err) != 0) {
        fprintf(stderr, "meldpunt rules explain: %s\n", err.message);
        goto done;
    }
    printf("%s \"%s\"\n", inc.ref, inc.title);
    json_array_foreach(json_object_get(out, "regimes"), i, r)
    {
        explain_regime(r, json_object_get(out, "obligations"), lang);
    }
    json_decref(out);
    incident_free(&inc);
    rc = 0;
done:
    datadir_close();
    return rc;
}

int
cmd_rules(int argc, char **argv)
{
    static const char usage[] =
        "usage: meldpunt rules check [DIR]\n"
        "       meldpunt rules bench [COUNT] [DIR]\n"
        "       meldpunt rules explain INCIDENT [--lang nl|en] [--data DIR]\n";
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
    if (argc >= 2 && strcmp(argv[1], "explain") == 0)
        return rules_explain(argc - 1, argv + 1);
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
