/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * server.c - see server.h.
 *
 * The life of a request: libmicrohttpd calls handle() first with the
 * headers (we allocate struct http_req, check Content-Length against the
 * limit and may answer 413 at once; a large body needs one of a few slots,
 * else 503: lib/admit.h), then once per chunk of body (appended
 * to r->body, or dropped once over the limit), then a last time with no
 * data, when we answer.  completed() runs after the answer was sent or the
 * connection died; it logs, counts, and frees.  Around that, guard.c times
 * each connection from the moment it opens (headers, then body) and closes
 * one that is too slow, and the first call refuses framing that another
 * parser could read differently (framing.c), with 400 and a closed
 * connection.
 *
 * Requests that change data (routes marked `writes`) may wait for a disk
 * commit, so they do not run on the few event threads that poll every
 * connection: the connection is suspended and the request handed to a pool
 * of worker threads; the worker runs the handler (which blocks in
 * store_write until its group commit returns) and resumes the connection,
 * and libmicrohttpd calls handle() once more, where the answer is queued.
 * The number of workers bounds how many concurrent changes one group commit
 * can hold.  Reads run inline: WAL readers never wait for the writer.
 */
#include "server.h"
#include "address.h"
#include "framing.h"
#include "guard.h"
#include "metrics.h"
#include "router.h"
#include "static.h"
#include "core/alert.h"
#include "core/incident.h"
#include "core/notify.h"
#include "core/readiness.h"
#include "core/throttle.h"
#include "core/user.h"
#include "lib/admit.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/text.h"
#include "lib/timeutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

struct http_req {
    int64_t start_us;
    int64_t now;     /* the wall clock, read once when the request is dispatched */
    struct buf body; /* capped at body_limit */
    bool too_large;  /* declared or sent: answered 413 */
    bool large;      /* holds a large-body slot (lib/admit.h) */
    bool busy;       /* a large body and no slot free: answered 503, Retry-After 1 */
    bool close;      /* answer with Connection: close (bad framing) */
    int status;
    size_t bytes;
    size_t slot;
    struct principal principal;
    char method[16];
    char path[256];
    char client[64];      /* the client's address (see client_address) */
    char retry_after[24]; /* Retry-After for the answer, if any */
    char set_cookie[200]; /* Set-Cookie for the answer, if any */
    /* set when the request is handed to a worker */
    struct MHD_Connection *conn;
    const char *url;
    const char *http_method;
    const struct route *route;
    struct route_match match;
    struct api_response rs;
    bool offloaded;
    _Atomic bool done;
    struct http_req *next;
};

static struct MHD_Daemon *daemon_handle;
static struct http_options opts;
static char web_root[4096];
static _Atomic int in_flight;
static _Atomic bool stopping;
static uint16_t bound_port;
static bool tls_on;

/* The worker pool for requests that change data. */
static pthread_t *workers;
static unsigned nworkers;
static pthread_mutex_t wq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wq_cond = PTHREAD_COND_INITIALIZER;
static struct http_req *wq_head, *wq_tail;
static bool wq_stop;

static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                          "form-action 'self'; frame-ancestors 'none'";

static const struct {
    int status;
    const char *title;
} titles[] = {
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {409, "Conflict"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {422, "Unprocessable Content"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {503, "Service Unavailable"},
    {507, "Insufficient Storage"},
};

static const char *
status_title(int status)
{
    for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
        if (titles[i].status == status)
            return titles[i].title;
    }
    return status >= 500 ? "Server Error" : "Client Error";
}

int
http_in_flight(void)
{
    return atomic_load(&in_flight);
}

bool
http_tls(void)
{
    return tls_on;
}

uint16_t
http_port(void)
{
    return bound_port;
}

static void
add_common_headers(struct MHD_Response *resp, bool cacheable)
{
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(resp, "Cache-Control", cacheable ? "no-cache" : "no-store");
}

/* Queues data (copied) with status and content type; extra headers are
 * name/value pairs ending in NULL.  cacheable is an int, not a bool: the
 * parameter before `...` must keep its type under the default argument
 * promotions, or va_start is undefined behaviour (C11 7.16.1.4; clang's
 * -Wvarargs, in the fuzz build). */
static enum MHD_Result
send_bytes(struct MHD_Connection *c, struct http_req *r, int status, const char *type,
           const void *data, size_t len, enum MHD_ResponseMemoryMode mode, int cacheable, ...)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    const char *name;
    va_list ap;

    resp = MHD_create_response_from_buffer(len, (void *)data, mode);
    if (resp == NULL)
        return MHD_NO;
    add_common_headers(resp, cacheable);
    if (type != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    va_start(ap, cacheable);
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        if (value != NULL && value[0] != '\0')
            MHD_add_response_header(resp, name, value);
    }
    va_end(ap);
    if (r->retry_after[0] != '\0')
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, r->retry_after);
    if (r->set_cookie[0] != '\0')
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
    if (r->close || atomic_load(&stopping))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    r->status = status;
    r->bytes = len;
    return ret;
}

static enum MHD_Result
send_json(struct MHD_Connection *c, struct http_req *r, int status, const char *type, json_t *body,
          const char *location, const char *etag, const char *allow, const char *www_auth)
{
    char *text = NULL;
    size_t len = 0;

    if (body != NULL) {
        text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17));
        if (text == NULL)
            return MHD_NO;
        len = strlen(text);
    }
    return send_bytes(c, r, status, body ? type : NULL, text ? text : "", len,
                      text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT, false,
                      MHD_HTTP_HEADER_LOCATION, location, MHD_HTTP_HEADER_ETAG, etag,
                      MHD_HTTP_HEADER_ALLOW, allow, MHD_HTTP_HEADER_WWW_AUTHENTICATE, www_auth,
                      NULL);
}

/* An RFC 9457 problem; errors (stolen, may be NULL) lists field errors,
 * extra (stolen, may be NULL) adds members. */
static enum MHD_Result
send_problem_ext(struct MHD_Connection *c, struct http_req *r, const char *path, int status,
                 const char *detail, json_t *errors, json_t *extra, const char *allow,
                 const char *www_auth)
{
    char safe_detail[400], safe_path[300];
    enum MHD_Result ret;
    json_t *p;

    /* Both may echo what the client sent: keep them valid UTF-8 so the
     * answer can always be made. */
    text_copy_utf8(safe_detail, sizeof(safe_detail), detail);
    text_copy_utf8(safe_path, sizeof(safe_path), path);
    p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", "about:blank", "title", status_title(status),
                  "status", status, "detail", safe_detail, "instance", safe_path);

    if (p == NULL) {
        json_decref(errors);
        json_decref(extra);
        return MHD_NO;
    }
    /* the machine's word for it, for clients that speak the user's language */
    json_object_set_new(p, "code", json_string(mp_error_code(status, safe_detail)));
    if (extra != NULL) {
        json_object_update_missing(p, extra);
        json_decref(extra);
    }
    if (errors != NULL)
        json_object_set_new(p, "errors", errors);
    ret = send_json(c, r, status, "application/problem+json", p, NULL, NULL, allow, www_auth);
    json_decref(p);
    return ret;
}

static enum MHD_Result
send_problem(struct MHD_Connection *c, struct http_req *r, const char *path, int status,
             const char *detail, json_t *errors, const char *allow, const char *www_auth)
{
    return send_problem_ext(c, r, path, status, detail, errors, NULL, allow, www_auth);
}

static const char *
header_of(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

static const char *
query_of(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

/* application/json, or a JSON-based type such as application/merge-patch+json
 * (RFC 7396), with optional parameters. */
static bool
is_json_type(const char *type)
{
    static const char app[] = "application/";
    size_t n;

    if (type == NULL)
        return false;
    while (*type == ' ')
        type++;
    if (strncasecmp(type, app, sizeof(app) - 1) != 0)
        return false;
    type += sizeof(app) - 1;
    n = strcspn(type, "; ");
    return (n == 4 && strncasecmp(type, "json", 4) == 0) ||
           (n > 5 && strncasecmp(type + n - 5, "+json", 5) == 0);
}

/* 1 authenticated, 0 answered 401, -1 answered 503.  An API token in
 * Authorization: Bearer, or else a session cookie (core/user.h). */
static int
authenticate(struct MHD_Connection *c, struct http_req *r, const char *path, enum MHD_Result *ret)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, SESSION_COOKIE);
    struct mp_error err;
    bool by_token = h != NULL && strncasecmp(h, "Bearer ", 7) == 0;
    int found;

    if (by_token) {
        h += 7;
        while (*h == ' ')
            h++;
        found = token_authenticate(h, r->now, r->client, &r->principal, &err);
    } else if (cookie != NULL) {
        mp_error_set(&err, 401, "", "the session has ended or expired: sign in again");
        found = session_authenticate(cookie, r->now, &r->principal, &err);
    } else {
        *ret = send_problem(c, r, path, 401,
                            "this route needs an API token (Authorization: Bearer <token>) or a "
                            "session (sign in with POST /api/v1/session)",
                            NULL, NULL, "Bearer realm=\"meldpunt\"");
        return 0;
    }
    if (found <= 0) { /* 503: storage; else why (a real token's expiry or source: the field) */
        *ret = send_problem(
            c, r, path, found < 0 ? 503 : err.status, err.message,
            found == 0 && err.field[0]
                ? json_pack("[{s:s, s:s, s:s}]", "field", err.field, "code",
                            mp_error_code(err.status, err.message), "message", err.message)
                : NULL,
            NULL,
            found == 0 && err.status == 401 ? "Bearer realm=\"meldpunt\", error=\"invalid_token\""
                                            : NULL);
        return found < 0 ? -1 : 0;
    }
    return 1;
}

/* Unsafe methods under a session cookie must echo its CSRF token. */
static bool
csrf_ok(struct MHD_Connection *c, const struct http_req *r, const char *method)
{
    const char *t;
    size_t n;

    if (!r->principal.session || strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
        strcmp(method, "OPTIONS") == 0)
        return true;
    t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
    n = strlen(r->principal.csrf);
    return t != NULL && n > 0 && strlen(t) == n && sodium_memcmp(t, r->principal.csrf, n) == 0;
}

static enum MHD_Result
check_utf8(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    bool *ok = cls;

    (void)kind;
    if (!text_valid_utf8(key, true) || (value != NULL && !text_valid_utf8(value, true))) {
        *ok = false;
        return MHD_NO;
    }
    return MHD_YES;
}

static bool
query_valid(struct MHD_Connection *c)
{
    bool ok = true;

    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_utf8, &ok);
    return ok;
}

/* A principal limited to some TLP levels (core/user.h) never learns of an
 * incident above them: every route under such an incident or one of its
 * notifications answers 404 as for one that does not exist, and the audit
 * log (which records every incident) is closed.  Lists, counts and
 * searches filter in their queries.  True when an answer was queued. */
static bool
tlp_hidden(struct MHD_Connection *c, struct http_req *r, const struct route *route,
           const struct route_match *m, const char *path, enum MHD_Result *ret)
{
    struct mp_error err;
    int rc = 0;

    switch (route->tlp) {
    case ROUTE_TLP_INCIDENT:
        rc = incident_check_visible(&r->principal, m->params[0], &err);
        break;
    case ROUTE_TLP_NOTIFICATION:
        rc = notify_check_visible(&r->principal, m->params[0], &err);
        break;
    case ROUTE_TLP_ALERT:
        rc = alert_check_visible(&r->principal, m->params[0], &err);
        break;
    case ROUTE_TLP_CLOSED:
        *ret = send_problem(c, r, path, 403,
                            "the audit log records every incident: it is closed to tokens and "
                            "users limited to some TLP levels",
                            NULL, NULL, NULL);
        return true;
    case ROUTE_TLP_FREE:
    case ROUTE_TLP_FILTERED:
        break;
    case ROUTE_TLP_UNSET:
        /* a route without a policy is a mistake in the table: refuse */
        *ret = send_problem(c, r, path, 500, "this route has no TLP policy", NULL, NULL, NULL);
        return true;
    }
    if (rc == 0)
        return false;
    *ret = send_problem(c, r, path, err.status ? err.status : 500, err.message, NULL, NULL, NULL);
    return true;
}

static enum MHD_Result
serve_static(struct MHD_Connection *c, struct http_req *r, const char *path)
{
    struct static_file f;
    const char *inm;

    if (!static_lookup(web_root, path, &f))
        return send_problem(c, r, path, 404, "no such page or resource", NULL, NULL, NULL);
    inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm != NULL && strcmp(inm, f.etag) == 0) {
        free(f.owned);
        return send_bytes(c, r, 304, NULL, "", 0, MHD_RESPMEM_PERSISTENT, true,
                          MHD_HTTP_HEADER_ETAG, f.etag, NULL);
    }
    if (f.owned != NULL)
        return send_bytes(c, r, 200, f.content_type, f.owned, f.len, MHD_RESPMEM_MUST_FREE, true,
                          MHD_HTTP_HEADER_ETAG, f.etag, NULL);
    return send_bytes(c, r, 200, f.content_type, f.data, f.len, MHD_RESPMEM_PERSISTENT, true,
                      MHD_HTTP_HEADER_ETAG, f.etag, NULL);
}

static enum MHD_Result
serve_metrics(struct MHD_Connection *c, struct http_req *r)
{
    struct buf b = BUF_INIT;
    size_t len;
    char *text;

    metrics_render(&b, atomic_load(&in_flight), r->principal.tlp_max);
    if (buf_failed(&b)) {
        buf_free(&b);
        return MHD_NO;
    }
    text = buf_detach(&b, &len);
    return send_bytes(c, r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len,
                      MHD_RESPMEM_MUST_FREE, false, NULL);
}

/* Runs the route's handler for r; on a worker thread or inline. */
static void
run_handler(struct http_req *r)
{
    struct api_request rq;

    memset(&rq, 0, sizeof(rq));
    rq.method = r->http_method;
    rq.path = r->url;
    rq.nparams = r->match.nparams;
    for (int i = 0; i < r->match.nparams; i++)
        rq.params[i] = r->match.params[i];
    rq.principal = &r->principal;
    rq.body = r->body.data;
    rq.body_len = r->body.len;
    rq.header = header_of;
    rq.query = query_of;
    rq.ctx = r->conn;
    rq.client = r->client;
    rq.tls = tls_on;
    rq.now = r->now;
    r->route->handler(&rq, &r->rs);
}

/* Sends the handler's answer; on an event thread. */
static enum MHD_Result
finish(struct MHD_Connection *c, struct http_req *r)
{
    struct api_response *rs = &r->rs;
    enum MHD_Result ret;

    if (rs->cookie[0] != '\0') {
        snprintf(r->set_cookie, sizeof(r->set_cookie), "%s", rs->cookie);
        sodium_memzero(rs->cookie, sizeof(rs->cookie));
    }
    if (rs->retry_after > 0)
        snprintf(r->retry_after, sizeof(r->retry_after), "%lld", (long long)rs->retry_after);
    if (rs->status >= 400) {
        if (rs->status >= 500)
            log_error("request failed method=%s route=%s status=%d detail=\"%s\"", r->method,
                      r->route->pattern, rs->status, rs->detail);
        ret = send_problem_ext(c, r, r->url, rs->status, rs->detail, rs->errors, rs->extra, NULL,
                               NULL);
        rs->errors = rs->extra = NULL;
    } else if (rs->raw != NULL) {
        ret = send_bytes(c, r, rs->status, rs->content_type, rs->raw, rs->raw_len,
                         MHD_RESPMEM_MUST_FREE, false, MHD_HTTP_HEADER_LOCATION, rs->location,
                         MHD_HTTP_HEADER_ETAG, rs->etag, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
                         rs->disposition, NULL);
        rs->raw = NULL;
    } else {
        ret = send_json(c, r, rs->status ? rs->status : 200, "application/json", rs->body,
                        rs->location, rs->etag, NULL, NULL);
    }
    api_response_free(rs);
    return ret;
}

static void *
worker_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&wq_lock);
    for (;;) {
        struct http_req *r;

        while (wq_head == NULL && !wq_stop)
            pthread_cond_wait(&wq_cond, &wq_lock);
        if (wq_head == NULL)
            break;
        r = wq_head;
        wq_head = r->next;
        if (wq_head == NULL)
            wq_tail = NULL;
        r->next = NULL;
        pthread_mutex_unlock(&wq_lock);

        run_handler(r);
        atomic_store(&r->done, true);
        MHD_resume_connection(r->conn);

        pthread_mutex_lock(&wq_lock);
    }
    pthread_mutex_unlock(&wq_lock);
    return NULL;
}

static void
workers_stop(void)
{
    pthread_mutex_lock(&wq_lock);
    wq_stop = true;
    pthread_cond_broadcast(&wq_cond);
    pthread_mutex_unlock(&wq_lock);
    for (unsigned i = 0; i < nworkers; i++)
        pthread_join(workers[i], NULL);
    free(workers);
    workers = NULL;
    nworkers = 0;
}

static int
workers_start(unsigned n)
{
    wq_stop = false;
    workers = calloc(n, sizeof(*workers));
    if (workers == NULL)
        return -1;
    for (nworkers = 0; nworkers < n; nworkers++) {
        if (pthread_create(&workers[nworkers], NULL, worker_main, NULL) != 0) {
            workers_stop();
            return -1;
        }
    }
    return 0;
}

/* Routes that still run while the server is read-only (the audit chain did
 * not verify): in test builds the test clock, which changes no data of its
 * own (the passes it runs are refused by the writer like any change). */
static bool
read_only_exempt(const struct route *route)
{
#ifdef MP_TEST_BUILD
    return strcmp(route->pattern, "/api/v1/test/clock") == 0;
#else
    (void)route;
    return false;
#endif
}

static enum MHD_Result
dispatch(struct MHD_Connection *c, struct http_req *r, const char *method, const char *path)
{
    bool api = strncmp(path, "/api/", 5) == 0;
    struct route_match m;
    enum router_result found;
    const struct route *route;
    const char *why;
    enum MHD_Result ret;

    if (atomic_load(&stopping))
        return send_problem(c, r, path, 503, "the server is shutting down", NULL, NULL, NULL);
    /* The request's one "now": authentication, the handler and everything
     * it changes see this time (lib/clock.h). */
    r->now = clock_now();
    if (!text_valid_utf8(path, true) || !query_valid(c)) {
        return send_problem(c, r, path, 400,
                            "the path and query must be UTF-8 without control characters", NULL,
                            NULL, NULL);
    }
    http_client_address(c, r->client);
    if (opts.rate_limit > 0) {
        int64_t retry = 0;
        if (!throttle_rate(r->client, clock_mono_us(), opts.rate_limit, opts.rate_burst, &retry)) {
            snprintf(r->retry_after, sizeof(r->retry_after), "%lld", (long long)retry);
            return send_problem(c, r, path, 429, "too many requests from this address", NULL, NULL,
                                NULL);
        }
    }
    if (r->busy) /* its Retry-After was set with it */
        return send_problem(c, r, path, 503,
                            "too many large request bodies at once; retry after a second", NULL,
                            NULL, NULL);
    if (r->too_large) {
        char detail[96];
        snprintf(detail, sizeof(detail), "the request body is larger than %zu bytes",
                 opts.body_limit);
        return send_problem(c, r, path, 413, detail, NULL, NULL, NULL);
    }

    found = router_match(http_routes, http_routes_count, method, path, opts.bench_endpoints, &m);
    /* Under /api/ the caller must prove who they are before learning which
     * routes exist; only a route with no roles (signing in) is open. */
    if (api && !(found == ROUTER_FOUND && http_routes[m.index].roles == 0) &&
        authenticate(c, r, path, &ret) != 1)
        return ret;
    if (found == ROUTER_NOT_FOUND) {
        if (!api && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)) {
            r->slot = METRICS_SLOT_STATIC(http_routes_count);
            return serve_static(c, r, path);
        }
        return send_problem(c, r, path, 404, "no such route", NULL, NULL, NULL);
    }
    if (found == ROUTER_METHOD_NOT_ALLOWED) {
        char detail[128];
        snprintf(detail, sizeof(detail), "%s is not allowed here; allowed: %s", method, m.allow);
        return send_problem(c, r, path, 405, detail, NULL, m.allow, NULL);
    }
    r->slot = (size_t)m.index;
    route = &http_routes[m.index];
    if (route->roles != 0) {
        if (!r->principal.authenticated && authenticate(c, r, path, &ret) != 1)
            return ret;
        if (!csrf_ok(c, r, method))
            return send_problem(c, r, path, 403,
                                "a change made with a session needs the header X-CSRF-Token "
                                "with the session's csrf_token",
                                NULL, NULL, NULL);
        if ((why = router_session_refusal(route, &r->principal, r->now)) != NULL)
            return send_problem(c, r, path, 403, why, NULL, NULL, NULL);
        if ((route->roles & ROLE_BIT(r->principal.role)) == 0) {
            char detail[96];
            snprintf(detail, sizeof(detail), "the role '%s' may not do this",
                     role_name(r->principal.role));
            return send_problem(c, r, path, 403, detail, NULL, NULL, NULL);
        }
        if (route->person_only != NULL && !r->principal.session)
            return send_problem(c, r, path, 403, route->person_only, NULL, NULL, NULL);
        if (r->principal.tlp_max < TLP_RED && tlp_hidden(c, r, route, &m, path, &ret))
            return ret;
    }
    if (route->kind == ROUTE_METRICS)
        return serve_metrics(c, r);
    if (r->body.len > 0 &&
        !is_json_type(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type")))
        return send_problem(c, r, path, 415, "the body must be application/json", NULL, NULL, NULL);

    if (route->writes && !readiness_audit_ok() && !read_only_exempt(route))
        return send_problem(c, r, path, 503,
                            "read-only: the audit chain did not verify when the server started "
                            "(GET /readyz names the entry); every change is refused until an "
                            "admin runs `meldpunt audit acknowledge --reason TEXT` and the server "
                            "is restarted or reloaded (SIGHUP)",
                            NULL, NULL, NULL);

    r->conn = c;
    r->url = path;
    r->http_method = method;
    r->route = route;
    /* m lives on this stack frame and its params point into its own
     * storage; a worker runs the handler after this frame is gone, so the
     * copy's params must point into the copy. */
    r->match = m;
    for (int i = 0; i < m.nparams; i++)
        r->match.params[i] = r->match.storage + (m.params[i] - m.storage);
    if (route->writes && nworkers > 0) {
        r->offloaded = true;
        MHD_suspend_connection(c);
        pthread_mutex_lock(&wq_lock);
        if (wq_tail)
            wq_tail->next = r;
        else
            wq_head = r;
        wq_tail = r;
        pthread_cond_signal(&wq_cond);
        pthread_mutex_unlock(&wq_lock);
        return MHD_YES;
    }
    run_handler(r);
    return finish(c, r);
}

/* Takes a large-body slot for r; false (and r->busy) when none is free. */
static bool
admit_body(struct http_req *r)
{
    if (admit_take(&admit_bodies)) {
        r->large = true;
        return true;
    }
    r->busy = true;
    snprintf(r->retry_after, sizeof(r->retry_after), "1");
    return false;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
       const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    struct http_req *r = *con_cls;

    (void)cls;
    (void)version;
    if (r == NULL || framing_marked(r)) {
        const void *mark = r;
        const char *cl, *bad;
        int status = 400;

        guard_headers_done(c);
        r = calloc(1, sizeof(*r));
        if (r == NULL)
            return MHD_NO;
        r->start_us = clock_mono_real_us();
        r->slot = METRICS_SLOT_UNMATCHED(http_routes_count);
        snprintf(r->principal.name, sizeof(r->principal.name), "-");
        snprintf(r->method, sizeof(r->method), "%s", method);
        snprintf(r->path, sizeof(r->path), "%s", url);
        buf_set_max(&r->body, opts.body_limit);
        atomic_fetch_add(&in_flight, 1);
        *con_cls = r;
        /* Framing two parsers could read differently, and a target or
         * headers over our sizes, are refused, and the connection closed,
         * before anything else (http/framing.h). */
        bad = mark != NULL ? framing_target_problem(mark, &status) : framing_check(c, &status);
        if (bad != NULL) {
            r->close = true;
            r->now = clock_now();
            return send_problem(c, r, url, status, bad, NULL, NULL, NULL);
        }
        /* A declared body over the limit is refused before it is read. */
        cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && strtoull(cl, NULL, 10) > opts.body_limit) {
            r->too_large = true;
            return dispatch(c, r, method, url);
        }
        /* A declared large body needs a slot before it is read. */
        if (cl != NULL && strtoull(cl, NULL, 10) > ADMIT_LARGE && !admit_body(r))
            return dispatch(c, r, method, url);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        guard_body_progress(c, *upload_data_size);
        if (!r->close && !r->too_large && !r->busy) {
            buf_append(&r->body, upload_data, *upload_data_size);
            if (r->body.len > ADMIT_LARGE && !r->large && !admit_body(r)) {
                buf_free(&r->body); /* chunked, and no slot: the rest is discarded */
            } else if (buf_too_big(&r->body)) {
                r->too_large = true; /* the rest is discarded */
                buf_free(&r->body);
            } else if (buf_failed(&r->body)) {
                return MHD_NO;
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    guard_body_done(c);
    if (r->offloaded)
        return atomic_load(&r->done) ? finish(c, r) : MHD_YES;
    if (r->status != 0)
        return MHD_YES; /* answered early (400, 413) */
    return dispatch(c, r, method, url);
}

#define CALENDAR_PATH "/api/v1/calendar/"

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    struct http_req *r = *con_cls;
    int64_t us;

    (void)cls;
    guard_request_done(c);
    if (r == NULL || framing_marked(r)) {
        *con_cls = NULL;
        return;
    }
    us = clock_mono_real_us() - r->start_us;
    metrics_observe(r->slot, r->status, us);
    if (log_enabled(LOG_INFO)) {
        char path[300];

        /* a calendar feed's address is its credential: never in the log */
        log_quote(path, sizeof(path),
                  strncmp(r->path, CALENDAR_PATH, strlen(CALENDAR_PATH)) == 0 ? CALENDAR_PATH
                      "(secret).ics"
                                                                              : r->path);
        log_info("request method=%s path=%s status=%d bytes=%zu us=%lld principal=%s%s", r->method,
                 path, r->status, r->bytes, (long long)us, r->principal.name,
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=true");
    }
    buf_free(&r->body);
    api_response_free(&r->rs);
    if (r->large)
        admit_give(&admit_bodies);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&in_flight, 1);
}

static void __attribute__((format(printf, 2, 0))) mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512], quoted[600];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_quote(quoted, sizeof(quoted), msg);
    log_info("libmicrohttpd detail=%s", quoted);
}

int
http_start(const struct http_options *o, struct mp_error *err)
{
    struct sockaddr_in sa4;
    struct sockaddr_in6 sa6;
    const struct sockaddr *sa;
    const union MHD_DaemonInfo *info;
    unsigned connections;
    /* MHD_USE_ITC: http_stop quiesces the daemon, which with internal
     * threads needs it (without it MHD_quiesce_daemon fails and the
     * listening socket would stay open while draining). */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    char host[64];
    uint16_t port;
    bool v6;

    struct MHD_OptionItem tls[4] = {{MHD_OPTION_END, 0, NULL}};

    opts = *o;
    snprintf(web_root, sizeof(web_root), "%s", o->web_root ? o->web_root : "");
    if (http_parse_proxies(o->trusted_proxies ? o->trusted_proxies : "", NULL) != 0)
        return mp_error_set(err, 0, "trusted_proxies", "bad trusted_proxies '%s'",
                            o->trusted_proxies);
    tls_on = o->tls_cert_pem != NULL && o->tls_key_pem != NULL;
    if (tls_on) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
            return mp_error_set(err, 0, "tls_cert", "this libmicrohttpd was built without TLS");
        flags |= MHD_USE_TLS;
        /* TLS 1.2 and 1.3 only, GnuTLS's secure defaults otherwise */
        tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)o->tls_key_pem};
        tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)o->tls_cert_pem};
        tls[2] = (struct MHD_OptionItem){
            MHD_OPTION_HTTPS_PRIORITIES, 0,
            (void *)"SECURE256:+SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"};
        tls[3] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    }
    opts.web_root = web_root;
    if (http_parse_listen(o->listen, host, &port, &v6) != 0)
        return mp_error_set(err, 0, "listen", "bad listen address '%s'", o->listen);
    if (v6) {
        memset(&sa6, 0, sizeof(sa6));
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons(port);
        inet_pton(AF_INET6, host, &sa6.sin6_addr);
        sa = (const struct sockaddr *)&sa6;
        flags |= MHD_USE_IPv6;
    } else {
        memset(&sa4, 0, sizeof(sa4));
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons(port);
        inet_pton(AF_INET, host, &sa4.sin_addr);
        sa = (const struct sockaddr *)&sa4;
    }
    if (metrics_init(http_routes_count) != 0)
        return mp_error_set(err, 0, "", "out of memory");
    if (workers_start(o->workers) != 0) {
        metrics_free();
        return mp_error_set(err, 0, "", "cannot start %u worker threads", o->workers);
    }
    if (admit_start(o->large_bodies) != 0 ||
        guard_start(&(struct guard_limits){o->header_timeout, o->body_min_rate}) != 0) {
        admit_stop();
        workers_stop();
        metrics_free();
        return mp_error_set(err, 0, "", "cannot start the slow-connection guard or memory trim");
    }
    atomic_store(&stopping, false);
    connections = guard_fd_room(o->connection_limit);
    if (connections < o->connection_limit)
        log_warn("too few open files allowed (RLIMIT_NOFILE; LimitNOFILE= under systemd) for "
                 "connection_limit=%u: at most %u connections",
                 o->connection_limit, connections);
    /* one option and its values a line */
    /* clang-format off */
    daemon_handle = MHD_start_daemon(
        flags, port, NULL, NULL, handle, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o->threads,
        MHD_OPTION_CONNECTION_LIMIT, connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)o->per_ip_connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->connection_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)o->connection_memory_limit,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        /* slow clients (guard.h) and the target as sent (framing.h) */
        MHD_OPTION_NOTIFY_CONNECTION, guard_notify, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, framing_uri_log, NULL,
        MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1,
        MHD_OPTION_ARRAY, tls,
        MHD_OPTION_END);
    /* clang-format on */
    if (daemon_handle == NULL) {
        guard_stop();
        admit_stop();
        workers_stop();
        metrics_free();
        return mp_error_set(err, 0, "listen",
                            "cannot listen on %s (address in use, or not an address of this "
                            "host?)",
                            o->listen);
    }
    info = MHD_get_daemon_info(daemon_handle, MHD_DAEMON_INFO_BIND_PORT);
    bound_port = info ? info->port : port;
    return 0;
}

void
http_stop(unsigned timeout_ms)
{
    int64_t deadline = clock_mono_real_us() + (int64_t)timeout_ms * 1000;
    MHD_socket fd;

    if (daemon_handle == NULL)
        return;
    /*
     * Stop accepting at once, so that a client arriving now is refused and
     * tries elsewhere, instead of being accepted by the kernel into the
     * listen queue, left waiting for the drain and then reset.  Quiescing
     * takes the socket out of the event threads' epoll sets (that needs
     * MHD_USE_ITC, see http_start) but leaves it listening; shutdown() ends
     * the listening (Linux: new connections are refused, queued ones
     * reset).  The descriptor itself is closed only after MHD_stop_daemon,
     * as libmicrohttpd asks: an event thread may still hold its number, and
     * a new socket must not take it meanwhile.
     */
    fd = MHD_quiesce_daemon(daemon_handle);
    if (fd != MHD_INVALID_SOCKET && shutdown(fd, SHUT_RDWR) != 0)
        log_warn("shutdown of the listening socket failed error=\"%s\"", strerror(errno));
    log_notice("stopped accepting in_flight=%d", atomic_load(&in_flight));
    atomic_store(&stopping, true);
    while (atomic_load(&in_flight) > 0 && clock_mono_real_us() < deadline)
        usleep(10 * 1000);
    if (atomic_load(&in_flight) > 0)
        log_warn("shutdown timeout passed in_flight=%d", atomic_load(&in_flight));
    /* Every request handed to a worker resumes its connection when done; a
     * suspended connection must not be left behind at MHD_stop_daemon. */
    workers_stop();
    MHD_stop_daemon(daemon_handle);
    guard_stop();
    admit_stop();
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    daemon_handle = NULL;
    metrics_free();
}
