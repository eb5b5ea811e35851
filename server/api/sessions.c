/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * sessions.c - /api/v1/sessions (a person's own sessions: the list, sign
 * out one, or everywhere) and /api/v1/users/{name}/sessions (an admin's view
 * of a user's sessions, and ending them).  See core/sessions.h.
 *
 * A session is shown as its user recognises it: the browser and system in
 * words (lib/useragent.h; the raw header is never shown), the address it
 * signed in from, when it signed in and was last seen, and whether it is
 * the one making this request.
 */
#include "api.h"
#include "core/sessions.h"
#include "core/user.h"
#include "lib/timeutil.h"
#include "lib/useragent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
session_json(const struct session_info *s, int64_t current)
{
    char signed_in[TIME_RFC3339_LEN], seen[TIME_RFC3339_LEN];
    const char *browser, *os;

    useragent_summary(s->user_agent, &browser, &os);
    time_format_rfc3339(s->created_unix, signed_in, sizeof(signed_in));
    time_format_rfc3339(s->seen_unix, seen, sizeof(seen));
    return json_pack("{s:I, s:{s:s?, s:s?}, s:s, s:s, s:s, s:b}", "id", (json_int_t)s->id, "device",
                     "browser", browser, "os", os, "address", s->address, "signed_in_at", signed_in,
                     "last_seen_at", seen, "current", s->id == current);
}

static void
answer_list(const struct api_request *rq, struct api_response *rs, int rc,
            struct session_info *rows, int n, const struct mp_error *err)
{
    json_t *items;

    if (rc != 0) {
        api_error(rs, err);
        return;
    }
    items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            items, session_json(&rows[i], rq->principal->session ? rq->principal->session_id : 0));
    free(rows);
    api_ok(rs, 200, json_pack("{s:o}", "items", items));
}

/* The {sid} of a path: > 0, or -1 (which the domain answers 404). */
static int64_t
session_id_param(const char *s)
{
    char *end;
    long long id = strtoll(s, &end, 10);

    return *end != '\0' || end == s || id <= 0 ? -1 : (int64_t)id;
}

/* When the caller's own session ended, its cookie goes too. */
static void
answer_ended(const struct api_request *rq, struct api_response *rs, bool own_ended, int ended)
{
    if (own_ended)
        api_session_clear_cookie(rq, rs);
    api_ok(rs, 200, json_pack("{s:i}", "ended", ended));
}

void
api_sessions_list(const struct api_request *rq, struct api_response *rs)
{
    struct session_info *rows;
    struct mp_error err;
    int n, rc;

    rc = sessions_own(rq->principal, rq->now, &rows, &n, &err);
    answer_list(rq, rs, rc, rows, n, &err);
}

void
api_sessions_end_all(const struct api_request *rq, struct api_response *rs)
{
    static const char *const keep_names[] = {"false", "true"};
    struct mp_error err;
    int keep = -1, ended;

    if (!api_query_enum(rq, "keep_current", keep_names, 2, &keep, rs))
        return;
    if (sessions_end_own(rq->principal, rq->now, 0, keep == 1, &ended, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    answer_ended(rq, rs, keep != 1, ended);
}

void
api_sessions_end(const struct api_request *rq, struct api_response *rs)
{
    int64_t id = session_id_param(rq->params[0]);
    struct mp_error err;
    int ended;

    if (sessions_end_own(rq->principal, rq->now, id, false, &ended, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    answer_ended(rq, rs, id == rq->principal->session_id, ended);
}

void
api_user_sessions_list(const struct api_request *rq, struct api_response *rs)
{
    struct session_info *rows;
    struct mp_error err;
    int n, rc;

    rc = sessions_of_user(rq->params[0], rq->now, &rows, &n, &err);
    answer_list(rq, rs, rc, rows, n, &err);
}

/* DELETE /api/v1/users/{name}/sessions and .../sessions/{sid} */
void
api_user_sessions_end(const struct api_request *rq, struct api_response *rs)
{
    int64_t id = rq->nparams > 1 ? session_id_param(rq->params[1]) : 0;
    struct mp_error err;
    int ended;

    if (sessions_end_user(rq->principal->name, rq->now, rq->params[0], id, &ended, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    /* an admin who ends their own sessions here loses this one too */
    answer_ended(rq, rs,
                 rq->principal->session && strcmp(rq->principal->name + 5, rq->params[0]) == 0 &&
                     (id == 0 || id == rq->principal->session_id),
                 ended);
}
