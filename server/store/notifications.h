/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * notifications.h - notification drafts and signed versions in the
 * database (schema/0005_notifications.sql).
 */
#ifndef MP_STORE_NOTIFICATIONS_H
#define MP_STORE_NOTIFICATIONS_H

#include "lib/error.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

struct notification {
    char id[40];
    char incident_id[40];
    char obligation_id[40]; /* empty: none */
    char regime[48];
    char stage[48];
    char recipient[32];
    char language[4];
    char state[16];
    int64_t version;
    char supersedes[40];
    char *fields;    /* JSON text, malloc'd */
    char *document;  /* NULL until signed */
    char *signature; /* NULL until signed */
    char key_id[24];
    char signed_at[32];
    char signed_by[96];
    char submitted_at[32];
    char channel[200];
    char authority_ref[200];
    char submitted_by[96];
    char created_at[32];
    char created_by[96];
    char updated_at[32];
};

void notification_free(struct notification *n);

int store_notification_insert(sqlite3 *db, const struct notification *n, struct mp_error *err);
/* Writes every column but id, incident, regime, stage, created_*. */
int store_notification_update(sqlite3 *db, const struct notification *n, struct mp_error *err);
/* 1 found, 0 not, -1 error. */
int store_notification_get(sqlite3 *db, const char *id, struct notification *out,
                           struct mp_error *err);
/* An incident's notifications, oldest first. */
int store_notification_list(sqlite3 *db, const char *incident_id, struct notification **out,
                            int *count, struct mp_error *err);

#endif
