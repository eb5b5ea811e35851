/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * sessions.h - a person's list of their own sessions, and ending them:
 * one, all but the one in use ("sign out everywhere else"), or all; and an
 * admin's view of another user's sessions, which they may end.
 *
 * Sessions themselves (signing in, the cookie, the timeouts) are in user.h;
 * this module reads and ends them.  A session counts as live while it has
 * not ended and neither timeout has passed at `now`: a session that timed
 * out is never listed, even though its row was never marked ended.
 *
 * Every ending is audited: "session.end" for one session (the payload names
 * it), "session.end_all" for a user's sessions ended at once (the payload
 * says how many and whether the caller's own was kept).  An admin ending
 * another user's sessions is the actor of the same actions, so the chain
 * shows who ended whose.  Ending a session takes effect at once: the next
 * request with its cookie is answered 401.
 */
#ifndef MP_SESSIONS_H
#define MP_SESSIONS_H

#include "core/token.h"
#include "lib/error.h"
#include "store/users.h"

#include <stdbool.h>
#include <stdint.h>

/* The live sessions of the person signed in with p (404 for an API
 * token), most recently seen first; malloc'd array. */
int sessions_own(const struct principal *p, int64_t now, struct session_info **rows, int *count,
                 struct mp_error *err);
/* The live sessions of the user called name (404 when there is none). */
int sessions_of_user(const char *name, int64_t now, struct session_info **rows, int *count,
                     struct mp_error *err);
/* Ends p's own session id (> 0; 404 when it is not one of p's live
 * sessions), or (id 0) all of p's sessions, all but the one in use when
 * keep_current.  *ended: how many ended. */
int sessions_end_own(const struct principal *p, int64_t now, int64_t id, bool keep_current,
                     int *ended, struct mp_error *err);
/* An admin (actor) ends the session id (> 0; 404 when it is not one of the
 * user's live sessions) or (id 0) every session of the user called name. */
int sessions_end_user(const char *actor, int64_t now, const char *name, int64_t id, int *ended,
                      struct mp_error *err);

#endif
