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
#include "core/rules.h"
#include "lib/buf.h"

#include <jansson.h>
#include <stdbool.h>

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

/* A printable page of the signed document in its language (malloc'd):
 * letterhead, recipient, the fields by label and display value, the
 * signature and how to verify it.  standalone: the stylesheet inside the
 * page (the bundle) instead of linked from the server. */
int notify_html(const char *nid, bool standalone, char **html, struct mp_error *err);
/* A ZIP archive (libarchive) with the document, its signature, the public
 * key, the incident's timeline and how to verify (malloc'd, *len bytes). */
int notify_bundle(const char *nid, char **zip, size_t *len, struct mp_error *err);

/* ---- the words of a signed document (notify_display.c) ---- */

struct notify_words {
    bool nl;                    /* the draft's language: nl, else en */
    const struct rules *rules;  /* held by the caller */
    const struct ruleset *rs;   /* the regime's rules: its criteria's sentences */
    const struct calendar *cal; /* the organisation's clock; NULL: UTC */
};

/* The words for a draft of regime in lang, for an organisation in country. */
void notify_words_init(struct notify_words *w, const struct rules *r, const char *regime,
                       const char *lang, const char *country);
/* A content's value as its reader reads it (malloc'd; NULL out of memory):
 * times local with UTC beside, countries by name, criteria by sentence and
 * article, yes/no/unknown, numbers grouped. */
char *notify_display(const struct notify_words *w, const char *id, const json_t *v);
/* "4 December 2026, 08:17 (07:17 UTC)" in the organisation's clock. */
void notify_display_time(const struct notify_words *w, int64_t t, struct buf *out);
/* A labelled field of the document: its machine value, its label and its
 * display value in the draft's language ({id, label, value, display});
 * the _time form for a time in Unix seconds (TIME_UNSET: unknown). */
json_t *notify_labelled(const struct notify_words *w, const char *id, const char *label,
                        json_t *value);
json_t *notify_labelled_time(const struct notify_words *w, const char *id, const char *label,
                             int64_t t);
/* The document's summary: whom it goes to, the regime and report, the
 * incident, and its times, each labelled (a NULL text: unknown). */
struct notify_summary_in {
    const char *recipient, *regime, *stage, *incident, *severity;
    int64_t detected_at, aware_at, due_at, signed_at;
};
json_t *notify_summary(const struct notify_words *w, const struct notify_summary_in *in);
/* A recipient, severity or role in words (the id itself when unknown). */
const char *notify_word(const char *id, bool nl);
/* issue 22: the statement an exercise's signed document carries:
 * {exercise: true, statement: {nl, en}, display: in the draft's language}. */
json_t *notify_exercise_statement(bool nl);

#endif
