/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * checkpoints.h - signed checkpoints of the audit chain (schema/0009).
 *
 * Rows are only inserted (triggers refuse UPDATE and DELETE).  What a
 * checkpoint means and how it is signed is core/checkpoint.c's business;
 * here it is a row.
 */
#ifndef MP_STORE_CHECKPOINTS_H
#define MP_STORE_CHECKPOINTS_H

#include "lib/error.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct checkpoint {
    int64_t id;
    char at[32];
    char reason[16]; /* interval, demand */
    int64_t audit_seq;
    char audit_hash[65];
    char key_id[17];
    char created_by[80];
    char *document;  /* the signed bytes (canonical JSON), malloc'd */
    char *signature; /* minisign signature file text, malloc'd */
};

/* Inserts c (c->id is the next id, chosen in the transaction). */
int store_checkpoint_insert(sqlite3 *db, struct checkpoint *c, struct mp_error *err);
/* The newest checkpoint, with its texts (document, signature: the caller
 * frees them) when texts: 1 found, 0 none, -1 error. */
int store_checkpoint_last(sqlite3 *db, struct checkpoint *out, bool texts, struct mp_error *err);
/* Checkpoints with id > after, oldest first, at most limit; free with
 * store_checkpoint_free(). */
int store_checkpoint_list(sqlite3 *db, int64_t after, int limit, struct checkpoint **out,
                          int *count, struct mp_error *err);
void store_checkpoint_free(struct checkpoint *v, int count);

#endif
