/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * incident.h - the incident: model, validation, state machine, and the
 * operations on it (create, change, transition, note, read).
 *
 * The state machine's transition table (incident.c: transitions[]) is the
 * one place that says which state may follow which; later guards (closing
 * needs the required reports) go there too.  Every operation that changes
 * an incident writes, in one transaction through the writer: the incident
 * row, its timeline entries, and an audit-chain entry.
 *
 * Times are Unix seconds; TIME_UNSET means unknown (JSON null).  `services`
 * and `impact` are jansson values (this layer uses jansson as a data
 * structure, not for HTTP): services an array of strings, impact an object
 * whose keys and types are fixed by impact_facts[] (absent = unknown, which
 * differs from 0 or false).
 */
#ifndef MP_INCIDENT_H
#define MP_INCIDENT_H

#include "core/token.h"
#include "lib/error.h"
#include "core/incident_types.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#define INCIDENT_TITLE_MAX       200
#define INCIDENT_DESCRIPTION_MAX 20000
#define INCIDENT_ASSIGNEE_MAX    200
#define INCIDENT_NOTE_MAX        20000
#define INCIDENT_SERVICES_MAX    100
#define INCIDENT_SERVICE_MAX     100
#define INCIDENT_ROOT_CAUSE_MAX  500
/* detected_at may lie this far in the future (clock skew between tools). */
#define INCIDENT_FUTURE_SKEW 300
/* A reason (PATCH's note, like a decision's): it is also kept with what it
 * waives, so it stays short. */
#define INCIDENT_REASON_MAX 390

/* A new incident with the defaults: cause unknown, tlp amber, state
 * detected, detected_at now, no services, impact {}. */
void incident_init(struct incident *inc, int64_t now);

/* The incident's vocabulary for clients (GET /api/v1/schema): {states,
 * transitions: {state: [targets]}, categories, causes, severities, tlp,
 * facts: [{name, kind}]}, so no client keeps a copy that can drift. */
json_t *incident_schema_json(void);

/* ---- impact facts ---- */

enum fact_type {
    FACT_COUNT,     /* whole number >= 0 */
    FACT_BOOL,      /* true / false */
    FACT_NUMBER,    /* number >= 0 (euros, seconds, shares) */
    FACT_COUNTRIES, /* array of ISO 3166-1 alpha-2 codes */
    FACT_TEXT,      /* short text */
    FACT_TIME,      /* RFC 3339 date-time */
};

struct fact_def {
    const char *name;
    enum fact_type type;
    const char *meaning;
};

extern const struct fact_def impact_facts[];
extern const size_t impact_facts_count;

/* Sets inc's fields from the members of obj, as a create body (patch false:
 * every field absent keeps its default) or an RFC 7396 merge patch (patch
 * true: null clears a field that may be unknown; `impact` is merged fact by
 * fact, a null fact removed).  Unknown and read-only members, wrong types
 * and bad enumeration values are field errors.  Then incident_validate().
 * Returns true when no error was added. */
bool incident_apply_json(struct incident *inc, json_t *obj, bool patch, int64_t now,
                         struct field_errors *errs);

/* The API representation; the impact shows a derived duration_minutes
 * when none was given; `transitions` lists the states that may follow. */
json_t *incident_to_json(const struct incident *inc, int64_t now);
struct buf;
/* incident_to_json(inc, now) as JSON text (what json_dumps() of it gives
 * with the server's flags), appended to b without building the tree
 * (incident_encode.c). */
void incident_encode(struct buf *b, const struct incident *inc, int64_t now);
/* A list page, {"items": [...], "next_cursor": next_cursor or null}, as
 * JSON text (malloc'd, *len its length); NULL when out of memory. */
char *incident_list_text(const struct incident *items, int n, int64_t now, const char *next_cursor,
                         size_t *len);

/* Checks what types alone cannot: lengths, the impact object against
 * impact_facts[] (a null value removes the fact), the services list, the
 * order and range of times.  Adds one error per field; true when none. */
bool incident_validate(struct incident *inc, int64_t now, struct field_errors *errs);

/* duration_minutes as the rules see it: the impact fact when given, else
 * derived from started_at to ended_at (or to now while it lasts); -1 when
 * unknown. */
int64_t incident_duration_minutes(const struct incident *inc, int64_t now);

/* ---- the state machine ---- */

bool incident_transition_allowed(int from, int to);
/* The states that may follow from, as a NULL-terminated list of names in
 * out (room for STATE_COUNT + 1). */
int incident_transition_targets(int from, const char *out[STATE_COUNT + 1]);

/* ---- operations ---- */

/* What follows every change to an incident, inside the same change: its
 * judgement under the reporting rules (note: the change's reason, NULL for
 * none; required_note: whether a change that lifts a duty still owed needs
 * it -- true for PATCH, false for changes that cannot give one) and, before
 * closing, the guard that every report is submitted or waived.  The server
 * sets classify.c's functions here at start-up (classify_incident_hooks), so
 * the incident does not know the classifier: classification depends on the
 * incident, never the reverse.  Without hooks nothing follows. */
struct incident_hooks {
    int (*judge)(sqlite3 *db, const struct incident *inc, const char *actor, const char *note,
                 bool required_note, int64_t now, struct mp_error *err);
    int (*closable)(sqlite3 *db, const char *incident_id, struct mp_error *err);
};
void incident_on_change(const struct incident_hooks *hooks);

struct idempotency {
    const char *key; /* NULL: none given */
    uint8_t request_hash[32];
};

/* Creates inc (validated; id, ref, times, version filled in on success).
 * With an idempotency key, the answer (incident_to_json as created) is
 * kept with the key.  A key this principal used before within 24 hours:
 * the same request hash creates nothing and sets *first_answer (malloc'd
 * JSON text of the first answer) with the incident's id in inc->id; another
 * hash fails 409. */
/* The bulk path (incident_import.c, `meldpunt import`): one line of the
 * import, decoded and checked without writing anything (field errors name
 * the member, e.g. notes[2].at), and a batch of them written in one
 * transaction, each audited ("incident.import") and classified.  Nothing
 * of a failed batch is written. */
struct incident_import {
    struct incident inc;
    int64_t created_at; /* when the other tool recorded it */
    json_t *notes;      /* [{at, text, by}], checked; NULL: none */
};
bool incident_import_decode(json_t *line, int64_t now, struct incident_import *it,
                            struct field_errors *errs);
void incident_import_free(struct incident_import *it);
int incident_import_write(const struct principal *p, int64_t now, struct incident_import *items,
                          int count, struct mp_error *err);

int incident_create(const struct principal *p, int64_t now, struct incident *inc,
                    const struct idempotency *idem, char **first_answer, struct field_errors *errs);

/* Inside a change (writer.h): gives inc (validated) its id, state detected,
 * creator and times, and writes it with its timeline and audit entries and
 * its first judgement under the reporting rules.  incident_create() and
 * incidents opened by detection rules both come here. */
int incident_insert(sqlite3 *db, const struct principal *p, struct incident *inc, int64_t now,
                    struct mp_error *err);

/* Inside a change: the Idempotency-Key record of p's idem->key (none when
 * idem->key is NULL).  1 when found with the same request hash (object_id
 * and *first_answer, malloc'd, filled), 0 when none, -1 with err (409 when
 * the key was used with another request). */
int incident_idempotency_find(sqlite3 *db, const struct principal *p,
                              const struct idempotency *idem, int64_t now, char object_id[40],
                              char **first_answer, struct mp_error *err);

/* Inside a change: keeps the answer to p's idem->key (and now and then
 * sweeps expired records). */
int incident_idempotency_put(sqlite3 *db, const struct principal *p, const struct idempotency *idem,
                             const char *object_id, const char *answer, int64_t now,
                             struct mp_error *err);

/* JSON text of an answer, as the API sends it. */
char *incident_answer_text(const struct incident *inc, int64_t now);

/* Loads the incident with this id or ref.  0, or -1 with err (404). */
int incident_get(const char *id_or_ref, struct incident *out, struct mp_error *err);

/* Applies an RFC 7396 merge patch of the editable fields to the stored
 * incident, inside the write transaction (so a concurrent change is never
 * undone), records each changed field on the timeline and bumps the
 * version.  if_match < 0: no precondition; otherwise another version fails
 * 412.  A patch that changes nothing changes nothing (no new version).  On
 * success *out holds the stored result.  The patch may carry `note`, the
 * reason for the change (at most INCIDENT_REASON_MAX characters): it goes
 * on each `changed` timeline entry and into the audit entry, and a change
 * that lifts a report still owed (classify_refresh_noted) needs it. */
int incident_patch(const struct principal *p, int64_t now, const char *id, int64_t if_match,
                   json_t *patch, struct incident *out, struct field_errors *errs);

/* Moves the incident to state `to` (409 with the allowed targets in err
 * when the table forbids it; 422 on `note` when dismissing without one). */
int incident_transition(const struct principal *p, int64_t now, const char *id, int64_t if_match,
                        int to, const char *note, struct incident *out, struct mp_error *err);

int incident_add_note(const struct principal *p, int64_t now, const char *id, const char *text,
                      struct incident *out, struct mp_error *err);

struct incident_filter {
    int state;             /* -1: any */
    int severity;          /* -1: any */
    int category;          /* -1: any */
    const char *q;         /* substring of title or description; NULL: any */
    int64_t updated_since; /* TIME_UNSET: any */
    int64_t before_seq;    /* cursor: only seq < this; 0: from the newest */
    int limit;
    int tlp_max; /* only incidents up to this TLP level (TLP_RED: all) */
};

/* Newest first.  *items is an array of count incidents (free each, then
 * the array); *next_seq is the cursor for the next page, 0 when none. */
int incident_list(const struct incident_filter *f, struct incident **items, int *count,
                  int64_t *next_seq, struct mp_error *err);
void incident_list_free(struct incident *items, int count);

int incident_timeline(const char *id_or_ref, struct timeline_entry **entries, int *count,
                      struct mp_error *err);
void incident_timeline_free(struct timeline_entry *entries, int count);
/* Who made the latest change: principal ("user:max") and the name people
 * know (the user's full name, else the sign-in name; a token's name). */
int incident_changed_by(const char *id_or_ref, char principal[96], char name[404],
                        struct mp_error *err);

/* Incidents per state up to TLP level tlp_max, for /metrics. */
int incident_count_by_state(int tlp_max, int64_t counts[STATE_COUNT], struct mp_error *err);
/* Incidents per state and severity up to TLP level tlp_max, for the
 * dashboard: {state: {severity: n, ..., "total": n}, ...} for every state,
 * from counts kept in step (no scan); NULL with err. */
json_t *incident_counts_json(int tlp_max, struct mp_error *err);
/* 0 when p may see the incident (or it does not exist: the operation will
 * say so), else -1 with a 404 exactly like a missing one, so a limited
 * principal cannot even learn that it exists. */
int incident_check_visible(const struct principal *p, const char *id_or_ref, struct mp_error *err);

/* issue 22, exercises: a patch (if_match ignored) and a note inside the
 * caller's transaction on the writer connection db, with their timeline,
 * audit entry and judgement as incident_patch and incident_add_note. */
int incident_patch_in(sqlite3 *db, const struct principal *p, int64_t now, const char *id,
                      json_t *patch, const char *note, struct field_errors *errs,
                      struct mp_error *err);
int incident_note_in(sqlite3 *db, const struct principal *p, int64_t now, const char *id,
                     const char *text, struct mp_error *err);

#endif
