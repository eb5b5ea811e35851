/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * misp.h - an incident as a MISP event (the MISP core format,
 * draft-dulaunoy-misp-core-format): its indicators as attributes of the
 * MISP types and categories, tagged with their TLP, the event tagged with
 * the incident's TLP and the NIS incident taxonomy (namespace "nis",
 * predicates nature-root-cause and nature-severity); and the push of that
 * event to a configured MISP instance ([misp] url, key_file).
 */
#ifndef MP_MISP_H
#define MP_MISP_H

#include "core/incident_types.h"
#include "core/token.h"
#include "lib/error.h"

#include <jansson.h>
#include <stdint.h>

/* The event {"Event": {...}} for inc with its indicators iocs (store
 * rows) by org; a new reference.  The same inputs give the same event. */
json_t *misp_event(const struct incident *inc, json_t *iocs, const char *org);

/* The incident's event, with the indicators p may see. */
int misp_export(const struct principal *p, const char *incident, json_t **out,
                struct mp_error *err);

struct misp_settings {
    const char *url;      /* the instance, https:// (http:// on loopback); empty: off */
    const char *key_file; /* the API key; relative: in the data directory */
    const char *ca_file;  /* empty: the system's CA certificates */
};

/* Once at start (and on reload): 0, or -1 with err naming the setting. */
int misp_configure(const struct misp_settings *s, const char *data_dir, struct mp_error *err);
bool misp_configured(void);

/* POSTs the incident's event to <url>/events/add with the API key, and
 * audits it with the answer.  *out: {status, url, event: {id, uuid} of
 * the answer, when it gave them}.  409 when no instance is configured,
 * 502 when it did not answer 2xx. */
int misp_push(const struct principal *p, int64_t now, const char *incident, json_t **out,
              struct mp_error *err);

#endif
