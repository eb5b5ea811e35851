/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * static.h - the web front end's files.
 *
 * Served from the copy embedded at build time, or from a directory
 * (--web-root) during development.  "/" is index.html.
 */
#ifndef MP_STATIC_H
#define MP_STATIC_H

#include <stdbool.h>
#include <stddef.h>

struct static_file {
    const unsigned char *data;
    size_t len;
    unsigned char *owned; /* malloc'd copy read from disk; free it */
    char etag[48];
    const char *content_type;
};

/* 1 found (f filled), 0 not found. */
int static_lookup(const char *web_root, const char *path, struct static_file *f);
const char *static_content_type(const char *name);

#endif
