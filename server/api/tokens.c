/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * tokens.c - /api/v1/tokens: list, create, revoke API tokens (admins), with
 * their expiry and the address blocks they may be used from.
 */
#include "api.h"
#include "lib/cidr.h"
#include "lib/timeutil.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* The allowed sources as a JSON array ([] for anywhere). */
static json_t *
sources_json(const char *list)
{
    json_t *a = json_array();
    const char *p = list;

    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        json_array_append_new(a, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    return a;
}

/* expired: judged at the request's time, like authentication */
static json_t *
token_json(const struct token_row *t, int64_t now)
{
    bool expired = token_expired(t, now);

    return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s?, s:s?, s:s?, s:b, s:o}", "name", t->name,
                     "role", t->role, "tlp_max", t->tlp_max[0] ? t->tlp_max : NULL, "created_at",
                     t->created_at, "created_by", t->created_by, "revoked_at",
                     t->revoked_at[0] ? t->revoked_at : NULL, "revoked_by",
                     t->revoked_at[0] ? t->revoked_by : NULL, "expires_at",
                     t->expires_at[0] ? t->expires_at : NULL, "expired", expired, "allowed_sources",
                     sources_json(t->allowed_sources));
}

/* allowed_sources: an array of at most CIDR_LIST_MAX strings, into
 * out[]; the blocks themselves are judged by token_create. */
static size_t
sources_get(json_t *in, const char *out[CIDR_LIST_MAX], struct api_response *rs)
{
    json_t *a = json_object_get(in, "allowed_sources"), *v;
    size_t i, n = 0;

    if (a == NULL || json_is_null(a))
        return 0;
    if (!json_is_array(a) || json_array_size(a) > CIDR_LIST_MAX) {
        api_field_error(rs, "allowed_sources",
                        "must be a list of at most %d address blocks, such as [\"192.0.2.0/24\"]",
                        CIDR_LIST_MAX);
        return 0;
    }
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) >= CIDR_TEXT_MAX) {
            char field[40];
            snprintf(field, sizeof(field), "allowed_sources[%zu]", i);
            api_field_error(rs, field, "must be an address or block, such as 192.0.2.0/24");
            continue;
        }
        out[n++] = json_string_value(v);
    }
    return n;
}

void
api_tokens_list(const struct api_request *rq, struct api_response *rs)
{
    const char *all = rq->query ? rq->query(rq->ctx, "revoked") : NULL;
    struct token_row *rows;
    struct mp_error err;
    json_t *items;
    int n;

    if (all != NULL && strcmp(all, "true") != 0 && strcmp(all, "false") != 0) {
        api_fail(rs, 400, "revoked", "must be true or false");
        return;
    }
    if (token_list(all != NULL && strcmp(all, "true") == 0, &rows, &n, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, token_json(&rows[i], rq->now));
    free(rows);
    api_ok(rs, 200, json_pack("{s:o}", "items", items));
}

void
api_tokens_create(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"name", "role", "tlp_max", "expires_at", "allowed_sources",
                                         NULL};
    const char *sources[CIDR_LIST_MAX];
    size_t nsources;
    char token[TOKEN_TEXT_LEN + 1];
    const char *name, *role, *tlp_max, *expires;
    int64_t expires_at = 0;
    struct token_row row;
    struct mp_error err;
    json_t *in, *out;

    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    api_get_string(in, "name", true, TOKEN_NAME_MAX, &name, rs);
    api_get_string(in, "role", true, 16, &role, rs);
    api_get_string(in, "tlp_max", false, 16, &tlp_max, rs);
    if (api_get_string(in, "expires_at", false, 40, &expires, rs) && expires != NULL &&
        time_parse_rfc3339(expires, &expires_at) != 0)
        api_field_error(rs, "expires_at", "must be an RFC 3339 time such as 2027-03-31T00:00:00Z");
    nsources = sources_get(in, sources, rs);
    if (rs->status >= 400)
        goto out;
    if (token_create(rq->principal->name, rq->now, name, role, tlp_max, expires_at, sources,
                     nsources, token, &row, &err) != 0) {
        api_error(rs, &err);
        goto out;
    }
    out = token_json(&row, rq->now);
    json_object_set_new(out, "token", json_string(token));
    sodium_memzero(token, sizeof(token));
    snprintf(rs->location, sizeof(rs->location), "/api/v1/tokens/%s", row.name);
    api_ok(rs, 201, out);
out:
    json_decref(in);
}

void
api_tokens_revoke(const struct api_request *rq, struct api_response *rs)
{
    struct token_row row;
    struct mp_error err;

    if (token_revoke(rq->principal->name, rq->now, rq->params[0], &row, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 204, NULL);
}
