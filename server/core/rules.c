/*
 * rules.c - see rules.h and docs/RULES.md.
 *
 * Validation walks each file once at load and names the first problem by
 * its JSON path, so evaluation can trust the shapes it meets.  Evaluation
 * works on the jansson trees directly: rule files are small and a
 * classification evaluates each node once.
 */
#include "rules.h"
#include "core/incident.h"
#include "lib/embed.h"
#include "lib/file.h"

#include <dirent.h>
#include <sys/stat.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const profile_names[] = {
    "country",      "sector",         "subsector",           "nis2_class",      "entity_types",
    "cer_critical", "dora_financial", "annual_turnover_eur", "microenterprise", NULL};
/* Profile values that are amounts: never below zero (organisation.c checks). */
static const char *const profile_amounts[] = {"annual_turnover_eur", NULL};
static const char *const field_names[] = {"category", "cause", "severity", "services", "tlp", NULL};
static const char *const recipients[] = {
    "csirt",         "supervisor", "dpa", "cer_authority", "financial_supervisor",
    "data_subjects", "clients",    NULL};
static const char *const anchors[] = {
    "aware_at",   "detected_at", "started_at", "classified_at", "classified_major_at",
    "handled_at", NULL};

const char *
tri_name(enum tri t)
{
    return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "undetermined";
}

static bool
in_list(const char *const list[], const char *s)
{
    for (int i = 0; list[i]; i++) {
        if (strcmp(list[i], s) == 0)
            return true;
    }
    return false;
}

/* True when the fact is a count or an amount: validation (incident.c:
 * fact_check) keeps those at 0 or more, so an unknown one still lies in
 * [0, infinity). */
static bool
fact_nonnegative(const char *name)
{
    for (size_t i = 0; i < impact_facts_count; i++) {
        if (strcmp(impact_facts[i].name, name) == 0)
            return impact_facts[i].type == FACT_COUNT || impact_facts[i].type == FACT_NUMBER;
    }
    return false;
}

static bool
fact_known(const char *name)
{
    for (size_t i = 0; i < impact_facts_count; i++) {
        if (strcmp(impact_facts[i].name, name) == 0)
            return true;
    }
    return in_list(field_names, name);
}

struct rnode;
static struct rnode *compile_expr(const json_t *j);
static void rnode_free(struct rnode *n);
static int calendars_for(const char *dir, struct rules *r, struct mp_error *err);
static void calendars_free(struct rules *r);

/* ---- validation ---- */

struct vctx {
    const char *file;
    struct mp_error *err;
};

static bool
vfail(struct vctx *v, const char *path, const char *fmt, const char *arg)
{
    char reason[160];

    snprintf(reason, sizeof(reason), fmt, arg ? arg : "");
    mp_error_set(v->err, 0, "", "%s: %s: %s", v->file, path, reason);
    return false;
}

static bool
check_text(struct vctx *v, json_t *t, const char *path)
{
    const char *key;
    json_t *val;

    if (!json_is_object(t) || !json_is_string(json_object_get(t, "en")) ||
        !json_is_string(json_object_get(t, "nl")))
        return vfail(v, path, "must be {\"en\": text, \"nl\": text}", NULL);
    json_object_foreach(t, key, val)
    {
        if (strcmp(key, "en") != 0 && strcmp(key, "nl") != 0)
            return vfail(v, path, "unknown language '%s' (en, nl)", key);
    }
    return true;
}

static bool check_value(struct vctx *v, json_t *e, const char *path);

static bool
is_constant(json_t *e)
{
    size_t i;
    json_t *x;

    if (json_is_number(e) || json_is_string(e) || json_is_boolean(e))
        return true;
    if (!json_is_array(e))
        return false;
    json_array_foreach(e, i, x)
    {
        if (!json_is_number(x) && !json_is_string(x) && !json_is_boolean(x))
            return false;
    }
    return true;
}

static bool
check_value(struct vctx *v, json_t *e, const char *path)
{
    static const char *const arith[] = {"div", "mul", "min", "max", NULL};
    char sub[512];
    const char *key;
    json_t *val;

    if (is_constant(e))
        return true;
    if (!json_is_object(e) ||
        json_object_size(e) != (json_object_get(e, "default") != NULL ? 2u : 1u))
        return vfail(v, path,
                     "a value is a constant or one of {fact}, {fact, default}, {profile}, "
                     "{div}, {mul}, {min}, {max}",
                     NULL);
    json_object_foreach(e, key, val)
    {
        snprintf(sub, sizeof(sub), "%s.%s", path, key);
        if (strcmp(key, "default") == 0) {
            if (json_object_get(e, "fact") == NULL || !is_constant(val))
                return vfail(v, sub, "default goes with fact and is a constant", NULL);
        } else if (strcmp(key, "fact") == 0) {
            if (!json_is_string(val) || !fact_known(json_string_value(val)))
                return vfail(v, sub, "unknown fact '%s' (docs/INCIDENTS.md lists them)",
                             json_is_string(val) ? json_string_value(val) : "?");
        } else if (strcmp(key, "profile") == 0) {
            if (!json_is_string(val) || !in_list(profile_names, json_string_value(val)))
                return vfail(v, sub, "unknown profile value '%s'",
                             json_is_string(val) ? json_string_value(val) : "?");
        } else if (in_list(arith, key)) {
            size_t i;
            json_t *x;
            bool binary = strcmp(key, "div") == 0 || strcmp(key, "mul") == 0;

            if (!json_is_array(val) || json_array_size(val) < 2 ||
                (binary && json_array_size(val) != 2))
                return vfail(v, sub,
                             binary ? "needs a list of two values"
                                    : "needs a list of two or more values",
                             NULL);
            json_array_foreach(val, i, x)
            {
                char item[560];
                snprintf(item, sizeof(item), "%s[%zu]", sub, i);
                if (!check_value(v, x, item))
                    return false;
            }
        } else {
            return vfail(v, sub, "unknown value operator '%s'", key);
        }
    }
    return true;
}

static bool
check_expr(struct vctx *v, json_t *e, const char *path)
{
    static const char *const ops[] = {">", ">=", "<", "<=", "==", "!=", "in", "has", NULL};
    static const char *const allowed[] = {"all",  "any",   "not", "at_least", "of",     "op",
                                          "left", "right", "id",  "text",     "source", NULL};
    char sub[512];
    const char *key;
    json_t *val, *x;
    int shapes = 0;
    size_t i;

    if (json_is_boolean(e))
        return true;
    if (!json_is_object(e))
        return vfail(v, path, "an expression is true, false or an object", NULL);
    json_object_foreach(e, key, val)
    {
        if (!in_list(allowed, key))
            return vfail(v, path, "unknown member '%s'", key);
    }
    if ((x = json_object_get(e, "id")) != NULL && !json_is_string(x))
        return vfail(v, path, "id must be a string", NULL);
    if ((x = json_object_get(e, "source")) != NULL && !json_is_string(x))
        return vfail(v, path, "source must be a string", NULL);
    if ((x = json_object_get(e, "text")) != NULL) {
        snprintf(sub, sizeof(sub), "%s.text", path);
        if (!check_text(v, x, sub))
            return false;
    }
    shapes = (json_object_get(e, "all") != NULL) + (json_object_get(e, "any") != NULL) +
             (json_object_get(e, "not") != NULL) + (json_object_get(e, "at_least") != NULL) +
             (json_object_get(e, "op") != NULL);
    if (shapes != 1)
        return vfail(v, path, "needs exactly one of all, any, not, at_least+of, op+left+right",
                     NULL);
    if ((json_object_get(e, "of") != NULL) != (json_object_get(e, "at_least") != NULL))
        return vfail(v, path, "at_least and of go together", NULL);
    if ((json_object_get(e, "op") != NULL) !=
        (json_object_get(e, "left") != NULL || json_object_get(e, "right") != NULL))
        return vfail(v, path, "left and right go with op", NULL);
    if ((val = json_object_get(e, "all")) != NULL || (val = json_object_get(e, "any")) != NULL ||
        (val = json_object_get(e, "of")) != NULL) {
        const char *name = json_object_get(e, "all")   ? "all"
                           : json_object_get(e, "any") ? "any"
                                                       : "of";
        if (json_object_get(e, "at_least") &&
            (!json_is_integer(json_object_get(e, "at_least")) ||
             json_integer_value(json_object_get(e, "at_least")) < 1))
            return vfail(v, path, "at_least must be a whole number of 1 or more", NULL);
        if (json_object_get(e, "at_least") && json_object_get(e, "of") == NULL)
            return vfail(v, path, "at_least needs of", NULL);
        if (!json_is_array(val) || json_array_size(val) == 0)
            return vfail(v, path, "%s needs a non-empty list", name);
        json_array_foreach(val, i, x)
        {
            snprintf(sub, sizeof(sub), "%s.%s[%zu]", path, name, i);
            if (!check_expr(v, x, sub))
                return false;
        }
        return true;
    }
    if ((val = json_object_get(e, "not")) != NULL) {
        snprintf(sub, sizeof(sub), "%s.not", path);
        return check_expr(v, val, sub);
    }
    val = json_object_get(e, "op");
    if (!json_is_string(val) || !in_list(ops, json_string_value(val)))
        return vfail(v, path, "op must be one of > >= < <= == != in has", NULL);
    if (json_object_get(e, "left") == NULL || json_object_get(e, "right") == NULL)
        return vfail(v, path, "a comparison needs left and right", NULL);
    snprintf(sub, sizeof(sub), "%s.left", path);
    if (!check_value(v, json_object_get(e, "left"), sub))
        return false;
    snprintf(sub, sizeof(sub), "%s.right", path);
    if (!check_value(v, json_object_get(e, "right"), sub))
        return false;
    if (strcmp(json_string_value(val), "in") == 0 && !json_is_array(json_object_get(e, "right")))
        return vfail(v, path, "in needs a list on the right", NULL);
    return true;
}

/* n decimal digits at s into *out; false when any is not a digit. */
static bool
digits(const char *s, int n, int *out)
{
    *out = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *out = *out * 10 + (s[i] - '0');
    }
    return true;
}

/* "HH:MM" (exactly) into *hh and *mm. */
static bool
parse_hhmm(const char *s, int *hh, int *mm)
{
    return strlen(s) == 5 && s[2] == ':' && digits(s, 2, hh) && digits(s + 3, 2, mm);
}

/* A known anchor name, or stage:ID / stage_last:ID (the ID is checked once
 * every stage is loaded). */
static bool
anchor_ok(const char *a)
{
    return in_list(anchors, a) || strncmp(a, "stage:", 6) == 0 ||
           strncmp(a, "stage_last:", 11) == 0;
}

/* The stage an anchor names, or NULL. */
static const char *
anchor_stage(const char *a)
{
    if (strncmp(a, "stage:", 6) == 0)
        return a + 6;
    if (strncmp(a, "stage_last:", 11) == 0)
        return a + 11;
    return NULL;
}

/* {"after": ANCHOR, "within": DURATION} into t. */
static bool
check_time(struct vctx *v, json_t *val, const char *path, struct rule_time *t)
{
    json_t *after = json_object_get(val, "after"), *within = json_object_get(val, "within");
    const char *a;

    if (!json_is_object(val) || json_object_size(val) != 2 || !json_is_string(after) ||
        !json_is_string(within))
        return vfail(v, path, "must be {\"after\": ANCHOR, \"within\": DURATION}", NULL);
    a = json_string_value(after);
    if (!anchor_ok(a))
        return vfail(v, path, "unknown anchor '%s'", a);
    if (duration_parse(json_string_value(within), &t->within) != 0)
        return vfail(v, path, "within '%s' is not an ISO 8601 duration", json_string_value(within));
    snprintf(t->anchor, sizeof(t->anchor), "%s", a);
    snprintf(t->within_text, sizeof(t->within_text), "%s", json_string_value(within));
    return true;
}

/* A list of due entries: {"after", "within"} or {"later_of": [2 to 4 of
 * those]}. */
static bool
check_due_list(struct vctx *v, json_t *x, const char *path, bool need_one, struct rule_due *out,
               int *n)
{
    char sub[560], part[600];
    size_t i, k;
    json_t *val, *p;

    if (!json_is_array(x) || json_array_size(x) > RULE_DUE_MAX ||
        (json_array_size(x) == 0 && need_one))
        return vfail(v, path, "must be a list of 1 to 4 {after, within} or {later_of}", NULL);
    json_array_foreach(x, i, val)
    {
        struct rule_due *d = &out[*n];
        json_t *later = json_object_get(val, "later_of");

        memset(d, 0, sizeof(*d));
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (later != NULL) {
            if (json_object_size(val) != 1 || !json_is_array(later) || json_array_size(later) < 2 ||
                json_array_size(later) > RULE_DUE_MAX)
                return vfail(v, sub, "later_of is a list of 2 to 4 {after, within}", NULL);
            json_array_foreach(later, k, p)
            {
                snprintf(part, sizeof(part), "%s.later_of[%zu]", sub, k);
                if (!check_time(v, p, part, &d->later[d->nlater]))
                    return false;
                d->nlater++;
            }
            snprintf(d->anchor, sizeof(d->anchor), "later_of");
        } else {
            json_t *unless = json_object_get(val, "unless_passed_at"), *plain = val;
            struct rule_time t;
            bool ok;

            if (unless != NULL) {
                if (!json_is_string(unless) || !anchor_ok(json_string_value(unless)))
                    return vfail(v, sub, "unless_passed_at must be an anchor", NULL);
                snprintf(d->unless_passed_at, sizeof(d->unless_passed_at), "%s",
                         json_string_value(unless));
                plain = json_copy(val);
                json_object_del(plain, "unless_passed_at");
            }
            ok = check_time(v, plain, sub, &t);
            if (plain != val)
                json_decref(plain);
            if (!ok)
                return false;
            snprintf(d->anchor, sizeof(d->anchor), "%s", t.anchor);
            d->within = t.within;
            snprintf(d->within_text, sizeof(d->within_text), "%s", t.within_text);
        }
        (*n)++;
    }
    return true;
}

/* Each point in time of a due entry: the entry itself, or its later_of
 * parts. */
static int
due_parts(const struct rule_due *d, struct rule_time parts[RULE_DUE_MAX])
{
    if (d->nlater == 0) {
        /* the same sizes in both structs: plain copies */
        _Static_assert(sizeof(parts[0].anchor) == sizeof(d->anchor), "anchor sizes");
        _Static_assert(sizeof(parts[0].within_text) == sizeof(d->within_text), "within sizes");
        memcpy(parts[0].anchor, d->anchor, sizeof(parts[0].anchor));
        parts[0].within = d->within;
        memcpy(parts[0].within_text, d->within_text, sizeof(parts[0].within_text));
        return 1;
    }
    memcpy(parts, d->later, sizeof(d->later[0]) * (size_t)d->nlater);
    return d->nlater;
}

/* A due entry as JSON: {after, within} or {later_of: [...]}. */
static json_t *
due_json(const struct rule_due *d)
{
    json_t *parts;

    if (d->nlater == 0 && d->unless_passed_at[0])
        return json_pack("{s:s, s:s, s:s}", "after", d->anchor, "within", d->within_text,
                         "unless_passed_at", d->unless_passed_at);
    if (d->nlater == 0)
        return json_pack("{s:s, s:s}", "after", d->anchor, "within", d->within_text);
    parts = json_array();
    for (int k = 0; k < d->nlater; k++)
        json_array_append_new(parts, json_pack("{s:s, s:s}", "after", d->later[k].anchor, "within",
                                               d->later[k].within_text));
    return json_pack("{s:o}", "later_of", parts);
}

static bool
check_stage(struct vctx *v, json_t *st, const char *path, struct rule_stage *out)
{
    static const char *const allowed[] = {"id",
                                          "name",
                                          "recipient",
                                          "due",
                                          "asap",
                                          "when",
                                          "on_request",
                                          "only_if_ongoing_at_due",
                                          "if_ongoing_at_due",
                                          "next_working_day",
                                          "contents",
                                          "source",
                                          NULL};
    char sub[512];
    const char *key;
    json_t *val, *x;
    size_t i;

    if (!json_is_object(st))
        return vfail(v, path, "a stage is an object", NULL);
    json_object_foreach(st, key, val)
    {
        if (!in_list(allowed, key))
            return vfail(v, path, "unknown member '%s'", key);
    }
    memset(out, 0, sizeof(*out));
    out->def = st;
    x = json_object_get(st, "id");
    if (!json_is_string(x) || json_string_length(x) == 0 || json_string_length(x) > 40)
        return vfail(v, path, "id must be a short string", NULL);
    out->id = json_string_value(x);
    snprintf(sub, sizeof(sub), "%s.name", path);
    if (!check_text(v, json_object_get(st, "name"), sub))
        return false;
    /* one role, or every role the report goes to (the Cbw: the CSIRT and
     * the competent authority); the first is whom a draft addresses */
    x = json_object_get(st, "recipient");
    if (json_is_string(x)) {
        out->recipients[out->nrecipients++] = json_string_value(x);
    } else if (json_is_array(x) && json_array_size(x) >= 1 &&
               json_array_size(x) <= RULE_RECIPIENTS_MAX) {
        json_array_foreach(x, i, val)
        {
            if (!json_is_string(val))
                break;
            for (int k = 0; k < out->nrecipients; k++) {
                if (strcmp(out->recipients[k], json_string_value(val)) == 0)
                    return vfail(v, path, "recipient '%s' is named twice", json_string_value(val));
            }
            out->recipients[out->nrecipients++] = json_string_value(val);
        }
    }
    if (out->nrecipients == 0 ||
        out->nrecipients != (json_is_array(x) ? (int)json_array_size(x) : 1))
        return vfail(v, path,
                     "recipient must be one of csirt, supervisor, dpa, cer_authority, "
                     "financial_supervisor, data_subjects, clients, or a list of 1 to 4 of them",
                     NULL);
    for (int k = 0; k < out->nrecipients; k++) {
        if (!in_list(recipients, out->recipients[k]))
            return vfail(v, path,
                         "recipient must be one of csirt, supervisor, dpa, cer_authority, "
                         "financial_supervisor, data_subjects, clients: not '%s'",
                         out->recipients[k]);
    }
    out->recipient = out->recipients[0];
    x = json_object_get(st, "asap");
    if (x != NULL && !json_is_boolean(x))
        return vfail(v, path, "asap must be true or false", NULL);
    out->asap = json_is_true(x);
    x = json_object_get(st, "on_request");
    if (x != NULL && !json_is_boolean(x))
        return vfail(v, path, "on_request must be true or false", NULL);
    out->on_request = json_is_true(x);
    x = json_object_get(st, "when");
    if (x != NULL) {
        snprintf(sub, sizeof(sub), "%s.when", path);
        if (!check_expr(v, x, sub))
            return false;
        out->when = x;
    }
    x = json_object_get(st, "due");
    if (x == NULL && !out->on_request)
        return vfail(v, path, "a stage needs due (or on_request: true)", NULL);
    if (x != NULL) {
        snprintf(sub, sizeof(sub), "%s.due", path);
        if (!check_due_list(v, x, sub, !out->on_request, out->due, &out->ndue))
            return false;
    }
    x = json_object_get(st, "only_if_ongoing_at_due");
    if (x != NULL && !json_is_boolean(x))
        return vfail(v, path, "only_if_ongoing_at_due must be true or false", NULL);
    out->only_if_ongoing = json_is_true(x);
    x = json_object_get(st, "if_ongoing_at_due");
    if (x != NULL) {
        snprintf(sub, sizeof(sub), "%s.if_ongoing_at_due", path);
        if (!check_due_list(v, x, sub, true, out->ongoing_due, &out->nongoing_due))
            return false;
    }
    x = json_object_get(st, "next_working_day");
    if (x != NULL) {
        json_t *cal = json_object_get(x, "calendar"), *at = json_object_get(x, "at");
        const char *k2;
        int hh, mm;

        snprintf(sub, sizeof(sub), "%s.next_working_day", path);
        if (!json_is_object(x) || !json_is_string(cal) || json_string_length(cal) == 0 ||
            json_string_length(cal) >= sizeof(out->wd_calendar) || !json_is_string(at))
            return vfail(v, sub, "must be {\"calendar\": ID, \"at\": \"HH:MM\", \"unless\"?: EXPR}",
                         NULL);
        json_object_foreach(x, k2, val)
        {
            if (strcmp(k2, "calendar") != 0 && strcmp(k2, "at") != 0 && strcmp(k2, "unless") != 0)
                return vfail(v, sub, "unknown member '%s'", k2);
        }
        if (!parse_hhmm(json_string_value(at), &hh, &mm) || hh > 23 || mm > 59)
            return vfail(v, sub, "at must be a local time HH:MM, not '%s'", json_string_value(at));
        snprintf(out->wd_calendar, sizeof(out->wd_calendar), "%s", json_string_value(cal));
        out->wd_at_minutes = hh * 60 + mm;
        if (json_object_get(x, "unless") != NULL) {
            snprintf(sub, sizeof(sub), "%s.next_working_day.unless", path);
            if (!check_expr(v, json_object_get(x, "unless"), sub))
                return false;
            out->wd_unless = json_object_get(x, "unless");
        }
    }
    if ((out->only_if_ongoing || out->nongoing_due > 0) && out->ndue == 0)
        return vfail(v, path,
                     "only_if_ongoing_at_due and if_ongoing_at_due need a due time to be "
                     "judged at",
                     NULL);
    x = json_object_get(st, "contents");
    if (!json_is_array(x))
        return vfail(v, path, "contents must be a list", NULL);
    json_array_foreach(x, i, val)
    {
        snprintf(sub, sizeof(sub), "%s.contents[%zu]", path, i);
        if (!json_is_object(val) || !json_is_string(json_object_get(val, "id")))
            return vfail(v, sub, "an item needs an id", NULL);
        snprintf(sub, sizeof(sub), "%s.contents[%zu].label", path, i);
        if (!check_text(v, json_object_get(val, "label"), sub))
            return false;
        if (json_object_get(val, "required") && !json_is_boolean(json_object_get(val, "required")))
            return vfail(v, sub, "required must be true or false", NULL);
    }
    return true;
}

/* Loads one file's text; path names it in messages. */
static int
load_text(const char *path, const char *text, size_t len, struct ruleset *rs, struct mp_error *err)
{
    static const char *const allowed[] = {"regime",  "version",     "title",     "source", "notes",
                                          "applies", "significant", "lifted_by", "stages", NULL};
    struct vctx v = {.file = path, .err = err};
    json_error_t jerr;
    const char *key;
    json_t *val, *x;
    size_t i;

    memset(rs, 0, sizeof(*rs));
    snprintf(rs->file, sizeof(rs->file), "%s", path);
    rs->doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (rs->doc == NULL)
        return mp_error_set(err, 0, "", "%s: line %d column %d: %s", path, jerr.line, jerr.column,
                            jerr.text);
    if (!json_is_object(rs->doc)) {
        vfail(&v, "$", "a rule file is a JSON object", NULL);
        return -1;
    }
    json_object_foreach(rs->doc, key, val)
    {
        if (!in_list(allowed, key)) {
            vfail(&v, "$", "unknown member '%s'", key);
            return -1;
        }
    }
    x = json_object_get(rs->doc, "regime");
    if (!json_is_string(x) || json_string_length(x) == 0 || json_string_length(x) > 40 ||
        strspn(json_string_value(x), "abcdefghijklmnopqrstuvwxyz0123456789-") !=
            json_string_length(x)) {
        vfail(&v, "$.regime", "must be a short id of a-z, 0-9 and -", NULL);
        return -1;
    }
    rs->regime = json_string_value(x);
    x = json_object_get(rs->doc, "version");
    if (!json_is_string(x) || json_string_length(x) == 0) {
        vfail(&v, "$.version", "is required (text)", NULL);
        return -1;
    }
    rs->version = json_string_value(x);
    if (!json_is_string(json_object_get(rs->doc, "source"))) {
        vfail(&v, "$.source", "is required: the legal reference", NULL);
        return -1;
    }
    if (!check_text(&v, json_object_get(rs->doc, "title"), "$.title"))
        return -1;
    if (json_object_get(rs->doc, "notes") &&
        !check_text(&v, json_object_get(rs->doc, "notes"), "$.notes"))
        return -1;
    rs->applies = json_object_get(rs->doc, "applies");
    if (rs->applies == NULL) {
        vfail(&v, "$.applies", "is required", NULL);
        return -1;
    }
    if (!check_expr(&v, rs->applies, "$.applies"))
        return -1;
    rs->significant = json_object_get(rs->doc, "significant");
    if (rs->significant == NULL) {
        vfail(&v, "$.significant", "is required", NULL);
        return -1;
    }
    if (!check_expr(&v, rs->significant, "$.significant"))
        return -1;
    rs->lifted_by = json_object_get(rs->doc, "lifted_by");
    if (rs->lifted_by != NULL && !check_expr(&v, rs->lifted_by, "$.lifted_by"))
        return -1;
    x = json_object_get(rs->doc, "stages");
    if (!json_is_array(x)) {
        vfail(&v, "$.stages", "must be a list", NULL);
        return -1;
    }
    rs->stages = calloc(json_array_size(x) + 1, sizeof(*rs->stages));
    if (rs->stages == NULL)
        return mp_error_set(err, 0, "", "out of memory");
    json_array_foreach(x, i, val)
    {
        char path2[64];
        snprintf(path2, sizeof(path2), "$.stages[%zu]", i);
        if (!check_stage(&v, val, path2, &rs->stages[i]))
            return -1;
        for (int k = 0; k < (int)i; k++) {
            if (strcmp(rs->stages[k].id, rs->stages[i].id) == 0) {
                vfail(&v, path2, "stage id '%s' is used twice", rs->stages[i].id);
                return -1;
            }
        }
        rs->nstages++;
    }
    rs->applies_n = compile_expr(rs->applies);
    rs->significant_n = compile_expr(rs->significant);
    if (rs->applies_n == NULL || rs->significant_n == NULL)
        return mp_error_set(err, 0, "", "out of memory");
    if (rs->lifted_by != NULL && (rs->lifted_by_n = compile_expr(rs->lifted_by)) == NULL)
        return mp_error_set(err, 0, "", "out of memory");
    for (int k = 0; k < rs->nstages; k++) {
        if (rs->stages[k].when != NULL &&
            (rs->stages[k].when_n = compile_expr(rs->stages[k].when)) == NULL)
            return mp_error_set(err, 0, "", "out of memory");
        if (rs->stages[k].wd_unless != NULL &&
            (rs->stages[k].wd_unless_n = compile_expr(rs->stages[k].wd_unless)) == NULL)
            return mp_error_set(err, 0, "", "out of memory");
    }
    /* stage:ID anchors must name a stage of this file */
    for (int s = 0; s < rs->nstages; s++) {
        for (int list = 0; list < 2; list++) {
            const struct rule_due *dv = list ? rs->stages[s].ongoing_due : rs->stages[s].due;
            int nd = list ? rs->stages[s].nongoing_due : rs->stages[s].ndue;
            for (int d = 0; d < nd; d++) {
                struct rule_time parts[RULE_DUE_MAX];
                int np = due_parts(&dv[d], parts);
                for (int p = 0; p <= np; p++) {
                    /* each part's anchor, then unless_passed_at */
                    const char *a = p < np ? parts[p].anchor : dv[d].unless_passed_at;
                    const char *id = anchor_stage(a);
                    bool ok = id == NULL;
                    for (int k = 0; !ok && k < rs->nstages; k++)
                        ok = strcmp(rs->stages[k].id, id) == 0;
                    if (!ok) {
                        char path2[96], part[32] = "";
                        if (p == np)
                            snprintf(part, sizeof(part), ".unless_passed_at");
                        else if (dv[d].nlater > 0)
                            snprintf(part, sizeof(part), ".later_of[%d]", p);
                        if ((size_t)snprintf(path2, sizeof(path2), "$.stages[%d].%s[%d]%s", s,
                                             list ? "if_ongoing_at_due" : "due", d,
                                             part) >= sizeof(path2))
                            path2[sizeof(path2) - 1] = '\0'; /* a path in a message */
                        vfail(&v, path2, "anchor '%.48s' names no stage of this file", a);
                        return -1;
                    }
                }
            }
        }
    }
    return 0;
}

static void
ruleset_free(struct ruleset *rs)
{
    rnode_free(rs->applies_n);
    rnode_free(rs->significant_n);
    rnode_free(rs->lifted_by_n);
    for (int k = 0; rs->stages && k < rs->nstages; k++) {
        rnode_free(rs->stages[k].when_n);
        rnode_free(rs->stages[k].wd_unless_n);
    }
    free(rs->stages);
    json_decref(rs->doc);
}

int
rules_load_builtin(struct rules **out, struct mp_error *err)
{
    struct rules *r;

    *out = NULL;
    r = calloc(1, sizeof(*r));
    if (r == NULL || (r->sets = calloc(rules_files_count + 1, sizeof(*r->sets))) == NULL) {
        free(r);
        return mp_error_set(err, 0, "", "out of memory");
    }
    r->refs = 1;
    snprintf(r->dir, sizeof(r->dir), "(built in)");
    for (size_t i = 0; i < rules_files_count; i++) {
        char path[PATH_MAX];

        snprintf(path, sizeof(path), "(built in)/%s", rules_files[i].name);
        r->nsets = (int)i + 1;
        if (load_text(path, (const char *)rules_files[i].data, rules_files[i].len, &r->sets[i],
                      err) != 0) {
            rules_release(r);
            return -1;
        }
    }
    if (calendars_for(NULL, r, err) != 0) {
        rules_release(r);
        return -1;
    }
    *out = r;
    return 0;
}

int
rules_load(const char *dir, struct rules **out, struct mp_error *err)
{
    struct rules *r = NULL;
    char **names;
    int n = 0, rc = -1;

    *out = NULL;
    if (file_list(dir, ".json", 64, &names, &n, err) != 0)
        return -1;
    r = calloc(1, sizeof(*r));
    if (r == NULL || (r->sets = calloc((size_t)n + 1, sizeof(*r->sets))) == NULL) {
        mp_error_set(err, 0, "", "out of memory");
        goto out;
    }
    r->refs = 1;
    snprintf(r->dir, sizeof(r->dir), "%s", dir);
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX], *text;
        size_t len;
        int lrc;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        text = file_read(path, 1u << 20, &len, err);
        if (text == NULL)
            goto out;
        lrc = load_text(path, text, len, &r->sets[i], err);
        free(text);
        if (lrc != 0) {
            r->nsets = i + 1;
            goto out;
        }
        r->nsets = i + 1;
        for (int k = 0; k < i; k++) {
            if (strcmp(r->sets[k].regime, r->sets[i].regime) == 0) {
                mp_error_set(err, 0, "", "%s: $.regime: '%s' is also the regime of %s", path,
                             r->sets[i].regime, r->sets[k].file);
                goto out;
            }
        }
    }
    if (n == 0) {
        mp_error_set(err, 0, "", "%s: no rule files (*.json)", dir);
        goto out;
    }
    if (calendars_for(dir, r, err) != 0)
        goto out;
    *out = r;
    r = NULL;
    rc = 0;
out:
    file_list_free(names, n);
    if (r != NULL) {
        r->refs = 1;
        rules_release(r);
    }
    return rc;
}

/* ---- calendars (config/calendars/) ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* The year of a day number. */
static int64_t
year_of_day(int64_t z)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    return yoe + era * 400 + (mp >= 10);
}

/* 0 Sunday .. 6 Saturday (1970-01-01 was a Thursday). */
static int
weekday(int64_t day)
{
    return (int)(((day % 7) + 11) % 7);
}

/* 01:00 UTC on the last Sunday of month m of year y. */
static int64_t
last_sunday_0100(int64_t y, int m)
{
    int64_t last = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;

    return (last - weekday(last)) * 86400 + 3600;
}

/* Local time minus UTC at UTC time t, in seconds. */
static int64_t
calendar_offset(const struct calendar *cal, int64_t t)
{
    int64_t off = (int64_t)cal->offset_minutes * 60, y;

    if (!cal->eu_summer_time)
        return off;
    y = year_of_day(floor_div(t, 86400));
    if (t >= last_sunday_0100(y, 3) && t < last_sunday_0100(y, 10))
        off += 3600;
    return off;
}

static bool
calendar_holiday(const struct calendar *cal, int64_t day)
{
    int lo = 0, hi = cal->nholidays - 1;

    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (cal->holidays[mid] == day)
            return true;
        if (cal->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return false;
}

int64_t
calendar_next_working(const struct calendar *cal, int64_t t, int at_minutes, bool *gap)
{
    int64_t day = floor_div(t + calendar_offset(cal, t), 86400), target, y;

    *gap = false;
    for (int i = 0; i < 32; i++, day++) {
        y = year_of_day(day);
        if (y < cal->first_year || y > cal->last_year) {
            *gap = true; /* holidays unknown: the time stands */
            return t;
        }
        if (weekday(day) != 0 && weekday(day) != 6 && !calendar_holiday(cal, day))
            break;
    }
    if (day == floor_div(t + calendar_offset(cal, t), 86400))
        return t; /* a working day: nothing moves */
    /* HH:MM local: standard time first, then the summer hour if it is one */
    target = day * 86400 + (int64_t)at_minutes * 60 - (int64_t)cal->offset_minutes * 60;
    if (calendar_offset(cal, target) != (int64_t)cal->offset_minutes * 60)
        target -= 3600;
    return target;
}

static int
cmp_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* Loads and validates one calendar file's text. */
static int
calendar_load_text(const char *path, const char *text, size_t len, struct calendar *cal,
                   struct mp_error *err)
{
    static const char *const allowed[] = {"calendar",   "version",     "title", "source",   "notes",
                                          "utc_offset", "summer_time", "years", "holidays", NULL};
    struct vctx v = {.file = path, .err = err};
    json_error_t jerr;
    const char *key, *id, *off;
    json_t *val, *x;
    size_t i;
    int hh, mm;

    memset(cal, 0, sizeof(*cal));
    snprintf(cal->file, sizeof(cal->file), "%s", path);
    cal->doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (cal->doc == NULL)
        return mp_error_set(err, 0, "", "%s: line %d: %s", path, jerr.line, jerr.text);
    if (!json_is_object(cal->doc))
        return vfail(&v, "$", "a calendar is an object", NULL) ? 0 : -1;
    json_object_foreach(cal->doc, key, val)
    {
        if (!in_list(allowed, key))
            return vfail(&v, "$", "unknown member '%s'", key) ? 0 : -1;
    }
    id = json_string_value(json_object_get(cal->doc, "calendar"));
    if (id == NULL || strlen(id) == 0 || strlen(id) >= sizeof(cal->id) ||
        strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(id))
        return vfail(&v, "$.calendar", "must be an id of [a-z0-9-], at most 15", NULL) ? 0 : -1;
    snprintf(cal->id, sizeof(cal->id), "%s", id);
    if (!check_text(&v, json_object_get(cal->doc, "title"), "$.title") ||
        !json_is_string(json_object_get(cal->doc, "source")))
        return vfail(&v, "$", "needs title {en, nl} and source", NULL) ? 0 : -1;
    off = json_string_value(json_object_get(cal->doc, "utc_offset"));
    if (off == NULL || (off[0] != '+' && off[0] != '-') || !parse_hhmm(off + 1, &hh, &mm) ||
        hh > 14 || mm > 59)
        return vfail(&v, "$.utc_offset", "must be +HH:MM or -HH:MM", NULL) ? 0 : -1;
    cal->offset_minutes = (off[0] == '-' ? -1 : 1) * (hh * 60 + mm);
    x = json_object_get(cal->doc, "summer_time");
    if (x != NULL && !(json_is_string(x) && (strcmp(json_string_value(x), "eu") == 0 ||
                                             strcmp(json_string_value(x), "none") == 0)))
        return vfail(&v, "$.summer_time", "must be \"eu\" or \"none\"", NULL) ? 0 : -1;
    cal->eu_summer_time = x != NULL && strcmp(json_string_value(x), "eu") == 0;
    x = json_object_get(cal->doc, "years");
    if (!json_is_array(x) || json_array_size(x) != 2 || !json_is_integer(json_array_get(x, 0)) ||
        !json_is_integer(json_array_get(x, 1)) ||
        json_integer_value(json_array_get(x, 0)) > json_integer_value(json_array_get(x, 1)) ||
        json_integer_value(json_array_get(x, 0)) < 1970 ||
        json_integer_value(json_array_get(x, 1)) > 9999)
        return vfail(&v, "$.years", "must be [first, last], the years the holidays cover", NULL)
                   ? 0
                   : -1;
    cal->first_year = (int)json_integer_value(json_array_get(x, 0));
    cal->last_year = (int)json_integer_value(json_array_get(x, 1));
    x = json_object_get(cal->doc, "holidays");
    if (!json_is_array(x) || json_array_size(x) > CALENDAR_HOLIDAYS_MAX)
        return vfail(&v, "$.holidays", "must be a list of at most 400 {date, name}", NULL) ? 0 : -1;
    json_array_foreach(x, i, val)
    {
        const char *date = json_string_value(json_object_get(val, "date"));
        char sub[64];
        int y, m, d;

        snprintf(sub, sizeof(sub), "$.holidays[%zu]", i);
        if (date == NULL || strlen(date) != 10 || date[4] != '-' || date[7] != '-' ||
            !digits(date, 4, &y) || !digits(date + 5, 2, &m) || !digits(date + 8, 2, &d) || m < 1 ||
            m > 12 || d < 1 ||
            d > days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) -
                    days_from_civil(y, m, 1))
            return vfail(&v, sub, "date must be YYYY-MM-DD", NULL) ? 0 : -1;
        if (y < cal->first_year || y > cal->last_year)
            return vfail(&v, sub, "date %s lies outside the years", date) ? 0 : -1;
        snprintf(sub, sizeof(sub), "$.holidays[%zu].name", i);
        if (!check_text(&v, json_object_get(val, "name"), sub))
            return -1;
        cal->holidays[cal->nholidays++] = days_from_civil(y, m, d);
    }
    qsort(cal->holidays, (size_t)cal->nholidays, sizeof(cal->holidays[0]), cmp_day);
    return 0;
}

/* The calendars: the built-in copy of config/calendars/, or (dir not NULL)
 * every *.json in dir. */
static int
calendars_load(const char *dir, struct rules *r, struct mp_error *err)
{
    char **names = NULL;
    int n = 0, rc = -1;

    if (dir != NULL && file_list(dir, ".json", 64, &names, &n, err) != 0)
        return -1;
    if (dir == NULL)
        n = (int)calendar_files_count;
    r->calendars = calloc((size_t)n + 1, sizeof(*r->calendars));
    if (r->calendars == NULL) {
        mp_error_set(err, 0, "", "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX];
        int lrc;

        r->ncalendars = i + 1;
        if (dir == NULL) {
            snprintf(path, sizeof(path), "(built in)/calendars/%s", calendar_files[i].name);
            lrc = calendar_load_text(path, (const char *)calendar_files[i].data,
                                     calendar_files[i].len, &r->calendars[i], err);
        } else {
            size_t len;
            char *text;
            if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path)) {
                mp_error_set(err, 0, "", "%s: path too long", dir);
                goto out;
            }
            text = file_read(path, 1u << 20, &len, err);
            if (text == NULL)
                goto out;
            lrc = calendar_load_text(path, text, len, &r->calendars[i], err);
            free(text);
        }
        if (lrc != 0)
            goto out;
        for (int k = 0; k < i; k++) {
            if (strcmp(r->calendars[k].id, r->calendars[i].id) == 0) {
                mp_error_set(err, 0, "", "%s: $.calendar: '%s' is also the calendar of %s", path,
                             r->calendars[i].id, r->calendars[k].file);
                goto out;
            }
        }
    }
    rc = 0;
out:
    if (names != NULL)
        file_list_free(names, n);
    return rc;
}

/* Every next_working_day names a calendar that is loaded. */
static int
calendars_resolve(struct rules *r, struct mp_error *err)
{
    for (int i = 0; i < r->nsets; i++) {
        for (int k = 0; k < r->sets[i].nstages; k++) {
            struct rule_stage *st = &r->sets[i].stages[k];
            if (st->wd_calendar[0] == '\0')
                continue;
            for (int c = 0; c < r->ncalendars && st->wd_cal == NULL; c++) {
                if (strcmp(r->calendars[c].id, st->wd_calendar) == 0)
                    st->wd_cal = &r->calendars[c];
            }
            if (st->wd_cal == NULL)
                return mp_error_set(err, 0, "",
                                    "%s: $.stages[%d].next_working_day.calendar: no calendar "
                                    "'%s' (config/calendars/)",
                                    r->sets[i].file, k, st->wd_calendar);
        }
    }
    return 0;
}

/* The calendars that go with the rules in dir: DIR/../calendars when it
 * exists (config/rules and config/calendars; /etc/meldpunt/rules and
 * /etc/meldpunt/calendars), else the built-in ones. */
static int
calendars_for(const char *dir, struct rules *r, struct mp_error *err)
{
    char cdir[PATH_MAX];
    struct stat sb;

    if (dir != NULL) {
        /* the parent of dir (trailing slashes aside), then calendars */
        size_t len = strlen(dir);
        while (len > 1 && dir[len - 1] == '/')
            len--;
        while (len > 0 && dir[len - 1] != '/')
            len--;
        while (len > 1 && dir[len - 1] == '/')
            len--;
        if (len == 0)
            snprintf(cdir, sizeof(cdir), "calendars"); /* dir is relative, one level */
        else
            snprintf(cdir, sizeof(cdir), "%.*s/calendars", (int)len, dir);
        if (stat(cdir, &sb) != 0 || !S_ISDIR(sb.st_mode))
            dir = NULL;
    }
    if (calendars_load(dir ? cdir : NULL, r, err) != 0 || calendars_resolve(r, err) != 0)
        return -1;
    return 0;
}

static void
calendars_free(struct rules *r)
{
    for (int i = 0; i < r->ncalendars; i++)
        json_decref(r->calendars[i].doc);
    free(r->calendars);
}

/* ---- the rules in force ---- */

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rules *current;

void
rules_release(struct rules *r)
{
    bool last;

    if (r == NULL)
        return;
    pthread_mutex_lock(&current_lock);
    last = --r->refs == 0;
    pthread_mutex_unlock(&current_lock);
    if (!last)
        return;
    for (int i = 0; i < r->nsets; i++)
        ruleset_free(&r->sets[i]);
    free(r->sets);
    calendars_free(r);
    free(r);
}

void
rules_install(struct rules *r)
{
    struct rules *old;

    pthread_mutex_lock(&current_lock);
    old = current;
    current = r;
    pthread_mutex_unlock(&current_lock);
    rules_release(old);
}

struct rules *
rules_acquire(void)
{
    struct rules *r;

    pthread_mutex_lock(&current_lock);
    r = current;
    if (r != NULL)
        r->refs++;
    pthread_mutex_unlock(&current_lock);
    return r;
}

const struct rule_stage *
rules_find_stage(const struct ruleset *rs, const char *id)
{
    for (int i = 0; rs != NULL && i < rs->nstages; i++) {
        if (strcmp(rs->stages[i].id, id) == 0)
            return &rs->stages[i];
    }
    return NULL;
}

const struct ruleset *
rules_find(const struct rules *r, const char *regime)
{
    for (int i = 0; r && i < r->nsets; i++) {
        if (strcmp(r->sets[i].regime, regime) == 0)
            return &r->sets[i];
    }
    return NULL;
}

/* ---- evaluation ----
 *
 * At load every expression is compiled into a tree of struct rnode, so that
 * evaluating reads no JSON member by name and allocates nothing but the
 * explanation it returns.  Values are numbers or JSON values borrowed from
 * the rule file, the facts or the profile; unknown is its own state.
 *
 * Three-valued logic reaches into the arithmetic: an unknown number is
 * not "anything" but still lies within its domain (a count or an amount is
 * 0 or more), and arithmetic on such bounds gives bounds.  A comparison
 * whose bounds already decide it does not wait for the unknown value:
 * with financial_loss_eur 0 and the turnover unknown,
 * loss > min(500000, 0.05 * turnover) is no, because the right side is at
 * least 0 whatever the turnover; with a loss of 600000 it is yes, because
 * the right side is at most 500000 (CIR 2024/2690 art. 3(1)(a)).  Only
 * the facts of comparisons still undecided are reported missing. */

enum rnode_kind { RN_TRUE, RN_FALSE, RN_ALL, RN_ANY, RN_NOT, RN_AT_LEAST, RN_CMP };
enum rval_kind { RV_CONST, RV_FACT, RV_PROFILE, RV_DIV, RV_MUL, RV_MIN, RV_MAX };
enum rcmp { RC_GT, RC_GE, RC_LT, RC_LE, RC_EQ, RC_NE, RC_IN, RC_HAS };

struct rvalue {
    enum rval_kind kind;
    const char *name;    /* fact or profile value */
    const json_t *konst; /* RV_CONST; the default of a fact, or NULL */
    const json_t *src;   /* the value as written, for explanations */
    struct rvalue *args; /* arithmetic */
    int nargs;
    bool nonnegative; /* a fact or profile value that, unknown, is still >= 0 */
};

struct rnode {
    enum rnode_kind kind;
    const json_t *src; /* the expression object: id, text, source */
    const json_t *id;
    struct rnode *kids;
    int nkids;
    int at_least;
    enum rcmp op;
    const char *op_text;
    struct rvalue left, right;
};

/* A value during evaluation.  An unknown number may still be bounded:
 * it lies in [lo, hi] (hi may be INFINITY). */
struct rv {
    bool known;
    bool is_num;
    double num;
    const json_t *json; /* when known and taken from JSON */
    bool bounded;       /* unknown, but within [lo, hi] */
    double lo, hi;
};

#define MISSING_MAX 48

struct missing {
    const char *name[MISSING_MAX];
    bool profile[MISSING_MAX];
    int n;
};

struct eval {
    const json_t *facts;
    const json_t *profile;
    json_t *criteria;   /* reported criteria (nodes with an id) */
    json_t *conditions; /* comparisons of the innermost criterion being evaluated */
};

static void
missing_add(struct missing *m, const char *name, bool profile)
{
    for (int i = 0; i < m->n; i++) {
        if (m->profile[i] == profile && strcmp(m->name[i], name) == 0)
            return;
    }
    if (m->n < MISSING_MAX) {
        m->name[m->n] = name;
        m->profile[m->n++] = profile;
    }
}

static void
missing_merge(struct missing *into, const struct missing *from)
{
    for (int i = 0; i < from->n; i++)
        missing_add(into, from->name[i], from->profile[i]);
}

static json_t *
missing_json(const struct missing *m)
{
    json_t *arr = json_array();

    for (int i = 0; i < m->n; i++) {
        if (m->profile[i]) {
            char name[96];
            snprintf(name, sizeof(name), "profile.%s", m->name[i]);
            json_array_append_new(arr, json_string(name));
        } else {
            json_array_append_new(arr, json_string(m->name[i]));
        }
    }
    return arr;
}

static void rvalue_free(struct rvalue *v);

static void
rnode_free_kids(struct rnode *n)
{
    for (int i = 0; i < n->nkids; i++)
        rnode_free_kids(&n->kids[i]);
    free(n->kids);
    rvalue_free(&n->left);
    rvalue_free(&n->right);
}

static void
rvalue_free(struct rvalue *v)
{
    for (int i = 0; i < v->nargs; i++)
        rvalue_free(&v->args[i]);
    free(v->args);
    v->args = NULL;
    v->nargs = 0;
}

static void
rnode_free(struct rnode *n)
{
    if (n == NULL)
        return;
    rnode_free_kids(n);
    free(n);
}

/* Compiles a validated value. */
static int
compile_value(const json_t *j, struct rvalue *v)
{
    static const struct {
        const char *key;
        enum rval_kind kind;
    } arith[] = {{"div", RV_DIV}, {"mul", RV_MUL}, {"min", RV_MIN}, {"max", RV_MAX}};
    const json_t *x;

    memset(v, 0, sizeof(*v));
    v->src = j;
    if (!json_is_object(j)) {
        v->kind = RV_CONST;
        v->konst = j;
        return 0;
    }
    if ((x = json_object_get(j, "fact")) != NULL) {
        v->kind = RV_FACT;
        v->name = json_string_value(x);
        v->konst = json_object_get(j, "default");
        v->nonnegative = fact_nonnegative(v->name);
        return 0;
    }
    if ((x = json_object_get(j, "profile")) != NULL) {
        v->kind = RV_PROFILE;
        v->name = json_string_value(x);
        v->nonnegative = in_list(profile_amounts, v->name);
        return 0;
    }
    for (size_t k = 0; k < sizeof(arith) / sizeof(arith[0]); k++) {
        size_t i;
        json_t *item;

        if ((x = json_object_get(j, arith[k].key)) == NULL)
            continue;
        v->kind = arith[k].kind;
        v->nargs = (int)json_array_size(x);
        v->args = calloc((size_t)v->nargs, sizeof(*v->args));
        if (v->args == NULL)
            return -1;
        json_array_foreach(x, i, item)
        {
            if (compile_value(item, &v->args[i]) != 0)
                return -1;
        }
        return 0;
    }
    return -1;
}

static int
compile_node(const json_t *j, struct rnode *n)
{
    static const char *const ops[] = {">", ">=", "<", "<=", "==", "!=", "in", "has"};
    const json_t *list, *x;
    size_t i;

    memset(n, 0, sizeof(*n));
    n->src = j;
    if (json_is_boolean(j)) {
        n->kind = json_is_true(j) ? RN_TRUE : RN_FALSE;
        return 0;
    }
    n->id = json_object_get(j, "id");
    if ((list = json_object_get(j, "all")) != NULL)
        n->kind = RN_ALL;
    else if ((list = json_object_get(j, "any")) != NULL)
        n->kind = RN_ANY;
    else if ((list = json_object_get(j, "of")) != NULL) {
        n->kind = RN_AT_LEAST;
        n->at_least = (int)json_integer_value(json_object_get(j, "at_least"));
    }
    if (list != NULL) {
        n->nkids = (int)json_array_size(list);
        n->kids = calloc((size_t)n->nkids, sizeof(*n->kids));
        if (n->kids == NULL)
            return -1;
        json_array_foreach(list, i, x)
        {
            if (compile_node(x, &n->kids[i]) != 0)
                return -1;
        }
        return 0;
    }
    if ((x = json_object_get(j, "not")) != NULL) {
        n->kind = RN_NOT;
        n->nkids = 1;
        n->kids = calloc(1, sizeof(*n->kids));
        return n->kids ? compile_node(x, &n->kids[0]) : -1;
    }
    n->kind = RN_CMP;
    n->op_text = json_string_value(json_object_get(j, "op"));
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        if (strcmp(ops[k], n->op_text) == 0)
            n->op = (enum rcmp)k;
    }
    if (compile_value(json_object_get(j, "left"), &n->left) != 0 ||
        compile_value(json_object_get(j, "right"), &n->right) != 0)
        return -1;
    return 0;
}

static struct rnode *
compile_expr(const json_t *j)
{
    struct rnode *n = calloc(1, sizeof(*n));

    if (n != NULL && compile_node(j, n) != 0) {
        rnode_free(n);
        return NULL;
    }
    return n;
}

static struct rv
rv_from_json(const json_t *j)
{
    struct rv r = {.known = true, .json = j};

    if (json_is_number(j)) {
        r.is_num = true;
        r.num = json_number_value(j);
    }
    return r;
}

/* An unknown value; bounded to [0, infinity) when its domain says so. */
static struct rv
rv_unknown(bool nonnegative)
{
    struct rv r = {.known = false};

    if (nonnegative) {
        r.bounded = true;
        r.lo = 0;
        r.hi = INFINITY;
    }
    return r;
}

/* The bounds of a numeric value: a known number is [num, num]. */
static bool
rv_bounds(const struct rv *v, double *lo, double *hi)
{
    if (v->known && v->is_num) {
        *lo = *hi = v->num;
        return true;
    }
    if (!v->known && v->bounded) {
        *lo = v->lo;
        *hi = v->hi;
        return true;
    }
    return false;
}

/* a * b where 0 times anything, even an unbounded side, is 0: the value is
 * a finite number, only its bound is infinite. */
static double
mul_bound(double a, double b)
{
    return a == 0 || b == 0 ? 0 : a * b;
}

/* Combines [alo, ahi] and [blo, bhi] with the arithmetic of kind into
 * [*lo, *hi].  False when nothing can be said (a divisor that may be 0). */
static bool
bounds_combine(enum rval_kind kind, double alo, double ahi, double blo, double bhi, double *lo,
               double *hi)
{
    double c[4];

    switch (kind) {
    case RV_MIN:
        *lo = fmin(alo, blo);
        *hi = fmin(ahi, bhi);
        return true;
    case RV_MAX:
        *lo = fmax(alo, blo);
        *hi = fmax(ahi, bhi);
        return true;
    case RV_MUL:
        c[0] = mul_bound(alo, blo);
        c[1] = mul_bound(alo, bhi);
        c[2] = mul_bound(ahi, blo);
        c[3] = mul_bound(ahi, bhi);
        break;
    case RV_DIV:
        if (blo <= 0 && bhi >= 0)
            return false; /* the divisor may be 0: no answer to bound */
        c[0] = alo / blo;
        c[1] = alo / bhi;
        c[2] = ahi / blo;
        c[3] = ahi / bhi;
        break;
    default:
        return false;
    }
    *lo = *hi = NAN;
    for (int i = 0; i < 4; i++) {
        /* fmin and fmax pass over the NaN of infinity / infinity */
        *lo = fmin(*lo, c[i]);
        *hi = fmax(*hi, c[i]);
    }
    return !isnan(*lo) && !isnan(*hi);
}

static struct rv
value_eval(const struct rvalue *v, struct eval *ev, struct missing *missing)
{
    const json_t *j;

    switch (v->kind) {
    case RV_CONST:
        return rv_from_json(v->konst);
    case RV_FACT:
        j = json_object_get(ev->facts, v->name);
        if (j == NULL || json_is_null(j)) {
            if (v->konst != NULL)
                return rv_from_json(v->konst); /* the rule says what absent means */
            missing_add(missing, v->name, false);
            return rv_unknown(v->nonnegative);
        }
        return rv_from_json(j);
    case RV_PROFILE:
        j = json_object_get(ev->profile, v->name);
        if (j == NULL || json_is_null(j)) {
            missing_add(missing, v->name, true);
            return rv_unknown(v->nonnegative);
        }
        return rv_from_json(j);
    default: {
        struct rv out = {.known = true, .is_num = true};
        double lo = 0, hi = 0;
        bool known = true, bounded = true;

        for (int i = 0; i < v->nargs; i++) {
            struct rv a = value_eval(&v->args[i], ev, missing);
            double alo, ahi;

            known = known && a.known && a.is_num;
            if (!rv_bounds(&a, &alo, &ahi)) {
                bounded = false; /* not a number, or nothing known of it */
                continue;
            }
            if (v->kind == RV_DIV && i > 0 && alo == 0 && ahi == 0)
                known = bounded = false; /* division by zero: no value */
            if (!bounded)
                continue;
            if (i == 0) {
                lo = alo;
                hi = ahi;
            } else if (!bounds_combine(v->kind, lo, hi, alo, ahi, &lo, &hi)) {
                bounded = false;
            }
        }
        if (known) {
            out.num = lo; /* every argument known: lo == hi */
            return out;
        }
        out = rv_unknown(false);
        if (bounded) {
            out.bounded = true;
            out.lo = lo;
            out.hi = hi;
        }
        return out;
    }
    }
}

static bool
rv_equal(const struct rv *a, const json_t *b)
{
    if (a->is_num && json_is_number(b))
        return a->num == json_number_value(b);
    return a->json != NULL && json_equal((json_t *)a->json, (json_t *)b);
}

static enum tri
compare(enum rcmp op, const struct rv *l, const struct rv *r)
{
    size_t i;
    json_t *x;

    if (op == RC_IN) {
        json_array_foreach((json_t *)r->json, i, x)
        {
            if (rv_equal(l, x))
                return TRI_YES;
        }
        return TRI_NO;
    }
    if (op == RC_HAS) {
        if (!json_is_array(l->json))
            return TRI_NO;
        json_array_foreach((json_t *)l->json, i, x)
        {
            if (rv_equal(r, x))
                return TRI_YES;
        }
        return TRI_NO;
    }
    if (l->is_num && r->is_num) {
        double a = l->num, b = r->num;
        switch (op) {
        case RC_GT:
            return a > b ? TRI_YES : TRI_NO;
        case RC_GE:
            return a >= b ? TRI_YES : TRI_NO;
        case RC_LT:
            return a < b ? TRI_YES : TRI_NO;
        case RC_LE:
            return a <= b ? TRI_YES : TRI_NO;
        case RC_EQ:
            return a == b ? TRI_YES : TRI_NO;
        default:
            return a != b ? TRI_YES : TRI_NO;
        }
    }
    if (op == RC_EQ)
        return l->json && r->json && json_equal((json_t *)l->json, (json_t *)r->json) ? TRI_YES
                                                                                      : TRI_NO;
    if (op == RC_NE)
        return l->json && r->json && json_equal((json_t *)l->json, (json_t *)r->json) ? TRI_NO
                                                                                      : TRI_YES;
    return TRI_NO; /* ordering of non-numbers: never true */
}

/* A comparison of which one side or both are unknown but bounded: yes or
 * no when every value within the bounds gives the same answer. */
static enum tri
compare_bounds(enum rcmp op, const struct rv *l, const struct rv *r)
{
    double llo, lhi, rlo, rhi;

    if (!rv_bounds(l, &llo, &lhi) || !rv_bounds(r, &rlo, &rhi))
        return TRI_UNKNOWN;
    switch (op) {
    case RC_GT:
        return llo > rhi ? TRI_YES : lhi <= rlo ? TRI_NO : TRI_UNKNOWN;
    case RC_GE:
        return llo >= rhi ? TRI_YES : lhi < rlo ? TRI_NO : TRI_UNKNOWN;
    case RC_LT:
        return lhi < rlo ? TRI_YES : llo >= rhi ? TRI_NO : TRI_UNKNOWN;
    case RC_LE:
        return lhi <= rlo ? TRI_YES : llo > rhi ? TRI_NO : TRI_UNKNOWN;
    case RC_EQ:
    case RC_NE: {
        enum tri eq = llo == lhi && rlo == rhi && llo == rlo ? TRI_YES
                      : lhi < rlo || rhi < llo               ? TRI_NO
                                                             : TRI_UNKNOWN;
        if (op == RC_EQ || eq == TRI_UNKNOWN)
            return eq;
        return eq == TRI_YES ? TRI_NO : TRI_YES;
    }
    default:
        return TRI_UNKNOWN; /* in, has: lists are not bounded */
    }
}

/* [lo, hi] of an unknown but bounded value, for the explanation (an
 * infinite bound is null); NULL when known or unbounded. */
static json_t *
rv_bounds_json(const struct rv *v)
{
    if (v->known || !v->bounded)
        return NULL;
    return json_pack("[o, o]", isinf(v->lo) ? json_null() : json_real(v->lo),
                     isinf(v->hi) ? json_null() : json_real(v->hi));
}

static json_t *
rv_json(const struct rv *v)
{
    if (!v->known)
        return json_null();
    if (v->json != NULL)
        return json_incref((json_t *)v->json);
    return json_real(v->num);
}

static json_t *
describe(const struct rvalue *v)
{
    char name[96];

    if (v->kind == RV_FACT)
        return json_string(v->name);
    if (v->kind == RV_PROFILE) {
        snprintf(name, sizeof(name), "profile.%s", v->name);
        return json_string(name);
    }
    return json_deep_copy(v->src);
}

static enum tri node_eval(const struct rnode *n, struct eval *ev, struct missing *missing);

static enum tri
node_eval_inner(const struct rnode *n, struct eval *ev, struct missing *missing)
{
    switch (n->kind) {
    case RN_TRUE:
        return TRI_YES;
    case RN_FALSE:
        return TRI_NO;
    case RN_ALL:
    case RN_ANY: {
        bool all = n->kind == RN_ALL, unknown = false, decided = false;
        struct missing sub = {.n = 0};

        for (int i = 0; i < n->nkids; i++) {
            enum tri t = node_eval(&n->kids[i], ev, &sub);
            if (t == TRI_UNKNOWN) {
                unknown = true;
            } else if (all && t == TRI_NO) {
                /* A conjunction is decided by its first "no": the rest
                 * cannot change it (an entity-type guard skips a whole
                 * threshold).  A disjunction goes on, so that every
                 * criterion that fired is reported. */
                decided = true;
                break;
            } else if (!all && t == TRI_YES) {
                decided = true;
            }
        }
        if (decided)
            return all ? TRI_NO : TRI_YES;
        if (unknown)
            missing_merge(missing, &sub);
        return unknown ? TRI_UNKNOWN : all ? TRI_YES : TRI_NO;
    }
    case RN_NOT: {
        enum tri t = node_eval(&n->kids[0], ev, missing);
        return t == TRI_UNKNOWN ? TRI_UNKNOWN : t == TRI_YES ? TRI_NO : TRI_YES;
    }
    case RN_AT_LEAST: {
        struct missing sub = {.n = 0};
        int yes = 0, unknown = 0;

        for (int i = 0; i < n->nkids; i++) {
            enum tri t = node_eval(&n->kids[i], ev, &sub);
            yes += t == TRI_YES;
            unknown += t == TRI_UNKNOWN;
        }
        if (yes >= n->at_least)
            return TRI_YES;
        if (yes + unknown < n->at_least)
            return TRI_NO;
        missing_merge(missing, &sub);
        return TRI_UNKNOWN;
    }
    case RN_CMP: {
        struct missing sub = {.n = 0};
        struct rv l = value_eval(&n->left, ev, &sub);
        struct rv r = value_eval(&n->right, ev, &sub);
        enum tri t = l.known && r.known ? compare(n->op, &l, &r) : compare_bounds(n->op, &l, &r);

        /* a comparison its bounds decided asks for nothing */
        if (t == TRI_UNKNOWN)
            missing_merge(missing, &sub);
        if (ev->conditions != NULL) {
            json_t *c = json_object(), *b;
            json_object_set_new_nocheck(c, "left", describe(&n->left));
            json_object_set_new_nocheck(c, "op", json_string_nocheck(n->op_text));
            json_object_set_new_nocheck(c, "threshold", rv_json(&r));
            json_object_set_new_nocheck(c, "actual", rv_json(&l));
            /* what is known of an unknown sum: "at most 500000" */
            if (n->right.nargs > 0 && (b = rv_bounds_json(&r)) != NULL)
                json_object_set_new_nocheck(c, "threshold_range", b);
            if (n->left.nargs > 0 && (b = rv_bounds_json(&l)) != NULL)
                json_object_set_new_nocheck(c, "actual_range", b);
            json_object_set_new_nocheck(c, "result", json_string_nocheck(tri_name(t)));
            json_array_append_new(ev->conditions, c);
        }
        return t;
    }
    }
    return TRI_UNKNOWN;
}

/* True when a condition on the profile failed: the criterion is not one
 * for this organisation. */
static bool
not_ours(const json_t *conditions)
{
    size_t i;
    json_t *c;

    json_array_foreach((json_t *)conditions, i, c)
    {
        const char *left = json_string_value(json_object_get(c, "left"));
        if (left && strncmp(left, "profile.", 8) == 0 &&
            strcmp(json_string_value(json_object_get(c, "result")), "no") == 0)
            return true;
    }
    return false;
}

static enum tri
node_eval(const struct rnode *n, struct eval *ev, struct missing *missing)
{
    json_t *saved, *crit, *x;
    enum tri t;

    if (n->id == NULL || ev->criteria == NULL)
        return node_eval_inner(n, ev, missing);
    saved = ev->conditions;
    ev->conditions = json_array();
    t = node_eval_inner(n, ev, missing);
    if (t == TRI_NO && not_ours(ev->conditions)) {
        /* A criterion for another kind of organisation (an entity type we
         * are not) explains nothing: leave it out.  Every other criterion
         * is reported, met or not, with its conditions. */
        json_decref(ev->conditions);
        ev->conditions = saved;
        return t;
    }
    crit = json_object();
    json_object_set_nocheck(crit, "id", (json_t *)n->id);
    json_object_set_new_nocheck(crit, "result", json_string_nocheck(tri_name(t)));
    json_object_set_new_nocheck(crit, "conditions", ev->conditions);
    if ((x = json_object_get(n->src, "text")) != NULL)
        json_object_set_nocheck(crit, "text", x);
    if ((x = json_object_get(n->src, "source")) != NULL)
        json_object_set_nocheck(crit, "source", x);
    json_array_append_new(ev->criteria, crit);
    ev->conditions = saved;
    return t;
}

enum tri
rules_eval_expr(const json_t *expr, const json_t *facts, const json_t *profile)
{
    struct eval ev = {.facts = facts, .profile = profile};
    struct missing missing = {.n = 0};
    struct rnode *n = compile_expr(expr);
    enum tri t;

    if (n == NULL)
        return TRI_UNKNOWN;
    t = node_eval(n, &ev, &missing);
    rnode_free(n);
    return t;
}

json_t *
rules_evaluate(const struct ruleset *rs, const json_t *facts, const json_t *profile)
{
    struct eval ev = {.facts = facts, .profile = profile};
    struct missing missing = {.n = 0}, sig_missing = {.n = 0};
    json_t *out, *stages = json_array();
    enum tri applies, significant = TRI_NO, lifted = TRI_NO;

    applies = node_eval(rs->applies_n, &ev, &missing);
    ev.criteria = json_array();
    if (applies != TRI_NO) {
        significant = node_eval(rs->significant_n, &ev, &sig_missing);
        if (significant == TRI_UNKNOWN)
            missing_merge(&missing, &sig_missing);
    }
    if (rs->lifted_by_n != NULL && applies != TRI_NO && significant != TRI_NO) {
        /* What would lift the duty does not decide it: the duty runs while
         * its facts are unknown, so they are not "missing"; its criterion
         * is reported, met or not. */
        struct missing lm = {.n = 0};
        lifted = node_eval(rs->lifted_by_n, &ev, &lm);
    }
    for (int i = 0; i < rs->nstages; i++) {
        const struct rule_stage *st = &rs->stages[i];
        struct eval wev = {.facts = facts, .profile = profile};
        struct missing wm = {.n = 0};
        enum tri when = st->when_n ? node_eval(st->when_n, &wev, &wm) : TRI_YES;
        json_t *due, *to;

        if (when == TRI_NO)
            continue;
        json_t *sj;

        due = json_array();
        for (int d = 0; d < st->ndue; d++)
            json_array_append_new(due, due_json(&st->due[d]));
        to = json_array();
        for (int k = 0; k < st->nrecipients; k++)
            json_array_append_new(to, json_string(st->recipients[k]));
        sj = json_pack("{s:s, s:O, s:s, s:o, s:o, s:b, s:b, s:b}", "id", st->id, "name",
                       json_object_get(st->def, "name"), "recipient", st->recipient, "recipients",
                       to, "due", due, "asap", st->asap, "on_request", st->on_request,
                       "conditional", when == TRI_UNKNOWN);
        if (sj != NULL && st->wd_cal != NULL) {
            struct eval uev = {.facts = facts, .profile = profile};
            struct missing um = {.n = 0};
            char hhmm[32];
            snprintf(hhmm, sizeof(hhmm), "%02d:%02d", st->wd_at_minutes / 60,
                     st->wd_at_minutes % 60);
            json_object_set_new(
                sj, "next_working_day",
                json_pack("{s:s, s:s, s:s}", "calendar", st->wd_cal->id, "at", hhmm, "unless",
                          st->wd_unless_n ? tri_name(node_eval(st->wd_unless_n, &uev, &um))
                                          : "no"));
        }
        if (sj != NULL && st->only_if_ongoing)
            json_object_set_new(sj, "only_if_ongoing_at_due", json_true());
        if (sj != NULL && st->nongoing_due > 0) {
            json_t *od = json_array();
            for (int d = 0; d < st->nongoing_due; d++)
                json_array_append_new(od, due_json(&st->ongoing_due[d]));
            json_object_set_new(sj, "if_ongoing_at_due", od);
        }
        json_array_append_new(stages, sj);
    }
    out = json_pack("{s:s, s:s, s:O, s:O, s:s, s:s, s:o, s:o, s:o}", "regime", rs->regime,
                    "version", rs->version, "title", json_object_get(rs->doc, "title"), "source",
                    json_object_get(rs->doc, "source"), "applies", tri_name(applies), "significant",
                    tri_name(significant), "missing", missing_json(&missing), "criteria",
                    ev.criteria, "stages", stages);
    if (out != NULL && rs->lifted_by_n != NULL)
        json_object_set_new_nocheck(out, "lifted", json_string_nocheck(tri_name(lifted)));
    return out;
}

/* ---- due times ---- */

int64_t
rules_handled_at(const struct rule_clock *c)
{
    if (c->resolved_at == TIME_UNSET ||
        (c->reopened_at != TIME_UNSET && c->reopened_at > c->resolved_at))
        return TIME_UNSET; /* never handled, or it came back */
    return c->resolved_at;
}

bool
rules_handled_by(const struct rule_clock *c, int64_t t)
{
    /* resolved at or before t, and not reopened between that and t */
    return c->resolved_at != TIME_UNSET && c->resolved_at <= t &&
           (c->reopened_at == TIME_UNSET || c->reopened_at <= c->resolved_at || c->reopened_at > t);
}

static int64_t
anchor_at(const struct rule_clock *c, const char *anchor)
{
    if (strcmp(anchor, "handled_at") == 0)
        return rules_handled_at(c);
    return c->anchor ? c->anchor(anchor, c->ctx) : TIME_UNSET;
}

static void
await_anchor(struct rule_stage_time *out, const char *anchor)
{
    for (int i = 0; i < out->nwaiting; i++) {
        if (strcmp(out->waiting[i], anchor) == 0)
            return;
    }
    if (out->nwaiting < (int)(sizeof(out->waiting) / sizeof(out->waiting[0])))
        out->waiting[out->nwaiting++] = anchor;
}

/* The earliest computable entry of a due list; a later_of entry counts
 * when every one of its parts is known. */
static int64_t
earliest_due(const struct rule_due *dv, int nd, const struct rule_clock *c,
             struct rule_stage_time *out)
{
    int64_t best = TIME_UNSET;

    for (int d = 0; d < nd; d++) {
        int np = dv[d].nlater ? dv[d].nlater : 1;
        int64_t t = TIME_UNSET;
        bool known = true;

        for (int p = 0; p < np; p++) {
            /* names point into the stage, which outlives out */
            const char *name = dv[d].nlater ? dv[d].later[p].anchor : dv[d].anchor;
            const struct duration *w = dv[d].nlater ? &dv[d].later[p].within : &dv[d].within;
            int64_t a = anchor_at(c, name);
            if (a == TIME_UNSET) {
                await_anchor(out, name);
                known = false;
                continue;
            }
            a = time_add_duration(a, w);
            if (t == TIME_UNSET || a > t)
                t = a;
        }
        if (known && dv[d].unless_passed_at[0]) {
            /* had it passed when the duty arose?  (unknown: it binds) */
            int64_t arose = anchor_at(c, dv[d].unless_passed_at);
            if (arose != TIME_UNSET && t < arose)
                continue;
        }
        if (known && (best == TIME_UNSET || t < best))
            best = t;
    }
    return best;
}

static void ongoing_time(const struct rule_stage *st, const struct rule_clock *c,
                         struct rule_stage_time *out);

void
rules_stage_time(const struct rule_stage *st, const struct rule_clock *c,
                 struct rule_stage_time *out)
{
    memset(out, 0, sizeof(*out));
    out->ongoing = TRI_UNKNOWN;
    out->before_working_day = TIME_UNSET;
    out->due = out->regular = earliest_due(st->due, st->ndue, c, out);
    ongoing_time(st, c, out);
    if (st->wd_cal != NULL && out->due != TIME_UNSET) {
        /* the unless condition undecided: the time stands (the earlier) */
        struct eval ev = {.facts = c->facts, .profile = c->profile};
        struct missing m = {.n = 0};
        enum tri unless = st->wd_unless_n ? node_eval(st->wd_unless_n, &ev, &m) : TRI_NO;
        if (unless == TRI_NO) {
            int64_t moved =
                calendar_next_working(st->wd_cal, out->due, st->wd_at_minutes, &out->calendar_gap);
            if (moved != out->due) {
                out->before_working_day = out->due;
                out->due = moved;
            }
        }
    }
}

/* NIS2 art. 23(4)(e): judged on the incident being ongoing at the
 * regular due time. */
static void
ongoing_time(const struct rule_stage *st, const struct rule_clock *c, struct rule_stage_time *out)
{
    if (!st->only_if_ongoing && st->nongoing_due == 0)
        return;
    /* Ongoing at the due time?  Handled by then: no.  Past it and not
     * handled by then: yes.  Before it (or no due time yet): it may still
     * be handled in time, so the regular due time stands meanwhile. */
    if (out->regular == TIME_UNSET)
        return;
    if (rules_handled_by(c, out->regular))
        out->ongoing = TRI_NO;
    else if (c->now >= out->regular)
        out->ongoing = TRI_YES;
    out->not_due = st->only_if_ongoing && out->ongoing == TRI_NO;
    if (st->nongoing_due > 0 && out->ongoing == TRI_YES) {
        out->moved = true;
        out->nwaiting = 0;
        out->due = earliest_due(st->ongoing_due, st->nongoing_due, c, out);
    }
}

json_t *
rules_summary(const struct rules *r)
{
    json_t *sets = json_array();

    for (int i = 0; r && i < r->nsets; i++) {
        const struct ruleset *rs = &r->sets[i];
        json_t *stages = json_array();
        for (int s = 0; s < rs->nstages; s++)
            json_array_append_new(stages, json_string(rs->stages[s].id));
        json_array_append_new(
            sets, json_pack("{s:s, s:s, s:O, s:O, s:O?, s:s, s:o}", "regime", rs->regime, "version",
                            rs->version, "title", json_object_get(rs->doc, "title"), "source",
                            json_object_get(rs->doc, "source"), "notes",
                            json_object_get(rs->doc, "notes"), "file", rs->file, "stages", stages));
    }
    return json_pack("{s:s, s:o}", "dir", r ? r->dir : "", "rule_sets", sets);
}
