/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * token.c - see token.h.
 */
#include "token.h"
#include "lib/cidr.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/incidents.h"
#include "store/db.h"
#include "store/writer.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[ROLE_COUNT] = {"viewer", "analyst", "manager", "admin",
                                                   "ingest"};

const char *
role_name(enum role r)
{
    if ((int)r < 0 || r >= ROLE_COUNT)
        return "?";
    return role_names[r];
}

int
role_parse(const char *s, enum role *out)
{
    for (int i = 0; i < ROLE_COUNT; i++) {
        if (strcmp(s, role_names[i]) == 0) {
            *out = (enum role)i;
            return 0;
        }
    }
    return -1;
}

void
token_random_text(char out[44])
{
    uint8_t raw[TOKEN_RANDOM_LEN];

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, 44, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

void
token_generate(char out[TOKEN_TEXT_LEN + 1])
{
    char b64[44];

    token_random_text(b64);
    memcpy(out, TOKEN_PREFIX, 3);
    memcpy(out + 3, b64, 43);
    out[TOKEN_TEXT_LEN] = '\0';
    sodium_memzero(b64, sizeof(b64));
}

bool
token_well_formed(const char *s)
{
    if (strncmp(s, TOKEN_PREFIX, 3) != 0 || strlen(s) != TOKEN_TEXT_LEN)
        return false;
    for (const char *p = s + 3; *p; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    }
    return true;
}

void
token_hash(const uint8_t secret[TOKEN_SECRET_LEN], const char *token, uint8_t out[TOKEN_HASH_LEN])
{
    crypto_generichash(out, TOKEN_HASH_LEN, (const unsigned char *)token, strlen(token), secret,
                       TOKEN_SECRET_LEN);
}

bool
token_name_valid(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > TOKEN_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}

/* ---- tokens in storage ---- */

static uint8_t token_secret[TOKEN_SECRET_LEN];

void
token_set_secret(const uint8_t secret[TOKEN_SECRET_LEN])
{
    memcpy(token_secret, secret, TOKEN_SECRET_LEN);
}

void
token_hash_secret(const char *text, uint8_t out[TOKEN_HASH_LEN])
{
    token_hash(token_secret, text, out);
}

bool
token_expired(const struct token_row *row, int64_t now)
{
    int64_t until;

    /* unreadable: treated as expired, never as "forever" */
    return row->expires_at[0] != '\0' &&
           (time_parse_rfc3339(row->expires_at, &until) != 0 || now >= until);
}

int
token_authenticate(const char *token, int64_t now, const char *client, struct principal *p,
                   struct mp_error *err)
{
    uint8_t hash[TOKEN_HASH_LEN];
    struct token_row row;
    sqlite3 *db;
    enum role r;
    int found;

    mp_error_set(err, 401, "", "the token is not valid, has expired or has been revoked");
    if (!token_well_formed(token))
        return 0;
    db = db_reader(err);
    if (db == NULL)
        return -1;
    token_hash(token_secret, token, hash);
    found = store_token_find(db, hash, &row, err);
    if (found <= 0)
        return found;
    if (role_parse(row.role, &r) != 0)
        return 0;
    if (token_expired(&row, now)) {
        mp_error_set(err, 401, "expires_at", "the token expired at %s", row.expires_at);
        return 0;
    }
    /* no known address never matches a list */
    if (row.allowed_sources[0] != '\0' &&
        (client == NULL || !cidr_list_allows(row.allowed_sources, client))) {
        mp_error_set(err, 403, "allowed_sources",
                     "the token may not be used from %s: it is limited to its allowed sources",
                     client ? client : "an unknown address");
        return 0;
    }
    p->authenticated = true;
    p->role = r;
    p->tlp_max = row.tlp_max[0] ? tlp_parse(row.tlp_max) : TLP_RED;
    if (p->tlp_max < 0)
        p->tlp_max = TLP_CLEAR; /* unreadable limit: the strictest */
    snprintf(p->name, sizeof(p->name), "token:%s", row.name);
    return 1;
}

int
tlp_parse(const char *s)
{
    return incident_enum_parse(incident_tlp_names, TLP_COUNT, s);
}

struct create_change {
    const char *actor;
    int64_t now;
    struct token_row row;
    uint8_t hash[TOKEN_HASH_LEN];
};

static int
create_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct create_change *c = arg;
    const struct token_row *t = &c->row;
    json_t *audit;
    int rc;

    if (store_token_insert(db, t, c->hash, err) != 0)
        return -1;
    audit = json_pack("{s:s, s:s, s:s*, s:s*, s:s*}", "name", t->name, "role", t->role, "tlp_max",
                      t->tlp_max[0] ? t->tlp_max : NULL, "expires_at",
                      t->expires_at[0] ? t->expires_at : NULL, "allowed_sources",
                      t->allowed_sources[0] ? t->allowed_sources : NULL);
    rc = store_audit_append_json(db, c->now, c->actor, "token.create", t->name, audit, err);
    json_decref(audit);
    return rc;
}

/* The allowed sources into row->allowed_sources, canonical; the first
 * block at fault named in err. */
static int
sources_parse(const char *const sources[], size_t n, struct token_row *row, struct mp_error *err)
{
    const char *why;

    row->allowed_sources[0] = '\0';
    if (n > CIDR_LIST_MAX)
        return mp_error_set(err, 422, "allowed_sources", "at most %d address blocks",
                            CIDR_LIST_MAX);
    for (size_t i = 0; i < n; i++) {
        if (cidr_list_add(row->allowed_sources, sizeof(row->allowed_sources), sources[i], &why) !=
            0) {
            mp_error_set(err, 422, "", "%s", why);
            snprintf(err->field, sizeof(err->field), "allowed_sources[%zu]", i);
            return -1;
        }
    }
    return 0;
}

int
token_create(const char *actor, int64_t now, const char *name, const char *role,
             const char *tlp_max, int64_t expires_at, const char *const sources[], size_t nsources,
             char out[TOKEN_TEXT_LEN + 1], struct token_row *row, struct mp_error *err)
{
    struct create_change c = {.actor = actor, .now = now};
    struct token_row *t = &c.row;
    enum role r;

    if (!token_name_valid(name))
        return mp_error_set(err, 422, "name",
                            "must be 1-64 characters of A-Z a-z 0-9 . _ - starting with a "
                            "letter or digit");
    if (role_parse(role, &r) != 0)
        return mp_error_set(err, 422, "role",
                            "must be one of viewer, analyst, manager, admin, ingest");
    if (tlp_max != NULL && tlp_parse(tlp_max) < 0)
        return mp_error_set(err, 422, "tlp_max",
                            "must be one of clear, green, amber, amber+strict, red");
    if (expires_at != 0 && (expires_at <= now || expires_at - now > TOKEN_LIFETIME_MAX))
        return mp_error_set(err, 422, "expires_at",
                            "must lie in the future, at most five years ahead");
    if (sources_parse(sources, nsources, t, err) != 0)
        return -1;
    if (expires_at != 0)
        time_format_rfc3339(expires_at, t->expires_at, sizeof(t->expires_at));
    snprintf(t->name, sizeof(t->name), "%s", name);
    snprintf(t->role, sizeof(t->role), "%s", role);
    snprintf(t->tlp_max, sizeof(t->tlp_max), "%s", tlp_max ? tlp_max : "");
    snprintf(t->created_by, sizeof(t->created_by), "%s", actor);
    time_format_rfc3339(now, t->created_at, sizeof(t->created_at));
    token_generate(out);
    token_hash(token_secret, out, c.hash);
    if (store_write(create_apply, &c, err) != 0) {
        sodium_memzero(out, TOKEN_TEXT_LEN + 1);
        return -1;
    }
    if (row != NULL)
        *row = *t;
    return 0;
}

struct revoke_change {
    const char *actor;
    int64_t now;
    const char *name;
    struct token_row row;
};

static int
revoke_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct revoke_change *c = arg;
    char at[TIME_RFC3339_LEN], payload[200];

    time_format_rfc3339(c->now, at, sizeof(at));
    if (store_token_revoke(db, c->name, at, c->actor, &c->row, err) != 0)
        return -1;
    snprintf(payload, sizeof(payload), "{\"name\":\"%s\",\"role\":\"%s\"}", c->row.name,
             c->row.role);
    return store_audit_append(db, c->now, c->actor, "token.revoke", c->name, payload, err);
}

int
token_revoke(const char *actor, int64_t now, const char *name, struct token_row *row,
             struct mp_error *err)
{
    struct revoke_change c = {.actor = actor, .now = now, .name = name};

    if (!token_name_valid(name))
        return mp_error_set(err, 404, "name", "no active token named '%s'", name);
    if (store_write(revoke_apply, &c, err) != 0)
        return -1;
    if (row != NULL)
        *row = c.row;
    return 0;
}

int
token_list(bool include_revoked, struct token_row **rows, int *count, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    if (db == NULL)
        return -1;
    return store_token_list(db, include_revoked, rows, count, err);
}
