/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * iocs.h - an incident's indicators of compromise (schema/0024): one row
 * each, its value already in normal form (core/ioc.c), unique per incident
 * and type.  Rows come back as JSON objects {id, type, value, tlp, comment,
 * created_at, created_by}, oldest first.
 */
#ifndef MP_STORE_IOCS_H
#define MP_STORE_IOCS_H

#include "lib/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>

struct ioc_row {
    const char *id, *incident_id, *type, *value, *tlp, *comment, *at, *by;
};

/* Inserts r unless the incident has this type and value already: 1
 * inserted, 0 there already, -1 error. */
int store_ioc_insert(sqlite3 *db, const struct ioc_row *r, struct mp_error *err);
/* The row id of incident_id into *out (a new object): 1 found, 0 none,
 * -1 error. */
int store_ioc_get(sqlite3 *db, const char *incident_id, const char *id, json_t **out,
                  struct mp_error *err);
/* 404 when the incident has no such row. */
int store_ioc_delete(sqlite3 *db, const char *incident_id, const char *id, struct mp_error *err);
/* The incident's rows whose TLP is in visible (store_tlp_visible_list),
 * oldest first, into *out (a new array). */
int store_iocs_list(sqlite3 *db, const char *incident_id, const char *visible, json_t **out,
                    struct mp_error *err);

/* The draft texts migration 0024 left to type: [{notification_id,
 * incident_id, regime, stage, text}], oldest draft first. */
int store_ioc_texts_pending(sqlite3 *db, json_t **out, struct mp_error *err);
/* That draft's text is dealt with. */
int store_ioc_text_done(sqlite3 *db, const char *notification_id, struct mp_error *err);

#endif
