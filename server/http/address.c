/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * address.c - where a request comes from: the listen address, the trusted
 * reverse proxies ([server] trusted_proxies) and the client's address
 * (behind a trusted proxy, the one it forwarded for).  See address.h and
 * server.h.
 */
#include "address.h"
#include "server.h"
#include "lib/cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* [server] trusted_proxies, parsed */
#define MAX_PROXIES 16
static struct proxy {
    int family;
    unsigned char addr[16];
} proxies[MAX_PROXIES];
static int nproxies;

int
http_parse_listen(const char *s, char host[64], uint16_t *port, bool *ipv6)
{
    const char *colon;
    unsigned p;
    size_t n;
    unsigned char addr[16];
    char *end;

    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':')
            return -1;
        n = (size_t)(close - s - 1);
        colon = close + 1;
        if (n == 0 || n >= 64)
            return -1;
        memcpy(host, s + 1, n);
        host[n] = '\0';
        *ipv6 = true;
        if (inet_pton(AF_INET6, host, addr) != 1)
            return -1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return -1;
        n = (size_t)(colon - s);
        if (n == 0 || n >= 64)
            return -1;
        memcpy(host, s, n);
        host[n] = '\0';
        *ipv6 = false;
        if (inet_pton(AF_INET, host, addr) != 1)
            return -1;
    }
    if (colon[1] < '0' || colon[1] > '9' || strlen(colon + 1) > 5)
        return -1;
    p = (unsigned)strtoul(colon + 1, &end, 10);
    if (*end != '\0' || p > 65535)
        return -1;
    *port = (uint16_t)p;
    return 0;
}

/* Addresses are read by lib/cidr.c, as the token's allowed sources are. */
static bool
parse_addr(const char *s, struct proxy *out)
{
    struct cidr c;

    memset(out, 0, sizeof(*out));
    if (!cidr_addr_parse(s, &c))
        return false;
    out->family = c.family;
    memcpy(out->addr, c.addr, sizeof(out->addr));
    return true;
}

static bool
is_trusted_proxy(const char *s)
{
    struct proxy a;

    if (!parse_addr(s, &a))
        return false;
    for (int i = 0; i < nproxies; i++) {
        if (proxies[i].family == a.family &&
            memcmp(proxies[i].addr, a.addr, a.family == AF_INET ? 4 : 16) == 0)
            return true;
    }
    return false;
}

int
http_parse_proxies(const char *list, int *count)
{
    char buf[1024], *save = NULL, *tok;
    int n = 0;

    if (strlen(list) >= sizeof(buf))
        return -1;
    snprintf(buf, sizeof(buf), "%s", list);
    for (tok = strtok_r(buf, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
        struct proxy p;
        if (n >= MAX_PROXIES || !parse_addr(tok, &p))
            return -1;
        if (count == NULL)
            proxies[n] = p;
        n++;
    }
    if (count != NULL)
        *count = n;
    else
        nproxies = n;
    return 0;
}

/* The address of the peer; when that is a trusted proxy, the last address
 * in X-Forwarded-For that is not one (proxies append what they saw). */
void
http_client_address(struct MHD_Connection *c, char out[64])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    const char *xff;
    char list[512];

    snprintf(out, 64, "-");
    if (sa == NULL)
        return;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, 64);
    if (nproxies == 0 || !is_trusted_proxy(out))
        return;
    xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
    if (xff == NULL || strlen(xff) >= sizeof(list))
        return;
    snprintf(list, sizeof(list), "%s", xff);
    for (;;) {
        char *comma = strrchr(list, ',');
        char *item = comma ? comma + 1 : list;
        struct proxy p;
        while (*item == ' ')
            item++;
        item[strcspn(item, " ")] = '\0';
        if (strlen(item) >= 64 || !parse_addr(item, &p))
            return; /* not an address: keep the last good one */
        memcpy(out, item, strlen(item) + 1);
        if (!is_trusted_proxy(item) || comma == NULL)
            return;
        *comma = '\0';
    }
}
