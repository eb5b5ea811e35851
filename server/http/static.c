/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * static.c - see static.h.
 *
 * From disk, a path is only served when it resolves (after symlinks)
 * inside the web root, has no "." or ".." segment, and is a regular file.
 */
#include "static.h"
#include "lib/embed.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STATIC_MAX_FILE (16u << 20)

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
};

const char *
static_content_type(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (dot != NULL) {
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
            if (strcmp(dot, types[i].ext) == 0)
                return types[i].type;
        }
    }
    return "application/octet-stream";
}

static bool
safe_relative(const char *rel)
{
    const char *s = rel;

    if (*s == '\0' || strchr(rel, '\\') != NULL)
        return false;
    while (*s) {
        size_t n = strcspn(s, "/");
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return false;
        s += n;
        if (*s == '/')
            s++;
    }
    return true;
}

static int
from_disk(const char *root, const char *rel, struct static_file *f)
{
    char want[PATH_MAX], real_root[PATH_MAX], real_file[PATH_MAX];
    struct stat st;
    size_t rl;
    FILE *fp;

    if (realpath(root, real_root) == NULL)
        return 0;
    if ((size_t)snprintf(want, sizeof(want), "%s/%s", real_root, rel) >= sizeof(want))
        return 0;
    if (realpath(want, real_file) == NULL)
        return 0;
    rl = strlen(real_root);
    if (strncmp(real_file, real_root, rl) != 0 || real_file[rl] != '/')
        return 0;
    if (stat(real_file, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX_FILE)
        return 0;
    fp = fopen(real_file, "rb");
    if (fp == NULL)
        return 0;
    f->owned = malloc((size_t)st.st_size + 1);
    if (f->owned == NULL || fread(f->owned, 1, (size_t)st.st_size, fp) != (size_t)st.st_size) {
        free(f->owned);
        f->owned = NULL;
        fclose(fp);
        return 0;
    }
    fclose(fp);
    f->data = f->owned;
    f->len = (size_t)st.st_size;
    snprintf(f->etag, sizeof(f->etag), "\"%llx-%llx\"", (unsigned long long)st.st_mtime,
             (unsigned long long)st.st_size);
    f->content_type = static_content_type(rel);
    return 1;
}

int
static_lookup(const char *web_root, const char *path, struct static_file *f)
{
    char rel[PATH_MAX];
    size_t n;

    memset(f, 0, sizeof(*f));
    if (path[0] != '/')
        return 0;
    n = (size_t)snprintf(rel, sizeof(rel), "%s", path + 1);
    if (n >= sizeof(rel) - 16)
        return 0;
    if (n == 0 || rel[n - 1] == '/')
        snprintf(rel + n, sizeof(rel) - n, "index.html");
    if (!safe_relative(rel))
        return 0;
    if (web_root != NULL && web_root[0] != '\0')
        return from_disk(web_root, rel, f);
    for (size_t i = 0; i < web_files_count; i++) {
        if (strcmp(web_files[i].name, rel) == 0) {
            f->data = web_files[i].data;
            f->len = web_files[i].len;
            snprintf(f->etag, sizeof(f->etag), "%s", web_files[i].etag);
            f->content_type = static_content_type(rel);
            return 1;
        }
    }
    return 0;
}
