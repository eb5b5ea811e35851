/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * framing.c - see framing.h.
 */
#include "framing.h"

#include <string.h>
#include <strings.h>

char framing_bad_target[1];

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
    return uri != NULL && framing_target_has_nul(uri) ? framing_bad_target : NULL;
}

struct count {
    unsigned content_length, transfer_encoding;
    bool bad_length, bad_coding;
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
framing_check(struct MHD_Connection *c)
{
    struct count n = {0, 0, false, false};

    MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &n);
    if (n.content_length > 1)
        return "more than one Content-Length header";
    if (n.bad_length)
        return "Content-Length must be a decimal number of bytes";
    if (n.content_length > 0 && n.transfer_encoding > 0)
        return "Content-Length and Transfer-Encoding together";
    if (n.transfer_encoding > 1 || n.bad_coding)
        return "Transfer-Encoding other than chunked";
    return NULL;
}
