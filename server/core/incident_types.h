/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * incident_types.h - the incident as a type: the vocabulary of its
 * enumerations and struct incident, with its timeline entry.
 *
 * A types-only header: the domain (core/incident.c) gives the type its
 * behaviour, storage (store/incidents.c) persists it, the API encodes it.
 * It is the one header store/ takes from core/, and it declares no
 * function that does more than parse or free.
 */
#ifndef MP_INCIDENT_TYPES_H
#define MP_INCIDENT_TYPES_H

#include "lib/timeutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

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
/* What was recorded (NIS2 art. 6): an incident (6), a near miss (5) or a
 * significant cyber threat (11); only an incident can be a significant
 * incident, the others may be notified voluntarily (art. 30). */
enum incident_kind { KIND_INCIDENT = 0, KIND_NEAR_MISS, KIND_CYBER_THREAT, KIND_COUNT };
/* The apparent root cause's category (ENISA's incident-reporting root
 * causes and DORA's, ITS 2025/302): incidents with the same apparent root
 * cause may count together (CIR 2024/2690 art. 4; RTS 2024/1772 art. 8(2)). */
enum incident_root_cause {
    ROOT_CAUSE_MALICIOUS_ACTION = 0,
    ROOT_CAUSE_HUMAN_ERROR,
    ROOT_CAUSE_SYSTEM_FAILURE,
    ROOT_CAUSE_PROCESS_FAILURE,
    ROOT_CAUSE_THIRD_PARTY_FAILURE,
    ROOT_CAUSE_NATURAL_PHENOMENON,
    ROOT_CAUSE_OTHER,
    ROOT_CAUSE_COUNT
};

extern const char *const incident_state_names[STATE_COUNT];
extern const char *const incident_category_names[CATEGORY_COUNT];
extern const char *const incident_cause_names[CAUSE_COUNT];
extern const char *const incident_severity_names[SEVERITY_COUNT];
extern const char *const incident_tlp_names[TLP_COUNT];
extern const char *const incident_kind_names[KIND_COUNT];
extern const char *const incident_root_cause_names[ROOT_CAUSE_COUNT];
/* The root-cause categories' labels: [i][0] English, [i][1] Dutch. */
extern const char *const incident_root_cause_labels[ROOT_CAUSE_COUNT][2];
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
    int kind;                /* enum incident_kind */
    int root_cause_category; /* enum incident_root_cause; -1: not known */
    char *root_cause;        /* the apparent root cause in words; NULL: not known */
    int64_t detected_at, aware_at, started_at, ended_at;
    int64_t state_at[STATE_COUNT]; /* when each state was (last) entered */
    int64_t created_at, updated_at;
    char created_by[96];
    json_t *services; /* array of strings, owned */
    json_t *impact;   /* object, owned */
    int64_t version;
    bool exercise; /* issue 22: an exercise, marked from creation; never changed */
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

#endif
