/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * guard.c - see guard.h.
 *
 * Why from outside: libmicrohttpd 0.9.75 has no option for a header or
 * body deadline (MHD_OPTION_CONNECTION_TIMEOUT is reset by every byte), and
 * a connection can only be closed by its own event thread.  What it does
 * give is the connection's socket (MHD_CONNECTION_INFO_CONNECTION_FD) and a
 * callback when a connection starts and closes.  A ticker scans the
 * registered connections once a second and shutdown(2)s the socket of any
 * that is late; the connection's event thread then sees the end of the
 * stream and closes it the ordinary way (its request, if any, ends as
 * aborted).  No 408 is sent: only the library may write to the socket.
 *
 * The invariant that makes shutdown(2) from another thread safe: a socket
 * is shut down only under `lock`, and only while its connection is in the
 * list; libmicrohttpd calls the CLOSED notification, which takes `lock`
 * to unlink it, before it closes the descriptor.  So the number is never
 * one that a newer connection (or a file) has taken meanwhile.
 */
#include "guard.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/ticker.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>

struct guard_conn {
    struct guard_conn *prev, *next;
    MHD_socket fd;
    enum guard_phase phase;
    int64_t since_us; /* when the phase began (monotonic, real: never the test clock) */
    uint64_t body_bytes;
    bool closing; /* shut down already: wait for libmicrohttpd to close it */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct guard_conn *head;
static struct guard_limits limits = {10, 0};
static struct ticker reaper;
static _Atomic uint64_t closed;

bool
guard_within(enum guard_phase phase, int64_t elapsed_us, uint64_t body_bytes,
             const struct guard_limits *l)
{
    int64_t allowed = (int64_t)l->header_timeout * 1000000;

    switch (phase) {
    case GUARD_HEADERS:
        return elapsed_us <= allowed;
    case GUARD_BODY:
        if (l->body_min_rate == 0)
            return true;
        /* the grace, then one second per body_min_rate bytes received */
        if (body_bytes > (uint64_t)INT64_MAX / 1000000)
            return true;
        return elapsed_us <= allowed + (int64_t)(body_bytes * 1000000 / l->body_min_rate);
    case GUARD_HANDLED:
        break;
    }
    return true;
}

/* One pass: shut down every connection past its bound. */
static int
reap(int64_t now, struct mp_error *err)
{
    int64_t mono = clock_mono_real_us();
    unsigned headers = 0, body = 0;

    (void)now;
    (void)err;
    pthread_mutex_lock(&lock);
    for (struct guard_conn *g = head; g != NULL; g = g->next) {
        if (g->closing || guard_within(g->phase, mono - g->since_us, g->body_bytes, &limits))
            continue;
        if (shutdown(g->fd, SHUT_RDWR) != 0)
            continue; /* closed by the peer meanwhile: libmicrohttpd sees it */
        g->closing = true;
        if (g->phase == GUARD_HEADERS)
            headers++;
        else
            body++;
    }
    pthread_mutex_unlock(&lock);
    if (headers + body > 0) {
        atomic_fetch_add(&closed, headers + body);
        log_info("slow connections closed headers=%u body=%u", headers, body);
    }
    return 0;
}

int
guard_start(const struct guard_limits *l)
{
    limits = *l;
    return ticker_start(&reaper, 1, "the slow-connection guard", reap);
}

void
guard_stop(void)
{
    ticker_stop(&reaper);
}

/* Files the daemon keeps open besides connections: the database (three
 * files per SQLite connection, one connection per thread), the lock, the
 * log, epoll and inter-thread descriptors; generous. */
#define OTHER_FILES 1024

unsigned
guard_fd_room(unsigned connections)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)connections + OTHER_FILES;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return connections;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            (void)getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
        return connections;
    return rl.rlim_cur > (rlim_t)2 * OTHER_FILES ? (unsigned)(rl.rlim_cur - OTHER_FILES)
                                                 : (unsigned)(rl.rlim_cur / 2);
}

uint64_t
guard_closed_count(void)
{
    return atomic_load(&closed);
}

void
guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
             enum MHD_ConnectionNotificationCode code)
{
    struct guard_conn *g = *socket_context;
    const union MHD_ConnectionInfo *info;

    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        if (g == NULL)
            return;
        pthread_mutex_lock(&lock);
        if (g->prev != NULL)
            g->prev->next = g->next;
        else
            head = g->next;
        if (g->next != NULL)
            g->next->prev = g->prev;
        pthread_mutex_unlock(&lock);
        free(g);
        *socket_context = NULL;
        return;
    }
    info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info == NULL || (g = calloc(1, sizeof(*g))) == NULL) {
        log_warn("a connection is not guarded against slow clients (out of memory)");
        return;
    }
    g->fd = info->connect_fd;
    g->phase = GUARD_HEADERS;
    g->since_us = clock_mono_real_us();
    pthread_mutex_lock(&lock);
    g->next = head;
    if (head != NULL)
        head->prev = g;
    head = g;
    pthread_mutex_unlock(&lock);
    *socket_context = g;
}

/* Moves c's entry to a phase; with reset, its clock starts again. */
static void
set_phase(struct MHD_Connection *c, enum guard_phase phase, size_t more)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct guard_conn *g = info != NULL ? info->socket_context : NULL;

    if (g == NULL)
        return;
    pthread_mutex_lock(&lock);
    if (g->phase != phase) {
        g->phase = phase;
        g->since_us = clock_mono_real_us();
        g->body_bytes = 0;
    }
    g->body_bytes += more;
    pthread_mutex_unlock(&lock);
}

void
guard_headers_done(struct MHD_Connection *c)
{
    set_phase(c, GUARD_BODY, 0);
}

void
guard_body_progress(struct MHD_Connection *c, size_t n)
{
    set_phase(c, GUARD_BODY, n);
}

void
guard_body_done(struct MHD_Connection *c)
{
    set_phase(c, GUARD_HANDLED, 0);
}

void
guard_request_done(struct MHD_Connection *c)
{
    set_phase(c, GUARD_HEADERS, 0);
}
