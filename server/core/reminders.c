/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * reminders.c - see reminders.h: the policy checked, loaded, in force, and
 * read and replaced through the API.
 *
 * The check is strict because the policy decides where meldpunt sends
 * data: every member is known, every channel's target is on the allow
 * list, a URL carries no credentials, every template placeholder is one
 * the message code fills.  What passes here the sender can trust.
 */
#include "reminders.h"
#include "core/audit.h"
#include "lib/embed.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/snapshot.h"
#include "lib/timeutil.h"
#include "store/db.h"
#include "store/reminders.h"
#include "store/writer.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define N(a)         (sizeof(a) / sizeof((a)[0]))
#define STEPS_MAX    20
#define LADDERS_MAX  100
#define OFFSET_MAX   (30 * 86400) /* a step at most 30 days from the due time */
#define REPEAT_MIN   300          /* overdue reminders at most every 5 minutes */
#define TEMPLATE_MAX 2000

static const char *const top_fields[] = {"version", "description", "link_base",
                                         "allow",   "channels",    "people",
                                         "on_duty", "ladders",     "templates"};
static const char *const channel_types[] = {"smtp", "webhook", "slack", "mattermost", "teams"};
static const char *const channel_fields[] = {"type",     "url",    "starttls", "from",
                                             "username", "secret", "language"};
static const char *const person_fields[] = {"email", "language", "time_zone", "tlp_max"};
static const char *const tlp_names[] = {"clear", "green", "amber", "amber+strict", "red"};
static const char *const step_fields[] = {"at", "repeat", "to", "channels"};
static const char *const placeholders[] = {"reference", "title", "regime", "stage", "authority",
                                           "due",       "left",  "link",   "ack"};
static const char *const languages[] = {"en", "nl"};

static bool
in(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (s && strcmp(list[i], s) == 0)
            return true;
    return false;
}

static bool
text(const json_t *v, size_t max)
{
    return json_is_string(v) && json_string_length(v) >= 1 && json_string_length(v) <= max;
}

/* Channel names, people's names and secret names: 1-64 of [A-Za-z0-9._-]. */
static bool
name_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < 1 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
            return false;
    return s[0] != '.';
}

static void
unknown_members(const json_t *obj, const char *const *known, size_t n, const char *prefix,
                struct field_errors *errs)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)obj, key, v)
    {
        char field[96];
        (void)v;
        if (!in(known, n, key)) {
            snprintf(field, sizeof(field), "%s%s", prefix, key);
            field_error(errs, field, "unknown field");
        }
    }
}

/* ---- targets ---- */

int
reminders_url_host(const char *url, char *scheme, size_t scheme_len, char *host, size_t host_len)
{
    const char *p = strstr(url, "://"), *h, *end;
    size_t n;

    if (p == NULL || (size_t)(p - url) >= scheme_len)
        return -1;
    snprintf(scheme, scheme_len, "%.*s", (int)(p - url), url);
    h = p + 3;
    end = h + strcspn(h, "/?#");
    if (memchr(h, '@', (size_t)(end - h)) != NULL)
        return -1; /* credentials in the address: never */
    if (*h == '[') {
        const char *close = memchr(h, ']', (size_t)(end - h));
        if (close == NULL)
            return -1;
        h++;
        n = (size_t)(close - h);
    } else {
        n = strcspn(h, ":/?#");
    }
    if (n == 0 || n >= host_len)
        return -1;
    snprintf(host, host_len, "%.*s", (int)n, h);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)host[i]) && !strchr(".-:_", host[i]))
            return -1;
    return 0;
}

bool
reminders_allowed(const json_t *policy, const char *host)
{
    size_t i;
    json_t *v;

    json_array_foreach(json_object_get(policy, "allow"), i, v)
    {
        if (json_is_string(v) && strcasecmp(json_string_value(v), host) == 0)
            return true;
    }
    return false;
}

static void
check_channel(const json_t *doc, const char *name, const json_t *c, struct field_errors *errs)
{
    char field[96], scheme[16], host[256];
    const char *type = json_string_value(json_object_get(c, "type"));
    const char *url = json_string_value(json_object_get(c, "url"));
    json_t *v;
    bool smtp;

    snprintf(field, sizeof(field), "channels.%s", name);
    if (!name_ok(name)) {
        field_error(errs, field, "a channel's name is 1-64 of A-Z a-z 0-9 . _ -");
        return;
    }
    if (!json_is_object(c)) {
        field_error(errs, field, "must be an object");
        return;
    }
    snprintf(field, sizeof(field), "channels.%s.", name);
    unknown_members(c, channel_fields, N(channel_fields), field, errs);
    snprintf(field, sizeof(field), "channels.%s.type", name);
    if (!in(channel_types, N(channel_types), type)) {
        field_error(errs, field, "unknown channel type (smtp, webhook, slack, mattermost, teams)");
        return;
    }
    smtp = strcmp(type, "smtp") == 0;
    snprintf(field, sizeof(field), "channels.%s.url", name);
    if (!text(json_object_get(c, "url"), 500) ||
        reminders_url_host(url, scheme, sizeof(scheme), host, sizeof(host)) != 0)
        field_error(errs, field, "must be an address such as %s, without credentials",
                    smtp ? "smtp://mail.example.org:587" : "https://hooks.example.org/x");
    else if (smtp ? strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0
                  : strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
        field_error(errs, field, "must start with %s", smtp ? "smtp:// or smtps://" : "https://");
    else if (!reminders_allowed(doc, host))
        field_error(errs, field, "the host %s is not on the allow list", host);
    v = json_object_get(c, "starttls");
    snprintf(field, sizeof(field), "channels.%s.starttls", name);
    if (v && (!smtp || !json_is_boolean(v)))
        field_error(errs, field, "true or false, for an smtp channel only");
    v = json_object_get(c, "from");
    snprintf(field, sizeof(field), "channels.%s.from", name);
    if (smtp && (!text(v, 200) || strchr(json_string_value(v), '@') == NULL ||
                 strpbrk(json_string_value(v), "\r\n<>") != NULL))
        field_error(errs, field, "an smtp channel needs the sender's address");
    else if (!smtp && v)
        field_error(errs, field, "for an smtp channel only");
    v = json_object_get(c, "username");
    snprintf(field, sizeof(field), "channels.%s.username", name);
    if (v && (!smtp || !text(v, 200)))
        field_error(errs, field, "text, for an smtp channel only");
    v = json_object_get(c, "secret");
    snprintf(field, sizeof(field), "channels.%s.secret", name);
    if (v == NULL && !smtp)
        field_error(errs, field, "a webhook is signed (HMAC-SHA256): name its secret");
    else if (v && (!json_is_string(v) || !name_ok(json_string_value(v))))
        field_error(errs, field,
                    "the name of a file in DATA/secrets/ or of a systemd credential, "
                    "never the secret itself");
    v = json_object_get(c, "language");
    snprintf(field, sizeof(field), "channels.%s.language", name);
    if (v && !in(languages, N(languages), json_string_value(v)))
        field_error(errs, field, "en or nl");
}

/* ---- people ---- */

static bool
zone_ok(const char *z)
{
    size_t n = z ? strlen(z) : 0;

    if (n < 1 || n > 64 || z[0] == '/' || strstr(z, "..") != NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)z[i]) && !strchr("/_+-", z[i]))
            return false;
    return true;
}

static void
check_person(const char *name, const json_t *p, struct field_errors *errs)
{
    char field[96];
    const json_t *v;

    snprintf(field, sizeof(field), "people.%s", name);
    if (!name_ok(name) || !json_is_object(p)) {
        field_error(errs, field, "a name (1-64 of A-Z a-z 0-9 . _ -) with an object");
        return;
    }
    snprintf(field, sizeof(field), "people.%s.", name);
    unknown_members(p, person_fields, N(person_fields), field, errs);
    v = json_object_get(p, "email");
    snprintf(field, sizeof(field), "people.%s.email", name);
    if (v && (!text(v, 200) || strchr(json_string_value(v), '@') == NULL ||
              strpbrk(json_string_value(v), " \r\n<>,;") != NULL))
        field_error(errs, field, "an e-mail address");
    v = json_object_get(p, "language");
    snprintf(field, sizeof(field), "people.%s.language", name);
    if (v && !in(languages, N(languages), json_string_value(v)))
        field_error(errs, field, "en or nl");
    v = json_object_get(p, "time_zone");
    snprintf(field, sizeof(field), "people.%s.time_zone", name);
    if (v && !zone_ok(json_string_value(v)))
        field_error(errs, field, "a time zone such as Europe/Amsterdam");
    v = json_object_get(p, "tlp_max");
    snprintf(field, sizeof(field), "people.%s.tlp_max", name);
    if (v && !in(tlp_names, N(tlp_names), json_string_value(v)))
        field_error(errs, field, "clear, green, amber, amber+strict or red");
}

/* ---- ladders ---- */

/* A step's `at` as seconds from the due time; *awareness for "awareness".
 * 0 or -1. */
int
reminders_offset(const char *at, int64_t *offset, bool *awareness)
{
    struct duration d;
    bool neg;

    *awareness = false;
    *offset = 0;
    if (at == NULL)
        return -1;
    if (strcmp(at, "awareness") == 0) {
        *awareness = true;
        return 0;
    }
    if (strcmp(at, "due") == 0)
        return 0;
    neg = at[0] == '-';
    if (duration_parse(at + neg, &d) != 0 || d.years || d.months)
        return -1;
    *offset = ((int64_t)d.days * 86400 + d.seconds) * (neg ? -1 : 1);
    return *offset > OFFSET_MAX || *offset < -OFFSET_MAX ? -1 : 0;
}

static void
check_to(const json_t *doc, const json_t *to, const char *field, struct field_errors *errs)
{
    size_t i;
    json_t *v;

    if (!json_is_array(to) || json_array_size(to) < 1 || json_array_size(to) > 20) {
        field_error(errs, field, "a list of whom: assignee, on_duty, managers, person:NAME");
        return;
    }
    json_array_foreach(to, i, v)
    {
        const char *s = json_string_value(v);
        if (s &&
            (strcmp(s, "assignee") == 0 || strcmp(s, "on_duty") == 0 || strcmp(s, "managers") == 0))
            continue;
        if (s && strncmp(s, "person:", 7) == 0 &&
            json_object_get(json_object_get(doc, "people"), s + 7) != NULL)
            continue;
        field_error(errs, field, "%s: not assignee, on_duty, managers or person:NAME of people",
                    s ? s : "(not text)");
        return;
    }
}

static void
check_step(const json_t *doc, const json_t *s, const char *prefix, bool last, int64_t *prev,
           struct field_errors *errs)
{
    char field[128];
    const json_t *v, *chans = json_object_get(doc, "channels");
    int64_t off, rep;
    bool aware, rep_aware;
    size_t i;

    if (!json_is_object(s)) {
        field_error(errs, prefix, "a step is an object {at, to, channels, repeat}");
        return;
    }
    snprintf(field, sizeof(field), "%s.", prefix);
    unknown_members(s, step_fields, N(step_fields), field, errs);
    snprintf(field, sizeof(field), "%s.at", prefix);
    if (reminders_offset(json_string_value(json_object_get(s, "at")), &off, &aware) != 0)
        field_error(errs, field,
                    "awareness, due, or a duration from the due time such as -PT4H or PT1H "
                    "(days, hours, minutes; at most 30 days)");
    else if (aware && *prev != INT64_MIN)
        field_error(errs, field, "awareness can only be the first step");
    else if (!aware && *prev != INT64_MIN && off <= *prev)
        field_error(errs, field, "steps come in order of time, each after the one before");
    else if (!aware)
        *prev = off;
    v = json_object_get(s, "repeat");
    snprintf(field, sizeof(field), "%s.repeat", prefix);
    if (v && (reminders_offset(json_string_value(v), &rep, &rep_aware) != 0 || rep_aware ||
              rep < REPEAT_MIN || rep > 7 * 86400))
        field_error(errs, field, "a duration from PT5M to P7D");
    else if (v && (!last || aware || off < 0))
        field_error(errs, field, "only the last step, at or after the due time, repeats");
    snprintf(field, sizeof(field), "%s.to", prefix);
    check_to(doc, json_object_get(s, "to"), field, errs);
    v = json_object_get(s, "channels");
    snprintf(field, sizeof(field), "%s.channels", prefix);
    if (v && !json_is_array(v)) {
        field_error(errs, field, "a list of channel names");
        return;
    }
    json_array_foreach(v, i, s)
    {
        if (!json_is_string(s) || json_object_get(chans, json_string_value(s)) == NULL) {
            field_error(errs, field, "unknown channel %s",
                        json_is_string(s) ? json_string_value(s) : "(not text)");
            return;
        }
    }
}

static void
check_ladders(const json_t *doc, const json_t *ladders, struct field_errors *errs)
{
    size_t i, k;
    json_t *l, *s;

    if (!json_is_array(ladders) || json_array_size(ladders) < 1 ||
        json_array_size(ladders) > LADDERS_MAX) {
        field_error(errs, "ladders", "a list of 1 to %d ladders", LADDERS_MAX);
        return;
    }
    json_array_foreach(ladders, i, l)
    {
        char field[96];
        const json_t *steps = json_object_get(l, "steps");
        int64_t prev = INT64_MIN;

        snprintf(field, sizeof(field), "ladders.%zu", i);
        if (!json_is_object(l) || !text(json_object_get(l, "regime"), 48) ||
            !text(json_object_get(l, "stage"), 48) || json_object_size(l) != 3) {
            field_error(errs, field, "a ladder is {regime, stage, steps} (\"*\": any)");
            continue;
        }
        snprintf(field, sizeof(field), "ladders.%zu.steps", i);
        if (!json_is_array(steps) || json_array_size(steps) < 1 ||
            json_array_size(steps) > STEPS_MAX) {
            field_error(errs, field, "a list of 1 to %d steps", STEPS_MAX);
            continue;
        }
        json_array_foreach(steps, k, s)
        {
            snprintf(field, sizeof(field), "ladders.%zu.steps.%zu", i, k);
            check_step(doc, s, field, k + 1 == json_array_size(steps), &prev, errs);
        }
    }
}

/* ---- templates ---- */

/* 0 when every {name} in t is a known placeholder and braces pair up. */
int
reminders_template_check(const char *t, char *bad, size_t bad_len)
{
    for (const char *p = t; *p; p++) {
        const char *close;
        char name[32];

        if (*p == '}') {
            snprintf(bad, bad_len, "a } without its {");
            return -1;
        }
        if (*p != '{')
            continue;
        close = strchr(p + 1, '}');
        if (close == NULL || (size_t)(close - p - 1) >= sizeof(name) ||
            memchr(p + 1, '{', (size_t)(close - p - 1)) != NULL) {
            snprintf(bad, bad_len, "a { without its }");
            return -1;
        }
        snprintf(name, sizeof(name), "%.*s", (int)(close - p - 1), p + 1);
        if (!in(placeholders, N(placeholders), name)) {
            snprintf(bad, bad_len,
                     "unknown placeholder {%s} (reference, title, regime, stage, authority, due, "
                     "left, link, ack)",
                     name);
            return -1;
        }
        p = close;
    }
    return 0;
}

static void
check_templates(const json_t *t, struct field_errors *errs)
{
    static const char *const parts[] = {"subject", "body"};
    const char *key;
    json_t *v;

    if (!json_is_object(t)) {
        field_error(errs, "templates", "an object with en and nl, each {subject, body}");
        return;
    }
    unknown_members(t, languages, N(languages), "templates.", errs);
    for (size_t l = 0; l < N(languages); l++) {
        char field[96], bad[160];
        json_t *lt = json_object_get(t, languages[l]);

        snprintf(field, sizeof(field), "templates.%s", languages[l]);
        if (!json_is_object(lt)) {
            field_error(errs, field, "{subject, body} in this language is required");
            continue;
        }
        snprintf(field, sizeof(field), "templates.%s.", languages[l]);
        unknown_members(lt, parts, N(parts), field, errs);
        for (size_t k = 0; k < N(parts); k++) {
            snprintf(field, sizeof(field), "templates.%s.%s", languages[l], parts[k]);
            v = json_object_get(lt, parts[k]);
            key = json_string_value(v);
            if (!text(v, TEMPLATE_MAX))
                field_error(errs, field, "text of 1 to %d characters", TEMPLATE_MAX);
            else if (k == 0 && strpbrk(key, "\r\n") != NULL)
                field_error(errs, field, "a subject is one line");
            else if (reminders_template_check(key, bad, sizeof(bad)) != 0)
                field_error(errs, field, "malformed template: %s", bad);
        }
    }
}

/* ---- the whole document ---- */

static void
check_lists(const json_t *doc, struct field_errors *errs)
{
    const json_t *v = json_object_get(doc, "allow"), *x;
    const char *key;
    size_t i;

    if (v && !json_is_array(v))
        field_error(errs, "allow", "a list of host names and addresses");
    json_array_foreach(v, i, x)
    {
        if (!text(x, 253)) {
            field_error(errs, "allow", "a list of host names and addresses");
            break;
        }
    }
    v = json_object_get(doc, "people");
    if (v && !json_is_object(v))
        field_error(errs, "people", "an object: name -> {email, language, time_zone, tlp_max}");
    json_object_foreach((json_t *)v, key, x) check_person(key, x, errs);
    v = json_object_get(doc, "on_duty");
    if (v && !json_is_array(v))
        field_error(errs, "on_duty", "a list of names in people");
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x) ||
            json_object_get(json_object_get(doc, "people"), json_string_value(x)) == NULL) {
            field_error(errs, "on_duty", "a list of names in people");
            break;
        }
    }
}

void
reminders_validate(const json_t *doc, struct field_errors *errs)
{
    const json_t *v;
    json_t *c;
    const char *key;
    char scheme[16], host[256];

    if (!json_is_object(doc)) {
        field_error(errs, "", "the reminder policy is a JSON object");
        return;
    }
    unknown_members(doc, top_fields, N(top_fields), "", errs);
    if (!text(json_object_get(doc, "version"), 64))
        field_error(errs, "version", "is required (text)");
    v = json_object_get(doc, "description");
    if (v && !json_is_string(v))
        field_error(errs, "description", "text");
    v = json_object_get(doc, "link_base");
    if (v && (!text(v, 200) ||
              reminders_url_host(json_string_value(v), scheme, sizeof(scheme), host,
                                 sizeof(host)) != 0 ||
              (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)))
        field_error(errs, "link_base", "the server's address as users reach it, https://...");
    check_lists(doc, errs);
    v = json_object_get(doc, "channels");
    if (v && !json_is_object(v))
        field_error(errs, "channels", "an object: name -> channel");
    json_object_foreach((json_t *)v, key, c) check_channel(doc, key, c, errs);
    check_ladders(doc, json_object_get(doc, "ladders"), errs);
    check_templates(json_object_get(doc, "templates"), errs);
}

/* ---- loading and the policy in force ---- */

static json_t *
parse_checked(const char *name, const char *text_, size_t len, struct mp_error *err)
{
    struct field_errors errs = {0};
    json_error_t je;
    json_t *doc = json_loadb(text_, len, JSON_REJECT_DUPLICATES, &je);

    if (doc == NULL) {
        mp_error_set(err, 0, "", "%s:%d: %s", name, je.line, je.text);
        return NULL;
    }
    reminders_validate(doc, &errs);
    if (errs.count > 0) {
        mp_error_set(err, 0, errs.items[0].field, "%s: %s: %s", name, errs.items[0].field,
                     errs.items[0].message);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

int
reminders_load_file(const char *file, json_t **out, struct mp_error *err)
{
    char *t;
    size_t len;

    *out = NULL;
    if (file == NULL || file[0] == '\0') {
        for (size_t k = 0; k < reminders_files_count; k++)
            if (strcmp(reminders_files[k].name, "reminders.json") == 0)
                *out = parse_checked("(built in) reminders.json",
                                     (const char *)reminders_files[k].data, reminders_files[k].len,
                                     err);
        if (*out == NULL && err->message[0] == '\0')
            mp_error_set(err, 0, "", "(built in): no reminders.json");
        return *out ? 0 : -1;
    }
    t = file_read(file, 1u << 20, &len, err);
    if (t == NULL)
        return -1;
    *out = parse_checked(file, t, len, err);
    free(t);
    return *out ? 0 : -1;
}

static void
doc_hold(void *d)
{
    json_incref(d);
}

static void
doc_drop(void *d)
{
    json_decref(d);
}

static struct snapshot current = SNAPSHOT_INIT(doc_hold, doc_drop);
/* counts the installs, after each: a planner that read it before taking the
 * policy knows it planned from that install or a later one */
static atomic_uint_fast64_t generation;
/* where the policy in force came from, for GET */
static struct {
    pthread_mutex_t lock;
    int64_t version; /* 0: the file */
    char updated_at[32];
} source = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void
install(json_t *doc, int64_t version, const char *updated_at)
{
    pthread_mutex_lock(&source.lock);
    if (version > 0 && version < source.version) { /* a later PUT installed first */
        pthread_mutex_unlock(&source.lock);
        json_decref(doc);
        return;
    }
    snapshot_install(&current, doc);
    atomic_fetch_add(&generation, 1);
    source.version = version;
    snprintf(source.updated_at, sizeof(source.updated_at), "%s", updated_at ? updated_at : "");
    pthread_mutex_unlock(&source.lock);
}

static void *
builtin(void)
{
    struct mp_error err;
    json_t *doc;

    mp_error_clear(&err);
    return reminders_load_file(NULL, &doc, &err) == 0 ? doc : NULL;
}

uint64_t
reminders_generation(void)
{
    return atomic_load(&generation);
}

json_t *
reminders_acquire(void)
{
    return snapshot_acquire(&current, builtin);
}

int
reminders_load(const char *file, struct mp_error *err)
{
    char *text_ = NULL, at[32];
    int64_t version = 0;
    json_t *doc = NULL;
    sqlite3 *db = db_reader(err);
    int found;

    mp_error_clear(err);
    if (db == NULL)
        return -1;
    found = store_reminder_policy_read(db, &text_, &version, at, err);
    if (found < 0)
        return -1;
    if (found == 1) {
        doc = parse_checked("the policy set through the API", text_, strlen(text_), err);
        free(text_);
        if (doc == NULL)
            return -1;
        install(doc, version, at);
        return 0;
    }
    if (reminders_load_file(file, &doc, err) != 0)
        return -1;
    install(doc, 0, NULL);
    return 0;
}

int
reminders_policy_get(json_t **out, struct mp_error *err)
{
    json_t *doc = reminders_acquire();
    int64_t version;
    char at[32];

    *out = NULL;
    if (doc == NULL)
        return mp_error_set(err, 500, "", "no reminder policy could be loaded");
    pthread_mutex_lock(&source.lock);
    version = source.version;
    snprintf(at, sizeof(at), "%s", source.updated_at);
    pthread_mutex_unlock(&source.lock);
    *out = json_pack("{s:o, s:s, s:I}", "policy", json_deep_copy(doc), "source",
                     version ? "api" : "file", "version", (json_int_t)version);
    if (at[0])
        json_object_set_new(*out, "updated_at", json_string(at));
    json_decref(doc);
    return 0;
}

struct put_change {
    const struct principal *p;
    int64_t now, if_match, version;
    const char *text;
    char at[TIME_RFC3339_LEN];
};

static int
put_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct put_change *c = arg;
    char *old = NULL, at[32];
    int64_t current_version = 0;
    int found = store_reminder_policy_read(db, &old, &current_version, at, err);

    free(old);
    if (found < 0)
        return -1;
    if (c->if_match >= 0 && c->if_match != current_version)
        return mp_error_set(err, 412, "If-Match",
                            "the reminder policy changed meanwhile (now version %lld)",
                            (long long)current_version);
    time_format_rfc3339(c->now, c->at, sizeof(c->at));
    if (store_reminder_policy_write(db, c->text, c->at, c->p->name, &c->version, err) != 0)
        return -1;
    return audit_append_json(db, c->now, c->p->name, "reminders.policy", "reminders",
                             json_pack("{s:I}", "version", (json_int_t)c->version), err);
}

int
reminders_policy_put(const struct principal *p, int64_t now, json_t *doc, int64_t if_match,
                     int64_t *version, struct field_errors *errs)
{
    struct put_change c = {.p = p, .now = now, .if_match = if_match};
    struct mp_error err;
    char *t;
    int rc, planned = 0;

    reminders_validate(doc, errs);
    if (errs->count > 0)
        return -1;
    t = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    if (t == NULL) {
        mp_error_set(&err, 500, "", "out of memory");
        return field_errors_fail(errs, &err);
    }
    c.text = t;
    rc = store_write(put_apply, &c, &err);
    free(t);
    if (rc != 0)
        return field_errors_fail(errs, &err);
    install(json_incref(doc), c.version, c.at);
    *version = c.version;
    /* the open reports follow the new ladders; the policy is in force even
     * when this fails, and the next change to each incident plans it */
    if (reminders_replan(now, false, &planned, &err) != 0)
        log_error("re-planning the reminders after policy version %lld failed: %s",
                  (long long)c.version, err.message);
    else
        log_notice("reminders re-planned version=%lld obligations=%d", (long long)c.version,
                   planned);
    return 0;
}
