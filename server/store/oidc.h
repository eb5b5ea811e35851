/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * oidc.h - the link between a user and an OpenID Connect provider's
 * subject (schema 0019).
 *
 * A user signed in through OpenID Connect is found by the provider's issuer
 * and subject, never by the name the provider shows (which may change or be
 * reused).  Writes run inside a change (writer.h).
 */
#ifndef MP_STORE_OIDC_H
#define MP_STORE_OIDC_H

#include "lib/error.h"
#include "store/users.h"

#include <sqlite3.h>

/* The user linked to issuer and subject: 1 found, 0 not, -1 error. */
int store_oidc_find(sqlite3 *db, const char *issuer, const char *subject, struct user_row *u,
                    struct mp_error *err);
/* Links the user with user_id to issuer and subject. */
int store_oidc_link(sqlite3 *db, int64_t user_id, const char *issuer, const char *subject,
                    struct mp_error *err);

#endif
