/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * calendar.c - a person's calendar feed: the address (GET, POST, DELETE
 * /api/v1/me/calendar) and the feed (GET /api/v1/calendar/{feed},
 * authenticated by the token in the address).  See core/calendar.h.
 */
#include "api.h"
#include "core/calendar.h"

#include <stdlib.h>
#include <string.h>

void
api_calendar_get(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (calendar_feed_status(rq->principal, &out, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 200, out);
}

void
api_calendar_create(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {NULL}; /* it takes no members */
    struct mp_error err;
    json_t *out;

    if (rq->body_len > 0) {
        json_t *in = api_parse_object(rq, rs);
        if (in == NULL)
            return;
        api_only_fields(in, fields, rs);
        json_decref(in);
        if (rs->status >= 400)
            return;
    }
    if (calendar_feed_create(rq->principal, rq->now, &out, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 201, out); /* the address is shown once: only its hash is kept */
}

void
api_calendar_delete(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;

    if (calendar_feed_revoke(rq->principal, rq->now, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 204, NULL);
}

void
api_calendar_feed(const struct api_request *rq, struct api_response *rs)
{
    const char *feed = rq->params[0];
    size_t n = strlen(feed);
    char token[CALENDAR_TOKEN_LEN + 1];
    struct mp_error err;
    char *text;
    size_t len;

    /* {feed} is TOKEN.ics, as calendar programs like an address to end */
    if (n < 5 || n - 4 > CALENDAR_TOKEN_LEN || strcmp(feed + n - 4, ".ics") != 0) {
        api_fail(rs, 404, NULL, "no such calendar feed");
        return;
    }
    memcpy(token, feed, n - 4);
    token[n - 4] = '\0';
    if (calendar_feed_render(token, rq->query(rq->ctx, "lang"), rq->now, &text, &len, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    rs->status = 200;
    rs->raw = text;
    rs->raw_len = len;
    rs->content_type = "text/calendar; charset=utf-8";
}
