/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * reminders_int.h - what the reminder modules share: planning
 * (reminders_plan.c), the messages (reminders_message.c) and the send loop
 * (reminders_send.c).
 */
#ifndef MP_REMINDERS_INT_H
#define MP_REMINDERS_INT_H

#include "core/incident_types.h"
#include "lib/buf.h"
#include "lib/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

/* The steps of the ladder for regime and stage (most specific wins), or
 * NULL. */
const json_t *reminders_ladder(const json_t *policy, const char *regime, const char *stage);
/* When step fires for a report due at due, owed since owed_since;
 * TIME_UNSET when its `at` is not understood. */
int64_t reminders_step_time(const json_t *step, int64_t due, int64_t owed_since);

/* The id of the incident id_or_ref names (its id or reference); 404 when
 * none. */
int reminders_incident_id(sqlite3 *db, const char *id_or_ref, char id[40], struct mp_error *err);

/* Whom a message goes to. */
struct reminder_rcpt {
    char name[72];
    char email[256]; /* empty: none known */
    char lang[4];
    char zone[64];
    int tlp_max; /* highest enum incident_tlp shown in full */
};

/* What a message says, worked out once per job. */
struct reminder_facts {
    const struct incident *inc;
    const json_t *obligation; /* classify_obligations() item */
    const char *link, *link_base;
    int64_t job_id;
    int step, round;
    int64_t due, now;
};

/* Subject and body in r's language from the policy's templates. */
void reminders_render(const json_t *policy, const struct reminder_facts *f,
                      const struct reminder_rcpt *r, struct buf *subject, struct buf *body);
/* A webhook's JSON for its type (webhook, slack, mattermost, teams). */
char *reminders_payload(const char *type, const struct reminder_facts *f, const char *subject,
                        const char *body, const json_t *names);
/* The e-mail (headers and body, CRLF lines). */
char *reminders_mail(const char *from, const char *to, const char *subject, const char *body,
                     int64_t now);

#endif
