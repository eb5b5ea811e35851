/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * incident_int.h - what incident.c (the model) gives incident_change.c (the
 * changes, incident_import.c the bulk path): the fields of struct incident
 * one by one, for the timeline of a patch.  Not for other modules.
 */
#ifndef MP_INCIDENT_INT_H
#define MP_INCIDENT_INT_H

#include "core/incident_types.h"
#include "core/token.h"
#include "lib/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/* The fields of an incident's JSON, in order. */
size_t incident_field_count(void);
/* Field i's name when a request may change it, else NULL. */
const char *incident_field_editable(size_t i);
/* Field i of inc as JSON (a new reference). */
json_t *incident_field_value(const struct incident *inc, size_t i);

/* For incident_change.c and incident_import.c: the judgement under the
 * reporting rules that follows a change (the hook, incident.h), and the
 * change's audit entry (payload: extra, stolen, or {}; ref and version
 * added). */
int incident_judge(sqlite3 *db, const struct incident *inc, const char *actor, const char *note,
                   bool required_note, int64_t now, struct mp_error *err);
int incident_audit(sqlite3 *db, int64_t now, const struct principal *p, const char *action,
                   const struct incident *inc, json_t *extra, struct mp_error *err);

#endif
