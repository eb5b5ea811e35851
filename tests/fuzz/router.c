/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * router.c - fuzz target: the route table and its matcher (http/router.c,
 * http/routes.c), given a method and a path.
 *
 * The input is "METHOD PATH" (the first space or newline splits them).  A
 * route found must be for that method (or GET for HEAD), and its pattern
 * with the parameters put back must give the path again; a 405 must list
 * the methods the path has.  Matched with and without the bench routes.
 */
#include "fuzz.h"
#include "http/router.h"

/* The pattern of route r with m's parameters in place of {name}. */
static void
rebuild(const struct route *r, const struct route_match *m, char *out, size_t size)
{
    const char *p = r->pattern;
    size_t len = 0;
    int k = 0;

    while (*p != '\0' && len + 1 < size) {
        if (*p == '{') {
            const char *v = m->params[k++];
            size_t n = strlen(v);

            FUZZ_ASSERT(len + n < size);
            memcpy(out + len, v, n);
            len += n;
            p = strchr(p, '}') + 1;
        } else {
            out[len++] = *p++;
        }
    }
    out[len] = '\0';
    FUZZ_ASSERT(k == m->nparams);
}

static void
check(const char *method, const char *path, bool bench)
{
    struct route_match m;
    enum router_result res;
    char again[ROUTER_PATH_MAX + 1];

    res = router_match(http_routes, http_routes_count, method, path, bench, &m);
    switch (res) {
    case ROUTER_FOUND: {
        const struct route *r;

        FUZZ_ASSERT(m.index >= 0 && (size_t)m.index < http_routes_count);
        r = &http_routes[m.index];
        FUZZ_ASSERT(bench || !r->bench_only);
        FUZZ_ASSERT(strcmp(r->method, method) == 0 ||
                    (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0));
        FUZZ_ASSERT(m.nparams >= 0 && m.nparams <= API_MAX_PARAMS);
        for (int k = 0; k < m.nparams; k++) {
            FUZZ_ASSERT(m.params[k] >= m.storage && m.params[k] < m.storage + sizeof(m.storage));
            FUZZ_ASSERT(m.params[k][0] != '\0' && strchr(m.params[k], '/') == NULL);
        }
        rebuild(r, &m, again, sizeof(again));
        FUZZ_ASSERT(strcmp(again, path) == 0);
        break;
    }
    case ROUTER_METHOD_NOT_ALLOWED:
        FUZZ_ASSERT(m.allow[0] != '\0' && strlen(m.allow) < sizeof(m.allow));
        FUZZ_ASSERT(m.index == -1);
        break;
    case ROUTER_NOT_FOUND:
        FUZZ_ASSERT(m.index == -1);
        break;
    default:
        FUZZ_ASSERT(!"a result router.h names");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    char *sep = strpbrk(text, " \n");
    const char *method = "GET", *path = text;

    if (sep != NULL) {
        *sep = '\0';
        method = text;
        path = sep + 1;
    }
    check(method, path, false);
    check(method, path, true);
    free(text);
    return 0;
}
