/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * reminders_ack.c - acknowledging a reminder: "I have it".
 *
 * From the message: its {ack} placeholder is a link to the web page
 * (LINK_BASE/#/ack/TOKEN; the token travels in the fragment, which no
 * server or proxy logs), which posts the token to POST
 * /api/v1/reminders/ack.  The token names the job and the recipient, is
 * valid ACK_VALID seconds from sending, and is signed with a key derived
 * from the server's token secret (BLAKE2b, core/token.h), so nothing is
 * stored for it.  It works once: a step acknowledged is not acknowledged
 * again (409).  From the incident page, a person who works incidents
 * acknowledges a job by its id.
 *
 * Either way the step's ladder stops: its rounds still planned (the
 * repeats while overdue, a retry) are not sent, and it does not escalate.
 * Later steps still come: acknowledging is not reporting; submitting or
 * waiving the report ends its whole ladder.
 */
#include "reminders.h"
#include "reminders_int.h"
#include "core/audit.h"
#include "lib/timeutil.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/reminders.h"
#include "store/writer.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACK_VALID (24 * 3600)
#define MAC_HEX   32 /* 128 bits of the keyed hash */

static void
mac(const char *payload, char out[MAC_HEX + 1])
{
    uint8_t h[TOKEN_HASH_LEN];
    char text[200], hex[2 * TOKEN_HASH_LEN + 1];

    snprintf(text, sizeof(text), "reminder-ack:%s", payload);
    token_hash_secret(text, h);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    snprintf(out, MAC_HEX + 1, "%.*s", MAC_HEX, hex);
}

void
reminders_ack_token(int64_t job_id, const char *who, int64_t now, char *out, size_t size)
{
    char payload[140], m[MAC_HEX + 1], raw[200];

    snprintf(payload, sizeof(payload), "%" PRId64 ".%" PRId64 ".%.64s", job_id, now + ACK_VALID,
             who);
    mac(payload, m);
    snprintf(raw, sizeof(raw), "%s.%s", payload, m);
    sodium_bin2base64(out, size, (const unsigned char *)raw, strlen(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* The job and recipient a token names; -1 with a 404 when it is not one
 * of ours, 410 when it expired. */
static int
token_read(const char *token, int64_t now, int64_t *job, char who[72], struct mp_error *err)
{
    char raw[200], m[MAC_HEX + 1], *dot;
    size_t len = 0;
    long long id, exp;
    int n = 0;

    if (token == NULL || strlen(token) > 260 ||
        sodium_base642bin((unsigned char *)raw, sizeof(raw) - 1, token, strlen(token), NULL, &len,
                          NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return mp_error_set(err, 404, "token", "not a reminder's acknowledgement link");
    raw[len] = '\0';
    dot = strrchr(raw, '.');
    if (dot == NULL || strlen(dot + 1) != MAC_HEX)
        return mp_error_set(err, 404, "token", "not a reminder's acknowledgement link");
    *dot = '\0';
    mac(raw, m);
    if (sodium_memcmp(m, dot + 1, MAC_HEX) != 0 ||
        sscanf(raw, "%lld.%lld.%n", &id, &exp, &n) != 2 || n == 0 || strlen(raw + n) >= 72)
        return mp_error_set(err, 404, "token", "not a reminder's acknowledgement link");
    if (now > exp)
        return mp_error_set(err, 410, "token", "this acknowledgement link has expired");
    *job = id;
    snprintf(who, 72, "%s", raw + n);
    return 0;
}

struct ack_change {
    int64_t job, now;
    const char *who, *how;
    struct reminder_job j;
};

static int
ack_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct ack_change *c = arg;
    char at[TIME_RFC3339_LEN], note[200];
    int found = store_reminder_job_get(db, c->job, &c->j, err);

    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no such reminder");
    if (strcmp(c->j.status, "acknowledged") == 0)
        return mp_error_set(err, 409, "", "this reminder was acknowledged already");
    if (strcmp(c->j.status, "cancelled") == 0 || strcmp(c->j.status, "skipped") == 0)
        return mp_error_set(err, 409, "", "this reminder is no longer in force");
    time_format_rfc3339(c->now, at, sizeof(at));
    snprintf(note, sizeof(note), "reminder acknowledged by %s (step %d, %s)", c->who, c->j.step + 1,
             c->how);
    if (store_reminder_step_ack(db, c->j.obligation_id, c->j.step, at, err) < 0 ||
        store_reminder_delivery_add(db, &c->j, c->how, c->who, "acknowledged", NULL, at, err) !=
            0 ||
        store_timeline_append(db, c->j.incident_id, at, c->who, "obligation", "reminder", NULL,
                              NULL, note, err) != 0)
        return -1;
    return audit_append_json(db, c->now, c->who, "reminder.acknowledge", c->j.incident_id,
                             json_pack("{s:I, s:s, s:i, s:s}", "job", (json_int_t)c->j.id,
                                       "obligation", c->j.obligation_id, "step", c->j.step, "how",
                                       c->how),
                             err);
}

static json_t *
answer(const struct ack_change *c)
{
    return json_pack("{s:I, s:s, s:s, s:i, s:s, s:s}", "job", (json_int_t)c->j.id, "incident_id",
                     c->j.incident_id, "obligation_id", c->j.obligation_id, "step", c->j.step,
                     "status", "acknowledged", "by", c->who);
}

int
reminders_ack(const char *token, int64_t now, json_t **out, struct mp_error *err)
{
    struct ack_change c = {.now = now, .how = "link"};
    char who[72];

    *out = NULL;
    if (token_read(token, now, &c.job, who, err) != 0)
        return -1;
    c.who = who;
    if (store_write(ack_apply, &c, err) != 0)
        return -1;
    *out = answer(&c);
    return 0;
}

int
reminders_ack_job(const struct principal *p, int64_t now, const char *id_or_ref, int64_t job,
                  json_t **out, struct mp_error *err)
{
    struct ack_change c = {.now = now, .how = "web", .job = job, .who = p->name};
    sqlite3 *db = db_reader(err);
    char id[40];
    int found;

    *out = NULL;
    if (db == NULL || reminders_incident_id(db, id_or_ref, id, err) != 0)
        return -1;
    found = store_reminder_job_get(db, job, &c.j, err);
    if (found == 1 && strcmp(c.j.incident_id, id) != 0)
        found = 0; /* another incident's: as if absent */
    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no such reminder");
    if (store_write(ack_apply, &c, err) != 0)
        return -1;
    *out = answer(&c);
    return 0;
}
