/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * organisation.h - the organisation profile's row (schema/0003).  The
 * document's members are core/organisation.c's business; here it is text.
 */
#ifndef MP_STORE_ORGANISATION_H
#define MP_STORE_ORGANISATION_H

#include "lib/error.h"

#include <sqlite3.h>
#include <stdint.h>

int store_organisation_version(sqlite3 *db, int64_t *version, struct mp_error *err);
/* *doc is malloc'd JSON text. */
int store_organisation_read(sqlite3 *db, char **doc, int64_t *version, char updated_at[32],
                            struct mp_error *err);
/* Replaces the document and bumps the version. */
int store_organisation_write(sqlite3 *db, const char *doc, const char *at, const char *by,
                             struct mp_error *err);

#endif
