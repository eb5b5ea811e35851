/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * register.h - the risk register's rows and the incident links
 * (schema/0008).  An item is its id, kind, name, version and a JSON
 * document whose members core/register.c fixes per kind; here it is text.
 */
#ifndef MP_STORE_REGISTER_H
#define MP_STORE_REGISTER_H

#include "lib/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

struct register_row {
    char id[40];
    char kind[16];
    char *name; /* malloc'd */
    char *doc;  /* malloc'd JSON text */
    int64_t version;
    char created_at[32], created_by[96], updated_at[32], updated_by[96];
};

void store_register_row_free(struct register_row *r);

/* 409 when an item of this kind already has this name. */
int store_register_insert(sqlite3 *db, const char *id, const char *kind, const char *name,
                          const char *doc, const char *at, const char *by, struct mp_error *err);
/* Replaces name and doc and bumps the version; if_match >= 0 must be the
 * current version (412).  404 when there is no such item of this kind. */
int store_register_update(sqlite3 *db, const char *id, const char *kind, const char *name,
                          const char *doc, int64_t if_match, const char *at, const char *by,
                          int64_t *version, struct mp_error *err);
/* 409 when another item or an incident still refers to it. */
int store_register_delete(sqlite3 *db, const char *id, const char *kind, struct mp_error *err);
/* 1 found, 0 not found, -1 error.  kind NULL: any kind. */
int store_register_get(sqlite3 *db, const char *id, const char *kind, struct register_row *out,
                       struct mp_error *err);
/* Every item of kind (NULL: all), by name; malloc'd array. */
int store_register_list(sqlite3 *db, const char *kind, struct register_row **rows, int *count,
                        struct mp_error *err);
void store_register_list_free(struct register_row *rows, int count);

/* Incident links: relation is affects, realised or produced.  409 when the
 * link exists. */
int store_incident_link_insert(sqlite3 *db, const char *incident_id, const char *item_id,
                               const char *relation, const char *at, const char *by,
                               struct mp_error *err);
/* 404 when there is no such link. */
int store_incident_link_delete(sqlite3 *db, const char *incident_id, const char *item_id,
                               const char *relation, struct mp_error *err);
/* [{item, kind, name, relation, created_at, created_by}] of one incident. */
int store_incident_links(sqlite3 *db, const char *incident_id, json_t **out, struct mp_error *err);
/* [{incident, relation}] naming one item, of incidents up to TLP tlp_max. */
int store_item_incidents(sqlite3 *db, const char *item_id, int tlp_max, json_t **out,
                         struct mp_error *err);

#endif
