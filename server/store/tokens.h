/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * tokens.h - API token rows.
 *
 * Insert and revoke run inside a write (writer.h); lookups and lists run on
 * the calling thread's reader.  Rows are never deleted: a revoked token stays
 * for the record with who revoked it and when.
 */
#ifndef MP_STORE_TOKENS_H
#define MP_STORE_TOKENS_H

#include "lib/error.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct token_row {
    int64_t id;
    char name[72];
    char role[16];
    char tlp_max[16]; /* empty: no limit */
    char created_at[32];
    char created_by[80];
    char revoked_at[32]; /* empty while active */
    char revoked_by[80];
    char expires_at[32]; /* empty: never */
    /* comma-separated CIDR blocks (lib/cidr.h), empty: from anywhere */
    char allowed_sources[800];
};

/* 409 when an active token already has this name.  Reads name, role,
 * tlp_max, created_at, created_by, expires_at and allowed_sources of t
 * ("" for none). */
int store_token_insert(sqlite3 *db, const struct token_row *t, const uint8_t hash[32],
                       struct mp_error *err);
/* 404 when no active token has this name; fills *row with the revoked row. */
int store_token_revoke(sqlite3 *db, const char *name, const char *at, const char *by,
                       struct token_row *row, struct mp_error *err);
/* Finds the token with this hash that is not revoked (expired or not: the
 * caller judges that): 1 found, 0 not found, -1 error. */
int store_token_find(sqlite3 *db, const uint8_t hash[32], struct token_row *row,
                     struct mp_error *err);
/* All tokens (active first, then revoked), malloc'd array. */
int store_token_list(sqlite3 *db, bool include_revoked, struct token_row **rows, int *count,
                     struct mp_error *err);

#endif
