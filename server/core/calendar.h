/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * calendar.h - a person's calendar feed of the reporting deadlines.
 *
 * A signed-in person creates a feed address for their calendar program
 * (GET /api/v1/calendar/{token}.ics): one event per report still owed
 * (pending or missed, neither submitted nor waived) at its due time, with a
 * reminder an hour before, in the person's language.  The feed shows what
 * the person may see: incidents above their TLP limit are left out, and an
 * event names the incident by its reference only, never its title or
 * facts, because calendars are synchronised to places meldpunt does not
 * control.  Creating a feed again replaces the address (the old one stops
 * working); revoking ends it; disabling the user ends it too.
 */
#ifndef MP_CALENDAR_H
#define MP_CALENDAR_H

#include "core/token.h"
#include "lib/error.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CALENDAR_TOKEN_PREFIX "cal_"
#define CALENDAR_TOKEN_LEN    47 /* the prefix and 43 base64url characters: 256 bits */

/* For p, a person signed in: a new feed token (replacing any), audited.
 * *out: {"path": "/api/v1/calendar/TOKEN.ics", "created_at"}.  403 for an
 * API token: a feed belongs to a person. */
int calendar_feed_create(const struct principal *p, int64_t now, json_t **out,
                         struct mp_error *err);
/* Ends p's feed, audited; 404 when there is none. */
int calendar_feed_revoke(const struct principal *p, int64_t now, struct mp_error *err);
/* {"active": bool, "created_at": text or null} for p. */
int calendar_feed_status(const struct principal *p, json_t **out, struct mp_error *err);

/* The feed of token as iCalendar text (malloc'd): the deadlines at now in
 * lang ("en", "nl"; NULL: the user's language, else English).  404 for a
 * token that is not a feed, revoked, or of a disabled user. */
int calendar_feed_render(const char *token, const char *lang, int64_t now, char **text, size_t *len,
                         struct mp_error *err);

#endif
