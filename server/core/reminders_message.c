/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * reminders_message.c - what a reminder says: the policy's template filled
 * in the recipient's language, the due time in the recipient's time zone
 * and the time left, and the payload each channel type expects.
 *
 * Confidentiality: a message names the incident by its reference; its
 * title only when the incident's TLP is within the recipient's limit and
 * below TLP:RED.  A webhook goes to a shared room, so there the title is
 * shown only up to TLP:GREEN.  Nothing else of the incident is ever sent.
 */
#include "reminders_int.h"
#include "reminders.h"
#include "lib/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *
reminders_text_in_lang(const json_t *texts, const char *lang, const char *fallback)
{
    const char *s = json_string_value(json_object_get(texts, lang));

    if (s == NULL)
        s = json_string_value(json_object_get(texts, strcmp(lang, "en") == 0 ? "nl" : "en"));
    return s ? s : fallback;
}

void
reminders_recipients_text(struct buf *b, const json_t *recipients, const char *lang)
{
    size_t i, n = json_array_size(recipients);
    json_t *r;

    json_array_foreach(recipients, i, r)
    {
        const char *name = json_string_value(json_object_get(r, "name"));
        if (i > 0)
            buf_puts(b, i + 1 == n ? (strcmp(lang, "nl") == 0 ? " en " : " and ") : ", ");
        buf_puts(b, name && name[0]
                        ? name
                        : reminders_text_in_lang(json_object_get(r, "label"), lang,
                                                 json_string_value(json_object_get(r, "role"))));
    }
}

/* "3 h 20 min left" / "nog 3 u 20 min"; "2 h overdue" / "2 u te laat". */
static void
time_left(struct buf *b, int64_t due, int64_t now, const char *lang)
{
    bool nl = strcmp(lang, "nl") == 0, late = now > due;
    int64_t s = late ? now - due : due - now, d = s / 86400, h = s % 86400 / 3600,
            m = s % 3600 / 60;
    char span[64];

    if (d > 0)
        snprintf(span, sizeof(span), "%lld %s %lld %s", (long long)d, nl ? "d" : "d", (long long)h,
                 nl ? "u" : "h");
    else
        snprintf(span, sizeof(span), "%lld %s %lld min", (long long)h, nl ? "u" : "h",
                 (long long)m);
    if (s < 60)
        buf_puts(b, nl ? "nu" : "now");
    else if (late)
        buf_printf(b, nl ? "%s te laat" : "%s overdue", span);
    else
        buf_printf(b, nl ? "nog %s" : "%s left", span);
}

static void
fill(struct buf *out, const char *t, const struct reminder_facts *f, const struct reminder_rcpt *r)
{
    const char *lang = r->lang, *ref = f->inc->ref;

    for (const char *p = t; *p; p++) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        char name[32];

        if (close == NULL || (size_t)(close - p) > sizeof(name)) {
            buf_printf(out, "%c", *p);
            continue;
        }
        snprintf(name, sizeof(name), "%.*s", (int)(close - p - 1), p + 1);
        p = close;
        if (strcmp(name, "reference") == 0) {
            /* issue 22: an exercise's reminder says so wherever it names the incident */
            if (f->inc->exercise)
                buf_puts(out, strcmp(lang, "nl") == 0 ? "OEFENING " : "EXERCISE ");
            buf_puts(out, ref);
        } else if (strcmp(name, "title") == 0) {
            if (f->inc->tlp <= r->tlp_max && f->inc->tlp < TLP_RED)
                buf_puts(out, f->inc->title ? f->inc->title : "");
            else
                buf_printf(out, "TLP:%s", incident_tlp_names[f->inc->tlp]);
        } else if (strcmp(name, "regime") == 0) {
            buf_puts(out, reminders_text_in_lang(
                              json_object_get(f->obligation, "regime_title"), lang,
                              json_string_value(json_object_get(f->obligation, "regime"))));
        } else if (strcmp(name, "stage") == 0) {
            buf_puts(out, reminders_text_in_lang(
                              json_object_get(f->obligation, "stage_name"), lang,
                              json_string_value(json_object_get(f->obligation, "stage"))));
        } else if (strcmp(name, "authority") == 0) {
            reminders_recipients_text(out, json_object_get(f->obligation, "recipients"), lang);
        } else if (strcmp(name, "due") == 0) {
            char when[64];
            time_format_zone(f->due, r->zone, when, sizeof(when));
            buf_puts(out, when);
        } else if (strcmp(name, "left") == 0) {
            time_left(out, f->due, f->now, lang);
        } else if (strcmp(name, "link") == 0) {
            buf_puts(out, f->link);
        } else if (strcmp(name, "ack") == 0) {
            char token[300];
            reminders_ack_token(f->job_id, r->name, f->now, token, sizeof(token));
            buf_printf(out, "%s/#/ack/%s", f->link_base, token);
        }
    }
}

void
reminders_render(const json_t *policy, const struct reminder_facts *f,
                 const struct reminder_rcpt *r, struct buf *subject, struct buf *body)
{
    const json_t *t = json_object_get(json_object_get(policy, "templates"), r->lang);

    if (t == NULL)
        t = json_object_get(json_object_get(policy, "templates"), "en");
    fill(subject, json_string_value(json_object_get(t, "subject")), f, r);
    fill(body, json_string_value(json_object_get(t, "body")), f, r);
}

static json_t *
teams_card(const char *subject, const char *body, const char *link)
{
    json_t *card =
        json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:b}, {s:s, s:s, s:b}], s:[{s:s, s:s, s:s}]}",
                  "$schema", "http://adaptivecards.io/schemas/adaptive-card.json", "type",
                  "AdaptiveCard", "version", "1.4", "body", "type", "TextBlock", "text", subject,
                  "weight", "Bolder", "wrap", 1, "type", "TextBlock", "text", body, "wrap", 1,
                  "actions", "type", "Action.OpenUrl", "title", "meldpunt", "url", link);

    return json_pack("{s:s, s:[{s:s, s:o}]}", "type", "message", "attachments", "contentType",
                     "application/vnd.microsoft.card.adaptive", "content", card);
}

char *
reminders_payload(const char *type, const struct reminder_facts *f, const char *subject,
                  const char *body, const json_t *names)
{
    json_t *doc;
    char *text, due[TIME_RFC3339_LEN];

    if (strcmp(type, "slack") == 0 || strcmp(type, "mattermost") == 0) {
        doc = json_pack("{s:s+++}", "text", subject, "\n", body, "");
    } else if (strcmp(type, "teams") == 0) {
        doc = teams_card(subject, body, f->link);
    } else if (f->obligation == NULL) { /* a test message from Settings */
        doc = json_pack("{s:s, s:s, s:s}", "event", "test", "subject", subject, "text", body);
    } else {
        time_format_rfc3339(f->due, due, sizeof(due));
        doc = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s}, s:i, s:i, s:O, s:s, "
                        "s:s, s:s}",
                        "event", "reminder", "incident", "reference", f->inc->ref, "tlp",
                        incident_tlp_names[f->inc->tlp], "obligation", "id",
                        json_string_value(json_object_get(f->obligation, "id")), "regime",
                        json_string_value(json_object_get(f->obligation, "regime")), "stage",
                        json_string_value(json_object_get(f->obligation, "stage")), "status",
                        json_string_value(json_object_get(f->obligation, "status")), "due_at", due,
                        "step", f->step, "round", f->round, "recipients", names, "subject", subject,
                        "text", body, "link", f->link);
    }
    text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return text;
}

/* A header value: UTF-8 as an RFC 2047 encoded word when not plain ASCII. */
static void
header_text(struct buf *b, const char *s)
{
    bool ascii = true;

    for (const char *p = s; *p; p++)
        ascii = ascii && (unsigned char)*p < 0x80 && *p != '\r' && *p != '\n';
    if (ascii) {
        buf_puts(b, s);
        return;
    }
    buf_puts(b, "=?UTF-8?B?");
    {
        static const char tbl[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        size_t n = strlen(s);
        const unsigned char *u = (const unsigned char *)s;
        for (size_t i = 0; i < n; i += 3) {
            unsigned v = u[i] << 16 | (i + 1 < n ? u[i + 1] << 8 : 0) | (i + 2 < n ? u[i + 2] : 0);
            buf_printf(b, "%c%c%c%c", tbl[v >> 18 & 63], tbl[v >> 12 & 63],
                       i + 1 < n ? tbl[v >> 6 & 63] : '=', i + 2 < n ? tbl[v & 63] : '=');
        }
    }
    buf_puts(b, "?=");
}

char *
reminders_mail(const char *from, const char *to, const char *subject, const char *body, int64_t now)
{
    struct buf b = BUF_INIT;
    char date[64];
    time_t t = (time_t)now;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    buf_printf(&b, "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nSubject: ", date, from, to);
    header_text(&b, subject);
    buf_puts(&b, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                 "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n");
    /* libcurl doubles a leading dot itself (SMTP transparency) */
    for (const char *p = body; *p; p++) {
        if (*p == '\n')
            buf_puts(&b, "\r\n");
        else
            buf_printf(&b, "%c", *p);
    }
    buf_puts(&b, "\r\n");
    return buf_detach(&b, NULL);
}
