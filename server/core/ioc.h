/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * ioc.h - an incident's indicators of compromise as typed data: IP
 * addresses and blocks, domains, URLs, file hashes, e-mail addresses and
 * file names, each checked and brought to one normal form, so the same
 * indicator written two ways is one indicator of the incident.
 *
 * Each indicator carries its own TLP (by default the incident's): the
 * exports (core/misp.c, core/stix.c) mark each one with it, and a reader
 * sees only those at or below the highest level it may see.  Adding and
 * removing are changes of the incident: a new version, a timeline entry
 * and an audit entry, like any other change.
 */
#ifndef MP_IOC_H
#define MP_IOC_H

#include "core/incident_types.h"
#include "core/token.h"
#include "lib/error.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum ioc_type {
    IOC_IPV4 = 0,
    IOC_IPV6,
    IOC_DOMAIN,
    IOC_URL,
    IOC_MD5,
    IOC_SHA1,
    IOC_SHA256,
    IOC_SHA512,
    IOC_EMAIL,
    IOC_FILENAME,
    IOC_TYPE_COUNT
};

extern const char *const ioc_type_names[IOC_TYPE_COUNT];

#define IOC_VALUE_MAX   2048 /* characters; a URL is the longest */
#define IOC_COMMENT_MAX 500
#define IOC_BATCH_MAX   200 /* indicators in one request */

/* value as an indicator of type (-1: the type is worked out from the
 * value; a file name never is).  0 with *type_out and the normal form in
 * out; -1 with why (static English text) when it is not one.  Nothing is
 * guessed: "example[.]com" or a value of two types' shape is refused. */
int ioc_normalise(int type, const char *value, int *type_out, char *out, size_t size,
                  const char **why);

/* The incident's indicators p may see: {"items": [...], "version"}. */
int ioc_list(const struct principal *p, const char *incident, json_t **out, struct mp_error *err);
/* Adds the indicators of list (an array of {type?, value, tlp?, comment?});
 * those the incident has already are left as they are.  Field errors name
 * the index ("iocs[2].value").  *out: {"added": [...], "existing": [...],
 * "version"}. */
int ioc_add(const struct principal *p, int64_t now, const char *incident, int64_t if_match,
            json_t *list, json_t **out, struct field_errors *errs);
/* The incident (to be freed) and the indicators of it p may see, oldest
 * first: what the exports are made of. */
int ioc_visible(const struct principal *p, const char *incident, struct incident *inc,
                json_t **items, struct mp_error *err);
/* The namespace of the version 5 ids the exports give what has no id of
 * its own in their format (a MISP event per incident, a STIX indicator per
 * indicator): the same incident exports with the same ids every time. */
#define IOC_EXPORT_NAMESPACE "8d1f7c52-3e0a-4b6f-9a0e-5c4f2b7d9e61"
/* The organisation's name from its profile ("meldpunt" when it has none),
 * the author of an export. */
void ioc_organisation_name(char *out, size_t size);
/* Removes one; *version: the incident's new version. */
int ioc_remove(const struct principal *p, int64_t now, const char *incident, const char *id,
               int64_t if_match, int64_t *version, struct mp_error *err);

/* At start: the drafts' IoC texts migration 0024 set aside, typed where a
 * word reads as exactly one type, the rest kept as written in a note on
 * the incident's timeline (audited as incident.iocs.import).  Each text is
 * dealt with once. */
int ioc_import_drafts(int64_t now, int *typed, int *untyped, struct mp_error *err);

#endif
