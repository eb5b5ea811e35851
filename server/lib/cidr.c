/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * cidr.c - see cidr.h.  inet_pton and inet_ntop do the reading and writing
 * of addresses; this file adds the prefix, the comparison by bits and the
 * list.
 */
#include "cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool
cidr_addr_parse(const char *s, struct cidr *out)
{
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, s, out->addr) == 1) {
        out->family = AF_INET;
        out->prefix = 32;
        return true;
    }
    if (inet_pton(AF_INET6, s, out->addr) == 1) {
        out->family = AF_INET6;
        out->prefix = 128;
        return true;
    }
    return false;
}

/* True when the first bits bits of a and b are equal. */
static bool
prefix_equal(const uint8_t *a, const uint8_t *b, int bits)
{
    int whole = bits / 8, rest = bits % 8;

    if (memcmp(a, b, (size_t)whole) != 0)
        return false;
    if (rest == 0)
        return true;
    return ((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

int
cidr_parse(const char *s, struct cidr *out, const char **why)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    int prefix = 0;

    *why = "must be an IPv4 or IPv6 address or block, such as 192.0.2.0/24 or 2001:db8::/32";
    if (n == 0 || n >= sizeof(host))
        return -1;
    memcpy(host, s, n);
    host[n] = '\0';
    if (!cidr_addr_parse(host, out))
        return -1;
    if (slash == NULL)
        return 0;
    slash++;
    if (slash[0] == '\0' || strlen(slash) > 3 || (slash[0] == '0' && slash[1] != '\0'))
        return -1;
    for (const char *p = slash; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        prefix = prefix * 10 + (*p - '0');
    }
    if (prefix > out->prefix) {
        *why = out->family == AF_INET ? "an IPv4 prefix is at most /32"
                                      : "an IPv6 prefix is at most /128";
        return -1;
    }
    out->prefix = prefix;
    /* the bits after the prefix must be zero: the block's first address */
    for (int bit = prefix; bit < (out->family == AF_INET ? 32 : 128); bit++) {
        if (out->addr[bit / 8] & (0x80 >> (bit % 8))) {
            *why = "has bits set after its prefix: give the block's first address";
            return -1;
        }
    }
    return 0;
}

void
cidr_format(const struct cidr *c, char out[CIDR_TEXT_MAX])
{
    char host[INET6_ADDRSTRLEN];

    if (inet_ntop(c->family, c->addr, host, sizeof(host)) == NULL)
        snprintf(host, sizeof(host), "?");
    snprintf(out, CIDR_TEXT_MAX, "%s/%d", host, c->prefix);
}

bool
cidr_contains(const struct cidr *c, const char *addr)
{
    struct cidr a;

    if (!cidr_addr_parse(addr, &a))
        return false;
    if (a.family == AF_INET6 && c->family == AF_INET && memcmp(a.addr, v4_mapped, 12) == 0) {
        memmove(a.addr, a.addr + 12, 4);
        a.family = AF_INET;
    }
    return a.family == c->family && prefix_equal(a.addr, c->addr, c->prefix);
}

bool
cidr_list_allows(const char *list, const char *addr)
{
    const char *p = list;

    if (list == NULL || list[0] == '\0')
        return true;
    while (*p != '\0') {
        char item[CIDR_TEXT_MAX];
        size_t n = strcspn(p, ",");
        struct cidr c;
        const char *why;

        if (n == 0 || n >= sizeof(item))
            return false;
        memcpy(item, p, n);
        item[n] = '\0';
        if (cidr_parse(item, &c, &why) != 0)
            return false;
        if (cidr_contains(&c, addr))
            return true;
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

int
cidr_list_add(char *list, size_t size, const char *s, const char **why)
{
    char text[CIDR_TEXT_MAX];
    struct cidr c;
    size_t len = strlen(list), blocks = len ? 1 : 0;

    if (cidr_parse(s, &c, why) != 0)
        return -1;
    for (const char *p = list; *p; p++)
        blocks += *p == ',';
    cidr_format(&c, text);
    if (blocks >= CIDR_LIST_MAX || len + 1 + strlen(text) >= size) {
        *why = "too many blocks: at most 16";
        return -1;
    }
    snprintf(list + len, size - len, "%s%s", len ? "," : "", text);
    return 0;
}
