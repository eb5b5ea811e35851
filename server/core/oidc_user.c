/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * oidc_user.c - the user an OpenID Connect sign-in makes or brings up to
 * date, in one write with its audit record.
 *
 * The provider is the source of truth for those it signs in: at every
 * sign-in the role and TLP limit are set from the groups (the highest role
 * of the mapped groups), and the full name from its claim.  A person in no
 * mapped group, or in the disabled group, is refused; one who exists here
 * is disabled at that moment (sessions ended, audited user.disable), and
 * only an admin enables them again.  A new person gets an account (audited
 * user.create, "via":"oidc") under the name the provider gives, unless a
 * local user has that name: an account is never taken over by its name.
 * Such accounts have no password ('!' matches none).
 */
#include "oidc_int.h"

#include "core/token.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/oidc.h"
#include "store/writer.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct provision {
    const struct oidc_identity *id;
    int64_t now;
    struct user_row row;
    enum oidc_failure fail;
};

static int
audit(sqlite3 *db, const struct provision *p, const char *action, const char *object,
      json_t *payload, struct mp_error *err)
{
    char *text;
    int rc;

    json_object_set_new(payload, "via", json_string("oidc"));
    text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(payload);
    if (text == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    rc = store_audit_append(db, p->now, "oidc", action, object, text, err);
    free(text);
    return rc;
}

static int
create_user(sqlite3 *db, struct provision *p, const char *at, struct mp_error *err)
{
    const struct oidc_identity *id = p->id;
    struct user_row *u = &p->row;
    struct user_row other;
    int found;

    if (!token_name_valid(id->name)) {
        p->fail = OIDC_FAIL_NAME;
        return audit(db, p, "session.fail", "-",
                     json_pack("{s:s, s:s}", "reason", "name not valid", "subject", id->subject),
                     err);
    }
    found = store_user_find(db, id->name, false, &other, err);
    if (found < 0)
        return -1;
    if (found == 1) {
        p->fail = OIDC_FAIL_NAME;
        return audit(
            db, p, "session.fail", id->name,
            json_pack("{s:s, s:s}", "reason", "name taken by a local user", "subject", id->subject),
            err);
    }
    memset(u, 0, sizeof(*u));
    snprintf(u->name, sizeof(u->name), "%s", id->name);
    snprintf(u->role, sizeof(u->role), "%s", id->role);
    snprintf(u->password_hash, sizeof(u->password_hash), "!");
    snprintf(u->tlp_max, sizeof(u->tlp_max), "%s", id->tlp_max);
    snprintf(u->created_at, sizeof(u->created_at), "%s", at);
    snprintf(u->created_by, sizeof(u->created_by), "oidc");
    if (store_user_insert(db, u, err) != 0 || store_user_find(db, id->name, false, u, err) != 1 ||
        store_oidc_link(db, u->id, id->issuer, id->subject, err) != 0)
        return -1;
    snprintf(u->full_name, sizeof(u->full_name), "%s", id->full_name);
    if (store_user_update(db, u, NULL, err) != 0)
        return -1;
    return audit(db, p, "user.create", u->name,
                 json_pack("{s:s, s:s?, s:s}", "role", u->role, "tlp_max",
                           u->tlp_max[0] ? u->tlp_max : NULL, "subject", id->subject),
                 err);
}

/* An existing user: disabled when the provider gives no role, else brought
 * in step with the claims. */
static int
update_user(sqlite3 *db, struct provision *p, const char *at, struct mp_error *err)
{
    const struct oidc_identity *id = p->id;
    struct user_row *u = &p->row;
    bool refuse = id->disabled || id->role[0] == '\0';

    if (u->disabled_at[0] != '\0') {
        p->fail = OIDC_FAIL_DISABLED;
        return 0;
    }
    if (refuse) {
        p->fail = id->disabled ? OIDC_FAIL_DISABLED : OIDC_FAIL_NO_ROLE;
        snprintf(u->disabled_at, sizeof(u->disabled_at), "%s", at);
        if (store_user_update(db, u, "oidc", err) != 0 ||
            store_session_end(db, 0, u->id, at, err) != 0)
            return -1;
        return audit(db, p, "user.disable", u->name,
                     json_pack("{s:s}", "reason",
                               id->disabled ? "in the disabled group" : "no group gives a role"),
                     err);
    }
    if (strcmp(u->role, id->role) == 0 && strcmp(u->tlp_max, id->tlp_max) == 0 &&
        strcmp(u->full_name, id->full_name) == 0)
        return 0;
    snprintf(u->role, sizeof(u->role), "%s", id->role);
    snprintf(u->tlp_max, sizeof(u->tlp_max), "%s", id->tlp_max);
    snprintf(u->full_name, sizeof(u->full_name), "%s", id->full_name);
    if (store_user_update(db, u, NULL, err) != 0)
        return -1;
    return audit(
        db, p, "user.update", u->name,
        json_pack("{s:s, s:s?}", "role", u->role, "tlp_max", u->tlp_max[0] ? u->tlp_max : NULL),
        err);
}

static int
provision_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct provision *p = arg;
    char at[TIME_RFC3339_LEN];
    int found;

    time_format_rfc3339(p->now, at, sizeof(at));
    p->fail = OIDC_FAIL_NONE;
    found = store_oidc_find(db, p->id->issuer, p->id->subject, &p->row, err);
    if (found < 0)
        return -1;
    if (found == 1)
        return update_user(db, p, at, err);
    if (p->id->disabled || p->id->role[0] == '\0') {
        p->fail = p->id->disabled ? OIDC_FAIL_DISABLED : OIDC_FAIL_NO_ROLE;
        return audit(db, p, "session.fail", token_name_valid(p->id->name) ? p->id->name : "-",
                     json_pack("{s:s, s:s}", "reason",
                               p->id->disabled ? "in the disabled group" : "no group gives a role",
                               "subject", p->id->subject),
                     err);
    }
    return create_user(db, p, at, err);
}

int
oidc_provision(int64_t now, const struct oidc_identity *id, struct user_row *u,
               enum oidc_failure *fail, struct mp_error *err)
{
    struct provision p = {.id = id, .now = now};

    if (store_write(provision_apply, &p, err) != 0) {
        *fail = OIDC_FAIL_REFUSED;
        return -1;
    }
    *fail = p.fail;
    if (p.fail != OIDC_FAIL_NONE)
        return mp_error_set(err, 403, "", "the sign-in provider gives this person no access (%s)",
                            oidc_failure_word(p.fail));
    *u = p.row;
    return 0;
}
