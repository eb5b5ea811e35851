/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * notify.h - notification drafts: prefilled from the incident and the rule
 * set's stage contents, edited, approved (which signs and freezes them),
 * submitted (which marks the obligation submitted), corrected by a new
 * version that supersedes the old.  Every step is on the incident timeline
 * and in the audit chain.
 */
#ifndef MP_NOTIFY_H
#define MP_NOTIFY_H

#include "core/incident.h"

#include <jansson.h>

/* body: {"regime", "stage", "language"?} */
int notify_create(const struct principal *p, int64_t now, const char *incident, json_t *body,
                  json_t **out, struct field_errors *errs);
/* patch: {"fields": {id: value|null}, "language"?}; if_match < 0: none */
int notify_patch(const struct principal *p, int64_t now, const char *nid, int64_t if_match,
                 json_t *patch, json_t **out, struct field_errors *errs);
int notify_approve(const struct principal *p, int64_t now, const char *nid, int64_t if_match,
                   json_t **out, struct field_errors *errs);
/* body: {"channel", "authority_reference"?, "submitted_at"?} */
int notify_submit(const struct principal *p, int64_t now, const char *nid, json_t *body,
                  json_t **out, struct field_errors *errs);
int notify_correct(const struct principal *p, int64_t now, const char *nid, json_t **out,
                   struct field_errors *errs);

int notify_get(const char *nid, json_t **out, int64_t *version, struct mp_error *err);
/* incident_check_visible() for the notification's incident: a 404 like a
 * missing notification when p may not see it. */
int notify_check_visible(const struct principal *p, const char *nid, struct mp_error *err);
int notify_list(const char *incident, json_t **out, struct mp_error *err);
/* The exact signed bytes and the signature text (malloc'd); 409 while a
 * draft. */
int notify_document(const char *nid, char **document, char **signature, struct mp_error *err);

/* A printable page of the signed document in its language (malloc'd). */
int notify_html(const char *nid, char **html, struct mp_error *err);
/* A ZIP archive (libarchive) with the document, its signature, the public
 * key, the incident's timeline and how to verify (malloc'd, *len bytes). */
int notify_bundle(const char *nid, char **zip, size_t *len, struct mp_error *err);

#endif
