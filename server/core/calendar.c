/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * calendar.c - see calendar.h.
 */
#include "calendar.h"
#include "core/audit.h"
#include "core/classify.h"
#include "core/reminders.h"
#include "lib/buf.h"
#include "lib/ical.h"
#include "lib/timeutil.h"
#include "store/db.h"
#include "store/users.h"
#include "store/writer.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_ITEMS_MAX 1000 /* events in one feed: more open reports than anyone works */

/* ---- the feed's address ---- */

static int
person(const struct principal *p, struct mp_error *err)
{
    if (!p->session || p->user_id <= 0)
        return mp_error_set(err, 403, "",
                            "a calendar feed belongs to a person signed in, not to an API token");
    return 0;
}

struct feed_change {
    const struct principal *p;
    int64_t now;
    uint8_t hash[TOKEN_HASH_LEN];
    bool create;
    char at[TIME_RFC3339_LEN];
};

static int
feed_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct feed_change *c = arg;
    int rc;

    time_format_rfc3339(c->now, c->at, sizeof(c->at));
    if (c->create) {
        if (store_calendar_set(db, c->p->user_id, c->hash, c->at, err) != 0)
            return -1;
    } else {
        rc = store_calendar_delete(db, c->p->user_id, err);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return mp_error_set(err, 404, "", "there is no calendar feed to revoke");
    }
    return audit_append_json(db, c->now, c->p->name,
                             c->create ? "calendar.create" : "calendar.revoke", c->p->name,
                             json_object(), err);
}

int
calendar_feed_create(const struct principal *p, int64_t now, json_t **out, struct mp_error *err)
{
    struct feed_change c = {.p = p, .now = now, .create = true};
    uint8_t raw[32];
    char token[CALENDAR_TOKEN_LEN + 1], path[96];
    size_t plen = strlen(CALENDAR_TOKEN_PREFIX);
    int rc;

    *out = NULL;
    if (person(p, err) != 0)
        return -1;
    randombytes_buf(raw, sizeof(raw));
    memcpy(token, CALENDAR_TOKEN_PREFIX, plen);
    sodium_bin2base64(token + plen, sizeof(token) - plen, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    token_hash_secret(token, c.hash);
    rc = store_write(feed_apply, &c, err);
    if (rc == 0) {
        snprintf(path, sizeof(path), "/api/v1/calendar/%s.ics", token);
        *out = json_pack("{s:s, s:s}", "path", path, "created_at", c.at);
    }
    sodium_memzero(token, sizeof(token));
    return rc;
}

int
calendar_feed_revoke(const struct principal *p, int64_t now, struct mp_error *err)
{
    struct feed_change c = {.p = p, .now = now, .create = false};

    if (person(p, err) != 0)
        return -1;
    return store_write(feed_apply, &c, err);
}

int
calendar_feed_status(const struct principal *p, json_t **out, struct mp_error *err)
{
    sqlite3 *db;
    char at[32];
    int found;

    *out = NULL;
    if (person(p, err) != 0 || (db = db_reader(err)) == NULL)
        return -1;
    found = store_calendar_get(db, p->user_id, at, err);
    if (found < 0)
        return -1;
    *out = json_pack("{s:b, s:s?}", "active", found == 1, "created_at", found ? at : NULL);
    return 0;
}

/* ---- the feed ---- */

/* The words of an event, in one language. */
struct words {
    const char *to, *overdue, *due_now, *incident, *owed_late, *reminder, *calname;
};

static const struct words words_en = {
    .to = "to",
    .overdue = "Overdue: ",
    .due_now = "Due now: ",
    .incident = "Incident",
    .owed_late = "The deadline has passed. The report is still owed: send it as soon as possible.",
    .reminder = "Reporting deadline in one hour",
    .calname = "meldpunt: reporting deadlines",
};

static const struct words words_nl = {
    .to = "aan",
    .overdue = "Te laat: ",
    .due_now = "Nu verschuldigd: ",
    .incident = "Incident",
    .owed_late =
        "De termijn is verstreken. De melding is nog steeds verschuldigd: doe haar zo snel "
        "mogelijk.",
    .reminder = "Meldtermijn over een uur",
    .calname = "meldpunt: meldtermijnen",
};

static void
event(struct buf *b, const json_t *o, const char *lang, const struct words *w, int64_t now)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *ref = json_string_value(json_object_get(o, "incident_ref"));
    const char *stage = reminders_text_in_lang(json_object_get(o, "stage_name"), lang,
                                               json_string_value(json_object_get(o, "stage")));
    const char *regime = reminders_text_in_lang(json_object_get(o, "regime_title"), lang,
                                                json_string_value(json_object_get(o, "regime")));
    bool missed = strcmp(json_string_value(json_object_get(o, "status")), "missed") == 0;
    int64_t due = TIME_UNSET, created = TIME_UNSET;
    struct buf summary = BUF_INIT, desc = BUF_INIT, to = BUF_INIT;
    char uid[96];

    if (json_is_string(json_object_get(o, "due_at")))
        time_parse_rfc3339(json_string_value(json_object_get(o, "due_at")), &due);
    time_parse_rfc3339(json_string_value(json_object_get(o, "created_at")), &created);
    reminders_recipients_text(&to, json_object_get(o, "recipients"), lang);
    /* issue 22: an exercise's deadline is marked as one in the feed */
    if (json_is_true(json_object_get(o, "incident_exercise")))
        buf_puts(&summary, strcmp(lang, "nl") == 0 ? "OEFENING: " : "EXERCISE: ");
    buf_printf(&summary, "%s%s %s %s (%s)",
               missed ? w->overdue : (due == TIME_UNSET ? w->due_now : ""), stage, w->to,
               to.data ? to.data : "", ref ? ref : "");
    buf_printf(&desc, "%s\n%s %s %s\n%s %s", regime, stage, w->to, to.data ? to.data : "",
               w->incident, ref ? ref : "");
    if (missed)
        buf_printf(&desc, "\n%s", w->owed_late);
    snprintf(uid, sizeof(uid), "%s@meldpunt", id);

    ical_line(b, "BEGIN", "VEVENT");
    ical_text(b, "UID", uid);
    ical_time(b, "DTSTAMP", now);
    /* a report due "without undue delay" has no due time: it is due since
     * it became owed */
    ical_time(b, "DTSTART", due != TIME_UNSET ? due : (created != TIME_UNSET ? created : now));
    ical_text(b, "SUMMARY", summary.data);
    ical_text(b, "DESCRIPTION", desc.data);
    ical_text(b, "CATEGORIES", regime);
    ical_line(b, "STATUS", "CONFIRMED");
    ical_line(b, "TRANSP", "TRANSPARENT");
    if (!missed && due != TIME_UNSET) {
        ical_line(b, "BEGIN", "VALARM");
        ical_line(b, "ACTION", "DISPLAY");
        ical_line(b, "TRIGGER", "-PT1H");
        ical_text(b, "DESCRIPTION", w->reminder);
        ical_line(b, "END", "VALARM");
    }
    ical_line(b, "END", "VEVENT");
    buf_free(&summary);
    buf_free(&desc);
    buf_free(&to);
}

int
calendar_feed_render(const char *token, const char *lang, int64_t now, char **text, size_t *len,
                     struct mp_error *err)
{
    uint8_t hash[TOKEN_HASH_LEN];
    struct user_row u;
    struct buf b = BUF_INIT;
    const struct words *w;
    json_t *dl = NULL, *o;
    sqlite3 *db;
    int found, tlp;
    size_t i;

    *text = NULL;
    *len = 0;
    if (lang != NULL && strcmp(lang, "en") != 0 && strcmp(lang, "nl") != 0)
        return mp_error_set(err, 400, "lang", "must be en or nl");
    if (token == NULL || strlen(token) != CALENDAR_TOKEN_LEN ||
        strncmp(token, CALENDAR_TOKEN_PREFIX, strlen(CALENDAR_TOKEN_PREFIX)) != 0)
        return mp_error_set(err, 404, "", "no such calendar feed");
    token_hash_secret(token, hash);
    if ((db = db_reader(err)) == NULL)
        return -1;
    found = store_calendar_user(db, hash, &u, err);
    if (found < 0)
        return -1;
    if (found == 0 || u.disabled_at[0] != '\0')
        return mp_error_set(err, 404, "", "no such calendar feed");
    if (lang == NULL)
        lang = strcmp(u.language, "nl") == 0 ? "nl" : "en";
    w = strcmp(lang, "nl") == 0 ? &words_nl : &words_en;
    tlp = u.tlp_max[0] ? tlp_parse(u.tlp_max) : TLP_RED;
    if (tlp < 0)
        tlp = TLP_CLEAR; /* an unreadable limit: the strictest */
    if (classify_deadlines(NULL, FEED_ITEMS_MAX, tlp, now, &dl, err) != 0)
        return -1;

    ical_line(&b, "BEGIN", "VCALENDAR");
    ical_line(&b, "VERSION", "2.0");
    ical_line(&b, "PRODID", "-//meldpunt//reporting deadlines//EN");
    ical_line(&b, "CALSCALE", "GREGORIAN");
    ical_line(&b, "METHOD", "PUBLISH");
    ical_text(&b, "NAME", w->calname);         /* RFC 7986 */
    ical_text(&b, "X-WR-CALNAME", w->calname); /* what most programs read */
    ical_line(&b, "REFRESH-INTERVAL;VALUE=DURATION", "PT15M");
    ical_line(&b, "X-PUBLISHED-TTL", "PT15M");
    json_array_foreach(json_object_get(dl, "items"), i, o) event(&b, o, lang, w, now);
    ical_line(&b, "END", "VCALENDAR");
    json_decref(dl);
    if (buf_failed(&b)) {
        buf_free(&b);
        return mp_error_set(err, 500, "", "out of memory");
    }
    *text = buf_detach(&b, len);
    return 0;
}
