/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * guard.h - slow clients: how long a request may take to arrive.
 *
 * libmicrohttpd 0.9.75 closes a connection only when it has been idle for
 * connection_timeout; a client that trickles one byte every few seconds is
 * never idle and could hold its slot for ever (slowloris).  This module
 * bounds the two phases the library cannot: the request line and headers
 * must be complete within header_timeout seconds of the connection opening
 * (or of the previous answer on a kept-alive connection), and a body must
 * then arrive at body_min_rate bytes per second on average, after a grace
 * of header_timeout seconds.  A connection past its bound is closed.
 *
 * Every connection is registered when libmicrohttpd opens it
 * (MHD_OPTION_NOTIFY_CONNECTION) and unregistered when it closes; server.c
 * reports the progress of each request; a ticker closes what is late.
 */
#ifndef MP_GUARD_H
#define MP_GUARD_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guard_limits {
    unsigned header_timeout; /* seconds for the request line and headers */
    unsigned body_min_rate;  /* bytes per second for a body; 0: no bound */
};

/* Starts the ticker that closes late connections: 0, or -1. */
int guard_start(const struct guard_limits *limits);
/* Stops it (after MHD_stop_daemon: every connection has closed then). */
void guard_stop(void);

/* The MHD_OPTION_NOTIFY_CONNECTION callback. */
void guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                  enum MHD_ConnectionNotificationCode code);

/* From the access handler: the headers are in (first call), n more body
 * bytes arrived, the whole body is in; and, when a request completed, the
 * connection waits for the next request's headers. */
void guard_headers_done(struct MHD_Connection *c);
void guard_body_progress(struct MHD_Connection *c, size_t n);
void guard_body_done(struct MHD_Connection *c);
void guard_request_done(struct MHD_Connection *c);

/* Raises the soft limit on open files (RLIMIT_NOFILE) towards its hard
 * limit so that `connections` sockets fit beside the daemon's other files;
 * returns how many connections fit (connections, or fewer). */
unsigned guard_fd_room(unsigned connections);

/* Connections closed for being too slow since the start (for /metrics). */
uint64_t guard_closed_count(void);

/* The rule itself, for tests: may a connection in a phase, begun
 * elapsed_us ago, with body bytes received so far, go on? */
enum guard_phase {
    GUARD_HEADERS, /* waiting for the request line and headers */
    GUARD_BODY,    /* headers in, body arriving */
    GUARD_HANDLED, /* the request is being answered: not bounded here */
};
bool guard_within(enum guard_phase phase, int64_t elapsed_us, uint64_t body_bytes,
                  const struct guard_limits *limits);

#endif
