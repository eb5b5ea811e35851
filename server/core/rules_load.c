/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * rules_load.c - rule files read, validated and compiled: each file is walked
 * once and the first problem is named by its JSON path, so evaluation can
 * trust the shapes it meets.  See rules.h and docs/RULES.md.
 */
#include "rules.h"
#include "rules_int.h"
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

/* ---- validation ---- */

bool
rules_vfail(struct vctx *v, const char *path, const char *fmt, const char *arg)
{
    char reason[160];

    snprintf(reason, sizeof(reason), fmt, arg ? arg : "");
    mp_error_set(v->err, 0, "", "%s: %s: %s", v->file, path, reason);
    return false;
}

bool
rules_check_text(struct vctx *v, json_t *t, const char *path)
{
    const char *key;
    json_t *val;

    if (!json_is_object(t) || !json_is_string(json_object_get(t, "en")) ||
        !json_is_string(json_object_get(t, "nl")))
        return rules_vfail(v, path, "must be {\"en\": text, \"nl\": text}", NULL);
    json_object_foreach(t, key, val)
    {
        if (strcmp(key, "en") != 0 && strcmp(key, "nl") != 0)
            return rules_vfail(v, path, "unknown language '%s' (en, nl)", key);
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
        return rules_vfail(v, path,
                           "a value is a constant or one of {fact}, {fact, default}, {profile}, "
                           "{profile, default}, {div}, {mul}, {min}, {max}",
                           NULL);
    json_object_foreach(e, key, val)
    {
        snprintf(sub, sizeof(sub), "%s.%s", path, key);
        if (strcmp(key, "default") == 0) {
            if ((json_object_get(e, "fact") == NULL && json_object_get(e, "profile") == NULL) ||
                !is_constant(val))
                return rules_vfail(v, sub, "default goes with fact or profile and is a constant",
                                   NULL);
        } else if (strcmp(key, "fact") == 0) {
            const char *name = json_is_string(val) ? json_string_value(val) : "?";
            if (!json_is_string(val) ||
                !(v->facts ? rules_in_list(v->facts, name) : rules_fact_known(name)))
                return rules_vfail(v, sub,
                                   v->facts ? "unknown fact '%s'"
                                            : "unknown fact '%s' (docs/INCIDENTS.md lists them)",
                                   name);
        } else if (strcmp(key, "profile") == 0) {
            if (v->facts != NULL)
                return rules_vfail(v, sub, "no profile values here", NULL);
            if (!json_is_string(val) || !rules_in_list(rules_profile_names, json_string_value(val)))
                return rules_vfail(v, sub, "unknown profile value '%s'",
                                   json_is_string(val) ? json_string_value(val) : "?");
        } else if (rules_in_list(arith, key)) {
            size_t i;
            json_t *x;
            bool binary = strcmp(key, "div") == 0 || strcmp(key, "mul") == 0;

            if (!json_is_array(val) || json_array_size(val) < 2 ||
                (binary && json_array_size(val) != 2))
                return rules_vfail(v, sub,
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
            return rules_vfail(v, sub, "unknown value operator '%s'", key);
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
        return rules_vfail(v, path, "an expression is true, false or an object", NULL);
    json_object_foreach(e, key, val)
    {
        if (!rules_in_list(allowed, key))
            return rules_vfail(v, path, "unknown member '%s'", key);
    }
    if ((x = json_object_get(e, "id")) != NULL && !json_is_string(x))
        return rules_vfail(v, path, "id must be a string", NULL);
    if ((x = json_object_get(e, "source")) != NULL && !json_is_string(x))
        return rules_vfail(v, path, "source must be a string", NULL);
    if ((x = json_object_get(e, "text")) != NULL) {
        snprintf(sub, sizeof(sub), "%s.text", path);
        if (!rules_check_text(v, x, sub))
            return false;
    }
    shapes = (json_object_get(e, "all") != NULL) + (json_object_get(e, "any") != NULL) +
             (json_object_get(e, "not") != NULL) + (json_object_get(e, "at_least") != NULL) +
             (json_object_get(e, "op") != NULL);
    if (shapes != 1)
        return rules_vfail(v, path,
                           "needs exactly one of all, any, not, at_least+of, op+left+right", NULL);
    if ((json_object_get(e, "of") != NULL) != (json_object_get(e, "at_least") != NULL))
        return rules_vfail(v, path, "at_least and of go together", NULL);
    if ((json_object_get(e, "op") != NULL) !=
        (json_object_get(e, "left") != NULL || json_object_get(e, "right") != NULL))
        return rules_vfail(v, path, "left and right go with op", NULL);
    if ((val = json_object_get(e, "all")) != NULL || (val = json_object_get(e, "any")) != NULL ||
        (val = json_object_get(e, "of")) != NULL) {
        const char *name = json_object_get(e, "all")   ? "all"
                           : json_object_get(e, "any") ? "any"
                                                       : "of";
        if (json_object_get(e, "at_least") &&
            (!json_is_integer(json_object_get(e, "at_least")) ||
             json_integer_value(json_object_get(e, "at_least")) < 1))
            return rules_vfail(v, path, "at_least must be a whole number of 1 or more", NULL);
        if (json_object_get(e, "at_least") && json_object_get(e, "of") == NULL)
            return rules_vfail(v, path, "at_least needs of", NULL);
        if (!json_is_array(val) || json_array_size(val) == 0)
            return rules_vfail(v, path, "%s needs a non-empty list", name);
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
    if (!json_is_string(val) || !rules_in_list(ops, json_string_value(val)))
        return rules_vfail(v, path, "op must be one of > >= < <= == != in has", NULL);
    if (json_object_get(e, "left") == NULL || json_object_get(e, "right") == NULL)
        return rules_vfail(v, path, "a comparison needs left and right", NULL);
    snprintf(sub, sizeof(sub), "%s.left", path);
    if (!check_value(v, json_object_get(e, "left"), sub))
        return false;
    snprintf(sub, sizeof(sub), "%s.right", path);
    if (!check_value(v, json_object_get(e, "right"), sub))
        return false;
    if (strcmp(json_string_value(val), "in") == 0 && !json_is_array(json_object_get(e, "right")))
        return rules_vfail(v, path, "in needs a list on the right", NULL);
    return true;
}

int
rules_check_expr(json_t *expr, const char *file, const char *path, const char *const facts[],
                 struct mp_error *err)
{
    struct vctx v = {.file = file, .err = err, .facts = facts};

    return check_expr(&v, expr, path) ? 0 : -1;
}

/* n decimal digits at s into *out; false when any is not a digit. */
bool
rules_digits(const char *s, int n, int *out)
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
bool
rules_parse_hhmm(const char *s, int *hh, int *mm)
{
    return strlen(s) == 5 && s[2] == ':' && rules_digits(s, 2, hh) && rules_digits(s + 3, 2, mm);
}

/* A known anchor name, or stage:ID / stage_last:ID[,ID...] (the IDs are
 * checked once every stage is loaded), short enough to be kept whole. */
static bool
anchor_ok(const char *a)
{
    if (strlen(a) >= sizeof(((struct rule_time *)0)->anchor))
        return false;
    return rules_in_list(rules_anchors, a) || strncmp(a, "stage:", 6) == 0 ||
           strncmp(a, "stage_last:", 11) == 0;
}

/* The stage or stages an anchor names ("ID" or, for stage_last, "ID,ID"),
 * or NULL. */
static const char *
anchor_stage(const char *a)
{
    if (strncmp(a, "stage:", 6) == 0)
        return a + 6;
    if (strncmp(a, "stage_last:", 11) == 0)
        return a + 11;
    return NULL;
}

/* Every ID of a stage anchor's list names a stage of rs (stage: takes one
 * ID, stage_last: a comma-separated list: the latest report of any). */
static bool
anchor_stages_ok(const char *a, const struct ruleset *rs)
{
    const char *id = anchor_stage(a);
    bool many = strncmp(a, "stage_last:", 11) == 0;

    while (id != NULL) {
        const char *comma = strchr(id, ',');
        size_t len = comma != NULL ? (size_t)(comma - id) : strlen(id);
        bool ok = false;
        if (comma != NULL && !many)
            return false;
        for (int k = 0; !ok && k < rs->nstages; k++)
            ok = strlen(rs->stages[k].id) == len && strncmp(rs->stages[k].id, id, len) == 0;
        if (!ok)
            return false;
        id = comma != NULL ? comma + 1 : NULL;
    }
    return true;
}

/* {"after": ANCHOR, "within": DURATION} into t. */
static bool
check_time(struct vctx *v, json_t *val, const char *path, struct rule_time *t)
{
    json_t *after = json_object_get(val, "after"), *within = json_object_get(val, "within");
    const char *a;

    if (!json_is_object(val) || json_object_size(val) != 2 || !json_is_string(after) ||
        !json_is_string(within))
        return rules_vfail(v, path, "must be {\"after\": ANCHOR, \"within\": DURATION}", NULL);
    a = json_string_value(after);
    if (strlen(a) >= sizeof(t->anchor))
        return rules_vfail(v, path, "anchor '%.60s...' is too long (at most 63 characters)", a);
    if (!anchor_ok(a))
        return rules_vfail(v, path, "unknown anchor '%s'", a);
    if (duration_parse(json_string_value(within), &t->within) != 0)
        return rules_vfail(v, path, "within '%s' is not an ISO 8601 duration",
                           json_string_value(within));
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
        return rules_vfail(v, path, "must be a list of 1 to 4 {after, within} or {later_of}", NULL);
    json_array_foreach(x, i, val)
    {
        struct rule_due *d = &out[*n];
        json_t *later = json_object_get(val, "later_of");

        memset(d, 0, sizeof(*d));
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (later != NULL) {
            if (json_object_size(val) != 1 || !json_is_array(later) || json_array_size(later) < 2 ||
                json_array_size(later) > RULE_DUE_MAX)
                return rules_vfail(v, sub, "later_of is a list of 2 to 4 {after, within}", NULL);
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
                    return rules_vfail(v, sub, "unless_passed_at must be an anchor", NULL);
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
json_t *
rules_due_json(const struct rule_due *d)
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

/* A stage's recipient: one role, or every role the report goes to (the
 * Cbw: the CSIRT and the competent authority); the first is whom a draft
 * addresses. */
static bool
check_recipients(struct vctx *v, json_t *x, const char *path, struct rule_stage *out)
{
    json_t *val;
    size_t i;

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
                    return rules_vfail(v, path, "recipient '%s' is named twice",
                                       json_string_value(val));
            }
            out->recipients[out->nrecipients++] = json_string_value(val);
        }
    }
    if (out->nrecipients == 0 ||
        out->nrecipients != (json_is_array(x) ? (int)json_array_size(x) : 1))
        return rules_vfail(
            v, path,
            "recipient must be a role or a list of 1 to 4 of them (docs/RULES.md lists the "
            "roles)",
            NULL);
    for (int k = 0; k < out->nrecipients; k++) {
        if (!rules_in_list(rules_recipients, out->recipients[k]))
            return rules_vfail(v, path,
                               "unknown recipient role: not '%s' (docs/RULES.md lists the roles)",
                               out->recipients[k]);
    }
    return true;
}

/* next_working_day: {"calendar": ID, "at": "HH:MM", "unless"?: EXPR}, a due
 * time on a weekend day or holiday moves to that time on the next working
 * day (DORA, 2025/301). */
static bool
check_working_day(struct vctx *v, json_t *x, const char *path, struct rule_stage *out)
{
    json_t *cal = json_object_get(x, "calendar"), *at = json_object_get(x, "at"), *val;
    char sub[512];
    const char *k2;
    int hh, mm;

    snprintf(sub, sizeof(sub), "%s.next_working_day", path);
    if (!json_is_object(x) || !json_is_string(cal) || json_string_length(cal) == 0 ||
        json_string_length(cal) >= sizeof(out->wd_calendar) || !json_is_string(at))
        return rules_vfail(
            v, sub, "must be {\"calendar\": ID, \"at\": \"HH:MM\", \"unless\"?: EXPR}", NULL);
    json_object_foreach(x, k2, val)
    {
        if (strcmp(k2, "calendar") != 0 && strcmp(k2, "at") != 0 && strcmp(k2, "unless") != 0)
            return rules_vfail(v, sub, "unknown member '%s'", k2);
    }
    if (!rules_parse_hhmm(json_string_value(at), &hh, &mm) || hh > 23 || mm > 59)
        return rules_vfail(v, sub, "at must be a local time HH:MM, not '%s'",
                           json_string_value(at));
    snprintf(out->wd_calendar, sizeof(out->wd_calendar), "%s", json_string_value(cal));
    out->wd_at_minutes = hh * 60 + mm;
    if (json_object_get(x, "unless") != NULL) {
        snprintf(sub, sizeof(sub), "%s.next_working_day.unless", path);
        if (!check_expr(v, json_object_get(x, "unless"), sub))
            return false;
        out->wd_unless = json_object_get(x, "unless");
    }
    return true;
}

/* "without_deadline" (owed at once, "without undue delay", no numeric
 * deadline) and "voluntary" (nothing owed, a draft may be made): neither
 * has a due list, and they exclude each other and on_request. */
static bool
check_no_deadline(struct vctx *v, json_t *st, const char *path, struct rule_stage *out)
{
    json_t *wd = json_object_get(st, "without_deadline"), *vol = json_object_get(st, "voluntary");

    if ((wd != NULL && !json_is_boolean(wd)) || (vol != NULL && !json_is_boolean(vol)))
        return rules_vfail(v, path, "without_deadline and voluntary must be true or false", NULL);
    out->without_deadline = json_is_true(wd);
    out->voluntary = json_is_true(vol);
    if (!out->without_deadline && !out->voluntary)
        return true;
    if (out->without_deadline + out->voluntary + out->on_request > 1)
        return rules_vfail(v, path, "on_request, without_deadline and voluntary exclude each other",
                           NULL);
    if (json_object_get(st, "due") != NULL || json_object_get(st, "if_ongoing_at_due") != NULL ||
        json_object_get(st, "only_if_ongoing_at_due") != NULL ||
        json_object_get(st, "next_working_day") != NULL)
        return rules_vfail(v, path, "a stage %s has no due time",
                           out->voluntary ? "that is voluntary" : "without_deadline");
    if (out->without_deadline && !out->asap)
        return rules_vfail(v, path, "without_deadline needs asap: true (\"without undue delay\")",
                           NULL);
    return true;
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
                                          "without_deadline",
                                          "voluntary",
                                          NULL};
    char sub[512];
    const char *key;
    json_t *val, *x;
    size_t i;

    if (!json_is_object(st))
        return rules_vfail(v, path, "a stage is an object", NULL);
    json_object_foreach(st, key, val)
    {
        if (!rules_in_list(allowed, key))
            return rules_vfail(v, path, "unknown member '%s'", key);
    }
    memset(out, 0, sizeof(*out));
    out->def = st;
    x = json_object_get(st, "id");
    if (!json_is_string(x) || json_string_length(x) == 0 || json_string_length(x) > 40)
        return rules_vfail(v, path, "id must be a short string", NULL);
    out->id = json_string_value(x);
    snprintf(sub, sizeof(sub), "%s.name", path);
    if (!rules_check_text(v, json_object_get(st, "name"), sub))
        return false;
    if (!check_recipients(v, json_object_get(st, "recipient"), path, out))
        return false;
    out->recipient = out->recipients[0];
    x = json_object_get(st, "asap");
    if (x != NULL && !json_is_boolean(x))
        return rules_vfail(v, path, "asap must be true or false", NULL);
    out->asap = json_is_true(x);
    x = json_object_get(st, "on_request");
    if (x != NULL && !json_is_boolean(x))
        return rules_vfail(v, path, "on_request must be true or false", NULL);
    out->on_request = json_is_true(x);
    x = json_object_get(st, "when");
    if (x != NULL) {
        snprintf(sub, sizeof(sub), "%s.when", path);
        if (!check_expr(v, x, sub))
            return false;
        out->when = x;
    }
    if (!check_no_deadline(v, st, path, out))
        return false;
    x = json_object_get(st, "due");
    if (x == NULL && !out->on_request && !out->without_deadline && !out->voluntary)
        return rules_vfail(v, path,
                           "a stage needs due (or on_request, without_deadline or voluntary: true)",
                           NULL);
    if (x != NULL) {
        snprintf(sub, sizeof(sub), "%s.due", path);
        if (!check_due_list(v, x, sub, !out->on_request, out->due, &out->ndue))
            return false;
    }
    x = json_object_get(st, "only_if_ongoing_at_due");
    if (x != NULL && !json_is_boolean(x))
        return rules_vfail(v, path, "only_if_ongoing_at_due must be true or false", NULL);
    out->only_if_ongoing = json_is_true(x);
    x = json_object_get(st, "if_ongoing_at_due");
    if (x != NULL) {
        snprintf(sub, sizeof(sub), "%s.if_ongoing_at_due", path);
        if (!check_due_list(v, x, sub, true, out->ongoing_due, &out->nongoing_due))
            return false;
    }
    x = json_object_get(st, "next_working_day");
    if (x != NULL && !check_working_day(v, x, path, out))
        return false;
    if ((out->only_if_ongoing || out->nongoing_due > 0) && out->ndue == 0)
        return rules_vfail(v, path,
                           "only_if_ongoing_at_due and if_ongoing_at_due need a due time to be "
                           "judged at",
                           NULL);
    x = json_object_get(st, "contents");
    if (!json_is_array(x))
        return rules_vfail(v, path, "contents must be a list", NULL);
    json_array_foreach(x, i, val)
    {
        snprintf(sub, sizeof(sub), "%s.contents[%zu]", path, i);
        if (!json_is_object(val) || !json_is_string(json_object_get(val, "id")))
            return rules_vfail(v, sub, "an item needs an id", NULL);
        snprintf(sub, sizeof(sub), "%s.contents[%zu].label", path, i);
        if (!rules_check_text(v, json_object_get(val, "label"), sub))
            return false;
        /* the operator's note for the editor, never in the signed document */
        snprintf(sub, sizeof(sub), "%s.contents[%zu].hint", path, i);
        if (json_object_get(val, "hint") && !rules_check_text(v, json_object_get(val, "hint"), sub))
            return false;
        if (json_object_get(val, "required") && !json_is_boolean(json_object_get(val, "required")))
            return rules_vfail(v, sub, "required must be true or false", NULL);
        if (json_object_get(val, "template") != NULL) {
            /* the words a draft starts with, in the draft's language */
            snprintf(sub, sizeof(sub), "%s.contents[%zu].template", path, i);
            if (!rules_check_text(v, json_object_get(val, "template"), sub))
                return false;
        }
    }
    return true;
}

/* The checked expressions compiled into the nodes evaluation walks. */
static int
compile_ruleset(struct ruleset *rs, struct mp_error *err)
{
    rs->applies_n = rules_compile_expr(rs->applies);
    rs->significant_n = rules_compile_expr(rs->significant);
    if (rs->applies_n == NULL || rs->significant_n == NULL)
        return mp_error_set(err, 0, "", "out of memory");
    if (rs->lifted_by != NULL && (rs->lifted_by_n = rules_compile_expr(rs->lifted_by)) == NULL)
        return mp_error_set(err, 0, "", "out of memory");
    if (rs->recurring != NULL &&
        ((rs->recurring->when != NULL &&
          (rs->recurring->when_n = rules_compile_expr(rs->recurring->when)) == NULL) ||
         (rs->recurring->test != NULL &&
          (rs->recurring->test_n = rules_compile_expr(rs->recurring->test)) == NULL)))
        return mp_error_set(err, 0, "", "out of memory");
    for (int k = 0; k < rs->nstages; k++) {
        if (rs->stages[k].when != NULL &&
            (rs->stages[k].when_n = rules_compile_expr(rs->stages[k].when)) == NULL)
            return mp_error_set(err, 0, "", "out of memory");
        if (rs->stages[k].wd_unless != NULL &&
            (rs->stages[k].wd_unless_n = rules_compile_expr(rs->stages[k].wd_unless)) == NULL)
            return mp_error_set(err, 0, "", "out of memory");
    }
    return 0;
}

/* stage:ID anchors (and unless_passed_at) must name a stage of this
 * file. */
static bool
check_anchors(struct vctx *v, const struct ruleset *rs)
{
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
                    if (!anchor_stages_ok(a, rs)) {
                        char path2[96], part[32] = "";
                        if (p == np)
                            snprintf(part, sizeof(part), ".unless_passed_at");
                        else if (dv[d].nlater > 0)
                            snprintf(part, sizeof(part), ".later_of[%d]", p);
                        if ((size_t)snprintf(path2, sizeof(path2), "$.stages[%d].%s[%d]%s", s,
                                             list ? "if_ongoing_at_due" : "due", d,
                                             part) >= sizeof(path2))
                            path2[sizeof(path2) - 1] = '\0'; /* a path in a message */
                        rules_vfail(v, path2, "anchor '%.63s' names no stage of this file", a);
                        return false;
                    }
                }
            }
        }
    }
    return true;
}

/* A list of 1 to RULE_COMBINE_MAX impact facts into out. */
static bool
check_fact_list(struct vctx *v, json_t *x, const char *path, const char *out[], int *n)
{
    size_t i;
    json_t *f;

    if (!json_is_array(x) || json_array_size(x) > RULE_COMBINE_MAX)
        return rules_vfail(v, path, "must be a list of at most 24 impact facts", NULL);
    json_array_foreach(x, i, f)
    {
        if (!json_is_string(f) || !rules_fact_known(json_string_value(f)))
            return rules_vfail(v, path, "unknown fact '%s'",
                               json_is_string(f) ? json_string_value(f) : "?");
        out[(*n)++] = json_string_value(f);
    }
    return true;
}

/* "recurring": {id, text, source?, at_least, within, combine: {sum?, max?,
 * any?}, when?, test: EXPR | "significant"}. */
static bool
check_recurring(struct vctx *v, json_t *x, struct ruleset *rs)
{
    static const char *const allowed[] = {"id",      "text", "source", "at_least", "within",
                                          "combine", "when", "test",   NULL};
    static const char *const combines[] = {"sum", "max", "any", NULL};
    struct rule_recurring *r;
    const char *key;
    json_t *val;

    if (!json_is_object(x))
        return rules_vfail(v, "$.recurring", "must be an object", NULL);
    json_object_foreach(x, key, val)
    {
        if (!rules_in_list(allowed, key))
            return rules_vfail(v, "$.recurring", "unknown member '%s'", key);
    }
    r = rs->recurring = calloc(1, sizeof(*r));
    if (r == NULL)
        return rules_vfail(v, "$.recurring", "out of memory", NULL);
    r->def = x;
    if (!json_is_string(json_object_get(x, "id")))
        return rules_vfail(v, "$.recurring.id", "is required: a criterion id", NULL);
    r->id = json_string_value(json_object_get(x, "id"));
    if (!rules_check_text(v, json_object_get(x, "text"), "$.recurring.text"))
        return false;
    if (json_object_get(x, "source") && !json_is_string(json_object_get(x, "source")))
        return rules_vfail(v, "$.recurring.source", "must be a string", NULL);
    val = json_object_get(x, "at_least");
    if (!json_is_integer(val) || json_integer_value(val) < 2 || json_integer_value(val) > 100)
        return rules_vfail(v, "$.recurring.at_least", "must be a whole number from 2 to 100", NULL);
    r->at_least = (int)json_integer_value(val);
    val = json_object_get(x, "within");
    if (!json_is_string(val) || duration_parse(json_string_value(val), &r->within) != 0)
        return rules_vfail(v, "$.recurring.within", "must be an ISO 8601 duration", NULL);
    snprintf(r->within_text, sizeof(r->within_text), "%s", json_string_value(val));
    val = json_object_get(x, "combine");
    if (!json_is_object(val))
        return rules_vfail(v, "$.recurring.combine", "must be {sum?, max?, any?}: lists of facts",
                           NULL);
    json_object_foreach(val, key, x)
    {
        char path[64];
        snprintf(path, sizeof(path), "$.recurring.combine.%s", key);
        if (!rules_in_list(combines, key))
            return rules_vfail(v, "$.recurring.combine", "unknown member '%s' (sum, max, any)",
                               key);
        if (!check_fact_list(v, x, path,
                             strcmp(key, "sum") == 0   ? r->sum
                             : strcmp(key, "max") == 0 ? r->max
                                                       : r->any,
                             strcmp(key, "sum") == 0   ? &r->nsum
                             : strcmp(key, "max") == 0 ? &r->nmax
                                                       : &r->nany))
            return false;
    }
    x = r->def;
    if ((val = json_object_get(x, "when")) != NULL) {
        if (!check_expr(v, val, "$.recurring.when"))
            return false;
        r->when = val;
    }
    val = json_object_get(x, "test");
    if (json_is_string(val) && strcmp(json_string_value(val), "significant") == 0)
        return true; /* the file's own significance test, over the combination */
    if (val == NULL)
        return rules_vfail(v, "$.recurring.test", "is required: EXPR or \"significant\"", NULL);
    if (!check_expr(v, val, "$.recurring.test"))
        return false;
    r->test = val;
    return true;
}

/* Loads one file's text; path names it in messages (rules_int.h). */
int
rules_load_text(const char *path, const char *text, size_t len, struct ruleset *rs,
                struct mp_error *err)
{
    static const char *const allowed[] = {"regime", "version",   "title",       "source",
                                          "notes",  "applies",   "significant", "lifted_by",
                                          "stages", "recurring", NULL};
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
        rules_vfail(&v, "$", "a rule file is a JSON object", NULL);
        return -1;
    }
    json_object_foreach(rs->doc, key, val)
    {
        if (!rules_in_list(allowed, key)) {
            rules_vfail(&v, "$", "unknown member '%s'", key);
            return -1;
        }
    }
    x = json_object_get(rs->doc, "regime");
    if (!json_is_string(x) || json_string_length(x) == 0 || json_string_length(x) > 40 ||
        strspn(json_string_value(x), "abcdefghijklmnopqrstuvwxyz0123456789-") !=
            json_string_length(x)) {
        rules_vfail(&v, "$.regime", "must be a short id of a-z, 0-9 and -", NULL);
        return -1;
    }
    rs->regime = json_string_value(x);
    x = json_object_get(rs->doc, "version");
    if (!json_is_string(x) || json_string_length(x) == 0) {
        rules_vfail(&v, "$.version", "is required (text)", NULL);
        return -1;
    }
    rs->version = json_string_value(x);
    if (!json_is_string(json_object_get(rs->doc, "source"))) {
        rules_vfail(&v, "$.source", "is required: the legal reference", NULL);
        return -1;
    }
    if (!rules_check_text(&v, json_object_get(rs->doc, "title"), "$.title"))
        return -1;
    if (json_object_get(rs->doc, "notes") &&
        !rules_check_text(&v, json_object_get(rs->doc, "notes"), "$.notes"))
        return -1;
    rs->applies = json_object_get(rs->doc, "applies");
    if (rs->applies == NULL) {
        rules_vfail(&v, "$.applies", "is required", NULL);
        return -1;
    }
    if (!check_expr(&v, rs->applies, "$.applies"))
        return -1;
    rs->significant = json_object_get(rs->doc, "significant");
    if (rs->significant == NULL) {
        rules_vfail(&v, "$.significant", "is required", NULL);
        return -1;
    }
    if (!check_expr(&v, rs->significant, "$.significant"))
        return -1;
    rs->lifted_by = json_object_get(rs->doc, "lifted_by");
    if (rs->lifted_by != NULL && !check_expr(&v, rs->lifted_by, "$.lifted_by"))
        return -1;
    x = json_object_get(rs->doc, "recurring");
    if (x != NULL && !check_recurring(&v, x, rs))
        return -1;
    x = json_object_get(rs->doc, "stages");
    if (!json_is_array(x)) {
        rules_vfail(&v, "$.stages", "must be a list", NULL);
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
                rules_vfail(&v, path2, "stage id '%s' is used twice", rs->stages[i].id);
                return -1;
            }
        }
        rs->nstages++;
    }
    if (compile_ruleset(rs, err) != 0 || !check_anchors(&v, rs))
        return -1;
    return rules_fingerprint(rs, err);
}

void
rules_ruleset_free(struct ruleset *rs)
{
    rules_rnode_free(rs->applies_n);
    rules_rnode_free(rs->significant_n);
    rules_rnode_free(rs->lifted_by_n);
    if (rs->recurring != NULL) {
        rules_rnode_free(rs->recurring->when_n);
        rules_rnode_free(rs->recurring->test_n);
        free(rs->recurring);
    }
    for (int k = 0; rs->stages && k < rs->nstages; k++) {
        rules_rnode_free(rs->stages[k].when_n);
        rules_rnode_free(rs->stages[k].wd_unless_n);
    }
    free(rs->stages);
    free(rs->text);
    json_decref(rs->doc);
}

/* One rule file of the set (file_load_set). */
static int
add_ruleset(void *arg, int i, int n, const char *path, const char *text, size_t len,
            struct mp_error *err)
{
    struct rules *r = arg;

    if (i == 0 && (r->sets = calloc((size_t)n + 1, sizeof(*r->sets))) == NULL)
        return mp_error_set(err, 0, "", "out of memory");
    r->nsets = i + 1; /* freed with the rest, whatever rules_load_text left */
    if (rules_load_text(path, text, len, &r->sets[i], err) != 0)
        return -1;
    for (int k = 0; k < i; k++) {
        if (strcmp(r->sets[k].regime, r->sets[i].regime) == 0)
            return mp_error_set(err, 0, "", "%s: $.regime: '%s' is also the regime of %s", path,
                                r->sets[i].regime, r->sets[k].file);
    }
    return 0;
}

/* The rule files in dir, or (NULL) the built-in ones, with their calendars. */
static int
load_set(const char *dir, struct rules **out, struct mp_error *err)
{
    struct rules *r = calloc(1, sizeof(*r));

    *out = NULL;
    if (r == NULL)
        return mp_error_set(err, 0, "", "out of memory");
    snapshot_refs_init(&r->refs);
    snprintf(r->dir, sizeof(r->dir), "%s", dir ? dir : "(built in)");
    if (file_load_set(dir, ".json", 64, rules_files, rules_files_count, "(built in)", add_ruleset,
                      r, err) != 0)
        goto fail;
    if (r->nsets == 0) {
        mp_error_set(err, 0, "", "%s: no rule files (*.json)", r->dir);
        goto fail;
    }
    if (rules_calendars_for(dir, r, err) != 0)
        goto fail;
    *out = r;
    return 0;
fail:
    rules_release(r);
    return -1;
}

int
rules_load_builtin(struct rules **out, struct mp_error *err)
{
    return load_set(NULL, out, err);
}

int
rules_load(const char *dir, struct rules **out, struct mp_error *err)
{
    return load_set(dir, out, err);
}
