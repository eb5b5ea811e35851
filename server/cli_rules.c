/* SPDX-License-Identifier: EUPL-1.2 */
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
    int count = cli_count("rules bench", argc >= 2 ? argv[1] : NULL, 20000);
    const char *dir = argc >= 3 ? argv[2] : NULL;
    json_t *profile =
        json_pack("{s:s, s:[s,s], s:b, s:b, s:f, s:b}", "nis2_class", "essential", "entity_types",
                  "cloud", "trust_service", "cer_critical", 1, "dora_financial", 0,
                  "annual_turnover_eur", 5e7, "microenterprise", 0);
    json_t **facts;
    struct mp_error err;
    struct rules *r;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    int64_t t0, t_base, t_eval, t_explain, evals = 0;
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
    /* an array of pointers: its element is a pointer, as meant */
    facts = calloc((size_t)count, sizeof(*facts)); // NOLINT(bugprone-sizeof-expression)
    if (facts == NULL) {
        json_decref(profile);
        rules_release(r);
        fputs("meldpunt rules bench: out of memory\n", stderr);
        return 1;
    }
    for (int i = 0; i < count; i++)
        facts[i] = bench_facts(&seed);
    t0 = clock_mono_real_us();
    for (int i = 0; i < count; i++) {
        char *text = json_dumps(facts[i], JSON_COMPACT);
        json_t *back = json_loads(text, 0, NULL);
        sink += json_object_size(back);
        json_decref(back);
        free(text);
    }
    t_base = clock_mono_real_us() - t0;
    /* the outcome (applies, significant, lifted, which stages apply) over
     * the flat fact vector, loaded once per incident for every rule set;
     * the explanation is built only when asked (rules_evaluate, below) */
    t0 = clock_mono_real_us();
    for (int i = 0; i < count; i++) {
        struct rules_facts fv;
        rules_facts_load(&fv, facts[i], profile);
        for (int k = 0; k < r->nsets; k++) {
            struct rules_decision dec;
            rules_decide(&r->sets[k], &fv, &dec);
            sink += (size_t)dec.significant + (size_t)dec.applies * 3 + dec.when_yes;
            evals++;
        }
    }
    t_eval = clock_mono_real_us() - t0;
    /* with the explanation, on a tenth of them */
    t0 = clock_mono_real_us();
    for (int i = 0; i < count / 10; i++) {
        for (int k = 0; k < r->nsets; k++) {
            json_t *res = rules_evaluate(&r->sets[k], facts[i], profile);
            sink += json_array_size(json_object_get(res, "criteria"));
            json_decref(res);
        }
    }
    t_explain = (clock_mono_real_us() - t0) * 10;
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
    printf("with the explanation (rules_evaluate)      %10.0f incidents/s  ratio %.2f\n",
           count / (t_explain / 1e6), (double)t_base / (double)(t_explain > 0 ? t_explain : 1));
    for (int i = 0; i < count; i++)
        json_decref(facts[i]);
    free(facts);
    json_decref(profile);
    rules_release(r);
    return 0;
}

/* ---- rules explain ---- */

/* The one extra option of a subcommand (--lang, --rules), into ctx. */
static int
one_string_opt(int opt, const char *arg, void *ctx)
{
    (void)opt; /* parse_opts passes only the letters the subcommand named */
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

/* Recurring incidents: the members, their figures together, the result
 * and the incident that carries the reports, as the page says it. */
static void
explain_recurrence(json_t *rec, bool nl)
{
    const char *key;
    json_t *x, *at_least;
    size_t i;

    if (rec == NULL)
        return;
    printf("  %s:", nl ? "terugkerende incidenten (dezelfde kennelijke grondoorzaak), samen geteld"
                       : "recurring incidents (the same apparent root cause), counted together");
    json_array_foreach(json_object_get(rec, "members"), i, x)
    {
        printf("%s %s", i ? "," : "", json_string_value(json_object_get(x, "ref")));
    }
    printf("\n  %s:", nl ? "cijfers samen" : "combined figures");
    at_least = json_object_get(json_object_get(rec, "combined"), "at_least");
    i = 0;
    json_object_foreach(json_object_get(rec, "combined"), key, x)
    {
        if (strcmp(key, "at_least") == 0)
            continue;
        if (json_is_number(x))
            printf("%s %s %.15g", i++ ? ";" : "", key, json_number_value(x));
        else if (json_is_boolean(x))
            printf("%s %s %s", i++ ? ";" : "", key, word(json_is_true(x) ? "yes" : "no", nl));
        else if (json_is_number(json_object_get(at_least, key)))
            printf("%s %s %s %.15g", i++ ? ";" : "", key, nl ? "ten minste" : "at least",
                   json_number_value(json_object_get(at_least, key)));
        else
            printf("%s %s %s", i++ ? ";" : "", key, word(NULL, nl));
    }
    printf("\n  [%s] %s (%s); %s %s\n", word(json_string_value(json_object_get(rec, "result")), nl),
           nl ? "samen significant" : "significant together",
           json_string_value(json_object_get(rec, "source")),
           nl ? "de meldingen zijn verschuldigd op" : "the reports are owed on",
           json_string_value(json_object_get(json_object_get(rec, "lead"), "ref")));
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
            continue;                                      /* not owed */
        if (json_is_true(json_object_get(x, "due_now"))) { /* no deadline in hours */
            printf("  %s %s: %s, %s\n", nl ? "melding" : "report",
                   text_in(json_object_get(x, "name"), lang), status_word(status, nl),
                   nl ? "nu: onverwijld (geen termijn in uren)"
                      : "now: without undue delay (no deadline in hours)");
            continue;
        }
        printf("  %s %s: %s, %s %s\n", nl ? "melding" : "report",
               text_in(json_object_get(x, "name"), lang), status_word(status, nl),
               nl ? "uiterlijk" : "due", when(json_string_value(json_object_get(x, "due_at")), t));
    }
    explain_recurrence(json_object_get(r, "recurrence"), nl);
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

    rc = parse_opts(argc, argv, usage, common_help, extra, "l:", one_string_opt, &lang, &co);
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

/* ---- rules replay ---- */

static json_t *
regime_of(json_t *judgement, const char *regime)
{
    json_t *r;
    size_t i;

    json_array_foreach(json_object_get(judgement, "regimes"), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "regime")), regime) == 0)
            return r;
    }
    return NULL;
}

static json_t *
obligation_of(json_t *judgement, const char *regime, const char *stage)
{
    json_t *o;
    size_t i;

    json_array_foreach(json_object_get(judgement, "obligations"), i, o)
    {
        if (strcmp(json_string_value(json_object_get(o, "regime")), regime) == 0 &&
            strcmp(json_string_value(json_object_get(o, "stage")), stage) == 0)
            return o;
    }
    return NULL;
}

static bool
same_text(json_t *a, json_t *b)
{
    const char *x = json_string_value(a), *y = json_string_value(b);

    return (x == NULL && y == NULL) || (x != NULL && y != NULL && strcmp(x, y) == 0);
}

/* Prints what differs between the stored judgement and the replayed one;
 * the number of differences. */
static int
replay_diff(const char *ref, json_t *before, json_t *after)
{
    static const char *const members[] = {"applies", "significant", "effective"};
    json_t *r, *o;
    size_t i;
    int n = 0;
    char t1[32], t2[32];

    json_array_foreach(json_object_get(after, "regimes"), i, r)
    {
        const char *regime = json_string_value(json_object_get(r, "regime"));
        json_t *old = regime_of(before, regime);
        for (size_t m = 0; m < sizeof(members) / sizeof(members[0]); m++) {
            json_t *was = old ? json_object_get(old, members[m]) : NULL;
            if (!same_text(was, json_object_get(r, members[m]))) {
                printf("%s %s %s: %s -> %s\n", ref, regime,
                       strcmp(members[m], "effective") == 0 ? "reporting duty" : members[m],
                       was ? json_string_value(was) : "(not judged)",
                       json_string_value(json_object_get(r, members[m])));
                n++;
            }
        }
    }
    json_array_foreach(json_object_get(after, "obligations"), i, o)
    {
        const char *regime = json_string_value(json_object_get(o, "regime")),
                   *stage = json_string_value(json_object_get(o, "stage"));
        json_t *was = obligation_of(before, regime, stage);
        if (was == NULL) {
            printf("%s %s %s: newly owed, due %s\n", ref, regime, stage,
                   when(json_string_value(json_object_get(o, "due_at")), t2));
            n++;
        } else if (!same_text(json_object_get(was, "due_at"), json_object_get(o, "due_at"))) {
            printf("%s %s %s: due %s -> %s\n", ref, regime, stage,
                   when(json_string_value(json_object_get(was, "due_at")), t1),
                   when(json_string_value(json_object_get(o, "due_at")), t2));
            n++;
        }
    }
    json_array_foreach(json_object_get(before, "obligations"), i, o)
    {
        const char *regime = json_string_value(json_object_get(o, "regime")),
                   *stage = json_string_value(json_object_get(o, "stage"));
        if (obligation_of(after, regime, stage) == NULL) {
            printf("%s %s %s: no longer owed\n", ref, regime, stage);
            n++;
        }
    }
    return n;
}

/* `meldpunt rules replay --rules DIR`: every stored incident judged again
 * under the rule files in DIR, in changes that are rolled back, and what
 * would change printed: a rule update reviewed before it is installed. */
static int
rules_replay(int argc, char **argv)
{
    static const char usage[] =
        "usage: meldpunt rules replay --rules DIR [--config FILE] [--data DIR]\n";
    static const struct option extra[] = {{"rules", required_argument, NULL, 'r'},
                                          {NULL, 0, NULL, 0}};
    struct incident_filter f = {.state = -1,
                                .severity = -1,
                                .category = -1,
                                .updated_since = TIME_UNSET,
                                .limit = 200,
                                .tlp_max = TLP_RED};
    const char *dir = NULL;
    struct incident *items;
    struct common co;
    struct config cfg;
    struct mp_error err;
    struct rules *r;
    int64_t next, now;
    int rc, n, replayed = 0, changed = 0;

    rc = parse_opts(argc, argv, usage, common_help, extra, "r:", one_string_opt, &dir, &co);
    if (rc >= 0)
        return rc;
    if (optind != argc || dir == NULL) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (rules_load(dir, &r, &err) != 0) {
        fprintf(stderr, "meldpunt rules replay: %s\n", err.message);
        return 1;
    }
    if (open_data(&co, &cfg) != 0) {
        rules_release(r);
        return 1;
    }
    rules_install(r);  /* the judgements below are made under these */
    now = clock_now(); /* the command's one "now" */
    rc = 0;
    do {
        if (incident_list(&f, &items, &n, &next, &err) != 0) {
            fprintf(stderr, "meldpunt rules replay: %s\n", err.message);
            rc = 1;
            break;
        }
        for (int i = 0; i < n && rc == 0; i++) {
            json_t *before, *after;
            if (classify_get(items[i].id, now, &before, &err) != 0 ||
                classify_trial(items[i].id, now, &after, &err) != 0) {
                fprintf(stderr, "meldpunt rules replay: %s: %s\n", items[i].ref, err.message);
                rc = 1;
                break;
            }
            changed += replay_diff(items[i].ref, before, after) > 0;
            replayed++;
            json_decref(before);
            json_decref(after);
        }
        incident_list_free(items, n);
        f.before_seq = next;
    } while (next != 0 && rc == 0);
    if (rc == 0)
        printf("replayed %d incidents under %s: %d would change\n", replayed, dir, changed);
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
    if (argc >= 2 && strcmp(argv[1], "replay") == 0)
        return rules_replay(argc - 1, argv + 1);
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
