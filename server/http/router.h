/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * router.h - method + path pattern -> route.
 *
 * Patterns are literal segments and `{name}` parameters
 * ("/api/v1/tokens/{name}"); a parameter matches one non-empty segment.
 * Matching answers found, or "the path exists but not for this method"
 * (405, with the methods that exist in `allow`), or not found (404): one
 * loop over the table, no special cases.  HEAD matches GET routes.
 */
#ifndef MP_ROUTER_H
#define MP_ROUTER_H

#include "api/api.h"

#include <stddef.h>

enum route_kind {
    ROUTE_API,     /* handler answers */
    ROUTE_METRICS, /* http/metrics.c answers */
};

/* What a route does for a principal limited to some TLP levels.  Every
 * route says it explicitly (a unit test walks the table): 0 is not a
 * policy. */
enum route_tlp {
    ROUTE_TLP_UNSET = 0,
    ROUTE_TLP_FREE,         /* holds nothing marked with a TLP level */
    ROUTE_TLP_FILTERED,     /* lists and counts: the query leaves out what is above the limit */
    ROUTE_TLP_INCIDENT,     /* {id} is an incident: above the limit it answers 404, as missing */
    ROUTE_TLP_NOTIFICATION, /* {nid}: as its incident */
    ROUTE_TLP_ALERT,        /* {aid}: as its incident, when it has one */
    ROUTE_TLP_CLOSED,       /* covers every incident (the audit log): 403 to limited ones */
};

/* One route.  Written with designated initialisers in routes.c, so each
 * policy is named where it is set. */
struct route {
    const char *method;
    const char *pattern;
    api_handler handler;
    enum route_kind kind;
    enum route_tlp tlp;
    unsigned roles; /* ROLE_BIT()s allowed; 0 = public, no authentication */
    bool writes;    /* changes data: runs on a worker thread (http/server.c) */
    bool bench_only;
    /* answers while the user's password change is due (the session routes) */
    bool during_password_change;
    /* non-NULL: only a person signed in (a session) may call this route; an
     * API token gets 403 with these words, which say why */
    const char *person_only;
    /* the second factor (core/mfa.h), for sessions: answers while the
     * sign-in's second step is owed; answers before a required factor is
     * set up; needs a second-factor check within the step-up window */
    bool mfa_step;
    bool mfa_enrol;
    bool step_up;
};

/* Routes under this prefix exist in test builds only (the test clock):
 * not part of the API, not documented, not listed by `meldpunt routes`. */
#define ROUTE_TEST_PREFIX "/api/v1/test/"

enum router_result { ROUTER_FOUND, ROUTER_METHOD_NOT_ALLOWED, ROUTER_NOT_FOUND };

#define ROUTER_PATH_MAX 1024

struct route_match {
    int index;
    const char *params[API_MAX_PARAMS];
    int nparams;
    char storage[ROUTER_PATH_MAX]; /* params point in here */
    char allow[64];                /* "GET, HEAD, POST" on 405 */
};

enum router_result router_match(const struct route *routes, size_t count, const char *method,
                                const char *path, bool bench, struct route_match *m);

/* What a session may not do on route yet (NULL: nothing in the way): change
 * its password, take the sign-in's second step, set up a required factor,
 * or check the factor again (step-up; core/mfa.h).  The words of the 403. */
const char *router_session_refusal(const struct route *route, const struct principal *p,
                                   int64_t now);

/* The table (http/routes.c): every route and the roles allowed on it. */
extern const struct route http_routes[];
extern const size_t http_routes_count;

#endif
