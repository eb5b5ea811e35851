/*
 * tokens.c - /api/v1/tokens: list, create, revoke API tokens (admins).
 */
#include "api.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static json_t *
token_json(const struct token_row *t)
{
    return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s?, s:s?}", "name", t->name, "role", t->role,
                     "tlp_max", t->tlp_max[0] ? t->tlp_max : NULL, "created_at", t->created_at,
                     "created_by", t->created_by, "revoked_at",
                     t->revoked_at[0] ? t->revoked_at : NULL, "revoked_by",
                     t->revoked_at[0] ? t->revoked_by : NULL);
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
        json_array_append_new(items, token_json(&rows[i]));
    free(rows);
    api_ok(rs, 200, json_pack("{s:o}", "items", items));
}

void
api_tokens_create(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"name", "role", "tlp_max", NULL};
    char token[TOKEN_TEXT_LEN + 1];
    const char *name, *role, *tlp_max;
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
    if (rs->status >= 400)
        goto out;
    if (token_create(rq->principal->name, rq->now, name, role, tlp_max, token, &row, &err) != 0) {
        api_error(rs, &err);
        goto out;
    }
    out = token_json(&row);
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
