/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * register.h - the risk register: step 1 (assets and crown jewels, threats,
 * scenarios with likelihood x impact) and step 2 (measures, continuity and
 * crisis plans, suppliers, critical functions) of preparing for NIS2 / CER,
 * and how incidents link to it.
 *
 * Six kinds of item share one table and one code path; what differs per
 * kind is data: the table of fields in register.c (type, required, allowed
 * values, which kind a reference must name) and a few cross-field rules.
 * Every change is one write with its audit entry; references are checked
 * inside that write, and an item still referenced cannot be deleted (409).
 */
#ifndef MP_REGISTER_H
#define MP_REGISTER_H

#include "core/token.h"
#include "lib/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* "assets" -> "asset" (the path segment to the kind); NULL when unknown. */
const char *register_kind(const char *plural);

/* Risk scoring on the 5 x 5 scale: score = likelihood x impact (1..25),
 * 0 when either is out of 1..5; the level band of a score. */
int register_score(int likelihood, int impact);
const char *register_level(int score);
/* Days since 1970-01-01 of a YYYY-MM-DD date, or INT64_MIN when invalid. */
int64_t register_date_days(const char *s);
/* Derived flags (a measure overdue, training lapsed) are judged on the day
 * of `now` (UTC) that each read passes in.
 * Training of a person lapsed on day `today` (days since the epoch): never
 * trained, or trained more than interval_days ago. */
bool register_training_lapsed(const char *trained_on, int64_t interval_days, int64_t today);

int register_list(const char *kind, const char *lang, int64_t now, json_t **out,
                  struct mp_error *err);
/* With the incidents that name the item, up to TLP tlp_max. */
int register_get(const char *kind, const char *id, int tlp_max, int64_t now, json_t **out,
                 int64_t *version, struct mp_error *err);
/* id NULL: create (*created true); else replace, if_match as elsewhere. */
int register_put(const struct principal *p, int64_t now, const char *kind, const char *id,
                 json_t *body, int64_t if_match, json_t **out, int64_t *version,
                 struct field_errors *errs);
int register_delete(const struct principal *p, int64_t now, const char *kind, const char *id,
                    struct mp_error *err);

/* The heat map (likelihood x impact counts, inherent and residual) and the
 * scenarios whose residual score is above accepted. */
int register_matrix(int accepted, int64_t now, json_t **out, struct mp_error *err);
/* What needs attention: overdue measures, lapsed training, suppliers with
 * no alternative, scenarios over accepted, untreated scenarios. */
int register_attention(int accepted, int64_t now, json_t **out, struct mp_error *err);
/* The whole register (format "json"), one kind as CSV ("csv"), or a
 * printable page ("html") of everything or of one kind (kind "measure":
 * the measures plan). */
int register_export(const char *kind, const char *format, int64_t now, char **text, size_t *len,
                    struct mp_error *err);

/* Incidents: link an item (affects: asset or supplier; realised: a
 * scenario, closed incidents only; produced: a measure, closed only). */
int register_link_incident(const struct principal *p, int64_t now, const char *incident,
                           const char *item, const char *relation, struct field_errors *errs);
int register_unlink_incident(const struct principal *p, int64_t now, const char *incident,
                             const char *relation, const char *item, struct mp_error *err);
/* {links, affected_assets, scenarios, measures, severity: {current,
 * suggested, reason}} for an incident. */
int register_incident_view(const char *incident, int64_t now, json_t **out, struct mp_error *err);

#endif
