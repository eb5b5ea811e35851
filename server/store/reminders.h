/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * reminders.h - the reminder policy set through the API (schema/0017).
 * The document is core/reminders.c's business; here it is text.
 */
#ifndef MP_STORE_REMINDERS_H
#define MP_STORE_REMINDERS_H

#include "lib/error.h"

#include <sqlite3.h>
#include <stdint.h>

/* 1 with *doc (malloc'd JSON text), *version and updated_at; 0 when no
 * policy was set through the API; -1 on error. */
int store_reminder_policy_read(sqlite3 *db, char **doc, int64_t *version, char updated_at[32],
                               struct mp_error *err);
/* Replaces the document; *version becomes the new version. */
int store_reminder_policy_write(sqlite3 *db, const char *doc, const char *at, const char *by,
                                int64_t *version, struct mp_error *err);

#endif
