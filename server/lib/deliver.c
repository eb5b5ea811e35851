/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * deliver.c - see deliver.h.
 */
#include "deliver.h"
#include "buf.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define TIMEOUT_S 10L

int
deliver_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static bool
special_v4(const struct in_addr *a)
{
    uint32_t x = ntohl(a->s_addr);

    return (x >> 24) == 127 || (x >> 24) == 10 || (x >> 24) == 0 || (x >> 20) == 0xac1 ||
           (x >> 16) == 0xc0a8 || (x >> 16) == 0xa9fe || (x >> 22) == (100u << 2 | 1) ||
           (x >> 28) == 0xe || x == 0xffffffffu;
}

static bool
special_v6(const struct in6_addr *a)
{
    const uint8_t *b = a->s6_addr;

    if (IN6_IS_ADDR_V4MAPPED(a)) {
        struct in_addr v4;
        memcpy(&v4, b + 12, 4);
        return special_v4(&v4);
    }
    return IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LINKLOCAL(a) ||
           IN6_IS_ADDR_MULTICAST(a) || (b[0] & 0xfe) == 0xfc || IN6_IS_ADDR_SITELOCAL(a);
}

int
deliver_resolve(const char *host, int port, char ip[64], bool *special, char *reason,
                size_t reason_len)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    char service[16];
    int rc;

    *special = false;
    ip[0] = '\0';
    snprintf(service, sizeof(service), "%d", port);
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(reason, reason_len, "cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            struct sockaddr_in *s = (struct sockaddr_in *)ai->ai_addr;
            *special = *special || special_v4(&s->sin_addr);
            if (!ip[0])
                inet_ntop(AF_INET, &s->sin_addr, ip, 64);
        } else if (ai->ai_family == AF_INET6) {
            struct sockaddr_in6 *s = (struct sockaddr_in6 *)ai->ai_addr;
            *special = *special || special_v6(&s->sin6_addr);
            if (!ip[0])
                inet_ntop(AF_INET6, &s->sin6_addr, ip, 64);
        }
    }
    freeaddrinfo(res);
    if (!ip[0]) {
        snprintf(reason, reason_len, "no address for %s", host);
        return -1;
    }
    return 0;
}

int
deliver_url_port(const char *url)
{
    const char *h = strstr(url, "://"), *end, *colon;

    if (h == NULL)
        return 0;
    h += 3;
    end = h + strcspn(h, "/?#");
    if (*h == '[')
        h = memchr(h, ']', (size_t)(end - h)) ? (const char *)memchr(h, ']', (size_t)(end - h)) : h;
    colon = memchr(h, ':', (size_t)(end - h));
    if (colon)
        return atoi(colon + 1);
    if (strncmp(url, "https:", 6) == 0)
        return 443;
    if (strncmp(url, "http:", 5) == 0)
        return 80;
    if (strncmp(url, "smtps:", 6) == 0)
        return 465;
    return 587;
}

/* CURLOPT_RESOLVE entry "host:port:ip" pinning the transfer to ip. */
static struct curl_slist *
pin(const char *url, const char *ip)
{
    char host[256], entry[400];
    const char *h = strstr(url, "://");
    size_t n;

    if (h == NULL)
        return NULL;
    h += 3;
    if (*h == '[') {
        n = strcspn(h, "]") + 1;
    } else {
        n = strcspn(h, ":/?#");
    }
    if (n >= sizeof(host))
        return NULL;
    snprintf(host, sizeof(host), "%.*s", (int)n, h);
    snprintf(entry, sizeof(entry), "%s:%d:%s", host, deliver_url_port(url), ip);
    return curl_slist_append(NULL, entry);
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static void
common(CURL *c, const char *url, struct curl_slist *resolve)
{
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
}

int
deliver_http_post(const char *url, const char *ip, const char *ca_file, const char *body,
                  const char *const *headers, char *reason, size_t reason_len)
{
    struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
    struct curl_slist *resolve = pin(url, ip);
    CURL *c = curl_easy_init();
    long status = 0;
    CURLcode rc;

    if (c == NULL || resolve == NULL || hl == NULL) {
        snprintf(reason, reason_len, "cannot start the request");
        rc = CURLE_FAILED_INIT;
        goto out;
    }
    for (int i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    common(c, url, resolve);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    if (ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "meldpunt");
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        snprintf(reason, reason_len, "%s", curl_easy_strerror(rc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        snprintf(reason, reason_len, "the receiver answered HTTP %ld", status);
        rc = CURLE_HTTP_RETURNED_ERROR;
    }
out:
    curl_slist_free_all(hl);
    curl_slist_free_all(resolve);
    if (c)
        curl_easy_cleanup(c);
    return rc == CURLE_OK ? 0 : -1;
}

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;

    buf_append(b, p, size * n);
    return buf_too_big(b) || buf_failed(b) ? 0 : size * n;
}

int
deliver_http_fetch(const char *url, const char *ca_file, const char *form,
                   const char *const *headers, struct buf *out, long *status, char *reason,
                   size_t reason_len)
{
    struct curl_slist *hl = curl_slist_append(NULL, "Accept: application/json");
    CURL *c = curl_easy_init();
    CURLcode rc = CURLE_FAILED_INIT;

    *status = 0;
    buf_set_max(out, DELIVER_FETCH_MAX);
    if (c == NULL || hl == NULL) {
        snprintf(reason, reason_len, "cannot start the request");
        goto out;
    }
    for (int i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    common(c, url, NULL);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    if (ca_file && ca_file[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    if (form)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "meldpunt");
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        snprintf(reason, reason_len, "%s",
                 buf_too_big(out) ? "answer too large" : curl_easy_strerror(rc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
out:
    curl_slist_free_all(hl);
    if (c)
        curl_easy_cleanup(c);
    return rc == CURLE_OK ? 0 : -1;
}

struct reader {
    const char *p;
    size_t left;
};

static size_t
read_message(char *out, size_t size, size_t n, void *arg)
{
    struct reader *r = arg;
    size_t k = size * n < r->left ? size * n : r->left;

    memcpy(out, r->p, k);
    r->p += k;
    r->left -= k;
    return k;
}

int
deliver_smtp(const struct deliver_mail *m, char *reason, size_t reason_len)
{
    struct curl_slist *rcpt = curl_slist_append(NULL, m->to), *resolve = pin(m->url, m->ip);
    struct reader r = {.p = m->message, .left = strlen(m->message)};
    CURL *c = curl_easy_init();
    char from[256];
    CURLcode rc;

    if (c == NULL || rcpt == NULL || resolve == NULL) {
        snprintf(reason, reason_len, "cannot start the mail transfer");
        rc = CURLE_FAILED_INIT;
        goto out;
    }
    common(c, m->url, resolve);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#endif
    if (m->starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (m->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, m->ca_file);
    if (m->username && m->password) {
        curl_easy_setopt(c, CURLOPT_USERNAME, m->username);
        curl_easy_setopt(c, CURLOPT_PASSWORD, m->password);
    }
    snprintf(from, sizeof(from), "<%s>", m->from);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(c, CURLOPT_READDATA, &r);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        snprintf(reason, reason_len, "%s", curl_easy_strerror(rc));
out:
    curl_slist_free_all(rcpt);
    curl_slist_free_all(resolve);
    if (c)
        curl_easy_cleanup(c);
    return rc == CURLE_OK ? 0 : -1;
}

void
deliver_sign(const unsigned char *key, size_t key_len, const char *timestamp, const char *body,
             char out[65])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp, strlen(timestamp));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof(mac));
}
