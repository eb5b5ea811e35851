/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * stix.h - an incident as a STIX 2.1 bundle (OASIS STIX Version 2.1):
 * the organisation as an `identity`, the incident as an `incident`, each
 * indicator of compromise as an `indicator` with its STIX pattern, the
 * cyber-observable object it names (ipv4-addr, domain-name, url, file ...)
 * in an `observed-data`, a `relationship` from each indicator to the
 * incident, and the TLP 2.0 `marking-definition`s the objects refer to.
 */
#ifndef MP_STIX_H
#define MP_STIX_H

#include "core/incident_types.h"
#include "core/token.h"
#include "lib/error.h"

#include <jansson.h>

/* The bundle for inc with its indicators iocs (store rows) by org; a new
 * reference.  Ids are version 5 UUIDs of stable inputs (the observables'
 * as STIX 2.1 section 2.9 fixes them), so the same inputs give the same
 * bundle. */
json_t *stix_bundle(const struct incident *inc, json_t *iocs, const char *org);

/* The incident's bundle, with the indicators p may see. */
int stix_export(const struct principal *p, const char *incident, json_t **out,
                struct mp_error *err);

/* The pattern of one indicator ("[ipv4-addr:value = '192.0.2.1']") into
 * out; false when type is not an indicator type. */
bool stix_pattern(const char *type, const char *value, char *out, size_t size);

#endif
