/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * classification.h - classification history, per-regime status,
 * obligations and the service registry in the database.
 *
 * Writes run inside a change (writer.h); reads on the caller's connection.
 * Rows carry JSON texts where the shape belongs to the rules (inputs,
 * results); this file never looks inside them.
 */
#ifndef MP_STORE_CLASSIFICATION_H
#define MP_STORE_CLASSIFICATION_H

#include "lib/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

int store_classification_insert(sqlite3 *db, const char *incident_id, const char *at,
                                int64_t incident_version, int64_t profile_version,
                                const char *rules, const char *inputs, const char *result,
                                struct mp_error *err);
/* The latest result text (malloc'd) or NULL when none; -1 on error. */
int store_classification_latest(sqlite3 *db, const char *incident_id, char **result, char at[32],
                                struct mp_error *err);
/* The latest result and inputs texts (malloc'd; NULL when none); -1 on
 * error. */
int store_classification_latest_row(sqlite3 *db, const char *incident_id, char **result,
                                    char **inputs, char at[32], struct mp_error *err);
/* A text kept once by its hash (schema/0020): kind "rules" (a rule file)
 * or "profile".  put writes it when the hash is new; get gives it
 * (malloc'd) or NULL when unknown; -1 on error. */
int store_rule_text_put(sqlite3 *db, const char *hash, const char *kind, const char *text,
                        struct mp_error *err);
int store_rule_text_get(sqlite3 *db, const char *hash, char **text, struct mp_error *err);
/* 1 when the text with this hash is kept, 0 when not, -1 on error. */
int store_rule_text_known(sqlite3 *db, const char *hash, struct mp_error *err);
/* History, oldest first: a JSON array of {seq, evaluated_at, incident_version,
 * profile_version, rules, inputs, result}. */
int store_classification_history(sqlite3 *db, const char *incident_id, json_t **out,
                                 struct mp_error *err);

struct regime_status {
    char regime[48];
    char significant[16];
    char classified_at[32]; /* empty: never significant */
    char decision[24];      /* empty or not_notifiable */
    char decision_reason[1600];
    char decided_by[96];
    char decided_at[32];
};

/* 1 found, 0 not, -1 error. */
int store_regime_status_get(sqlite3 *db, const char *incident_id, const char *regime,
                            struct regime_status *out, struct mp_error *err);
int store_regime_status_put(sqlite3 *db, const char *incident_id, const struct regime_status *s,
                            struct mp_error *err);
/* All of an incident's rows as a JSON array. */
int store_regime_status_list(sqlite3 *db, const char *incident_id, json_t **out,
                             struct mp_error *err);

struct obligation {
    char id[40];
    char incident_id[40];
    char regime[48];
    char stage[48];
    char recipient[32];
    bool asap;
    char due_at[32]; /* empty: not known yet */
    char status[16];
    char created_at[32];
    char missed_at[32];
    char submitted_at[32];
    char waived_at[32];
    char waived_by[96];
    char waived_reason[1600];
};

/* 1 found, 0 not, -1 error. */
int store_obligation_find(sqlite3 *db, const char *incident_id, const char *regime,
                          const char *stage, struct obligation *out, struct mp_error *err);
int store_obligation_get(sqlite3 *db, const char *id, struct obligation *out, struct mp_error *err);
int store_obligation_insert(sqlite3 *db, const struct obligation *o, struct mp_error *err);
/* Writes due_at, status, missed/submitted/waived columns of o (by id). */
int store_obligation_update(sqlite3 *db, const struct obligation *o, struct mp_error *err);
/* An incident's obligations, or (incident_id NULL) every open one (not
 * submitted, not waived) due before `before` (NULL: any), soonest first,
 * at most limit. */
int store_obligation_list(sqlite3 *db, const char *incident_id, const char *before, int limit,
                          struct obligation **out, int *count, struct mp_error *err);
/* Marks pending obligations due before now as missed (missed_at = due_at);
 * returns how many, -1 on error. */
int store_obligation_sweep(sqlite3 *db, const char *now, struct mp_error *err);
json_t *store_obligation_json(const struct obligation *o);

/* Services. */
int store_service_put(sqlite3 *db, const char *name, const char *description,
                      const json_t *users_total, int critical, const char *member_states,
                      const char *at, const char *by, bool *created, struct mp_error *err);
int store_service_delete(sqlite3 *db, const char *name, struct mp_error *err);
/* One service as JSON (NULL when absent), or all (name NULL) as an array. */
int store_service_get(sqlite3 *db, const char *name, json_t **out, struct mp_error *err);

#endif
