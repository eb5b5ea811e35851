/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * oidc_int.h - what oidc.c (settings, checks) and oidc_flow.c (the
 * exchanges with the provider) share.  Not for other modules.
 */
#ifndef MP_OIDC_INT_H
#define MP_OIDC_INT_H

#include "core/oidc.h"

#include <limits.h>

#define OIDC_MAP_MAX 32

struct oidc_map_entry {
    char group[128];
    int value; /* enum role or enum incident_tlp */
};

/* Set once by oidc_configure() before the server starts; read-only after. */
struct oidc_conf {
    char issuer[512], client_id[256], client_secret[512], redirect_uri[512], scopes[256];
    char label[64], username_claim[64], name_claim[64], groups_claim[64];
    char disabled_group[256], ca_file[PATH_MAX];
    struct oidc_map_entry roles[OIDC_MAP_MAX], tlps[OIDC_MAP_MAX];
    int nroles, ntlps;
};

extern struct oidc_conf oidc_conf;

/* The user of id made or brought up to date (oidc_user.c): 0 and *u, or
 * -1 with *fail (a refusal is still recorded: disabling, the audit). */
int oidc_provision(int64_t now, const struct oidc_identity *id, struct user_row *u,
                   enum oidc_failure *fail, struct mp_error *err);

/* Forgets the provider's documents and the pending sign-ins. */
void oidc_flow_reset(void);

#endif
