/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * router.c - see router.h.
 */
#include "router.h"
#include "core/mfa.h"

#include <stdio.h>
#include <string.h>

/* Matches path against pattern, copying parameter values into m->storage.
 * Both start with '/'. */
static bool
match_path(const char *pattern, const char *path, struct route_match *m)
{
    const char *p = pattern, *s = path;
    size_t used = 0;

    m->nparams = 0;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t n = strcspn(s, "/");

            if (close == NULL || n == 0 || m->nparams == API_MAX_PARAMS ||
                used + n + 1 > sizeof(m->storage))
                return false;
            memcpy(m->storage + used, s, n);
            m->storage[used + n] = '\0';
            m->params[m->nparams++] = m->storage + used;
            used += n + 1;
            p = close + 1;
            s += n;
        } else {
            size_t n = strcspn(p, "/");
            if (strncmp(p, s, n) != 0 || (s[n] != '/' && s[n] != '\0'))
                return false;
            p += n;
            s += n;
        }
    }
    return *p == '\0' && *s == '\0';
}

static void
allow_add(char *allow, size_t size, const char *method)
{
    size_t len = strlen(allow);

    if (strstr(allow, method) != NULL)
        return;
    snprintf(allow + len, size - len, "%s%s", len ? ", " : "", method);
}

enum router_result
router_match(const struct route *routes, size_t count, const char *method, const char *path,
             bool bench, struct route_match *m)
{
    bool path_exists = false;
    bool head = strcmp(method, "HEAD") == 0;

    m->index = -1;
    m->allow[0] = '\0';
    if (path[0] != '/' || strlen(path) >= ROUTER_PATH_MAX)
        return ROUTER_NOT_FOUND;
    for (size_t i = 0; i < count; i++) {
        const struct route *r = &routes[i];
        struct route_match tmp;

        if (r->bench_only && !bench)
            continue;
        if (!match_path(r->pattern, path, &tmp))
            continue;
        if (strcmp(r->method, method) == 0 || (head && strcmp(r->method, "GET") == 0)) {
            memcpy(m->storage, tmp.storage, sizeof(tmp.storage));
            m->nparams = tmp.nparams;
            for (int k = 0; k < tmp.nparams; k++)
                m->params[k] = m->storage + (tmp.params[k] - tmp.storage);
            m->index = (int)i;
            m->allow[0] = '\0';
            return ROUTER_FOUND;
        }
        path_exists = true;
        allow_add(m->allow, sizeof(m->allow), r->method);
        if (strcmp(r->method, "GET") == 0)
            allow_add(m->allow, sizeof(m->allow), "HEAD");
    }
    return path_exists ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}

const char *
router_session_refusal(const struct route *route, const struct principal *p, int64_t now)
{
    if (p->must_change_password && !route->during_password_change)
        return "the password must be changed first: POST /api/v1/session/password";
    return mfa_refusal(p, now, route->mfa_step, route->mfa_enrol, route->step_up);
}
