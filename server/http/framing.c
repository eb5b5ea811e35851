/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * framing.c - see framing.h.
 */
#include "framing.h"

#include <string.h>
#include <strings.h>

char framing_bad_target[1];
char framing_long_target[1];

bool
framing_target_has_nul(const char *uri)
{
    for (const char *p = uri; (p = strchr(p, '%')) != NULL; p++) {
        if (p[1] == '0' && p[2] == '0')
            return true;
    }
    return false;
}

void *
framing_uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    if (uri == NULL)
        return NULL;
    if (framing_target_has_nul(uri))
        return framing_bad_target;
    return strlen(uri) > FRAMING_TARGET_MAX ? framing_long_target : NULL;
}

bool
framing_marked(const void *con_cls)
{
    return con_cls == framing_bad_target || con_cls == framing_long_target;
}

const char *
framing_target_problem(const void *mark, int *status)
{
    if (mark == framing_long_target) {
        *status = 414;
        return "the request target is longer than 8192 bytes";
    }
    *status = 400;
    return "the path or query holds %00 (NUL)";
}

struct count {
    unsigned content_length, transfer_encoding;
    bool bad_length, bad_coding;
    size_t bytes; /* of the header lines, as sent: "name: value" CR LF */
};

static bool
all_digits(const char *s)
{
    if (s == NULL || *s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return false;
    }
    return true;
}

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct count *n = cls;

    (void)kind;
    n->bytes += strlen(key) + (value != NULL ? strlen(value) : 0) + 4;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        n->content_length++;
        if (!all_digits(value))
            n->bad_length = true;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        n->transfer_encoding++;
        /* only "chunked" alone is a coding this server decodes */
        if (value == NULL || strcasecmp(value, "chunked") != 0)
            n->bad_coding = true;
    }
    return MHD_YES;
}

const char *
framing_check(struct MHD_Connection *c, int *status)
{
    struct count n = {0, 0, false, false, 0};

    *status = 400;
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &n);
    if (n.content_length > 1)
        return "more than one Content-Length header";
    if (n.bad_length)
        return "Content-Length must be a decimal number of bytes";
    if (n.content_length > 0 && n.transfer_encoding > 0)
        return "Content-Length and Transfer-Encoding together";
    if (n.transfer_encoding > 1 || n.bad_coding)
        return "Transfer-Encoding other than chunked";
    if (n.bytes > FRAMING_HEADERS_MAX) {
        *status = 431;
        return "the request's headers are larger than 32768 bytes";
    }
    return NULL;
}
