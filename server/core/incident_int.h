/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * incident_int.h - what incident.c (the model) gives incident_change.c (the
 * changes): the fields of struct incident one by one, for the timeline of a
 * patch.  Not for other modules.
 */
#ifndef MP_INCIDENT_INT_H
#define MP_INCIDENT_INT_H

#include "core/incident_types.h"

#include <jansson.h>
#include <stddef.h>

/* The fields of an incident's JSON, in order. */
size_t incident_field_count(void);
/* Field i's name when a request may change it, else NULL. */
const char *incident_field_editable(size_t i);
/* Field i of inc as JSON (a new reference). */
json_t *incident_field_value(const struct incident *inc, size_t i);

#endif
