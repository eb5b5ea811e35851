/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * address.h - the client's address, for http/ only (server.h declares
 * what the rest of the program parses: the listen address and the proxy
 * list).
 */
#ifndef MP_HTTP_ADDRESS_H
#define MP_HTTP_ADDRESS_H

#include <microhttpd.h>

/* The address of the peer; when that is a trusted proxy, the last address
 * in X-Forwarded-For that is not one (proxies append what they saw).  "-"
 * when unknown. */
void http_client_address(struct MHD_Connection *c, char out[64]);

#endif
