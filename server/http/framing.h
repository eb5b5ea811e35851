/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * framing.h - requests whose framing two parsers could read differently.
 *
 * Request smuggling works where a proxy and this server disagree on where
 * a request ends.  libmicrohttpd 0.9.75 takes the first of two
 * Content-Length headers, reads a chunked body even when a Content-Length
 * is also given, and waits for a body framed by a Transfer-Encoding it does
 * not know; it also decodes %00 in the path and query into a NUL that cuts
 * them short.  Each of these is refused here with 400, on a connection that
 * is then closed, before anything else looks at the request (RFC 9112
 * section 6.3: a request with both headers "ought to be handled as an
 * error", and its connection closed).
 */
#ifndef MP_FRAMING_H
#define MP_FRAMING_H

#include <microhttpd.h>
#include <stdbool.h>

/* Sizes this server takes, below libmicrohttpd's own limit (the request
 * line and headers must fit in connection_memory_limit, 64K by default,
 * beyond which the library answers 414 or 431 itself, in plain HTML): in
 * between, the answer is ours, a problem with the security headers. */
#define FRAMING_TARGET_MAX  8192u  /* the request target as sent (RFC 9112: at least 8000) */
#define FRAMING_HEADERS_MAX 32768u /* every header line, names, values and line ends */

/* The MHD_OPTION_URI_LOG_CALLBACK: sees the request target as sent (not
 * yet decoded).  Returns a mark for a target with %00 (framing_bad_target)
 * or longer than FRAMING_TARGET_MAX (framing_long_target), else NULL; that
 * becomes the request's first *con_cls. */
void *framing_uri_log(void *cls, const char *uri, struct MHD_Connection *c);
extern char framing_bad_target[1];
extern char framing_long_target[1];
/* True when con_cls is one of the marks above. */
bool framing_marked(const void *con_cls);
/* The refusal for a mark: the problem's detail, and *status (400 or 414). */
const char *framing_target_problem(const void *mark, int *status);

/* True when a raw request target carries an encoded NUL (%00). */
bool framing_target_has_nul(const char *uri);

/* Once the headers are in: NULL when the framing is unambiguous and the
 * headers within FRAMING_HEADERS_MAX, else why not (the problem's detail)
 * and *status (400, or 431 for the size). */
const char *framing_check(struct MHD_Connection *c, int *status);

#endif
