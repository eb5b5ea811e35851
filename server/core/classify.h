/*
 * classify.h - which regimes an incident falls under, whether it is
 * significant under each and why, and when each report is due: the rules
 * in force (rules.h) applied to the incident's facts and the organisation
 * profile.
 */
#ifndef MP_CLASSIFY_H
#define MP_CLASSIFY_H

#include "core/incident.h"

#include <jansson.h>

/* The facts the rules read: the impact facts (duration_minutes derived when
 * not given) and the fields category, cause, severity, services, tlp. */
json_t *classify_facts(const struct incident *inc, int64_t now);

/* Evaluates every rule set for the incident.  *out:
 *   {"incident","incident_version","profile_version","evaluated_at",
 *    "regimes":[rules_evaluate() result + per stage "due_at" (RFC 3339 or
 *    null), "waiting_for" (anchors not known yet), "overdue"]} */
int classify_incident(const char *id_or_ref, json_t **out, struct mp_error *err);

#endif
