/*
 * incidents.h - incidents, their timeline and Idempotency-Key records in
 * the database.
 *
 * This file defines the stored shape of an incident: the vocabulary of its
 * enumerations (the same words as the CHECK constraints in
 * schema/0002_incidents.sql) and struct incident.  core/incident.c gives it
 * behaviour (validation, the state machine, the operations).  Writes run
 * inside a change (writer.h); reads on the calling thread's reader.
 */
#ifndef MP_STORE_INCIDENTS_H
#define MP_STORE_INCIDENTS_H

#include "lib/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#define TIME_UNSET INT64_MIN

enum incident_state {
    STATE_DETECTED = 0,
    STATE_TRIAGE,
    STATE_CONFIRMED,
    STATE_CONTAINED,
    STATE_RESOLVED,
    STATE_CLOSED,
    STATE_DISMISSED,
    STATE_COUNT
};

enum incident_category { CATEGORY_CYBER = 0, CATEGORY_PHYSICAL, CATEGORY_OTHER, CATEGORY_COUNT };
enum incident_cause {
    CAUSE_MALICIOUS = 0,
    CAUSE_ACCIDENTAL,
    CAUSE_SYSTEM_FAILURE,
    CAUSE_NATURAL,
    CAUSE_THIRD_PARTY,
    CAUSE_UNKNOWN,
    CAUSE_COUNT
};
enum incident_severity {
    SEVERITY_LOW = 0,
    SEVERITY_MEDIUM,
    SEVERITY_HIGH,
    SEVERITY_CRITICAL,
    SEVERITY_COUNT
};
enum incident_tlp { TLP_CLEAR = 0, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED, TLP_COUNT };

extern const char *const incident_state_names[STATE_COUNT];
extern const char *const incident_category_names[CATEGORY_COUNT];
extern const char *const incident_cause_names[CAUSE_COUNT];
extern const char *const incident_severity_names[SEVERITY_COUNT];
extern const char *const incident_tlp_names[TLP_COUNT];
/* Index of s in names[0..n), or -1. */
int incident_enum_parse(const char *const names[], int n, const char *s);

struct incident {
    int64_t seq; /* insertion order, for the list cursor */
    char id[40];
    char ref[24];
    char *title;
    char *description;
    char *assignee; /* NULL: nobody */
    int category, cause, severity, state, tlp;
    int64_t detected_at, aware_at, started_at, ended_at;
    int64_t state_at[STATE_COUNT]; /* when each state was (last) entered */
    int64_t created_at, updated_at;
    char created_by[96];
    json_t *services; /* array of strings, owned */
    json_t *impact;   /* object, owned */
    int64_t version;
};

void incident_free(struct incident *inc);

struct timeline_entry {
    int64_t seq;
    char at[32];
    char principal[96];
    char kind[16];
    char *field;
    char *old_value; /* JSON text or NULL */
    char *new_value; /* JSON text or NULL */
    char *note;
};

/* Inserts inc, giving it the next ref of its creation year; fills seq and
 * ref.  inc->id must be set. */
int store_incident_insert(sqlite3 *db, struct incident *inc, struct mp_error *err);
/* Writes every column of inc over the row with inc->id. */
int store_incident_update(sqlite3 *db, const struct incident *inc, struct mp_error *err);
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
