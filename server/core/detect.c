/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * detect.c - see detect.h and docs/ALERTS.md.
 *
 * Validation walks each file once at load and names the first problem by
 * its JSON path, as the reporting rules do, so matching can trust the
 * shapes it meets.  Matching works on the jansson trees directly: a rule
 * has a handful of conditions and an alert a handful of labels.
 */
#include "detect.h"
#include "lib/embed.h"
#include "lib/file.h"
#include "lib/snapshot.h"
#include "lib/text.h"
#include "store/incidents.h"

#include <fnmatch.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const detect_action_names[3] = {"open_incident", "attach", "record"};

#define RULE_ID_MAX      64
#define WITHIN_MAX       ((json_int_t)7 * 24 * 60) /* a week, in minutes */
#define TEMPLATE_MAX     1000
#define DETECT_FILES_MAX 64

/* ---- fingerprints ---- */

void
alert_fingerprint(const char *source, const char *title, const json_t *labels,
                  char out[ALERT_FINGERPRINT_HEX + 1])
{
    crypto_generichash_state h;
    unsigned char hash[ALERT_FINGERPRINT_HEX / 2];
    const char **keys;
    size_t n = json_object_size(labels), k = 0;
    const char *key;
    json_t *v;

    /* NUL-separated fields: no two different inputs hash the same text */
    crypto_generichash_init(&h, NULL, 0, sizeof(hash));
    crypto_generichash_update(&h, (const unsigned char *)source, strlen(source) + 1);
    crypto_generichash_update(&h, (const unsigned char *)title, strlen(title) + 1);
    keys = calloc(n + 1, sizeof(*keys));
    if (keys != NULL) {
        json_object_foreach((json_t *)labels, key, v)
        {
            (void)v;
            keys[k++] = key;
        }
        for (size_t i = 1; i < k; i++) { /* few labels: insertion sort */
            const char *x = keys[i];
            size_t j = i;
            for (; j > 0 && strcmp(keys[j - 1], x) > 0; j--)
                keys[j] = keys[j - 1];
            keys[j] = x;
        }
        for (size_t i = 0; i < k; i++) {
            const char *s = json_string_value(json_object_get(labels, keys[i]));
            crypto_generichash_update(&h, (const unsigned char *)keys[i], strlen(keys[i]) + 1);
            crypto_generichash_update(&h, (const unsigned char *)(s ? s : ""),
                                      strlen(s ? s : "") + 1);
        }
        free(keys);
    }
    crypto_generichash_final(&h, hash, sizeof(hash));
    sodium_bin2hex(out, ALERT_FINGERPRINT_HEX + 1, hash, sizeof(hash));
}

/* ---- the match language ---- */

static const char *const match_fields[] = {"source", "severity", "service", "labels", NULL};

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
severity_known(const char *s)
{
    for (int i = 0; i < ALERT_SEV_COUNT; i++) {
        if (strcmp(alert_severity_names[i], s) == 0)
            return true;
    }
    return false;
}

static bool
cond_valid(const json_t *c, bool severity, const char *path, struct mp_error *err)
{
    size_t i;
    json_t *v;

    if (json_is_string(c)) {
        if (severity && !severity_known(json_string_value(c)))
            return mp_error_set(err, 422, path, "must be info, low, medium, high or critical") == 0;
        return true;
    }
    if (json_is_array(c)) {
        if (json_array_size(c) == 0 || json_array_size(c) > 100)
            return mp_error_set(err, 422, path, "a list must hold 1-100 values") == 0;
        json_array_foreach(c, i, v)
        {
            if (!json_is_string(v))
                return mp_error_set(err, 422, path, "a list must hold strings only") == 0;
            if (severity && !severity_known(json_string_value(v)))
                return mp_error_set(err, 422, path,
                                    "'%.40s' is not one of info, low, medium, high, critical",
                                    json_string_value(v)) == 0;
        }
        return true;
    }
    if (json_is_object(c)) {
        v = json_object_get(c, "glob");
        if (json_object_size(c) != 1 || !json_is_string(v) || json_string_length(v) == 0 ||
            json_string_length(v) > 200)
            return mp_error_set(err, 422, path,
                                "an object condition is {\"glob\": \"pattern\"} (1-200 "
                                "characters)") == 0;
        return true;
    }
    return mp_error_set(err, 422, path,
                        "must be a string, a list of strings or {\"glob\": \"pattern\"}") == 0;
}

bool
detect_match_valid(const json_t *match, const char *path, struct mp_error *err)
{
    char p[96];
    const char *key;
    json_t *v;

    if (!json_is_object(match))
        return mp_error_set(err, 422, path, "must be an object") == 0;
    json_object_foreach((json_t *)match, key, v)
    {
        snprintf(p, sizeof(p), "%s.%s", path, key);
        if (!in_list(match_fields, key))
            return mp_error_set(err, 422, p,
                                "unknown field; known: source, severity, service, "
                                "labels") == 0;
        if (strcmp(key, "labels") == 0) {
            const char *name;
            json_t *c;
            if (!json_is_object(v))
                return mp_error_set(err, 422, p, "must be an object of label conditions") == 0;
            json_object_foreach(v, name, c)
            {
                snprintf(p, sizeof(p), "%s.labels.%s", path, name);
                if (!cond_valid(c, false, p, err))
                    return false;
            }
        } else if (!cond_valid(v, strcmp(key, "severity") == 0, p, err)) {
            return false;
        }
    }
    return true;
}

static bool
cond_holds(const json_t *c, const char *value)
{
    size_t i;
    json_t *v;

    if (value == NULL)
        return false; /* an absent value meets no condition */
    if (json_is_string(c))
        return strcmp(json_string_value(c), value) == 0;
    if (json_is_array(c)) {
        json_array_foreach(c, i, v)
        {
            if (strcmp(json_string_value(v), value) == 0)
                return true;
        }
        return false;
    }
    return fnmatch(json_string_value(json_object_get(c, "glob")), value, 0) == 0;
}

bool
detect_match(const json_t *match, const struct alert *a)
{
    const char *key;
    json_t *c;

    json_object_foreach((json_t *)match, key, c)
    {
        if (strcmp(key, "source") == 0) {
            if (!cond_holds(c, a->source))
                return false;
        } else if (strcmp(key, "severity") == 0) {
            if (!cond_holds(c, alert_severity_names[a->severity]))
                return false;
        } else if (strcmp(key, "service") == 0) {
            if (!cond_holds(c, a->service))
                return false;
        } else if (strcmp(key, "labels") == 0) {
            const char *name;
            json_t *lc;
            json_object_foreach(c, name, lc)
            {
                if (!cond_holds(lc, json_string_value(json_object_get(a->labels, name))))
                    return false;
            }
        }
    }
    return true;
}

/* ---- templates and correlation keys ---- */

/* The value of a placeholder or correlation field; NULL when the alert
 * has none; known false when the name is not one. */
static const char *
alert_value(const struct alert *a, const char *name, size_t len, bool *known)
{
    static const char *const names[] = {"title", "source", "service", "severity", "fingerprint"};
    const char *values[5];

    *known = true;
    if (a != NULL) {
        values[0] = a->title;
        values[1] = a->source;
        values[2] = a->service;
        values[3] = alert_severity_names[a->severity];
        values[4] = a->fingerprint;
    }
    for (int i = 0; i < 5; i++) {
        if (strlen(names[i]) == len && strncmp(names[i], name, len) == 0)
            return a ? values[i] : NULL;
    }
    if (len > 7 && strncmp(name, "labels.", 7) == 0) {
        char label[128];
        if (len - 7 >= sizeof(label))
            return NULL;
        memcpy(label, name + 7, len - 7);
        label[len - 7] = '\0';
        return a ? json_string_value(json_object_get(a->labels, label)) : NULL;
    }
    *known = false;
    return NULL;
}

/* NULL when every placeholder of tmpl is known, else the first unknown. */
static const char *
template_unknown(const char *tmpl, char *bad, size_t size)
{
    for (const char *p = strchr(tmpl, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        bool known;
        if (end == NULL) {
            snprintf(bad, size, "an unclosed {");
            return bad;
        }
        alert_value(NULL, p + 1, (size_t)(end - p - 1), &known);
        if (!known) {
            snprintf(bad, size, "unknown placeholder {%.*s}", (int)(end - p - 1), p + 1);
            return bad;
        }
    }
    return NULL;
}

char *
detect_expand(const char *tmpl, const struct alert *a)
{
    struct buf b = BUF_INIT;
    const char *p = tmpl;

    while (*p) {
        const char *open = strchr(p, '{'), *end;
        bool known;
        if (open == NULL || (end = strchr(open, '}')) == NULL) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(open - p));
        const char *v = alert_value(a, open + 1, (size_t)(end - open - 1), &known);
        if (known && v != NULL)
            buf_puts(&b, v);
        else if (!known)
            buf_append(&b, open, (size_t)(end - open + 1));
        p = end + 1;
    }
    buf_append(&b, "", 1);
    return buf_detach(&b, NULL);
}

void
detect_correlation_key(const struct detection_rule *r, const struct alert *a, struct buf *out)
{
    size_t i;
    json_t *f;

    json_array_foreach(r->by, i, f)
    {
        const char *name = json_string_value(f);
        bool known;
        const char *v = alert_value(a, name, strlen(name), &known);
        /* "service=db": keys name their fields, so rules correlating by the
         * same fields meet; unit separators keep the fields apart */
        if (i > 0)
            buf_puts(out, "\x1f");
        buf_puts(out, name);
        buf_puts(out, "=");
        buf_puts(out, v ? v : "");
    }
}

/* ---- loading ---- */

struct vctx {
    const char *file;
    struct mp_error *err;
};

static int
vfail(struct vctx *v, const char *path, const char *reason)
{
    return mp_error_set(v->err, 0, "", "%s: %s: %s", v->file, path, reason);
}

static bool
only_keys(struct vctx *v, const json_t *obj, const char *const allowed[], const char *path)
{
    const char *key;
    json_t *x;
    char p[320], why[160];

    json_object_foreach((json_t *)obj, key, x)
    {
        if (!in_list(allowed, key)) {
            snprintf(p, sizeof(p), "%s.%s", path, key);
            snprintf(why, sizeof(why), "unknown member");
            vfail(v, p, why);
            return false;
        }
    }
    return true;
}

static bool
check_template(struct vctx *v, const json_t *t, const char *path, bool required)
{
    char bad[80];

    if (t == NULL && !required)
        return true;
    if (!json_is_string(t) || json_string_length(t) == 0 || json_string_length(t) > TEMPLATE_MAX)
        return vfail(v, path, "must be a non-empty string (at most 1000 bytes)") == 0;
    if (template_unknown(json_string_value(t), bad, sizeof(bad)))
        return vfail(v, path, bad) == 0;
    return true;
}

static bool
check_incident(struct vctx *v, const json_t *t, const char *path)
{
    static const char *const keys[] = {"title",    "description", "category",
                                       "severity", "services",    NULL};
    const json_t *x;
    char p[256];
    size_t i;
    json_t *s;

    if (!json_is_object(t))
        return vfail(v, path, "must be an object (the incident to open)") == 0;
    if (!only_keys(v, t, keys, path))
        return false;
    snprintf(p, sizeof(p), "%s.title", path);
    if (!check_template(v, json_object_get(t, "title"), p, true))
        return false;
    snprintf(p, sizeof(p), "%s.description", path);
    if (!check_template(v, json_object_get(t, "description"), p, false))
        return false;
    x = json_object_get(t, "category");
    snprintf(p, sizeof(p), "%s.category", path);
    if (x && (!json_is_string(x) || incident_enum_parse(incident_category_names, CATEGORY_COUNT,
                                                        json_string_value(x)) < 0))
        return vfail(v, p, "must be cyber, physical or other") == 0;
    x = json_object_get(t, "severity");
    snprintf(p, sizeof(p), "%s.severity", path);
    if (x && (!json_is_string(x) || (strcmp(json_string_value(x), "from_alert") != 0 &&
                                     incident_enum_parse(incident_severity_names, SEVERITY_COUNT,
                                                         json_string_value(x)) < 0)))
        return vfail(v, p, "must be low, medium, high, critical or from_alert") == 0;
    x = json_object_get(t, "services");
    snprintf(p, sizeof(p), "%s.services", path);
    if (x && (!json_is_array(x) || json_array_size(x) > 20))
        return vfail(v, p, "must be a list of at most 20 templates") == 0;
    json_array_foreach(x, i, s)
    {
        snprintf(p, sizeof(p), "%s.services[%zu]", path, i);
        if (!check_template(v, s, p, true))
            return false;
    }
    return true;
}

static bool
check_correlate(struct vctx *v, const json_t *c, const char *path, struct detection_rule *r)
{
    static const char *const keys[] = {"by", "within_minutes", NULL};
    const json_t *by = json_object_get(c, "by"), *w = json_object_get(c, "within_minutes");
    char p[256];
    size_t i;
    json_t *f;

    if (!json_is_object(c))
        return vfail(v, path, "must be an object {by, within_minutes}") == 0;
    if (!only_keys(v, c, keys, path))
        return false;
    snprintf(p, sizeof(p), "%s.by", path);
    if (!json_is_array(by) || json_array_size(by) == 0 || json_array_size(by) > 8)
        return vfail(v, p, "must be a list of 1-8 fields") == 0;
    json_array_foreach(by, i, f)
    {
        bool known = false;
        snprintf(p, sizeof(p), "%s.by[%zu]", path, i);
        if (json_is_string(f))
            alert_value(NULL, json_string_value(f), json_string_length(f), &known);
        if (!known)
            return vfail(v, p,
                         "must be title, source, service, severity, fingerprint or "
                         "labels.NAME") == 0;
    }
    snprintf(p, sizeof(p), "%s.within_minutes", path);
    if (!json_is_integer(w) || json_integer_value(w) < 1 || json_integer_value(w) > WITHIN_MAX)
        return vfail(v, p, "must be whole minutes from 1 to 10080 (a week)") == 0;
    r->by = by;
    r->within_minutes = json_integer_value(w);
    return true;
}

static bool
id_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > RULE_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

static bool
check_rule(struct vctx *v, const json_t *j, const char *path, struct detection_rule *r)
{
    static const char *const keys[] = {"id",       "description", "match", "action",
                                       "incident", "correlate",   NULL};
    const json_t *id = json_object_get(j, "id"), *action = json_object_get(j, "action");
    const json_t *d = json_object_get(j, "description");
    struct mp_error merr;
    char p[128], why[200];
    int a = -1;

    if (!json_is_object(j))
        return vfail(v, path, "must be an object") == 0;
    if (!only_keys(v, j, keys, path))
        return false;
    snprintf(p, sizeof(p), "%s.id", path);
    if (!json_is_string(id) || !id_valid(json_string_value(id)))
        return vfail(v, p, "must be 1-64 of a-z, 0-9, '-', '_', '.'") == 0;
    snprintf(p, sizeof(p), "%s.description", path);
    if (d != NULL && (!json_is_string(d) || json_string_length(d) > 1000))
        return vfail(v, p, "must be a string of at most 1000 bytes") == 0;
    snprintf(p, sizeof(p), "%s.match", path);
    if (!detect_match_valid(json_object_get(j, "match"), p, &merr)) {
        snprintf(why, sizeof(why), "%s", merr.message);
        return vfail(v, merr.field, why) == 0;
    }
    snprintf(p, sizeof(p), "%s.action", path);
    for (int i = 0; json_is_string(action) && i < 3; i++) {
        if (strcmp(detect_action_names[i], json_string_value(action)) == 0)
            a = i;
    }
    if (a < 0)
        return vfail(v, p, "must be open_incident, attach or record") == 0;
    r->id = json_string_value(id);
    r->match = json_object_get(j, "match");
    r->action = (enum detect_action)a;
    snprintf(p, sizeof(p), "%s.incident", path);
    if (a == DETECT_OPEN_INCIDENT) {
        if (!check_incident(v, json_object_get(j, "incident"), p))
            return false;
        r->incident = json_object_get(j, "incident");
    } else if (json_object_get(j, "incident") != NULL) {
        return vfail(v, p, "only open_incident opens an incident") == 0;
    }
    snprintf(p, sizeof(p), "%s.correlate", path);
    if (json_object_get(j, "correlate") != NULL) {
        if (a == DETECT_RECORD)
            return vfail(v, p, "record does not correlate") == 0;
        if (!check_correlate(v, json_object_get(j, "correlate"), p, r))
            return false;
    } else if (a == DETECT_ATTACH) {
        return vfail(v, p, "attach needs correlate: which incident to attach to") == 0;
    }
    return true;
}

static int
load_text(struct detection *d, const char *file, const char *text, size_t len, struct mp_error *err)
{
    static const char *const keys[] = {"version", "description", "rules", NULL};
    struct vctx v = {.file = file, .err = err};
    json_error_t jerr;
    json_t *doc, *rules, *x;
    struct detection_rule *nr;
    size_t i;

    doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL)
        return mp_error_set(err, 0, "", "%s: line %d, column %d: %s", file, jerr.line, jerr.column,
                            jerr.text);
    json_array_append_new(d->files, json_pack("{s:s, s:O?, s:o}", "file", file, "version",
                                              json_object_get(doc, "version"), "doc", doc));
    if (!json_is_object(doc))
        return vfail(&v, "$", "must be an object {version, rules}");
    if (!only_keys(&v, doc, keys, "$"))
        return -1;
    x = json_object_get(doc, "version");
    if (!json_is_string(x) || json_string_length(x) == 0 || json_string_length(x) > 64)
        return vfail(&v, "$.version", "must be a string of 1-64 bytes");
    rules = json_object_get(doc, "rules");
    if (!json_is_array(rules) || json_array_size(rules) > 500)
        return vfail(&v, "$.rules", "must be a list of at most 500 rules");
    nr = realloc(d->rules, (size_t)(d->nrules + (int)json_array_size(rules) + 1) * sizeof(*nr));
    if (nr == NULL)
        return mp_error_set(err, 0, "", "out of memory");
    d->rules = nr;
    json_array_foreach(rules, i, x)
    {
        struct detection_rule *r = &d->rules[d->nrules];
        char p[64];

        memset(r, 0, sizeof(*r));
        snprintf(p, sizeof(p), "$.rules[%zu]", i);
        if (!check_rule(&v, x, p, r))
            return -1;
        for (int k = 0; k < d->nrules; k++) {
            if (strcmp(d->rules[k].id, r->id) == 0) {
                char why[160];
                snprintf(why, sizeof(why), "id '%s' is also a rule of %s", r->id, d->rules[k].file);
                return vfail(&v, p, why);
            }
        }
        r->file = json_string_value(
            json_object_get(json_array_get(d->files, json_array_size(d->files) - 1), "file"));
        d->nrules++;
    }
    return 0;
}

static struct detection *
detect_new(const char *dir)
{
    struct detection *d = calloc(1, sizeof(*d));

    if (d == NULL)
        return NULL;
    snapshot_refs_init(&d->refs);
    d->files = json_array();
    snprintf(d->dir, sizeof(d->dir), "%s", dir);
    return d;
}

/* One detection file of the set (file_load_set). */
static int
add_file(void *arg, int i, int n, const char *path, const char *text, size_t len,
         struct mp_error *err)
{
    (void)i;
    (void)n;
    return load_text(arg, path, text, len, err);
}

/* The detection files in dir, or (NULL) the built-in ones. */
static int
load_set(const char *dir, struct detection **out, struct mp_error *err)
{
    struct detection *d = detect_new(dir ? dir : "(built in)");

    *out = NULL;
    if (d == NULL)
        return mp_error_set(err, 0, "", "out of memory");
    if (file_load_set(dir, ".json", DETECT_FILES_MAX, detection_files, detection_files_count,
                      "(built in)", add_file, d, err) != 0) {
        detect_release(d);
        return -1;
    }
    *out = d;
    return 0;
}

int
detect_load_builtin(struct detection **out, struct mp_error *err)
{
    return load_set(NULL, out, err);
}

int
detect_load(const char *dir, struct detection **out, struct mp_error *err)
{
    return load_set(dir, out, err);
}

/* ---- the rules in force ---- */

static void
detection_hold(void *d)
{
    snapshot_refs_hold(&((struct detection *)d)->refs);
}

static void
detection_drop(void *d)
{
    detect_release(d);
}

static struct snapshot current = SNAPSHOT_INIT(detection_hold, detection_drop);

void
detect_release(struct detection *d)
{
    if (d == NULL || !snapshot_refs_drop(&d->refs))
        return;
    free(d->rules);
    json_decref(d->files);
    free(d);
}

void
detect_install(struct detection *d)
{
    snapshot_install(&current, d);
}

struct detection *
detect_acquire(void)
{
    return snapshot_acquire(&current, NULL);
}

const struct detection_rule *
detect_find(const struct detection *d, const struct alert *a)
{
    for (int i = 0; d && i < d->nrules; i++) {
        if (detect_match(d->rules[i].match, a))
            return &d->rules[i];
    }
    return NULL;
}

json_t *
detect_summary(const struct detection *d)
{
    json_t *files = json_array(), *rules = json_array();
    size_t i;
    json_t *f;

    json_array_foreach(d ? d->files : NULL, i, f)
    {
        json_array_append_new(files, json_pack("{s:O, s:O?}", "file", json_object_get(f, "file"),
                                               "version", json_object_get(f, "version")));
    }
    for (int k = 0; d && k < d->nrules; k++) {
        /* the rule as written, and where */
        json_t *r = NULL;
        json_array_foreach(d->files, i, f)
        {
            size_t j;
            json_t *x;
            json_array_foreach(json_object_get(json_object_get(f, "doc"), "rules"), j, x)
            {
                if (json_string_value(json_object_get(x, "id")) == d->rules[k].id)
                    r = json_deep_copy(x);
            }
        }
        if (r != NULL) {
            json_object_set_new(r, "file", json_string(d->rules[k].file));
            json_array_append_new(rules, r);
        }
    }
    return json_pack("{s:s, s:o, s:o}", "dir", d ? d->dir : "", "files", files, "rules", rules);
}
