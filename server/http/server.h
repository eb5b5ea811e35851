/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * server.h - the HTTP server (libmicrohttpd glue).
 *
 * libmicrohttpd runs a pool of worker threads polling with epoll.  For each
 * request this layer accumulates the body under a hard limit (413 beyond
 * it, without buffering the rest), routes it, authenticates it, checks the
 * role, calls the handler and turns its answer into a response with the
 * security headers every response carries.  Errors are RFC 9457 problems.
 * It logs one line per request when the log level is info.
 */
#ifndef MP_SERVER_H
#define MP_SERVER_H

#include "lib/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_options {
    const char *listen; /* ADDR:PORT */
    const char *web_root;
    unsigned threads; /* event threads (epoll) */
    unsigned workers; /* threads running requests that change data */
    unsigned connection_limit;
    unsigned per_ip_connection_limit;
    unsigned connection_timeout;
    /* Slow clients (http/guard.h): seconds for the request line and
     * headers, and the least body rate in bytes per second (0: none). */
    unsigned header_timeout;
    unsigned body_min_rate;
    size_t connection_memory_limit;
    size_t body_limit;
    /* Bodies over 64K read or answered at once (lib/admit.h); more: 503. */
    unsigned large_bodies;
    bool bench_endpoints;
    /* TLS: PEM text of the certificate (chain) and key; NULL: plain HTTP */
    const char *tls_cert_pem;
    const char *tls_key_pem;
    /* Addresses whose X-Forwarded-For is believed ("127.0.0.1, ::1"); the
     * client is then the last address in it that is not one of these. */
    const char *trusted_proxies;
    /* Requests per second per client address (token bucket), 0: no limit. */
    unsigned rate_limit;
    unsigned rate_burst;
};

/* "127.0.0.1:8080", "[::1]:8080"; port 0 asks for any free port.  host
 * receives the numeric address without brackets. */
int http_parse_listen(const char *s, char host[64], uint16_t *port, bool *ipv6);

/* Checks a trusted_proxies list ("ADDR, ADDR"): 0 and *count, or -1. */
int http_parse_proxies(const char *list, int *count);

int http_start(const struct http_options *o, struct mp_error *err);
/* The port actually bound (useful with port 0). */
bool http_tls(void);
uint16_t http_port(void);
/* Stops accepting, lets requests in progress finish for up to timeout_ms,
 * answers any later request on an open connection 503, then stops. */
void http_stop(unsigned timeout_ms);
int http_in_flight(void);

#endif
