/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * deliver.h - sending a message out: an HTTP POST (webhooks) and an e-mail
 * over SMTP, both through libcurl, and what is needed to do it safely.
 *
 * No hand-written protocol: libcurl speaks HTTP(S) and SMTP with STARTTLS
 * (required, not opportunistic) or implicit TLS (smtps://) and
 * authentication.  Each transfer is pinned to the address the caller
 * checked (deliver_resolve), so a name that resolves elsewhere a moment
 * later (DNS rebinding) cannot move it; redirects are not followed; only
 * the protocol asked for is allowed; every transfer has a time limit.
 * Failures come back as a short reason for the delivery log -- never with
 * a secret in it.
 */
#ifndef MP_DELIVER_H
#define MP_DELIVER_H

#include <stdbool.h>
#include <stddef.h>

#define DELIVER_REASON_LEN 200

/* Once, before threads start. */
int deliver_global_init(void);

/* host (a name or an address) resolved for port: the first address in
 * ip (numeric text), and *special when any address it resolves to is
 * loopback, link-local, private (RFC 1918, RFC 4193), unspecified or
 * multicast.  0, or -1 with reason. */
int deliver_resolve(const char *host, int port, char ip[64], bool *special, char *reason,
                    size_t reason_len);

/* The port in url, or the scheme's default (http 80, https 443, smtp 587,
 * smtps 465). */
int deliver_url_port(const char *url);

/* POSTs body (application/json) to url, connecting to ip (TLS checked
 * against ca_file, NULL: the system's CA certificates); headers are
 * "Name: value" lines (NULL-terminated list).  0 on a 2xx answer, else
 * -1 with reason. */
int deliver_http_post(const char *url, const char *ip, const char *ca_file, const char *body,
                      const char *const *headers, char *reason, size_t reason_len);

/* An exchange with a server the admin configured (an OpenID provider):
 * GET url, or POST form (application/x-www-form-urlencoded) when form is
 * not NULL, with headers ("Name: value" lines, NULL-terminated list).  The
 * answer's body (at most DELIVER_FETCH_MAX bytes) goes into out and its
 * status into *status.  No redirects; http and https only.  0 when an
 * answer came (of any status), else -1 with reason. */
#define DELIVER_FETCH_MAX (256 * 1024)
struct buf;
int deliver_http_fetch(const char *url, const char *ca_file, const char *form,
                       const char *const *headers, struct buf *out, long *status, char *reason,
                       size_t reason_len);

struct deliver_mail {
    const char *url; /* smtp://host:port (STARTTLS when starttls) or smtps:// */
    const char *ip;
    bool starttls;
    const char *ca_file;             /* NULL: the system's CA certificates */
    const char *username, *password; /* NULL: no authentication */
    const char *from, *to;
    const char *message; /* the whole message, headers and body, CRLF lines */
};

int deliver_smtp(const struct deliver_mail *m, char *reason, size_t reason_len);

/* HMAC-SHA256 of "timestamp.body" under key, as lowercase hex (65 bytes). */
void deliver_sign(const unsigned char *key, size_t key_len, const char *timestamp, const char *body,
                  char out[65]);

#endif
