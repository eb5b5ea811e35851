/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * sessions.c - see sessions.h.  Listing reads on the calling thread's
 * reader; every ending is one write with its audit entry, so an ending
 * that is not recorded did not happen.
 */
#include "sessions.h"
#include "core/user.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/writer.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The live sessions of user_id at now: neither timeout has passed. */
static int
list_live(int64_t user_id, int64_t now, struct session_info **rows, int *count,
          struct mp_error *err)
{
    const struct auth_settings *s = user_settings();
    sqlite3 *db = db_reader(err);

    if (db == NULL)
        return -1;
    return store_session_list(db, user_id, now - (int64_t)s->session_idle + 1,
                              now - (int64_t)s->session_max + 1, rows, count, err);
}

/* The user called name: 0 and *u, or -1 with err (404 for none). */
static int
find_user(const char *name, struct user_row *u, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    int found;

    if (db == NULL)
        return -1;
    found = token_name_valid(name) ? store_user_find(db, name, false, u, err) : 0;
    if (found == 0)
        return mp_error_set(err, 404, "name", "no user named '%s'", name);
    return found < 0 ? -1 : 0;
}

int
sessions_own(const struct principal *p, int64_t now, struct session_info **rows, int *count,
             struct mp_error *err)
{
    *rows = NULL;
    *count = 0;
    if (!p->session)
        return mp_error_set(err, 404, "",
                            "no session: this request was authenticated with an API token");
    return list_live(p->user_id, now, rows, count, err);
}

int
sessions_of_user(const char *name, int64_t now, struct session_info **rows, int *count,
                 struct mp_error *err)
{
    struct user_row u;

    *rows = NULL;
    *count = 0;
    if (find_user(name, &u, err) != 0)
        return -1;
    return list_live(u.id, now, rows, count, err);
}

struct end_change {
    const char *actor;
    const char *user; /* the audit's object: whose sessions */
    int64_t user_id, now, id, keep;
    int ended;
};

static int
end_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct end_change *c = arg;
    char at[TIME_RFC3339_LEN];
    json_t *audit;
    int rc;

    time_format_rfc3339(c->now, at, sizeof(at));
    if (store_session_end_user(db, c->user_id, c->id, c->keep, at, &c->ended, err) != 0)
        return -1;
    if (c->id > 0 && c->ended == 0)
        return mp_error_set(err, 404, "id", "no live session %lld of %s", (long long)c->id,
                            c->user);
    audit = c->id > 0 ? json_pack("{s:I}", "session", (json_int_t)c->id)
                      : json_pack("{s:i, s:b}", "ended", c->ended, "kept_current", c->keep != 0);
    rc = store_audit_append_json(
        db, c->now, c->actor, c->id > 0 ? "session.end" : "session.end_all", c->user, audit, err);
    json_decref(audit);
    return rc;
}

int
sessions_end_own(const struct principal *p, int64_t now, int64_t id, bool keep_current, int *ended,
                 struct mp_error *err)
{
    struct end_change c = {.actor = p->name, .now = now, .id = id};

    *ended = 0;
    if (!p->session)
        return mp_error_set(err, 404, "",
                            "no session: this request was authenticated with an API token");
    if (id < 0)
        return mp_error_set(err, 404, "id", "no such session");
    c.user = strncmp(p->name, "user:", 5) == 0 ? p->name + 5 : p->name;
    c.user_id = p->user_id;
    c.keep = id == 0 && keep_current ? p->session_id : 0;
    if (store_write(end_apply, &c, err) != 0)
        return -1;
    *ended = c.ended;
    return 0;
}

int
sessions_end_user(const char *actor, int64_t now, const char *name, int64_t id, int *ended,
                  struct mp_error *err)
{
    struct end_change c = {.actor = actor, .now = now, .id = id, .user = name};
    struct user_row u;

    *ended = 0;
    if (id < 0)
        return mp_error_set(err, 404, "id", "no such session");
    if (find_user(name, &u, err) != 0)
        return -1;
    c.user_id = u.id;
    if (store_write(end_apply, &c, err) != 0)
        return -1;
    *ended = c.ended;
    return 0;
}
