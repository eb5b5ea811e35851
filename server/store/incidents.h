/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * incidents.h - incidents, their timeline and Idempotency-Key records in
 * the database.
 *
 * The incident type itself (struct incident and the words of its
 * enumerations, the same as the CHECK constraints in
 * schema/0002_incidents.sql) is core/incident_types.h; core/incident.c
 * gives it behaviour (validation, the state machine, the operations).
 * Writes run inside a change (writer.h); reads on the calling thread's
 * reader.
 */
#ifndef MP_STORE_INCIDENTS_H
#define MP_STORE_INCIDENTS_H

#include "core/incident_types.h"
#include "lib/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

/* Inserts inc, giving it the next ref of its creation year; fills seq and
 * ref.  inc->id must be set. */
int store_incident_insert(sqlite3 *db, struct incident *inc, struct mp_error *err);
/* Writes every column of inc over the row with inc->id. */
int store_incident_update(sqlite3 *db, const struct incident *inc, struct mp_error *err);
/* The ids of the incidents whose disruption is still going on: not
 * closed or dismissed, started, not ended, and no duration given as a fact
 * (then it grows with the clock); newest first.  *ids is a malloc'd array
 * of *count ids. */
struct incident_id {
    char id[40];
};
int store_incident_ongoing(sqlite3 *db, struct incident_id **ids, int *count, struct mp_error *err);
/* The ids of the incidents (kind incident, not dismissed) whose apparent
 * root cause has this category, oldest first, at most 1000: the candidates
 * for recurring incidents (the caller compares the words). */
int store_incident_by_root_cause(sqlite3 *db, const char *category, struct incident_id **ids,
                                 int *count, struct mp_error *err);
/* 1 found (out filled), 0 not found, -1 error. */
int store_incident_load(sqlite3 *db, const char *id_or_ref, struct incident *out,
                        struct mp_error *err);

struct store_incident_query {
    int state, severity, category; /* -1: any */
    const char *q;
    int64_t updated_since; /* TIME_UNSET: any */
    int64_t before_seq;    /* 0: no cursor */
    int limit;
    bool tlp_limited; /* only incidents with tlp <= tlp_max */
    int tlp_max;
};
/* Newest first, at most limit + 1 rows (the extra one tells a next page
 * exists). */
int store_incident_query(sqlite3 *db, const struct store_incident_query *q, struct incident **items,
                         int *count, struct mp_error *err);
/* ",clear,green," for tlp_max TLP_GREEN: the TLP levels visible, for
 * instr(?, ',' || tlp || ',') in SQL (one statement shape for every
 * limit). */
void store_tlp_visible_list(int tlp_max, char out[64]);
/* Counts only incidents with tlp <= tlp_max (TLP_RED: all). */
int store_incident_count_by_state(sqlite3 *db, int tlp_max, int64_t *counts, int nstates,
                                  struct mp_error *err);
/* counts[state][severity] of the incidents with tlp <= tlp_max, from the
 * counts the triggers keep (schema/0022): no scan. */
int store_incident_count_by_severity(sqlite3 *db, int tlp_max,
                                     int64_t counts[STATE_COUNT][SEVERITY_COUNT],
                                     struct mp_error *err);

int store_timeline_append(sqlite3 *db, const char *incident_id, const char *at,
                          const char *principal, const char *kind, const char *field,
                          const char *old_value, const char *new_value, const char *note,
                          struct mp_error *err);
int store_timeline_list(sqlite3 *db, const char *incident_id, struct timeline_entry **entries,
                        int *count, struct mp_error *err);

/* Idempotency-Key records younger than max_age seconds: 1 found (hash,
 * object id and the first response, malloc'd, filled), 0 none, -1 error. */
int store_idempotency_find(sqlite3 *db, const char *principal, const char *key, int64_t now,
                           int64_t max_age, uint8_t hash[32], char object_id[40], char **response,
                           struct mp_error *err);
int store_idempotency_put(sqlite3 *db, const char *principal, const char *key,
                          const uint8_t hash[32], const char *object_id, const char *response,
                          int64_t now, struct mp_error *err);
/* Deletes records older than max_age. */
int store_idempotency_purge(sqlite3 *db, int64_t now, int64_t max_age, struct mp_error *err);

#endif
