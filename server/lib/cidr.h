/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * cidr.h - IP addresses and address blocks (RFC 4632 CIDR notation, IPv4
 * and IPv6), for the allowed sources of an API token and the trusted
 * proxies.
 *
 * A block is written ADDRESS/PREFIX ("10.0.0.0/8", "2001:db8::/32"); a
 * bare address is the block of that one address (/32, /128).  A block with
 * bits set after its prefix ("10.1.2.3/8") is refused rather than widened
 * or narrowed by guesswork: the writer meant one of two things.  An IPv6
 * client that is an IPv4-mapped address (::ffff:10.1.2.3, as a dual-stack
 * socket reports IPv4 peers) is compared as the IPv4 address it stands for.
 *
 * A list is blocks separated by commas, as the token's row keeps it: at
 * most CIDR_LIST_MAX blocks, each in its canonical text (inet_ntop), so the
 * same list always reads the same.
 */
#ifndef MP_CIDR_H
#define MP_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CIDR_TEXT_MAX  48 /* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128" fits */
#define CIDR_LIST_MAX  16
#define CIDR_LIST_TEXT (CIDR_LIST_MAX * CIDR_TEXT_MAX)

struct cidr {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    int prefix; /* 0..32 or 0..128 */
};

/* A plain address, IPv4 or IPv6: true and *out (prefix: the whole
 * address) when s is one. */
bool cidr_addr_parse(const char *s, struct cidr *out);
/* A block: 0 and *out; -1 when it is not one, with why (static text)
 * saying what is wrong. */
int cidr_parse(const char *s, struct cidr *out, const char **why);
/* The canonical text of a block ("10.0.0.0/8"). */
void cidr_format(const struct cidr *c, char out[CIDR_TEXT_MAX]);
/* True when the address addr (text) lies in block c; false for what is
 * not an address. */
bool cidr_contains(const struct cidr *c, const char *addr);
/* True when addr lies in one of the blocks of list (comma-separated
 * canonical text, as cidr_list_add writes it).  An empty list allows
 * every address; an unreadable entry allows none. */
bool cidr_list_allows(const char *list, const char *addr);
/* Parses s and appends its canonical text to list (size bytes, comma
 * separated).  0, or -1 with why when s is not a block, the list already
 * holds CIDR_LIST_MAX blocks, or would not fit. */
int cidr_list_add(char *list, size_t size, const char *s, const char **why);

#endif
