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

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const profile_names[] = {
    "country",      "sector",         "subsector",           "nis2_class",      "entity_types",
    "cer_critical", "dora_financial", "annual_turnover_eur", "microenterprise", NULL};
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

static bool
fact_known(const char *name)
{
    for (size_t i = 0; i < impact_facts_count; i++) {
        if (strcmp(impact_facts[i].name, name) == 0)
            return true;
    }
    return in_list(field_names, name);
}

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

static bool
check_stage(struct vctx *v, json_t *st, const char *path, struct rule_stage *out)
{
    static const char *const allowed[] = {"id",   "name",       "recipient", "due",    "asap",
                                          "when", "on_request", "contents",  "source", NULL};
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
    x = json_object_get(st, "recipient");
    if (!json_is_string(x) || !in_list(recipients, json_string_value(x)))
        return vfail(v, path,
                     "recipient must be one of csirt, supervisor, dpa, cer_authority, "
                     "financial_supervisor, data_subjects, clients",
                     NULL);
    out->recipient = json_string_value(x);
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
        if (!json_is_array(x) || json_array_size(x) > RULE_DUE_MAX ||
            (json_array_size(x) == 0 && !out->on_request))
            return vfail(v, path, "due must be a list of 1 to 4 {after, within}", NULL);
        json_array_foreach(x, i, val)
        {
            json_t *after = json_object_get(val, "after"), *within = json_object_get(val, "within");
            struct rule_due *d = &out->due[out->ndue];
            const char *a;

            snprintf(sub, sizeof(sub), "%s.due[%zu]", path, i);
            if (!json_is_object(val) || json_object_size(val) != 2 || !json_is_string(after) ||
                !json_is_string(within))
                return vfail(v, sub, "must be {\"after\": ANCHOR, \"within\": DURATION}", NULL);
            a = json_string_value(after);
            if (!in_list(anchors, a) && strncmp(a, "stage:", 6) != 0)
                return vfail(v, sub, "unknown anchor '%s'", a);
            if (duration_parse(json_string_value(within), &d->within) != 0)
                return vfail(v, sub, "within '%s' is not an ISO 8601 duration",
                             json_string_value(within));
            snprintf(d->anchor, sizeof(d->anchor), "%s", a);
            snprintf(d->within_text, sizeof(d->within_text), "%s", json_string_value(within));
            out->ndue++;
        }
    }
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
    static const char *const allowed[] = {"regime",  "version",     "title",  "source", "notes",
                                          "applies", "significant", "stages", NULL};
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
    /* stage:ID anchors must name a stage of this file */
    for (int s = 0; s < rs->nstages; s++) {
        for (int d = 0; d < rs->stages[s].ndue; d++) {
            const char *a = rs->stages[s].due[d].anchor;
            bool ok = strncmp(a, "stage:", 6) != 0;
            for (int k = 0; !ok && k < rs->nstages; k++)
                ok = strcmp(rs->stages[k].id, a + 6) == 0;
            if (!ok) {
                char path2[64];
                snprintf(path2, sizeof(path2), "$.stages[%d].due[%d]", s, d);
                vfail(&v, path2, "anchor '%s' names no stage of this file", a);
                return -1;
            }
        }
    }
    return 0;
}

static void
ruleset_free(struct ruleset *rs)
{
    free(rs->stages);
    json_decref(rs->doc);
}

static char *
read_file(const char *path, size_t *len, struct mp_error *err)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long n;

    if (f == NULL) {
        mp_error_set(err, 0, "", "%s: cannot read", path);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n <= (1 << 20) &&
        fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)n + 1)) != NULL &&
        fread(text, 1, (size_t)n, f) == (size_t)n) {
        *len = (size_t)n;
    } else {
        free(text);
        text = NULL;
        mp_error_set(err, 0, "", "%s: cannot read (or larger than 1 MiB)", path);
    }
    fclose(f);
    return text;
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
    *out = r;
    return 0;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
rules_load(const char *dir, struct rules **out, struct mp_error *err)
{
    struct rules *r;
    struct dirent *de;
    char *names[64];
    int n = 0, rc = -1;
    DIR *d;

    *out = NULL;
    d = opendir(dir);
    if (d == NULL)
        return mp_error_set(err, 0, "", "%s: cannot open the rules directory", dir);
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        if (n == 64) {
            closedir(d);
            for (int i = 0; i < n; i++)
                free(names[i]);
            return mp_error_set(err, 0, "", "%s: more than 64 rule files", dir);
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof(names[0]), cmp_names);
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
        text = read_file(path, &len, err);
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
    *out = r;
    r = NULL;
    rc = 0;
out:
    for (int i = 0; i < n; i++)
        free(names[i]);
    if (r != NULL) {
        r->refs = 1;
        rules_release(r);
    }
    return rc;
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

const struct ruleset *
rules_find(const struct rules *r, const char *regime)
{
    for (int i = 0; r && i < r->nsets; i++) {
        if (strcmp(r->sets[i].regime, regime) == 0)
            return &r->sets[i];
    }
    return NULL;
}

/* ---- evaluation ---- */

struct eval {
    const json_t *facts;
    const json_t *profile;
    json_t *criteria;   /* reported criteria (nodes with an id) */
    json_t *conditions; /* comparisons of the innermost criterion being evaluated */
};

static void
add_missing(json_t *missing, const char *name)
{
    size_t i;
    json_t *x;

    json_array_foreach(missing, i, x)
    {
        if (strcmp(json_string_value(x), name) == 0)
            return;
    }
    json_array_append_new(missing, json_string(name));
}

static void
merge_missing(json_t *into, json_t *from)
{
    size_t i;
    json_t *x;

    json_array_foreach(from, i, x) add_missing(into, json_string_value(x));
}

/* A value: a new reference, or NULL when unknown (names added to missing). */
static json_t *
value_eval(const json_t *v, struct eval *ev, json_t *missing)
{
    json_t *x, *item;
    const char *key;
    size_t i;

    if (!json_is_object(v))
        return json_incref((json_t *)v);
    if ((x = json_object_get(v, "fact")) != NULL) {
        json_t *val = json_object_get(ev->facts, json_string_value(x));
        if (val == NULL || json_is_null(val)) {
            json_t *def = json_object_get(v, "default");
            if (def != NULL)
                return json_incref(def); /* the rule says what absent means */
            add_missing(missing, json_string_value(x));
            return NULL;
        }
        return json_incref(val);
    }
    if ((x = json_object_get(v, "profile")) != NULL) {
        json_t *val = json_object_get(ev->profile, json_string_value(x));
        if (val == NULL || json_is_null(val)) {
            char name[80];
            snprintf(name, sizeof(name), "profile.%s", json_string_value(x));
            add_missing(missing, name);
            return NULL;
        }
        return json_incref(val);
    }
    json_object_foreach((json_t *)v, key, x)
    {
        double acc = 0;
        bool unknown = false;

        json_array_foreach(x, i, item)
        {
            json_t *n = value_eval(item, ev, missing);
            double d;
            if (n == NULL || !json_is_number(n)) {
                json_decref(n);
                unknown = true;
                continue;
            }
            d = json_number_value(n);
            json_decref(n);
            if (i == 0)
                acc = d;
            else if (strcmp(key, "div") == 0)
                acc = d == 0 ? (unknown = true, 0) : acc / d;
            else if (strcmp(key, "mul") == 0)
                acc *= d;
            else if (strcmp(key, "min") == 0)
                acc = d < acc ? d : acc;
            else
                acc = d > acc ? d : acc;
        }
        return unknown ? NULL : json_real(acc);
    }
    return NULL;
}

static enum tri
compare(const char *op, json_t *l, json_t *r)
{
    size_t i;
    json_t *x;

    if (strcmp(op, "in") == 0) {
        json_array_foreach(r, i, x)
        {
            if (json_equal(l, x) || (json_is_number(l) && json_is_number(x) &&
                                     json_number_value(l) == json_number_value(x)))
                return TRI_YES;
        }
        return TRI_NO;
    }
    if (strcmp(op, "has") == 0) {
        if (!json_is_array(l))
            return TRI_NO;
        json_array_foreach(l, i, x)
        {
            if (json_equal(x, r) || (json_is_number(x) && json_is_number(r) &&
                                     json_number_value(x) == json_number_value(r)))
                return TRI_YES;
        }
        return TRI_NO;
    }
    if (json_is_number(l) && json_is_number(r)) {
        double a = json_number_value(l), b = json_number_value(r);
        if (strcmp(op, ">") == 0)
            return a > b ? TRI_YES : TRI_NO;
        if (strcmp(op, ">=") == 0)
            return a >= b ? TRI_YES : TRI_NO;
        if (strcmp(op, "<") == 0)
            return a < b ? TRI_YES : TRI_NO;
        if (strcmp(op, "<=") == 0)
            return a <= b ? TRI_YES : TRI_NO;
        if (strcmp(op, "==") == 0)
            return a == b ? TRI_YES : TRI_NO;
        return a != b ? TRI_YES : TRI_NO;
    }
    if (strcmp(op, "==") == 0)
        return json_equal(l, r) ? TRI_YES : TRI_NO;
    if (strcmp(op, "!=") == 0)
        return json_equal(l, r) ? TRI_NO : TRI_YES;
    return TRI_NO; /* ordering of non-numbers: never true */
}

static json_t *
describe(const json_t *v)
{
    json_t *x;

    if (json_is_object(v) && (x = json_object_get(v, "fact")) != NULL)
        return json_incref(x);
    if (json_is_object(v) && (x = json_object_get(v, "profile")) != NULL) {
        char name[80];
        snprintf(name, sizeof(name), "profile.%s", json_string_value(x));
        return json_string(name);
    }
    return json_deep_copy(v);
}

static enum tri expr_eval(const json_t *e, struct eval *ev, json_t *missing);

static enum tri
expr_eval_inner(const json_t *e, struct eval *ev, json_t *missing)
{
    json_t *list, *x;
    size_t i;

    if (json_is_boolean(e))
        return json_is_true(e) ? TRI_YES : TRI_NO;
    if ((list = json_object_get(e, "all")) != NULL || (list = json_object_get(e, "any")) != NULL) {
        bool all = json_object_get(e, "all") != NULL;
        bool unknown = false, decided = false;
        json_t *sub = json_array();

        json_array_foreach(list, i, x)
        {
            enum tri t = expr_eval(x, ev, sub);
            if (t == TRI_UNKNOWN)
                unknown = true;
            else if ((all && t == TRI_NO) || (!all && t == TRI_YES))
                decided = true;
        }
        if (!decided && unknown)
            merge_missing(missing, sub);
        json_decref(sub);
        if (decided)
            return all ? TRI_NO : TRI_YES;
        return unknown ? TRI_UNKNOWN : all ? TRI_YES : TRI_NO;
    }
    if ((x = json_object_get(e, "not")) != NULL) {
        enum tri t = expr_eval(x, ev, missing);
        return t == TRI_UNKNOWN ? TRI_UNKNOWN : t == TRI_YES ? TRI_NO : TRI_YES;
    }
    if ((list = json_object_get(e, "of")) != NULL) {
        json_int_t need = json_integer_value(json_object_get(e, "at_least"));
        json_int_t yes = 0, unknown = 0;
        json_t *sub = json_array();

        json_array_foreach(list, i, x)
        {
            enum tri t = expr_eval(x, ev, sub);
            yes += t == TRI_YES;
            unknown += t == TRI_UNKNOWN;
        }
        if (yes >= need) {
            json_decref(sub);
            return TRI_YES;
        }
        if (yes + unknown < need) {
            json_decref(sub);
            return TRI_NO;
        }
        merge_missing(missing, sub);
        json_decref(sub);
        return TRI_UNKNOWN;
    }
    {
        const char *op = json_string_value(json_object_get(e, "op"));
        json_t *l = value_eval(json_object_get(e, "left"), ev, missing);
        json_t *r = value_eval(json_object_get(e, "right"), ev, missing);
        enum tri t = l && r ? compare(op, l, r) : TRI_UNKNOWN;

        if (ev->conditions != NULL) {
            json_t *c = json_pack("{s:o, s:s, s:O?, s:O?, s:s}", "left",
                                  describe(json_object_get(e, "left")), "op", op, "threshold", r,
                                  "actual", l, "result", tri_name(t));
            json_array_append_new(ev->conditions, c);
        }
        json_decref(l);
        json_decref(r);
        return t;
    }
}

static enum tri
expr_eval(const json_t *e, struct eval *ev, json_t *missing)
{
    json_t *id = json_is_object(e) ? json_object_get(e, "id") : NULL;
    json_t *saved, *crit;
    enum tri t;

    if (id == NULL || ev->criteria == NULL)
        return expr_eval_inner(e, ev, missing);
    saved = ev->conditions;
    ev->conditions = json_array();
    t = expr_eval_inner(e, ev, missing);
    crit =
        json_pack("{s:O, s:s, s:o}", "id", id, "result", tri_name(t), "conditions", ev->conditions);
    if (json_object_get(e, "text"))
        json_object_set(crit, "text", json_object_get(e, "text"));
    if (json_object_get(e, "source"))
        json_object_set(crit, "source", json_object_get(e, "source"));
    json_array_append_new(ev->criteria, crit);
    ev->conditions = saved;
    return t;
}

enum tri
rules_eval_expr(const json_t *expr, const json_t *facts, const json_t *profile)
{
    struct eval ev = {.facts = facts, .profile = profile};
    json_t *missing = json_array();
    enum tri t = expr_eval(expr, &ev, missing);

    json_decref(missing);
    return t;
}

json_t *
rules_evaluate(const struct ruleset *rs, const json_t *facts, const json_t *profile)
{
    struct eval ev = {.facts = facts, .profile = profile};
    json_t *out, *missing = json_array(), *stages = json_array();
    enum tri applies, significant = TRI_NO;

    applies = expr_eval(rs->applies, &ev, missing);
    ev.criteria = json_array();
    if (applies != TRI_NO) {
        json_t *sig_missing = json_array();
        significant = expr_eval(rs->significant, &ev, sig_missing);
        if (significant == TRI_UNKNOWN)
            merge_missing(missing, sig_missing);
        json_decref(sig_missing);
    }
    for (int i = 0; i < rs->nstages; i++) {
        const struct rule_stage *st = &rs->stages[i];
        enum tri when = st->when ? rules_eval_expr(st->when, facts, profile) : TRI_YES;
        json_t *due;

        if (when == TRI_NO)
            continue;
        due = json_array();
        for (int d = 0; d < st->ndue; d++)
            json_array_append_new(due, json_pack("{s:s, s:s}", "after", st->due[d].anchor, "within",
                                                 st->due[d].within_text));
        json_array_append_new(stages,
                              json_pack("{s:s, s:O, s:s, s:o, s:b, s:b, s:b}", "id", st->id, "name",
                                        json_object_get(st->def, "name"), "recipient",
                                        st->recipient, "due", due, "asap", st->asap, "on_request",
                                        st->on_request, "conditional", when == TRI_UNKNOWN));
    }
    out = json_pack("{s:s, s:s, s:O, s:O, s:s, s:s, s:o, s:o, s:o}", "regime", rs->regime,
                    "version", rs->version, "title", json_object_get(rs->doc, "title"), "source",
                    json_object_get(rs->doc, "source"), "applies", tri_name(applies), "significant",
                    tri_name(significant), "missing", missing, "criteria", ev.criteria, "stages",
                    stages);
    return out;
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
