/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * formats_fill.c - the mapping engine: a format filled from what meldpunt
 * knows about one notification, as JSON or CSV.  See formats.h.
 *
 * A value is never invented or cut to fit: a value that does not fit the
 * target field (too long, not a time, not in the code list) leaves the
 * field empty and says so, with the reason, in "unfilled".  The reader
 * then corrects the draft or fills the field in the portal by hand.
 */
#include "core/formats.h"
#include "core/incident.h"
#include "core/notify.h"
#include "core/organisation.h"
#include "lib/text.h"
#include "lib/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Why a field stayed empty: a code for programs, the words for people. */
struct why {
    const char *code;
    char text[300];
};

static void
why_set(struct why *w, bool nl, const char *code, const char *en, const char *nl_text,
        const char *arg)
{
    w->code = code;
    snprintf(w->text, sizeof(w->text), nl ? nl_text : en, arg ? arg : "");
}

static bool
blank(const json_t *v)
{
    return v == NULL || json_is_null(v) ||
           (json_is_string(v) && text_blank(json_string_value(v))) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

/* The value at one source path of src, or NULL with the reason. */
static const json_t *
source(const json_t *src, const char *path, bool nl, struct why *w)
{
    const char *dot = strchr(path, '.');
    char head[16];
    const json_t *obj, *v;

    snprintf(head, sizeof(head), "%.*s", dot ? (int)(dot - path) : 0, path);
    obj = json_object_get(src, head);
    v = dot ? json_object_get(obj, dot + 1) : NULL;
    if (!blank(v))
        return v;
    if (strcmp(head, "draft") == 0 && v == NULL)
        why_set(w, nl, "not_in_draft", "The draft of this stage has no content '%s'.",
                "Het concept van deze fase heeft geen inhoud '%s'.", dot + 1);
    else if (strcmp(head, "draft") == 0)
        why_set(w, nl, "empty", "The draft's content '%s' is empty.",
                "De inhoud '%s' van het concept is leeg.", dot + 1);
    else
        why_set(w, nl, "unknown", "Not known yet: %s is not recorded.",
                "Nog niet bekend: %s is niet vastgelegd.", path);
    return NULL;
}

/* One source value as a code: through the map when there is one, then
 * checked against the code list.  NULL with the reason; *skip when the map
 * says the value has no code of its own (null). */
static json_t *
to_code(const json_t *fmt, const json_t *f, const json_t *v, bool nl, bool *skip, struct why *w)
{
    const json_t *map = json_object_get(f, "map"), *list, *m;
    char key[200];

    *skip = false;
    if (json_is_string(v))
        snprintf(key, sizeof(key), "%s", json_string_value(v));
    else if (json_is_boolean(v))
        snprintf(key, sizeof(key), "%s", json_is_true(v) ? "true" : "false");
    else {
        why_set(w, nl, "not_a_code", "The value is not text that names a code.",
                "De waarde is geen tekst die een code noemt.", NULL);
        return NULL;
    }
    if (map) {
        m = json_object_get(map, key);
        if (json_is_null(m)) {
            *skip = true;
            return NULL;
        }
        if (m == NULL) {
            why_set(w, nl, "no_code", "'%s' has no code in this format.",
                    "'%s' heeft geen code in dit formaat.", key);
            return NULL;
        }
        snprintf(key, sizeof(key), "%s", json_string_value(m));
    }
    list = json_object_get(json_object_get(fmt, "code_lists"),
                           json_string_value(json_object_get(f, "code_list")));
    for (size_t i = 0; i < json_array_size(list); i++) {
        if (strcmp(json_string_value(json_array_get(list, i)), key) == 0)
            return json_string(key);
    }
    why_set(w, nl, "not_in_code_list", "'%s' is not in the field's code list.",
            "'%s' staat niet in de codelijst van het veld.", key);
    return NULL;
}

static bool
in_codes(const json_t *codes, const json_t *c)
{
    for (size_t i = 0; i < json_array_size(codes); i++) {
        if (json_equal(json_array_get(codes, i), c))
            return true;
    }
    return false;
}

static json_t *
to_codes(const json_t *fmt, const json_t *f, const json_t *v, bool nl, struct why *w)
{
    json_t *out = json_array(), *c, *e;
    size_t i;
    bool skip;

    if (!json_is_array(v)) {
        c = to_code(fmt, f, v, nl, &skip, w);
        if (c)
            json_array_append_new(out, c);
        else if (!skip)
            goto fail;
        return out;
    }
    json_array_foreach(v, i, e)
    {
        c = to_code(fmt, f, e, nl, &skip, w);
        if (c == NULL && !skip)
            goto fail;
        if (c && !in_codes(out, c))
            json_array_append(out, c);
        json_decref(c);
    }
    if (json_array_size(out) == 0) {
        why_set(w, nl, "no_code", "None of the values has a code in this format.",
                "Geen van de waarden heeft een code in dit formaat.", NULL);
        goto fail;
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

/* "12", "-3.5": a plain number written as text. */
static json_t *
number_of(const char *s)
{
    char *end;
    double d;

    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0' || strspn(s, "-0123456789.") != strlen(s))
        return NULL;
    d = strtod(s, &end);
    if (*end != '\0')
        return NULL;
    if (strchr(s, '.') == NULL && d >= -9e15 && d <= 9e15)
        return json_integer((json_int_t)d);
    return json_real(d);
}

static json_t *
to_boolean(const json_t *v)
{
    static const char *const yes[] = {"true", "yes", "ja", NULL}, *const no[] = {"false", "no",
                                                                                 "nee", NULL};
    const char *s = json_string_value(v);

    if (json_is_boolean(v))
        return json_incref((json_t *)v);
    for (int i = 0; s && yes[i]; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return json_true();
        if (strcasecmp(s, no[i]) == 0)
            return json_false();
    }
    return NULL;
}

char *
formats_text(const json_t *v)
{
    struct buf b = BUF_INIT;
    size_t i;
    json_t *e;

    if (v == NULL || json_is_null(v))
        return strdup("");
    if (json_is_string(v))
        return strdup(json_string_value(v));
    if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            char *t = formats_text(e);
            buf_printf(&b, "%s%s", i ? "; " : "", t ? t : "");
            free(t);
        }
        return buf_failed(&b) ? NULL : buf_detach(&b, NULL);
    }
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* A source value converted to the field's type, or NULL with the reason. */
static json_t *
convert(const json_t *fmt, const json_t *f, const json_t *v, bool nl, struct why *w)
{
    const char *type = json_string_value(json_object_get(f, "type"));
    json_t *out = NULL;
    int64_t t;
    bool skip;

    if (strcmp(type, "code") == 0) {
        out = to_code(fmt, f, v, nl, &skip, w);
        if (skip)
            why_set(w, nl, "no_code", "The value has no code in this format.",
                    "De waarde heeft geen code in dit formaat.", NULL);
        return out;
    }
    if (strcmp(type, "codes") == 0)
        return to_codes(fmt, f, v, nl, w);
    if (strcmp(type, "list") == 0)
        return json_is_array(v) ? json_incref((json_t *)v) : json_pack("[O]", v);
    if (strcmp(type, "datetime") == 0) {
        char at[TIME_RFC3339_LEN];
        if (json_is_string(v) && time_parse_rfc3339(json_string_value(v), &t) == 0 &&
            time_format_rfc3339(t, at, sizeof(at)) > 0)
            return json_string(at);
        why_set(w, nl, "not_a_time", "Not a date and time (RFC 3339, e.g. 2026-12-03T08:00:00Z).",
                "Geen datum en tijd (RFC 3339, bijv. 2026-12-03T08:00:00Z).", NULL);
        return NULL;
    }
    if (strcmp(type, "number") == 0 || strcmp(type, "duration") == 0) {
        out = json_is_number(v)   ? json_incref((json_t *)v)
              : json_is_string(v) ? number_of(json_string_value(v))
                                  : NULL;
        if (out == NULL) {
            why_set(w, nl, "not_a_number", "Not a number (digits, a point for decimals).",
                    "Geen getal (cijfers, een punt voor decimalen).", NULL);
            return NULL;
        }
        if (strcmp(type, "duration") == 0) {
            /* minutes as DD:HH:MM */
            long long m = (long long)json_number_value(out);
            char d[32];
            json_decref(out);
            snprintf(d, sizeof(d), "%02lld:%02lld:%02lld", m / 1440, m / 60 % 24, m % 60);
            return m < 0 ? NULL : json_string(d);
        }
        return out;
    }
    if (strcmp(type, "boolean") == 0) {
        out = to_boolean(v);
        if (out == NULL)
            why_set(w, nl, "not_a_boolean", "Not yes or no.", "Geen ja of nee.", NULL);
        return out;
    }
    /* text */
    {
        char *s = formats_text(v);
        json_int_t max = json_integer_value(json_object_get(f, "max_length"));
        if (s && max > 0 && text_chars(s) > (size_t)max) {
            char n[24];
            snprintf(n, sizeof(n), "%lld", (long long)max);
            why_set(w, nl, "too_long", "Longer than the field allows (%s characters).",
                    "Langer dan het veld toestaat (%s tekens).", n);
        } else if (s) {
            out = json_string(s);
        }
        free(s);
        return out;
    }
}

/* The field's value from its first source that has one, or NULL with the
 * reason. */
static json_t *
fill_one(const json_t *fmt, const json_t *f, const json_t *src, bool nl, struct why *w)
{
    const json_t *from = json_object_get(f, "from"), *why = json_object_get(f, "unfillable");
    struct why first = {0};
    size_t n = json_is_array(from) ? json_array_size(from) : 1;

    if (from == NULL) {
        w->code = "not_held";
        snprintf(w->text, sizeof(w->text), "%s",
                 json_string_value(json_object_get(why, nl ? "nl" : "en")));
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *p = json_is_array(from) ? json_array_get(from, i) : from;
        const json_t *v = source(src, json_string_value(p), nl, i == 0 ? &first : w);
        if (v != NULL)
            return convert(fmt, f, v, nl, w);
    }
    *w = first;
    return NULL;
}

static bool
listed(const json_t *list, const char *stage)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        if (strcmp(json_string_value(json_array_get(list, i)), stage) == 0)
            return true;
    }
    return false;
}

/* Where a field's value goes: "1.1" in a numbered format, fields.entity
 * .kvk_number in one by sections. */
static void
place(json_t *fields, const json_t *fmt, const json_t *f, json_t *value)
{
    const char *id = json_string_value(json_object_get(f, "id"));
    const char *section = json_string_value(json_object_get(f, "section"));
    json_t *sec;

    if (strcmp(json_string_value(json_object_get(fmt, "layout")), "numbered") == 0) {
        json_object_set_new(fields, id, value);
        return;
    }
    sec = json_object_get(fields, section);
    if (sec == NULL) {
        sec = json_object();
        json_object_set_new(fields, section, sec);
    }
    json_object_set_new(sec, id + strlen(section) + 1, value);
}

json_t *
formats_fill(const json_t *fmt, const json_t *src, const char *stage, bool nl)
{
    const char *lang = nl ? "nl" : "en";
    json_t *fields, *unfilled, *out, *f;
    size_t i;

    if (stage == NULL || !listed(json_object_get(fmt, "stages"), stage))
        return NULL;
    fields = json_object();
    unfilled = json_array();
    json_array_foreach(json_object_get(fmt, "fields"), i, f)
    {
        const json_t *only = json_object_get(f, "stages");
        struct why w = {.code = "unknown"};
        bool required = listed(json_object_get(f, "required"), stage);
        json_t *v;

        if (only && !listed(only, stage))
            continue;
        v = fill_one(fmt, f, src, nl, &w);
        place(fields, fmt, f, v ? v : json_null());
        if (v == NULL)
            json_array_append_new(
                unfilled, json_pack("{s:O, s:O, s:b, s:s, s:s}", "id", json_object_get(f, "id"),
                                    "name", json_object_get(json_object_get(f, "name"), lang),
                                    "required", required, "reason_code", w.code, "reason", w.text));
    }
    out = json_pack("{s:O, s:O, s:O, s:O, s:O, s:s, s:s}", "format", json_object_get(fmt, "format"),
                    "format_version", json_object_get(fmt, "version"), "status",
                    json_object_get(fmt, "status"), "title",
                    json_object_get(json_object_get(fmt, "title"), lang), "regime",
                    json_object_get(fmt, "regime"), "stage", stage, "language", lang);
    json_object_set_new(out, "fields", fields);
    json_object_set_new(out, "unfilled", unfilled);
    return out;
}
