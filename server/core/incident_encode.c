/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * incident_encode.c - a page of incidents as JSON text, written straight
 * into one buffer (issue 19: a list page's time was its JSON -- a jansson
 * tree of some 40 values an incident, each allocated, then dumped, and
 * every time formatted with snprintf).
 *
 * The text is byte for byte what json_dumps() of incident_to_json() gives
 * with the server's flags (JSON_COMPACT | JSON_ENSURE_ASCII |
 * JSON_REAL_PRECISION(17)): the same members in the same order, strings
 * escaped as jansson escapes them.  The facts (impact) and the services
 * are the JSON they are, dumped by jansson into the same buffer.
 * tests/unit/test_incident.c compares the two over incidents with every
 * kind of value.
 */
#include "incident.h"
#include "lib/buf.h"
#include "lib/timeutil.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define DUMP_FLAGS (JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17))

static const char hex[] = "0123456789ABCDEF";

static void
put_u16(struct buf *b, unsigned v)
{
    char seq[6] = {'\\',       'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15],
                   hex[v & 15]};
    buf_append(b, seq, sizeof(seq));
}

/* One UTF-8 sequence at s (n bytes left): its code point and length, or
 * length 0 when it is not valid (the store holds only valid UTF-8). */
static size_t
utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;

    if (len == 0 || len > n)
        return 0;
    *cp = s[0] & (0x3F >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    return len;
}

/* A JSON string as jansson writes it with JSON_ENSURE_ASCII: " and \ and
 * control characters escaped (\b \f \n \r \t by name), everything beyond
 * ASCII as \uXXXX (a surrogate pair beyond the BMP). */
static void
put_str(struct buf *b, const char *text)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t n = strlen((const char *)s), run = 0;

    buf_append(b, "\"", 1);
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        const char *name = c == '"'    ? "\\\""
                           : c == '\\' ? "\\\\"
                           : c == '\b' ? "\\b"
                           : c == '\f' ? "\\f"
                           : c == '\n' ? "\\n"
                           : c == '\r' ? "\\r"
                           : c == '\t' ? "\\t"
                                       : NULL;
        unsigned cp;
        size_t len;

        if (name == NULL && c >= 0x20 && c < 0x80) {
            i++;
            run++;
            continue;
        }
        buf_append(b, s + i - run, run);
        run = 0;
        if (name != NULL) {
            buf_puts(b, name);
            i++;
        } else if (c < 0x20) {
            put_u16(b, c);
            i++;
        } else if ((len = utf8_next(s + i, n - i, &cp)) == 0) {
            i++; /* not UTF-8: left out, as nothing valid can say it */
        } else {
            if (cp < 0x10000) {
                put_u16(b, cp);
            } else {
                cp -= 0x10000;
                put_u16(b, 0xD800 | (cp >> 10));
                put_u16(b, 0xDC00 | (cp & 0x3FF));
            }
            i += len;
        }
    }
    buf_append(b, s + n - run, run);
    buf_append(b, "\"", 1);
}

static void
put_digits(char *p, int v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
}

/* A time as time_format_json() gives it, without snprintf. */
static void
put_time(struct buf *b, int64_t t)
{
    char s[22] = "\"0000-00-00T00:00:00Z\"";
    time_t tt = (time_t)t;
    struct tm tm;

    if (t == TIME_UNSET || gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 < 0 ||
        tm.tm_year + 1900 > 9999) {
        buf_puts(b, "null");
        return;
    }
    put_digits(s + 1, tm.tm_year + 1900, 4);
    put_digits(s + 6, tm.tm_mon + 1, 2);
    put_digits(s + 9, tm.tm_mday, 2);
    put_digits(s + 12, tm.tm_hour, 2);
    put_digits(s + 15, tm.tm_min, 2);
    put_digits(s + 18, tm.tm_sec, 2);
    buf_append(b, s, sizeof(s));
}

static void
put_key(struct buf *b, const char *key)
{
    buf_append(b, ",\"", 2);
    buf_puts(b, key);
    buf_append(b, "\":", 2);
}

static int
dump_cb(const char *text, size_t size, void *b)
{
    buf_append(b, text, size);
    return buf_failed(b) ? -1 : 0;
}

static void
put_json(struct buf *b, const json_t *j)
{
    if (json_dump_callback(j, dump_cb, b, DUMP_FLAGS) != 0)
        buf_puts(b, "null");
}

static void
put_text_or_null(struct buf *b, const char *s)
{
    if (s != NULL)
        put_str(b, s);
    else
        buf_puts(b, "null");
}

void
incident_encode(struct buf *b, const struct incident *inc, int64_t now)
{
    const char *targets[STATE_COUNT + 1];
    int64_t minutes = incident_duration_minutes(inc, now);
    char num[24];

    buf_puts(b, "{\"id\":");
    put_str(b, inc->id);
    put_key(b, "ref");
    put_str(b, inc->ref);
    put_key(b, "title");
    put_str(b, inc->title);
    put_key(b, "description");
    put_str(b, inc->description ? inc->description : "");
    put_key(b, "category");
    put_str(b, incident_category_names[inc->category]);
    put_key(b, "cause");
    put_str(b, incident_cause_names[inc->cause]);
    put_key(b, "severity");
    put_str(b, incident_severity_names[inc->severity]);
    put_key(b, "state");
    put_str(b, incident_state_names[inc->state]);
    put_key(b, "assignee");
    put_text_or_null(b, inc->assignee);
    put_key(b, "tlp");
    put_str(b, incident_tlp_names[inc->tlp]);
    put_key(b, "kind");
    put_str(b, incident_kind_names[inc->kind]);
    put_key(b, "root_cause_category");
    put_text_or_null(b, inc->root_cause_category >= 0
                            ? incident_root_cause_names[inc->root_cause_category]
                            : NULL);
    put_key(b, "root_cause");
    put_text_or_null(b, inc->root_cause);
    put_key(b, "detected_at");
    put_time(b, inc->detected_at);
    put_key(b, "aware_at");
    put_time(b, inc->aware_at);
    put_key(b, "started_at");
    put_time(b, inc->started_at);
    put_key(b, "ended_at");
    put_time(b, inc->ended_at);
    for (int s = STATE_TRIAGE; s < STATE_COUNT; s++) {
        buf_append(b, ",\"", 2);
        buf_puts(b, incident_state_names[s]);
        buf_append(b, "_at\":", 5);
        put_time(b, inc->state_at[s]);
    }
    put_key(b, "services");
    put_json(b, inc->services);
    put_key(b, "impact");
    if (minutes >= 0 && json_object_get(inc->impact, "duration_minutes") == NULL) {
        json_t *impact = json_copy(inc->impact);
        json_object_set_new(impact, "duration_minutes", json_integer(minutes));
        put_json(b, impact);
        json_decref(impact);
    } else {
        put_json(b, inc->impact);
    }
    put_key(b, "created_at");
    put_time(b, inc->created_at);
    put_key(b, "created_by");
    put_str(b, inc->created_by);
    put_key(b, "updated_at");
    put_time(b, inc->updated_at);
    put_key(b, "version");
    snprintf(num, sizeof(num), "%lld", (long long)inc->version);
    buf_puts(b, num);
    put_key(b, "exercise"); /* issue 22 */
    buf_puts(b, inc->exercise ? "true" : "false");
    put_key(b, "transitions");
    buf_append(b, "[", 1);
    incident_transition_targets(inc->state, targets);
    for (int i = 0; targets[i]; i++) {
        if (i > 0)
            buf_append(b, ",", 1);
        put_str(b, targets[i]);
    }
    buf_append(b, "]}", 2);
}

char *
incident_list_text(const struct incident *items, int n, int64_t now, const char *next_cursor,
                   size_t *len)
{
    struct buf b = BUF_INIT;

    buf_puts(&b, "{\"items\":[");
    for (int i = 0; i < n; i++) {
        if (i > 0)
            buf_append(&b, ",", 1);
        incident_encode(&b, &items[i], now);
    }
    buf_puts(&b, "],\"next_cursor\":");
    put_text_or_null(&b, next_cursor);
    buf_append(&b, "}", 1);
    if (buf_failed(&b)) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b, len);
}
