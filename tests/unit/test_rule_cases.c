/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_rule_cases.c - table-driven checks of the rule files: every case of
 * tests/rules/cases.json is evaluated with rules_evaluate and compared with
 * what it expects.  One Check test per case, so a failure names the case.
 *
 * cases.json is an array of
 *   {"name", "regime", "profile": {...}, "facts": {...},
 *    "expect": {"applies": true|false|"undetermined" (optional),
 *               "significant": "yes"|"no"|"undetermined",
 *               "fired": [criterion ids whose result must be "yes"] (optional),
 *               "missing": [fact names] (optional; each must be in the result's
 *               missing list, which may name more undecided facts),
 *               "lifted": "yes"|"no"|"undetermined" (optional; rule sets with
 *               lifted_by: has the entity established what lifts the duty),
 *               "recipients": {stage id: [roles]} (optional; the stage must be
 *               listed with exactly these recipients, in this order),
 *               "due": {stage id: RFC 3339 | null | "not due"} (optional; needs
 *               "times": when the stage is due (rules_stage_time), null while
 *               an anchor is awaited, "not due" for a stage that exists only
 *               while the incident is ongoing at its due time when it was
 *               handled by then),
 *               "absent": [stage ids] (optional; stages that do not apply to
 *               this incident: their when is no, so they are not listed),
 *               "conditional": {stage id: true|false} (optional; listed, and
 *               owed only once its when holds (true: when is undetermined),
 *               or owed (false)),
 *               "due_now": [stage ids] (optional; listed without a deadline
 *               in hours: "without undue delay", due now),
 *               "recurrence": {"result": yes|no|undetermined, "members":
 *               [index…], "lead": index} or null (optional; needs
 *               "recurring": the combination incident "self" belongs to,
 *               rules_recurring, or null for none)},
 *    "recurring": [{"facts": {...}, "occurred_at": RFC 3339, "recorded_at":
 *              RFC 3339 (optional, default occurred_at)}, ...] (optional;
 *              incidents with the same apparent root cause, not significant
 *              one by one, oldest first), "self": index (default the last),
 *    "times": {"now": RFC 3339, ANCHOR: RFC 3339, ..., "resolved_at",
 *              "reopened_at"} (optional; the clock and anchors of the due
 *              times: aware_at, classified_at, classified_major_at (else
 *              from the facts, else classified_at), stage:ID (when that
 *              report was first sent), stage_last:ID (when the latest one
 *              was; stage_last:A,B, when not given, is the latest of
 *              stage_last:A and stage_last:B), ...)}
 *
 * The rules come from $MELDPUNT_RULES_DIR, else config/rules, else (when
 * config/rules does not exist) tests/rules/fixture; the cases from
 * $MELDPUNT_RULE_CASES, else tests/rules/cases.json.  Run from the
 * repository root.
 */
#include "core/rules.h"
#include "lib/buf.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *cases_file;
static const char *rules_dir;
static json_t *cases;       /* the parsed file (NULL when it could not be read) */
static struct rules *rules; /* NULL when the directory did not load */
static char load_error[PATH_MAX + 256];

static bool
is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *
pick_rules_dir(void)
{
    const char *env = getenv("MELDPUNT_RULES_DIR");

    if (env != NULL && env[0] != '\0')
        return env;
    if (is_dir("config/rules") || !is_dir("tests/rules/fixture"))
        return "config/rules";
    return "tests/rules/fixture";
}

static void
load_all(void)
{
    struct mp_error err = {0};
    json_error_t jerr;
    const char *env = getenv("MELDPUNT_RULE_CASES");

    cases_file = env != NULL && env[0] != '\0' ? env : "tests/rules/cases.json";
    rules_dir = pick_rules_dir();
    cases = json_load_file(cases_file, JSON_REJECT_DUPLICATES, &jerr);
    if (cases == NULL) {
        snprintf(load_error, sizeof(load_error), "%s: line %d column %d: %s", cases_file, jerr.line,
                 jerr.column, jerr.text);
        return;
    }
    if (!json_is_array(cases) || json_array_size(cases) == 0) {
        snprintf(load_error, sizeof(load_error), "%s: must be a non-empty array of cases",
                 cases_file);
        json_decref(cases);
        cases = NULL;
        return;
    }
    if (rules_load(rules_dir, &rules, &err) != 0)
        snprintf(load_error, sizeof(load_error), "rules %s: %s", rules_dir, err.message);
}

/* The file and the rules themselves. */
START_TEST(test_cases_load)
{
    ck_assert_msg(load_error[0] == '\0', "%s", load_error);
    ck_assert_ptr_nonnull(cases);
    ck_assert_ptr_nonnull(rules);
}
END_TEST

/* ---- one case ---- */

static bool
in_list(const char *const list[], const char *s)
{
    for (int i = 0; list[i] != NULL; i++) {
        if (strcmp(list[i], s) == 0)
            return true;
    }
    return false;
}

/* Appends "; " and a formatted problem. */
static void problem(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
problem(struct buf *b, const char *fmt, ...)
{
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (b->len > 0)
        buf_puts(b, "; ");
    buf_puts(b, text);
}

/* JSON text of j, for messages (static buffer, truncated). */
static const char *
dump(const json_t *j)
{
    static char out[2][512];
    static int which;
    char *s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

    which = !which;
    snprintf(out[which], sizeof(out[which]), "%s", s != NULL ? s : "(none)");
    free(s);
    return out[which];
}

static bool
list_has(const json_t *list, const json_t *x)
{
    size_t i;
    json_t *y;

    json_array_foreach(list, i, y)
    {
        if (json_equal(x, y))
            return true;
    }
    return false;
}

/* Checks the shape of a case; adds problems to b.  True when it can run. */
static bool
check_case_shape(const json_t *c, struct buf *b)
{
    static const char *const members[] = {
        "name",   "regime",      "profile", "facts",     "expect", "notes", "comment",
        "source", "description", "times",   "recurring", "self",   NULL};
    static const char *const expects[] = {"applies",    "significant", "fired",   "missing",
                                          "lifted",     "recipients",  "due",     "absent",
                                          "recurrence", "conditional", "due_now", NULL};
    const char *key;
    json_t *val, *e;
    size_t i;

    if (!json_is_object(c)) {
        problem(b, "a case is an object");
        return false;
    }
    json_object_foreach((json_t *)c, key, val)
    {
        if (!in_list(members, key))
            problem(b, "unknown member '%s'", key);
    }
    if (!json_is_string(json_object_get(c, "name")))
        problem(b, "name must be text");
    if (!json_is_string(json_object_get(c, "regime")))
        problem(b, "regime must be text");
    if (json_object_get(c, "profile") != NULL && !json_is_object(json_object_get(c, "profile")))
        problem(b, "profile must be an object");
    if (json_object_get(c, "facts") != NULL && !json_is_object(json_object_get(c, "facts")))
        problem(b, "facts must be an object");
    e = json_object_get(c, "expect");
    if (!json_is_object(e)) {
        problem(b, "expect must be an object");
        return false;
    }
    json_object_foreach(e, key, val)
    {
        if (!in_list(expects, key))
            problem(b, "unknown member 'expect.%s'", key);
    }
    val = json_object_get(e, "applies");
    if (val != NULL && !json_is_boolean(val) &&
        !(json_is_string(val) && strcmp(json_string_value(val), "undetermined") == 0))
        problem(b, "expect.applies must be true, false or \"undetermined\"");
    val = json_object_get(e, "significant");
    /* a regime that does not apply is not significant: may be left out */
    if (val == NULL && json_is_false(json_object_get(e, "applies")))
        val = NULL;
    else if (!json_is_string(val) || (strcmp(json_string_value(val), "yes") != 0 &&
                                      strcmp(json_string_value(val), "no") != 0 &&
                                      strcmp(json_string_value(val), "undetermined") != 0))
        problem(b, "expect.significant must be \"yes\", \"no\" or \"undetermined\"");
    val = json_object_get(e, "recipients");
    if (val != NULL && !json_is_object(val))
        problem(b, "expect.recipients must be {stage id: [roles]}");
    val = json_object_get(e, "due");
    if (val != NULL) {
        const char *stage_id;
        json_t *t, *times = json_object_get(c, "times");
        int64_t x;

        if (!json_is_object(val))
            problem(b, "expect.due must be {stage id: time, null or \"not due\"}");
        json_object_foreach(val, stage_id, t)
        {
            if (!json_is_null(t) &&
                !(json_is_string(t) && (strcmp(json_string_value(t), "not due") == 0 ||
                                        time_parse_rfc3339(json_string_value(t), &x) == 0)))
                problem(b, "expect.due.%s must be an RFC 3339 time, null or \"not due\"", stage_id);
        }
        if (!json_is_object(times) || !json_is_string(json_object_get(times, "now")))
            problem(b, "expect.due needs times with now");
        json_object_foreach(times, stage_id, t)
        {
            if (!json_is_string(t) || time_parse_rfc3339(json_string_value(t), &x) != 0)
                problem(b, "times.%s must be an RFC 3339 time", stage_id);
        }
    }
    val = json_object_get(e, "lifted");
    if (val != NULL &&
        (!json_is_string(val) ||
         (strcmp(json_string_value(val), "yes") != 0 && strcmp(json_string_value(val), "no") != 0 &&
          strcmp(json_string_value(val), "undetermined") != 0)))
        problem(b, "expect.lifted must be \"yes\", \"no\" or \"undetermined\"");
    for (int k = 0; k < 3; k++) {
        const char *name = k == 0 ? "fired" : k == 1 ? "missing" : "absent";
        json_t *x;

        val = json_object_get(e, name);
        if (val == NULL)
            continue;
        if (!json_is_array(val)) {
            problem(b, "expect.%s must be a list of names", name);
            continue;
        }
        json_array_foreach(val, i, x)
        {
            if (!json_is_string(x))
                problem(b, "expect.%s[%zu] must be text", name, i);
        }
    }
    return b->len == 0;
}

/* A time of the case's "times", TIME_UNSET when not given. */
static int64_t
case_time(const json_t *times, const char *name)
{
    const char *s = json_string_value(json_object_get(times, name));
    int64_t t;

    return s != NULL && time_parse_rfc3339(s, &t) == 0 ? t : TIME_UNSET;
}

struct case_anchors {
    const json_t *times, *facts;
};

/* stage_last:A,B given as its parts: the latest of times' stage_last:A
 * and stage_last:B (the last report of any of the stages). */
static int64_t
case_stage_last_any(const json_t *times, const char *name)
{
    int64_t last = TIME_UNSET;

    for (const char *p = name + 11; p != NULL; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        char part[96];
        int64_t t;
        snprintf(part, sizeof(part), "stage_last:%.*s", (int)strcspn(p, ","), p);
        t = case_time(times, part);
        if (t != TIME_UNSET && (last == TIME_UNSET || t > last))
            last = t;
    }
    return last;
}

static int64_t
case_anchor(const char *name, void *arg)
{
    const struct case_anchors *a = arg;
    int64_t t = case_time(a->times, name);

    if (t == TIME_UNSET && strncmp(name, "stage_last:", 11) == 0 && strchr(name, ',') != NULL)
        t = case_stage_last_any(a->times, name);

    /* classified_major_at is a DORA fact; without it, classified_at (when
     * meldpunt first judged the incident major), as in classify.c */
    if (t == TIME_UNSET && strcmp(name, "classified_major_at") == 0)
        t = case_time(a->facts, name);
    if (t == TIME_UNSET && strcmp(name, "classified_major_at") == 0)
        t = case_time(a->times, "classified_at");
    return t;
}

/* The due times the case expects, from rules_stage_time with the case's
 * clock; adds problems to b. */
static void
compare_due(const json_t *c, const struct ruleset *rs, const json_t *res, struct buf *b)
{
    const json_t *times = json_object_get(c, "times");
    struct case_anchors a = {.times = times, .facts = json_object_get(c, "facts")};
    struct rule_clock clock = {.now = case_time(times, "now"),
                               .resolved_at = case_time(times, "resolved_at"),
                               .reopened_at = case_time(times, "reopened_at"),
                               .anchor = case_anchor,
                               .ctx = &a,
                               .facts = json_object_get(c, "facts"),
                               .profile = json_object_get(c, "profile")};
    const char *stage_id;
    json_t *want, *x;
    size_t i;

    json_object_foreach(json_object_get(json_object_get(c, "expect"), "due"), stage_id, want)
    {
        const struct rule_stage *st = NULL;
        struct rule_stage_time tm;
        char got[TIME_RFC3339_LEN] = "null";
        bool listed = false;

        for (int k = 0; k < rs->nstages; k++) {
            if (strcmp(rs->stages[k].id, stage_id) == 0)
                st = &rs->stages[k];
        }
        json_array_foreach(json_object_get(res, "stages"), i, x)
        {
            listed = listed || strcmp(json_string_value(json_object_get(x, "id")), stage_id) == 0;
        }
        if (st == NULL || !listed) {
            problem(b, "stage '%s' is not %s", stage_id,
                    st ? "listed (its when is no)" : "defined");
            continue;
        }
        rules_stage_time(st, &clock, &tm);
        if (tm.not_due)
            snprintf(got, sizeof(got), "not due");
        else if (tm.due != TIME_UNSET)
            time_format_rfc3339(tm.due, got, sizeof(got));
        if (strcmp(got, json_is_null(want) ? "null" : json_string_value(want)) != 0)
            problem(b, "stage '%s' is due %s, want %s (regular %lld, ongoing at due %s)", stage_id,
                    got, json_is_null(want) ? "null" : json_string_value(want),
                    (long long)tm.regular, tri_name(tm.ongoing));
    }
}

/* CIR 2024/2690 art. 4, RTS 2024/1772 art. 8(2): the combination the
 * case's incident "self" belongs to among its "recurring" incidents. */
static void
compare_recurrence(const json_t *c, const struct ruleset *rs, struct buf *b)
{
    const json_t *want = json_object_get(json_object_get(c, "expect"), "recurrence");
    const json_t *list = json_object_get(c, "recurring");
    struct recur_member m[16];
    int n = (int)json_array_size(list), self;
    json_t *got, *x;
    size_t i;

    if (want == NULL && list == NULL)
        return;
    if (!json_is_array(list) || n < 1 || n > 16) {
        problem(b, "expect.recurrence needs recurring: a list of 1 to 16 incidents");
        return;
    }
    self = json_is_integer(json_object_get(c, "self"))
               ? (int)json_integer_value(json_object_get(c, "self"))
               : n - 1;
    json_array_foreach(list, i, x)
    {
        m[i].facts = json_object_get(x, "facts");
        m[i].at = case_time(x, "occurred_at");
        m[i].recorded = json_object_get(x, "recorded_at") ? case_time(x, "recorded_at") : m[i].at;
        if (m[i].recorded == TIME_UNSET)
            problem(b, "recurring[%zu].recorded_at must be RFC 3339", i);
        if (m[i].at == TIME_UNSET || (i > 0 && m[i].at < m[i - 1].at))
            problem(b, "recurring[%zu].occurred_at must be RFC 3339, oldest first", i);
    }
    if (b->len > 0)
        return;
    got = rules_recurring(rs, m, n, self, json_object_get(c, "profile"));
    if (want == NULL || json_is_null(want)) {
        if (got != NULL && want != NULL)
            problem(b, "recurrence is %s, want none", dump(got));
    } else if (got == NULL) {
        problem(b, "no recurrence, want %s", dump(want));
    } else {
        const char *r = json_string_value(json_object_get(got, "result"));
        if (strcmp(r, json_string_value(json_object_get(want, "result"))) != 0)
            problem(b, "recurrence result \"%s\", want %s (combined %s, missing %s)", r,
                    dump(json_object_get(want, "result")), dump(json_object_get(got, "combined")),
                    dump(json_object_get(got, "missing")));
        if (json_object_get(want, "members") &&
            !json_equal(json_object_get(want, "members"), json_object_get(got, "members")))
            problem(b, "recurrence members %s, want %s", dump(json_object_get(got, "members")),
                    dump(json_object_get(want, "members")));
        if (json_object_get(want, "lead") &&
            !json_equal(json_object_get(want, "lead"), json_object_get(got, "lead")))
            problem(b, "recurrence lead %s, want %s", dump(json_object_get(got, "lead")),
                    dump(json_object_get(want, "lead")));
    }
    json_decref(got);
}

/* Compares one result with what the case expects; adds problems to b. */
static void
compare_case(const json_t *e, const json_t *res, struct buf *b)
{
    const char *want, *got, *stage_id;
    json_t *val, *x, *crit, *y;
    size_t i, k;

    val = json_object_get(e, "applies");
    got = json_string_value(json_object_get(res, "applies"));
    want = json_is_string(val) ? json_string_value(val) : json_is_true(val) ? "yes" : "no";
    if (val != NULL && strcmp(got, want) != 0)
        problem(b, "applies is \"%s\", want %s", got, want);

    want = json_string_value(json_object_get(e, "significant"));
    if (want == NULL)
        want = "no"; /* applies false */
    got = json_string_value(json_object_get(res, "significant"));
    if (strcmp(want, got) != 0)
        problem(b, "significant is \"%s\", want \"%s\" (missing %s)", got, want,
                dump(json_object_get(res, "missing")));

    val = json_object_get(e, "lifted");
    if (val != NULL) {
        const char *lifted = json_string_value(json_object_get(res, "lifted"));
        if (lifted == NULL)
            problem(b, "the rule set has no lifted_by, the case expects lifted \"%s\"",
                    json_string_value(val));
        else if (strcmp(lifted, json_string_value(val)) != 0)
            problem(b, "lifted is \"%s\", want \"%s\"", lifted, json_string_value(val));
    }

    json_object_foreach(json_object_get(e, "recipients"), stage_id, val)
    {
        json_t *got_to = NULL;
        json_array_foreach(json_object_get(res, "stages"), i, x)
        {
            if (strcmp(json_string_value(json_object_get(x, "id")), stage_id) == 0)
                got_to = json_object_get(x, "recipients");
        }
        if (got_to == NULL)
            problem(b, "stage '%s' is not listed", stage_id);
        else if (!json_equal(got_to, val))
            problem(b, "stage '%s' goes to %s, want %s", stage_id, dump(got_to), dump(val));
    }

    json_object_foreach(json_object_get(e, "conditional"), stage_id, val)
    {
        /* listed, owed only once its when holds (conditional true), or owed
         * (false); with due_now: a stage without a deadline in hours */
        json_t *st = NULL;
        json_array_foreach(json_object_get(res, "stages"), i, x)
        {
            if (strcmp(json_string_value(json_object_get(x, "id")), stage_id) == 0)
                st = x;
        }
        if (st == NULL)
            problem(b, "stage '%s' is not listed", stage_id);
        else if (json_is_true(json_object_get(st, "conditional")) != json_is_true(val))
            problem(b, "stage '%s' conditional is %s, want %s", stage_id,
                    json_is_true(val) ? "false" : "true", json_is_true(val) ? "true" : "false");
    }
    json_array_foreach(json_object_get(e, "due_now"), i, x)
    {
        bool found = false;
        json_array_foreach(json_object_get(res, "stages"), k, y)
        {
            if (strcmp(json_string_value(json_object_get(y, "id")), json_string_value(x)) == 0) {
                found = true;
                if (!json_is_true(json_object_get(y, "without_deadline")))
                    problem(b, "stage '%s' has a deadline, want due now (without_deadline)",
                            json_string_value(x));
            }
        }
        if (!found)
            problem(b, "stage '%s' is not listed, want it due now", json_string_value(x));
    }

    json_array_foreach(json_object_get(e, "absent"), i, x)
    {
        json_array_foreach(json_object_get(res, "stages"), k, y)
        {
            if (strcmp(json_string_value(json_object_get(y, "id")), json_string_value(x)) == 0)
                problem(b, "stage '%s' is listed, want it absent (its when no)",
                        json_string_value(x));
        }
    }

    crit = json_object_get(res, "criteria");
    json_array_foreach(json_object_get(e, "fired"), i, x)
    {
        const char *id = json_string_value(x);
        const char *result = NULL;

        json_array_foreach(crit, k, y)
        {
            if (strcmp(json_string_value(json_object_get(y, "id")), id) == 0) {
                result = json_string_value(json_object_get(y, "result"));
                break;
            }
        }
        if (result == NULL)
            problem(b, "criterion '%s' was not evaluated", id);
        else if (strcmp(result, "yes") != 0)
            problem(b, "criterion '%s' is \"%s\", want yes (conditions %s)", id, result,
                    dump(json_object_get(y, "conditions")));
    }

    val = json_object_get(e, "missing");
    if (val != NULL) {
        json_t *missing = json_object_get(res, "missing");
        bool same = true;

        /* The case names the deciding facts; the engine lists every
         * unknown fact whose value could still decide the outcome, so the
         * case's list must be among them. */
        json_array_foreach(val, i, x) same = same && list_has(missing, x);
        if (!same)
            problem(b, "missing is %s, which lacks some of %s", dump(missing), dump(val));
    }
}

/* rules_decide (the outcome without the explanation, over the flat fact
 * vector) must say what rules_evaluate says: the same applies,
 * significance and lift, and the same stages applying or conditional. */
static void
compare_decision(const struct ruleset *rs, const json_t *facts, const json_t *profile,
                 const json_t *res, struct buf *b)
{
    struct rules_facts fv;
    struct rules_decision dec;
    const json_t *lifted = json_object_get(res, "lifted");
    unsigned long listed = 0, conditional = 0;
    size_t i;
    json_t *x;

    rules_facts_load(&fv, facts, profile);
    rules_decide(rs, &fv, &dec);
    if (strcmp(tri_name(dec.applies), json_string_value(json_object_get(res, "applies"))) != 0 ||
        strcmp(tri_name(dec.significant), json_string_value(json_object_get(res, "significant"))) !=
            0 ||
        (lifted != NULL && strcmp(tri_name(dec.lifted), json_string_value(lifted)) != 0))
        problem(b, "rules_decide says applies %s, significant %s, lifted %s; rules_evaluate %s",
                tri_name(dec.applies), tri_name(dec.significant), tri_name(dec.lifted), dump(res));
    json_array_foreach(json_object_get(res, "stages"), i, x)
    {
        for (int k = 0; k < rs->nstages && k < 32; k++) {
            if (strcmp(rs->stages[k].id, json_string_value(json_object_get(x, "id"))) != 0)
                continue;
            listed |= 1UL << k;
            if (json_is_true(json_object_get(x, "conditional")))
                conditional |= 1UL << k;
        }
    }
    if ((dec.when_yes | dec.when_unknown) != listed || dec.when_unknown != conditional)
        problem(b, "rules_decide stages %lx/%lx, rules_evaluate %lx/%lx", dec.when_yes,
                dec.when_unknown, listed & ~conditional, conditional);
}

START_TEST(test_case)
{
    const json_t *c = json_array_get(cases, (size_t)_i);
    const char *name = json_string_value(json_object_get(c, "name"));
    struct buf b = BUF_INIT;
    char label[160], msg[4096] = "";
    json_t *facts, *profile, *res;
    const struct ruleset *rs;
    const char *regime;

    snprintf(label, sizeof(label), "case %d '%s'", _i, name != NULL ? name : "(no name)");
    ck_assert_msg(rules != NULL, "%s: no rules: %s", label, load_error);
    if (!check_case_shape(c, &b)) {
        snprintf(msg, sizeof(msg), "%s: %s: %s", cases_file, label, b.data);
        buf_free(&b);
        ck_abort_msg("%s", msg);
    }
    regime = json_string_value(json_object_get(c, "regime"));
    rs = rules_find(rules, regime);
    ck_assert_msg(rs != NULL, "%s: no rule set for regime '%s' in %s", label, regime, rules_dir);
    facts = json_object_get(c, "facts");
    profile = json_object_get(c, "profile");
    res = rules_evaluate(rs, facts, profile); /* absent: nothing known */
    ck_assert_msg(res != NULL, "%s: rules_evaluate returned NULL", label);
    compare_case(json_object_get(c, "expect"), res, &b);
    compare_decision(rs, facts, profile, res, &b);
    compare_due(c, rs, res, &b);
    compare_recurrence(c, rs, &b);
    if (b.len > 0) {
        /* the evaluation on stderr, then the failure */
        fprintf(stderr, "%s (%s): criteria %s\n", label, regime,
                dump(json_object_get(res, "criteria")));
        snprintf(msg, sizeof(msg), "%s (%s): %s", label, regime, b.data);
    }
    json_decref(res);
    buf_free(&b);
    ck_assert_msg(msg[0] == '\0', "%s", msg);
}
END_TEST

/*
 * Every regime's reports and deadlines, written down again from the law
 * (shared/reference/regimes.md: NIS2 art. 23(4), with (e) the final report
 * of an incident still ongoing, CIR 2024/2690 recital 31,
 * CER art. 15(1), GDPR art. 33(1), DORA Del. Reg. 2025/301 art. 5 (the
 * initial notification of an incident classified late, the updated
 * intermediate report on recovery of regular activities "without undue
 * delay", the final report after the latest intermediate); the
 * Cbw's recipients: the CSIRT and the competent authority), so a change to
 * a deadline or a recipient in config/rules/ must be made twice to pass.
 */
static const struct {
    const char *regime, *stage, *recipient; /* every recipient, space-separated */
    bool asap, on_request;
    const char *due; /* "after within; after within" */
} law[] = {
    {"nis2", "early_warning", "csirt supervisor", true, false, "aware_at PT24H"},
    {"nis2", "notification", "csirt supervisor", true, false, "aware_at PT72H"},
    {"nis2", "notification_trust", "csirt supervisor", true, false, "aware_at PT24H"},
    {"nis2", "intermediate", "csirt supervisor", false, true, ""},
    {"nis2", "final", "csirt supervisor", false, false,
     "stage:notification P1M; stage:notification_trust P1M | if ongoing: handled_at P1M"},
    {"nis2", "progress", "csirt supervisor", false, false,
     "stage:notification P1M; stage:notification_trust P1M | only if ongoing"},
    {"nis2", "inform_recipients", "clients", true, false, " | without deadline"},
    {"nis2-cir", "inform_recipients", "clients", true, false, " | without deadline"},
    {"nis2-cir", "early_warning", "csirt supervisor", true, false, "aware_at PT24H"},
    {"nis2-cir", "notification", "csirt supervisor", true, false, "aware_at PT72H"},
    {"nis2-cir", "notification_trust", "csirt supervisor", true, false, "aware_at PT24H"},
    {"nis2-cir", "intermediate", "csirt supervisor", false, true, ""},
    {"nis2-cir", "final", "csirt supervisor", false, false,
     "stage:notification P1M; stage:notification_trust P1M | if ongoing: handled_at P1M"},
    {"nis2-cir", "progress", "csirt supervisor", false, false,
     "stage:notification P1M; stage:notification_trust P1M | only if ongoing"},
    {"cer", "initial", "cer_authority", true, false, "aware_at PT24H"},
    {"cer", "detailed", "cer_authority", false, false, "stage:initial P1M"},
    {"gdpr", "notification", "dpa", true, false, "aware_at PT72H"},
    {"gdpr", "communication_data_subjects", "data_subjects", true, false, "aware_at PT72H"},
    {"eidas", "notification", "trust_supervisor", true, false, "aware_at PT24H"},
    {"nis2-threat", "voluntary_notification", "csirt", false, false, " | voluntary"},
    {"nis2-threat", "inform_recipients_threat", "clients", true, false, " | without deadline"},
    {"dora", "initial", "financial_supervisor", true, false,
     "classified_major_at PT4H; aware_at PT24H unless passed at classified_major_at | next "
     "working day 12:00 nl unless"},
    {"dora", "intermediate", "financial_supervisor", false, false,
     "stage:initial PT72H | next working day 12:00 nl unless"},
    {"dora", "intermediate_recovery", "financial_supervisor", true, false, " | without deadline"},
    {"dora", "final", "financial_supervisor", false, false,
     "stage_last:intermediate,intermediate_recovery P1M | next working day 12:00 nl"},
};

/* "after within; later_of(after within, after within)" */
static void
describe_due(const struct rule_due *dv, int n, char *out, size_t size)
{
    out[0] = '\0';
    for (int d = 0; d < n; d++) {
        size_t len = strlen(out);
        if (dv[d].nlater == 0) {
            snprintf(out + len, size - len, "%s%s %s", d ? "; " : "", dv[d].anchor,
                     dv[d].within_text);
            len = strlen(out);
            if (dv[d].unless_passed_at[0])
                snprintf(out + len, size - len, " unless passed at %s", dv[d].unless_passed_at);
            continue;
        }
        snprintf(out + len, size - len, "%slater_of(", d ? "; " : "");
        for (int p = 0; p < dv[d].nlater; p++) {
            len = strlen(out);
            snprintf(out + len, size - len, "%s%s %s", p ? ", " : "", dv[d].later[p].anchor,
                     dv[d].later[p].within_text);
        }
        len = strlen(out);
        snprintf(out + len, size - len, ")");
    }
}

START_TEST(test_deadlines_per_regime)
{
    int checked = 0;

    if (strcmp(rules_dir, "config/rules") != 0)
        return; /* the table is about the shipped rules */
    ck_assert_msg(rules != NULL, "no rules: %s", load_error);
    for (size_t i = 0; i < sizeof(law) / sizeof(law[0]); i++) {
        const struct ruleset *rs = rules_find(rules, law[i].regime);
        const struct rule_stage *st = NULL;
        char due[384] = "";

        ck_assert_msg(rs != NULL, "no rule set %s", law[i].regime);
        for (int k = 0; k < rs->nstages; k++) {
            if (strcmp(rs->stages[k].id, law[i].stage) == 0)
                st = &rs->stages[k];
        }
        ck_assert_msg(st != NULL, "%s has no stage %s", law[i].regime, law[i].stage);
        {
            char to[128] = "";
            for (int r = 0; r < st->nrecipients; r++)
                snprintf(to + strlen(to), sizeof(to) - strlen(to), "%s%s", r ? " " : "",
                         st->recipients[r]);
            ck_assert_msg(strcmp(to, law[i].recipient) == 0,
                          "%s %s: recipients \"%s\", the law says \"%s\"", law[i].regime,
                          law[i].stage, to, law[i].recipient);
            ck_assert_str_eq(st->recipient, st->recipients[0]);
        }
        ck_assert_msg(st->asap == law[i].asap, "%s %s asap", law[i].regime, law[i].stage);
        ck_assert_msg(st->on_request == law[i].on_request, "%s %s on_request", law[i].regime,
                      law[i].stage);
        describe_due(st->due, st->ndue, due, sizeof(due));
        if (st->only_if_ongoing)
            snprintf(due + strlen(due), sizeof(due) - strlen(due), " | only if ongoing");
        if (st->without_deadline)
            snprintf(due + strlen(due), sizeof(due) - strlen(due), " | without deadline");
        if (st->voluntary)
            snprintf(due + strlen(due), sizeof(due) - strlen(due), " | voluntary");
        if (st->wd_calendar[0])
            snprintf(due + strlen(due), sizeof(due) - strlen(due),
                     " | next working day %02d:%02d %s%s", st->wd_at_minutes / 60,
                     st->wd_at_minutes % 60, st->wd_calendar, st->wd_unless ? " unless" : "");
        if (st->nongoing_due > 0) {
            snprintf(due + strlen(due), sizeof(due) - strlen(due), " | if ongoing: ");
            describe_due(st->ongoing_due, st->nongoing_due, due + strlen(due),
                         sizeof(due) - strlen(due));
        }
        ck_assert_msg(strcmp(due, law[i].due) == 0, "%s %s: due \"%s\", the law says \"%s\"",
                      law[i].regime, law[i].stage, due, law[i].due);
        checked++;
    }
    /* and no stage in the files that the table does not know */
    for (int r = 0; r < rules->nsets; r++) {
        for (int k = 0; k < rules->sets[r].nstages; k++) {
            bool known = false;
            for (size_t i = 0; i < sizeof(law) / sizeof(law[0]); i++)
                known = known || (strcmp(law[i].regime, rules->sets[r].regime) == 0 &&
                                  strcmp(law[i].stage, rules->sets[r].stages[k].id) == 0);
            ck_assert_msg(known, "stage %s of %s is not in the table", rules->sets[r].stages[k].id,
                          rules->sets[r].regime);
        }
    }
    ck_assert_int_eq(checked, (int)(sizeof(law) / sizeof(law[0])));
}
END_TEST

/*
 * Issue 16 item 3: timeliness is judged on when a report was sent, not when
 * it was recorded (NIS2 art. 23(4) "submit ... within"; GDPR art. 33(1);
 * Delegated Reg. 2025/301 art. 5).  Times in seconds after the due time D.
 */
#define D 1000000
static const struct {
    const char *name, *status; /* the obligation before */
    int64_t due, sent;
    const char *want;
} sent_cases[] = {
    {"sent an hour before the due time", "pending", D, D - 3600, "submitted"},
    {"sent at the due second", "pending", D, D, "submitted"},
    {"sent a second after the due time", "pending", D, D + 1, "missed"},
    {"marked missed for want of a record, sent in time", "missed", D, D - 60, "submitted"},
    {"marked missed, sent at the due second", "missed", D, D, "submitted"},
    {"marked missed, sent late", "missed", D, D + 60, "missed"},
    {"waived, sent anyway", "waived", D, D - 60, "waived"},
    {"already submitted: frozen", "submitted", D, D + 60, "submitted"},
    {"no due time (without undue delay): never missed", "pending", TIME_UNSET, D + 9999999,
     "submitted"},
};

START_TEST(test_sent_status)
{
    const char *got =
        rules_sent_status(sent_cases[_i].status, sent_cases[_i].due, sent_cases[_i].sent);
    ck_assert_msg(strcmp(got, sent_cases[_i].want) == 0, "%s: %s, want %s", sent_cases[_i].name,
                  got, sent_cases[_i].want);
}
END_TEST

/* The sending time itself: at most RULES_SUBMIT_SKEW_SECONDS ahead of the
 * clock, and not before the incident was detected or known. */
static const struct {
    const char *name;
    int64_t sent, now, known;
    enum rules_sent_check want;
} check_cases[] = {
    {"recorded now", D, D, D - 3600, RULES_SENT_OK},
    {"sent two days before it was recorded", D - 172800, D, D - 200000, RULES_SENT_OK},
    {"5 minutes ahead of this clock (skew)", D + 300, D, D - 3600, RULES_SENT_OK},
    {"5 minutes and a second ahead", D + 301, D, D - 3600, RULES_SENT_FUTURE},
    {"at the moment the incident became known", D - 3600, D, D - 3600, RULES_SENT_OK},
    {"a second before the incident was known", D - 3601, D, D - 3600, RULES_SENT_EARLY},
    {"incident times unknown", D - 999999, D, TIME_UNSET, RULES_SENT_OK},
};

START_TEST(test_sent_check)
{
    enum rules_sent_check got =
        rules_sent_check(check_cases[_i].sent, check_cases[_i].now, check_cases[_i].known);
    ck_assert_msg(got == check_cases[_i].want, "%s: %d, want %d", check_cases[_i].name, (int)got,
                  (int)check_cases[_i].want);
}
END_TEST
#undef D

int
main(void)
{
    Suite *s = suite_create("rule_cases");
    TCase *tc = tcase_create("cases");
    int rc;

    load_all();
    printf("rule cases: %s against %s\n", cases_file, rules_dir);
    tcase_add_test(tc, test_cases_load);
    tcase_add_test(tc, test_deadlines_per_regime);
    if (cases != NULL && rules != NULL)
        tcase_add_loop_test(tc, test_case, 0, (int)json_array_size(cases));
    suite_add_tcase(s, tc);
    tc = tcase_create("timeliness");
    tcase_add_loop_test(tc, test_sent_status, 0, (int)(sizeof(sent_cases) / sizeof(sent_cases[0])));
    tcase_add_loop_test(tc, test_sent_check, 0,
                        (int)(sizeof(check_cases) / sizeof(check_cases[0])));
    suite_add_tcase(s, tc);
    rc = tu_run(s);
    rules_release(rules);
    json_decref(cases);
    return rc;
}
