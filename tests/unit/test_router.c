/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_router.c - http/router.c: router_match() against a local table and
 * against the real route table (http/routes.c).
 */
#include "http/router.h"
#include "testutil.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* ---- a local table: literals, parameters, several methods per path ---- */

static const struct route local_routes[] = {
    {.method = "GET", .pattern = "/a", .tlp = ROUTE_TLP_FREE},                               /* 0 */
    {.method = "POST", .pattern = "/a", .tlp = ROUTE_TLP_FREE},                              /* 1 */
    {.method = "GET", .pattern = "/a/{id}", .tlp = ROUTE_TLP_FREE},                          /* 2 */
    {.method = "PUT", .pattern = "/a/{id}", .tlp = ROUTE_TLP_FREE},                          /* 3 */
    {.method = "GET", .pattern = "/a/{id}/b/{sub}", .tlp = ROUTE_TLP_FREE},                  /* 4 */
    {.method = "DELETE", .pattern = "/a/{id}/c", .tlp = ROUTE_TLP_FREE},                     /* 5 */
    {.method = "GET", .pattern = "/x/new", .tlp = ROUTE_TLP_FREE},                           /* 6 */
    {.method = "GET", .pattern = "/x/{id}", .tlp = ROUTE_TLP_FREE},                          /* 7 */
    {.method = "POST", .pattern = "/bench/only", .bench_only = true, .tlp = ROUTE_TLP_FREE}, /* 8 */
    {.method = "GET", .pattern = "/", .tlp = ROUTE_TLP_FREE},                                /* 9 */
    {.method = "GET", .pattern = "/p/{a}/{b}/{c}/{d}", .tlp = ROUTE_TLP_FREE}, /* 10 */
    {.method = "GET",
     .pattern = "/q/{a}/{b}/{c}/{d}/{e}",
     .tlp = ROUTE_TLP_FREE}, /* 11: > API_MAX_PARAMS */
};
#define LOCAL_COUNT (sizeof(local_routes) / sizeof(local_routes[0]))

struct router_case {
    const char *method;
    const char *path;
    bool bench;
    enum router_result result;
    int index;           /* on ROUTER_FOUND */
    int nparams;         /* on ROUTER_FOUND */
    const char *p0, *p1; /* expected params (NULL = not checked) */
    const char *allow;   /* on ROUTER_METHOD_NOT_ALLOWED */
};

static const struct router_case local_cases[] = {
    /* literal routes, one path with two methods */
    {"GET", "/a", false, ROUTER_FOUND, 0, 0, NULL, NULL, NULL},
    {"POST", "/a", false, ROUTER_FOUND, 1, 0, NULL, NULL, NULL},
    {"HEAD", "/a", false, ROUTER_FOUND, 0, 0, NULL, NULL, NULL},
    {"PUT", "/a", false, ROUTER_METHOD_NOT_ALLOWED, -1, 0, NULL, NULL, "GET, HEAD, POST"},
    {"DELETE", "/a", false, ROUTER_METHOD_NOT_ALLOWED, -1, 0, NULL, NULL, "GET, HEAD, POST"},
    {"get", "/a", false, ROUTER_METHOD_NOT_ALLOWED, -1, 0, NULL, NULL, "GET, HEAD, POST"},
    /* parameter routes */
    {"GET", "/a/42", false, ROUTER_FOUND, 2, 1, "42", NULL, NULL},
    {"PUT", "/a/hello-world", false, ROUTER_FOUND, 3, 1, "hello-world", NULL, NULL},
    {"HEAD", "/a/42", false, ROUTER_FOUND, 2, 1, "42", NULL, NULL},
    {"DELETE", "/a/42", false, ROUTER_METHOD_NOT_ALLOWED, -1, 0, NULL, NULL, "GET, HEAD, PUT"},
    {"GET", "/a/7/b/xyz", false, ROUTER_FOUND, 4, 2, "7", "xyz", NULL},
    {"DELETE", "/a/7/c", false, ROUTER_FOUND, 5, 1, "7", NULL, NULL},
    {"GET", "/a/7/c", false, ROUTER_METHOD_NOT_ALLOWED, -1, 0, NULL, NULL, "DELETE"},
    {"HEAD", "/a/7/c", false, ROUTER_METHOD_NOT_ALLOWED, -1, 0, NULL, NULL, "DELETE"},
    {"GET", "/p/1/2/3/4", false, ROUTER_FOUND, 10, 4, "1", "2", NULL},
    /* more parameters than API_MAX_PARAMS can never match */
    {"GET", "/q/1/2/3/4/5", false, ROUTER_NOT_FOUND, -1, 0, NULL, NULL, NULL},
    /* the first matching row wins: a literal listed before a parameter */
    {"GET", "/x/new", false, ROUTER_FOUND, 6, 0, NULL, NULL, NULL},
    {"GET", "/x/old", false, ROUTER_FOUND, 7, 1, "old", NULL, NULL},
    /* root */
    {"GET", "/", false, ROUTER_FOUND, 9, 0, NULL, NULL, NULL},
    /* not found: unknown, prefixes, extensions, empty segments */
    {"GET", "/nope", false, ROUTER_NOT_FOUND, -1, 0, NULL, NULL, NULL},
    {"GET", "/ab", false, ROUTER_NOT_FOUND, -1, 0, NULL, NULL, NULL},
    {"GET", "/a/", false, ROUTER_NOT_FOUND, -1, 0, NULL, NULL, NULL},
    {"GET", "/a//b/x", false, ROUTER_NOT_FOUND, -1, 0, NULL, NULL, NULL},
    {"GET", "/a/7/b/", false, ROUTER_NOT_FOUND, -1, 0, NULL, NULL, NULL},
    {"GET", "/a/7/b/x/", false, ROUTER_NOT_FOUND, -1, 0, NULL, NULL, NULL},
    {"GET", "//a", false, ROUTER_NOT_FOUND, -1, 0, NULL, NULL, NULL},
    {"GET", "/a/7/c/d", false, ROUTER_NOT_FOUND, -1, 0, NULL, NULL, NULL},
    {"GET", "a", false, ROUTER_NOT_FOUND, -1, 0, NULL, NULL, NULL},
    {"GET", "", false, ROUTER_NOT_FOUND, -1, 0, NULL, NULL, NULL},
    /* bench-only rows exist only when bench is on */
    {"POST", "/bench/only", false, ROUTER_NOT_FOUND, -1, 0, NULL, NULL, NULL},
    {"POST", "/bench/only", true, ROUTER_FOUND, 8, 0, NULL, NULL, NULL},
    {"GET", "/bench/only", true, ROUTER_METHOD_NOT_ALLOWED, -1, 0, NULL, NULL, "POST"},
};

static void
check_case(const struct route *routes, size_t count, const struct router_case *c)
{
    struct route_match m;
    enum router_result r;

    memset(&m, 0xa5, sizeof(m));
    r = router_match(routes, count, c->method, c->path, c->bench, &m);
    ck_assert_msg(r == c->result, "%s %s (bench=%d): result %d, expected %d", c->method, c->path,
                  c->bench, r, c->result);
    if (r == ROUTER_FOUND) {
        ck_assert_msg(m.index == c->index, "%s %s: index %d, expected %d", c->method, c->path,
                      m.index, c->index);
        ck_assert_msg(m.nparams == c->nparams, "%s %s: %d params, expected %d", c->method, c->path,
                      m.nparams, c->nparams);
        for (int k = 0; k < m.nparams; k++) {
            /* params must point into the match's own storage */
            ck_assert(m.params[k] >= m.storage);
            ck_assert(m.params[k] < m.storage + sizeof(m.storage));
        }
        if (c->p0 != NULL)
            ck_assert_str_eq(m.params[0], c->p0);
        if (c->p1 != NULL)
            ck_assert_str_eq(m.params[1], c->p1);
    } else {
        ck_assert_int_eq(m.index, -1);
    }
    /* allow is only meaningful (and only used by http/server.c) on 405 */
    if (r == ROUTER_METHOD_NOT_ALLOWED)
        ck_assert_msg(strcmp(m.allow, c->allow) == 0, "%s %s: allow \"%s\", expected \"%s\"",
                      c->method, c->path, m.allow, c->allow);
}

START_TEST(test_local_table)
{
    check_case(local_routes, LOCAL_COUNT, &local_cases[_i]);
}
END_TEST

START_TEST(test_local_four_params)
{
    struct route_match m;

    ck_assert_int_eq(router_match(local_routes, LOCAL_COUNT, "GET", "/p/w/x/y/z", false, &m),
                     ROUTER_FOUND);
    ck_assert_int_eq(m.nparams, 4);
    ck_assert_str_eq(m.params[0], "w");
    ck_assert_str_eq(m.params[1], "x");
    ck_assert_str_eq(m.params[2], "y");
    ck_assert_str_eq(m.params[3], "z");
}
END_TEST

START_TEST(test_empty_table)
{
    struct route_match m;

    ck_assert_int_eq(router_match(local_routes, 0, "GET", "/a", false, &m), ROUTER_NOT_FOUND);
    ck_assert_int_eq(m.index, -1);
}
END_TEST

/* A path of ROUTER_PATH_MAX - 1 characters still matches (and its parameter
 * fits in the storage); one more character and it is not found. */
START_TEST(test_path_length_limit)
{
    char path[ROUTER_PATH_MAX + 64];
    struct route_match m;
    size_t len;

    len = ROUTER_PATH_MAX - 1;
    memcpy(path, "/a/", 3);
    memset(path + 3, 'z', len - 3);
    path[len] = '\0';
    ck_assert_int_eq(router_match(local_routes, LOCAL_COUNT, "GET", path, false, &m), ROUTER_FOUND);
    ck_assert_int_eq(m.index, 2);
    ck_assert_uint_eq(strlen(m.params[0]), len - 3);

    len = ROUTER_PATH_MAX;
    memset(path + 3, 'z', len - 3);
    path[len] = '\0';
    ck_assert_int_eq(router_match(local_routes, LOCAL_COUNT, "GET", path, false, &m),
                     ROUTER_NOT_FOUND);

    len = sizeof(path) - 1;
    memset(path + 3, 'z', len - 3);
    path[len] = '\0';
    ck_assert_int_eq(router_match(local_routes, LOCAL_COUNT, "GET", path, false, &m),
                     ROUTER_NOT_FOUND);
}
END_TEST

/* ---- the real table ---- */

static int
route_index(const char *method, const char *pattern)
{
    for (size_t i = 0; i < http_routes_count; i++)
        if (strcmp(http_routes[i].method, method) == 0 &&
            strcmp(http_routes[i].pattern, pattern) == 0)
            return (int)i;
    return -2;
}

/* Every route states its TLP policy, and the policy fits its path: an
 * {id} under /incidents is gated as an incident, and so on; only the
 * session routes answer while a password change is due. */
START_TEST(test_every_route_has_a_policy)
{
    for (size_t i = 0; i < http_routes_count; i++) {
        const struct route *r = &http_routes[i];
        const char *p = r->pattern;
        enum route_tlp want = ROUTE_TLP_UNSET;

        ck_assert_msg(r->tlp != ROUTE_TLP_UNSET, "%s %s: no TLP policy", r->method, p);
        if (strncmp(p, "/api/v1/incidents/{id}", 22) == 0)
            want = ROUTE_TLP_INCIDENT;
        else if (strncmp(p, "/api/v1/notifications/{nid}", 27) == 0)
            want = ROUTE_TLP_NOTIFICATION;
        else if (strncmp(p, "/api/v1/alerts/{aid}", 20) == 0)
            want = ROUTE_TLP_ALERT;
        else if (strncmp(p, "/api/v1/audit", 13) == 0)
            want = ROUTE_TLP_CLOSED;
        if (want != ROUTE_TLP_UNSET)
            ck_assert_msg(r->tlp == want, "%s %s: TLP policy %d, not %d", r->method, p, r->tlp,
                          want);
        else
            ck_assert_msg(r->tlp == ROUTE_TLP_FREE || r->tlp == ROUTE_TLP_FILTERED,
                          "%s %s: gated, but names no object", r->method, p);
        if (r->roles == 0)
            ck_assert_msg(r->tlp == ROUTE_TLP_FREE, "%s %s: public", r->method, p);
        ck_assert_msg(r->during_password_change == (strncmp(p, "/api/v1/session", 15) == 0),
                      "%s %s: password-change policy", r->method, p);
        /* the second factor (core/mfa.h): a half-signed-in session reaches
         * only the session routes; step-up guards changes that managers and
         * admins make, never a read */
        if (r->mfa_step)
            ck_assert_msg(strncmp(p, "/api/v1/session", 15) == 0 && r->mfa_enrol,
                          "%s %s: second-step policy", r->method, p);
        if (r->step_up)
            ck_assert_msg(r->writes && (r->roles & (ROLE_BIT(ROLE_VIEWER) | ROLE_BIT(ROLE_ANALYST) |
                                                    ROLE_BIT(ROLE_INGEST))) == 0,
                          "%s %s: step-up policy", r->method, p);
    }
}
END_TEST

/* The routes that need a fresh second-factor check are exactly these. */
START_TEST(test_step_up_routes)
{
    static const char *const want[][2] = {
        {"POST", "/api/v1/users"},
        {"PATCH", "/api/v1/users/{name}"},
        {"POST", "/api/v1/users/{name}/password"},
        {"POST", "/api/v1/tokens"},
        {"DELETE", "/api/v1/tokens/{name}"},
        {"POST", "/api/v1/notifications/{nid}/approve"},
        {"PUT", "/api/v1/reminders/policy"},
        {"PUT", "/api/v1/organisation"},
    };
    size_t n = 0;

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int k = route_index(want[i][0], want[i][1]);
        ck_assert_msg(k >= 0 && http_routes[k].step_up, "%s %s: no step-up", want[i][0],
                      want[i][1]);
    }
    for (size_t i = 0; i < http_routes_count; i++)
        n += http_routes[i].step_up;
    ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]));
}
END_TEST

START_TEST(test_real_healthz)
{
    struct route_match m;

    ck_assert_int_eq(router_match(http_routes, http_routes_count, "GET", "/healthz", false, &m),
                     ROUTER_FOUND);
    ck_assert_int_eq(m.index, route_index("GET", "/healthz"));
    ck_assert_int_eq(m.nparams, 0);
    ck_assert_int_eq(http_routes[m.index].roles, 0);
    ck_assert_ptr_nonnull(http_routes[m.index].handler);

    ck_assert_int_eq(router_match(http_routes, http_routes_count, "HEAD", "/healthz", false, &m),
                     ROUTER_FOUND);
    ck_assert_int_eq(m.index, route_index("GET", "/healthz"));

    ck_assert_int_eq(router_match(http_routes, http_routes_count, "POST", "/healthz", false, &m),
                     ROUTER_METHOD_NOT_ALLOWED);
    ck_assert_str_eq(m.allow, "GET, HEAD");
}
END_TEST

START_TEST(test_real_metrics)
{
    struct route_match m;

    ck_assert_int_eq(router_match(http_routes, http_routes_count, "GET", "/metrics", false, &m),
                     ROUTER_FOUND);
    ck_assert_int_eq(http_routes[m.index].kind, ROUTE_METRICS);
}
END_TEST

START_TEST(test_real_token_revoke_param)
{
    struct route_match m;

    ck_assert_int_eq(
        router_match(http_routes, http_routes_count, "DELETE", "/api/v1/tokens/abc", false, &m),
        ROUTER_FOUND);
    ck_assert_int_eq(m.index, route_index("DELETE", "/api/v1/tokens/{name}"));
    ck_assert_int_eq(m.nparams, 1);
    ck_assert_str_eq(m.params[0], "abc");
    ck_assert_uint_eq(http_routes[m.index].roles, ROLES_ADMIN);

    ck_assert_int_eq(
        router_match(http_routes, http_routes_count, "GET", "/api/v1/tokens/abc", false, &m),
        ROUTER_METHOD_NOT_ALLOWED);
    ck_assert_str_eq(m.allow, "DELETE");

    /* empty name segment, trailing slash, deeper path */
    ck_assert_int_eq(
        router_match(http_routes, http_routes_count, "DELETE", "/api/v1/tokens/", false, &m),
        ROUTER_NOT_FOUND);
    ck_assert_int_eq(
        router_match(http_routes, http_routes_count, "DELETE", "/api/v1/tokens/abc/", false, &m),
        ROUTER_NOT_FOUND);
    ck_assert_int_eq(
        router_match(http_routes, http_routes_count, "DELETE", "/api/v1/tokens/abc/def", false, &m),
        ROUTER_NOT_FOUND);
}
END_TEST

START_TEST(test_real_tokens_methods)
{
    struct route_match m;

    ck_assert_int_eq(
        router_match(http_routes, http_routes_count, "PUT", "/api/v1/tokens", false, &m),
        ROUTER_METHOD_NOT_ALLOWED);
    ck_assert_str_eq(m.allow, "GET, HEAD, POST");
    ck_assert_int_eq(m.index, -1);

    ck_assert_int_eq(
        router_match(http_routes, http_routes_count, "GET", "/api/v1/tokens", false, &m),
        ROUTER_FOUND);
    ck_assert_int_eq(m.index, route_index("GET", "/api/v1/tokens"));
    ck_assert_int_eq(
        router_match(http_routes, http_routes_count, "POST", "/api/v1/tokens", false, &m),
        ROUTER_FOUND);
    ck_assert_int_eq(m.index, route_index("POST", "/api/v1/tokens"));
    ck_assert_int_eq(
        router_match(http_routes, http_routes_count, "HEAD", "/api/v1/tokens", false, &m),
        ROUTER_FOUND);
    ck_assert_int_eq(m.index, route_index("GET", "/api/v1/tokens"));
}
END_TEST

START_TEST(test_real_not_found)
{
    static const char *const paths[] = {
        "/nope",          "/healthz/",       "/healthz//",
        "//healthz",      "/api/v1/tokens/", "/api/v1/me/",
        "/api/v1",        "/api/v1/",        "/api/v1/audit/verify/",
        "/api/v1/auditx", "/HEALTHZ",        "healthz",
    };
    struct route_match m;

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        enum router_result r =
            router_match(http_routes, http_routes_count, "GET", paths[i], true, &m);
        ck_assert_msg(r == ROUTER_NOT_FOUND, "GET %s: %d, expected not found", paths[i], r);
    }
}
END_TEST

START_TEST(test_real_audit_routes)
{
    struct route_match m;

    ck_assert_int_eq(
        router_match(http_routes, http_routes_count, "GET", "/api/v1/audit", false, &m),
        ROUTER_FOUND);
    ck_assert_int_eq(m.index, route_index("GET", "/api/v1/audit"));
    ck_assert_int_eq(
        router_match(http_routes, http_routes_count, "GET", "/api/v1/audit/verify", false, &m),
        ROUTER_FOUND);
    ck_assert_int_eq(m.index, route_index("GET", "/api/v1/audit/verify"));
    ck_assert_int_eq(router_match(http_routes, http_routes_count, "GET", "/api/v1/me", false, &m),
                     ROUTER_FOUND);
    ck_assert_int_eq(m.index, route_index("GET", "/api/v1/me"));
}
END_TEST

START_TEST(test_real_bench_only)
{
    struct route_match m;

    ck_assert_int_eq(router_match(http_routes, http_routes_count, "POST", "/bench/echo", false, &m),
                     ROUTER_NOT_FOUND);
    ck_assert_int_eq(router_match(http_routes, http_routes_count, "GET", "/bench/echo", false, &m),
                     ROUTER_NOT_FOUND);
    ck_assert_int_eq(router_match(http_routes, http_routes_count, "POST", "/bench/echo", true, &m),
                     ROUTER_FOUND);
    ck_assert_int_eq(m.index, route_index("POST", "/bench/echo"));
    ck_assert(http_routes[m.index].bench_only);
    ck_assert_int_eq(router_match(http_routes, http_routes_count, "GET", "/bench/echo", true, &m),
                     ROUTER_METHOD_NOT_ALLOWED);
    ck_assert_str_eq(m.allow, "POST");
}
END_TEST

START_TEST(test_real_overlong_path)
{
    char path[ROUTER_PATH_MAX * 2];

    struct route_match m;

    memcpy(path, "/api/v1/tokens/", 15);
    memset(path + 15, 'a', sizeof(path) - 16);
    path[sizeof(path) - 1] = '\0';
    ck_assert_int_eq(router_match(http_routes, http_routes_count, "DELETE", path, false, &m),
                     ROUTER_NOT_FOUND);
    ck_assert_int_eq(m.index, -1);
}
END_TEST

/* Every /api/v1/ route names its roles; only the few public ones have none. */
START_TEST(test_real_table_roles)
{
    for (size_t i = 0; i < http_routes_count; i++) {
        const struct route *r = &http_routes[i];

        ck_assert_msg(r->pattern[0] == '/', "route %zu pattern %s", i, r->pattern);
        /* signing in is open (with a password, or through an OpenID
         * provider: /api/v1/auth/oidc..., or with a passkey alone:
         * /api/v1/session/passkey...), and a calendar feed, whose address
         * holds its credential (calendar programs send none), and
         * acknowledging a reminder, whose signed token in the body is its
         * credential: no other /api/ route */
        if (strncmp(r->pattern, "/api/v1/", 8) == 0 &&
            !(strcmp(r->method, "POST") == 0 && strcmp(r->pattern, "/api/v1/session") == 0) &&
            !(strcmp(r->method, "POST") == 0 &&
              strncmp(r->pattern, "/api/v1/session/passkey", 23) == 0) &&
            !(strcmp(r->method, "GET") == 0 && strncmp(r->pattern, "/api/v1/auth/oidc", 17) == 0) &&
            !(strcmp(r->method, "GET") == 0 &&
              strcmp(r->pattern, "/api/v1/calendar/{feed}") == 0) &&
            !(strcmp(r->method, "POST") == 0 && strcmp(r->pattern, "/api/v1/reminders/ack") == 0))
            ck_assert_msg(r->roles != 0, "%s %s is public", r->method, r->pattern);
        if (r->kind == ROUTE_API)
            ck_assert_msg(r->handler != NULL, "%s %s has no handler", r->method, r->pattern);
        /* every row is reachable by its own method and pattern */
        for (size_t j = 0; j < i; j++)
            ck_assert_msg(strcmp(http_routes[j].method, r->method) != 0 ||
                              strcmp(http_routes[j].pattern, r->pattern) != 0,
                          "duplicate route %s %s", r->method, r->pattern);
    }
}
END_TEST

static Suite *
router_suite(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("local");

    tcase_add_loop_test(tc, test_local_table, 0,
                        (int)(sizeof(local_cases) / sizeof(local_cases[0])));
    tcase_add_test(tc, test_local_four_params);
    tcase_add_test(tc, test_empty_table);
    tcase_add_test(tc, test_path_length_limit);
    suite_add_tcase(s, tc);

    tc = tcase_create("routes");
    tcase_add_test(tc, test_every_route_has_a_policy);
    tcase_add_test(tc, test_step_up_routes);
    tcase_add_test(tc, test_real_healthz);
    tcase_add_test(tc, test_real_metrics);
    tcase_add_test(tc, test_real_token_revoke_param);
    tcase_add_test(tc, test_real_tokens_methods);
    tcase_add_test(tc, test_real_not_found);
    tcase_add_test(tc, test_real_audit_routes);
    tcase_add_test(tc, test_real_bench_only);
    tcase_add_test(tc, test_real_overlong_path);
    tcase_add_test(tc, test_real_table_roles);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(router_suite());
}
