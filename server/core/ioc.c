/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * ioc.c - indicators of compromise: their types, the check and normal form
 * of each, and the changes of an incident's list.  See ioc.h.
 *
 * The normal forms are the ones the exchange formats compare by: domains
 * and hexadecimal hashes in lower case, a domain without its final dot,
 * an IP address as inet_ntop writes it (IPv6 compressed, lower case) and a
 * block only when it is one (a /32 or /128 is the address), a URL with its
 * scheme and host in lower case and the rest as written (paths are case
 * sensitive), an e-mail address with its domain in lower case.  What does
 * not read as exactly one type is refused, never repaired: a defanged
 * "hxxp://" or "example[.]com" is the analyst's to write out.
 */
#include "ioc.h"
#include "core/incident.h"
#include "lib/cidr.h"
#include "lib/text.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const ioc_type_names[IOC_TYPE_COUNT] = {
    "ipv4", "ipv6", "domain", "url", "md5", "sha1", "sha256", "sha512", "email", "filename",
};

/* The hashes by their length in hexadecimal digits. */
static const struct {
    int type;
    size_t digits;
} hashes[] = {{IOC_MD5, 32}, {IOC_SHA1, 40}, {IOC_SHA256, 64}, {IOC_SHA512, 128}};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int
put(char *out, size_t size, const char *s, size_t len, const char **why)
{
    if (len + 1 > size) {
        *why = "is too long to use as an indicator";
        return -1;
    }
    memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

static int
norm_ip(int type, const char *v, int *type_out, char *out, size_t size, const char **why)
{
    char text[CIDR_TEXT_MAX];
    const char *ignored;
    struct cidr c;
    int t;

    if (cidr_parse(v, &c, &ignored) != 0) {
        *why = type == IOC_IPV6 ? "is not usable as an indicator: not an IPv6 address or block"
                                : "is not usable as an indicator: not an IPv4 address or block";
        return -1;
    }
    t = c.family == AF_INET ? IOC_IPV4 : IOC_IPV6;
    if (type >= 0 && t != type) {
        *why = t == IOC_IPV4 ? "is not usable as an indicator of this type: it is an IPv4 address"
                             : "is not usable as an indicator of this type: it is an IPv6 address";
        return -1;
    }
    cidr_format(&c, text);
    if (c.prefix == (t == IOC_IPV4 ? 32 : 128))
        *strchr(text, '/') = '\0';
    *type_out = t;
    return put(out, size, text, strlen(text), why);
}

static bool
all_hex(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!isxdigit((unsigned char)v[i]))
            return false;
    }
    return len > 0;
}

static int
norm_hash(int type, const char *v, int *type_out, char *out, size_t size, const char **why)
{
    size_t len = strlen(v), i;

    for (i = 0; i < N(hashes) && (type >= 0 ? hashes[i].type != type : hashes[i].digits != len);
         i++)
        ;
    if (i == N(hashes) || !all_hex(v, len) || hashes[i].digits != len) {
        *why = type == IOC_MD5    ? "is not usable as an indicator: an MD5 hash is 32 hexadecimal "
                                    "digits"
               : type == IOC_SHA1 ? "is not usable as an indicator: a SHA-1 hash is 40 "
                                    "hexadecimal digits"
               : type == IOC_SHA256 ? "is not usable as an indicator: a SHA-256 hash is 64 "
                                      "hexadecimal digits"
                                    : "is not usable as an indicator: a SHA-512 hash is 128 "
                                      "hexadecimal digits";
        return -1;
    }
    if (put(out, size, v, len, why) != 0)
        return -1;
    for (i = 0; out[i]; i++)
        out[i] = (char)tolower((unsigned char)out[i]);
    *type_out = hashes[0].type;
    for (i = 0; i < N(hashes); i++) {
        if (hashes[i].digits == len)
            *type_out = hashes[i].type;
    }
    return 0;
}

/* A host name of two or more labels (RFC 1035 letters, digits and
 * hyphens, RFC 1123 leading digits; internationalised names in their
 * xn-- form), the last not all digits.  s is lower case already. */
static bool
domain_valid(const char *s, size_t len)
{
    size_t label = 0, labels = 0, start = 0;
    bool digits = true;

    if (len == 0 || len > 253)
        return false;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? s[i] : '.';
        if (c == '.') {
            if (label == 0 || label > 63 || s[start] == '-' || s[i - 1] == '-')
                return false;
            labels++;
            if (i < len)
                digits = true;
            label = 0;
            start = i + 1;
            continue;
        }
        if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-'))
            return false;
        if (!isdigit((unsigned char)c))
            digits = false;
        label++;
    }
    return labels >= 2 && !digits;
}

static int
norm_domain(const char *v, char *out, size_t size, const char **why)
{
    size_t len = strlen(v), i;

    if (len > 1 && v[len - 1] == '.')
        len--;
    if (put(out, size, v, len, why) != 0)
        return -1;
    for (i = 0; out[i]; i++)
        out[i] = (char)tolower((unsigned char)out[i]);
    if (!domain_valid(out, len)) {
        *why = "is not usable as an indicator: not a domain name (letters, digits and hyphens "
               "in two or more labels; international names in their xn-- form)";
        return -1;
    }
    return 0;
}

/* The schemes an indicator's URL may have: those malware and phishing
 * use.  A defanged "hxxp" is not one of them. */
static const char *const url_schemes[] = {"http", "https", "ftp",  "ftps",  "sftp", "ws",
                                          "wss",  "smb",   "ldap", "ldaps", NULL};

/* The host part of a URL (between "//" and the path; userinfo gone):
 * a domain name, an IPv4 address or [an IPv6 address], with an optional
 * port.  host is lower case already. */
static bool
url_host_valid(const char *host, size_t len)
{
    char buf[300], *colon;
    unsigned char addr[16];

    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, host, len);
    buf[len] = '\0';
    if (buf[0] == '[') {
        char *end = strchr(buf, ']');
        if (end == NULL || (end[1] != '\0' && (end[1] != ':' || !isdigit((unsigned char)end[2]))))
            return false;
        *end = '\0';
        return inet_pton(AF_INET6, buf + 1, addr) == 1;
    }
    colon = strchr(buf, ':');
    if (colon) {
        if (colon[1] == '\0' || strspn(colon + 1, "0123456789") != strlen(colon + 1))
            return false;
        *colon = '\0';
    }
    return inet_pton(AF_INET, buf, addr) == 1 || domain_valid(buf, strlen(buf));
}

/* scheme://host[:port][/path][?query][#fragment]: scheme and host in
 * lower case, the rest as written; no spaces or control characters. */
static int
norm_url(const char *v, char *out, size_t size, const char **why)
{
    const char *sep = strstr(v, "://"), *host, *end, *at;
    size_t i, k;

    *why = "is not usable as an indicator: not a URL (http, https, ftp, ftps, sftp, ws, wss, "
           "smb, ldap or ldaps://host/...)";
    if (sep == NULL)
        return -1;
    for (k = 0; url_schemes[k]; k++) {
        if (strlen(url_schemes[k]) == (size_t)(sep - v) &&
            strncasecmp(v, url_schemes[k], (size_t)(sep - v)) == 0)
            break;
    }
    if (url_schemes[k] == NULL)
        return -1;
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        if (*c <= 0x20 || *c == 0x7f)
            return -1;
    }
    host = sep + 3;
    end = host + strcspn(host, "/?#");
    at = memchr(host, '@', (size_t)(end - host));
    if (at)
        host = at + 1;
    if (put(out, size, v, strlen(v), why) != 0)
        return -1;
    for (i = 0; i < (size_t)(end - v); i++) {
        if (v + i < sep || v + i >= host)
            out[i] = (char)tolower((unsigned char)out[i]);
    }
    if (!url_host_valid(out + (host - v), (size_t)(end - host))) {
        *why = "is not usable as an indicator: the URL's host is not a domain name or an IP "
               "address";
        return -1;
    }
    return 0;
}

static int
norm_email(const char *v, char *out, size_t size, const char **why)
{
    const char *at = strchr(v, '@');
    size_t local, i;

    *why = "is not usable as an indicator: not an e-mail address (name@domain)";
    if (at == NULL || at == v || strchr(at + 1, '@') != NULL)
        return -1;
    local = (size_t)(at - v);
    if (local > 64)
        return -1;
    for (i = 0; i < local; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c <= 0x20 || c >= 0x7f || strchr("()<>[]:;,\\\"", c) != NULL)
            return -1;
    }
    if (put(out, size, v, strlen(v), why) != 0)
        return -1;
    for (i = local + 1; out[i]; i++)
        out[i] = (char)tolower((unsigned char)out[i]);
    if (!domain_valid(out + local + 1, strlen(out + local + 1))) {
        *why = "is not usable as an indicator: the e-mail address's domain is not a domain name";
        return -1;
    }
    return 0;
}

static int
norm_filename(const char *v, char *out, size_t size, const char **why)
{
    size_t len = strlen(v);

    if (len == 0 || len > 255 || strpbrk(v, "/\\") != NULL || !text_valid_utf8(v, true)) {
        *why = "is not usable as an indicator: a file name is 1 to 255 bytes of text without "
               "/ or \\";
        return -1;
    }
    return put(out, size, v, len, why);
}

/* The one type a value's shape says, or -1. */
static int
detect(const char *v)
{
    struct cidr c;
    const char *ignored;
    size_t len = strlen(v);

    if (cidr_parse(v, &c, &ignored) == 0)
        return c.family == AF_INET ? IOC_IPV4 : IOC_IPV6;
    if (strstr(v, "://") != NULL)
        return IOC_URL;
    if (strchr(v, '@') != NULL)
        return IOC_EMAIL;
    if (all_hex(v, len)) {
        for (size_t i = 0; i < N(hashes); i++) {
            if (hashes[i].digits == len)
                return hashes[i].type;
        }
    }
    if (strchr(v, '.') != NULL && strspn(v, "0123456789.") != len)
        return IOC_DOMAIN;
    return -1;
}

int
ioc_normalise(int type, const char *value, int *type_out, char *out, size_t size, const char **why)
{
    size_t len;

    while (*value == ' ' || *value == '\t')
        value++;
    len = strlen(value);
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
        len--;
    if (len == 0) {
        *why = "is required";
        return -1;
    }
    if (text_chars(value) > IOC_VALUE_MAX) {
        *why = "must be at most 2048 characters";
        return -1;
    }
    char *v = strndup(value, len);
    int rc = -1, t = type;
    if (v == NULL) {
        *why = "cannot be read now";
        return -1;
    }
    if (t < 0 && (t = detect(v)) < 0) {
        *why = "is not usable as an indicator: its type cannot be told from it; give the type";
        goto out;
    }
    *type_out = t;
    switch (t) {
    case IOC_IPV4:
    case IOC_IPV6:
        rc = norm_ip(t, v, type_out, out, size, why);
        break;
    case IOC_MD5:
    case IOC_SHA1:
    case IOC_SHA256:
    case IOC_SHA512:
        rc = norm_hash(t, v, type_out, out, size, why);
        break;
    case IOC_DOMAIN:
        rc = norm_domain(v, out, size, why);
        break;
    case IOC_URL:
        rc = norm_url(v, out, size, why);
        break;
    case IOC_EMAIL:
        rc = norm_email(v, out, size, why);
        break;
    default:
        rc = norm_filename(v, out, size, why);
        break;
    }
out:
    free(v);
    return rc;
}
