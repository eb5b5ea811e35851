/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * organisation.h - the organisation profile: who we are for the law.
 *
 * One JSON document (its members are fixed by fields[] in organisation.c,
 * documented in docs/RULES.md): the rules read it through {"profile": NAME}.
 * Admins replace it as a whole; every change is audited.
 */
#ifndef MP_ORGANISATION_H
#define MP_ORGANISATION_H

#include "core/incident.h"
#include "core/token.h"

#include <jansson.h>
#include <sqlite3.h>

/* The profile on db (inside a change) or, organisation_get, on this
 * thread's reader: a new reference and its version. */
int organisation_load(sqlite3 *db, json_t **doc, int64_t *version, char updated_at[32],
                      struct mp_error *err);
int organisation_get(json_t **doc, int64_t *version, char updated_at[32], struct mp_error *err);

/* Validates doc (every member required; unknown members refused) and
 * stores it.  if_match < 0: no precondition; another version is 412. */
int organisation_put(const struct principal *p, int64_t now, json_t *doc, int64_t if_match,
                     int64_t *version, struct field_errors *errs);

/* Inside a change: stores text (an already validated profile), audits it
 * and calls the change hook (below).  if_match as for organisation_put. */
int organisation_replace(sqlite3 *db, const struct principal *p, int64_t now, const char *text,
                         int64_t if_match, int64_t *version, struct mp_error *err);

/* What must follow a change of the profile, inside the same change: the
 * server sets classify_refresh_open here (what the law asks of us changed,
 * so every open incident is judged again).  The profile does not know the
 * classifier; classification depends on the profile, never the reverse.
 * Set once at start-up, before any change; NULL: nothing follows. */
typedef int (*organisation_hook)(sqlite3 *db, const char *actor, int64_t now, struct mp_error *err);
void organisation_on_change(organisation_hook fn);

/* Checks doc without storing; adds field errors. */
bool organisation_validate(json_t *doc, struct field_errors *errs);

#endif
