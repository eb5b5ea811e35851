/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * file.c - see file.h.
 */
#include "file.h"
#include "embed.h"

#include <limits.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
file_read(const char *path, size_t max, size_t *len, struct mp_error *err)
{
    FILE *f = fopen(path, "rb");
    char *data;
    size_t n;

    if (f == NULL) {
        mp_error_set(err, 0, "", "%s: %s", path, strerror(errno));
        return NULL;
    }
    data = malloc(max + 1);
    if (data == NULL) {
        fclose(f);
        mp_error_set(err, 0, "", "%s: out of memory", path);
        return NULL;
    }
    n = fread(data, 1, max + 1, f);
    if (ferror(f) || n > max) {
        fclose(f);
        free(data);
        mp_error_set(err, 0, "", "%s: %s", path, n > max ? "larger than expected" : "cannot read");
        return NULL;
    }
    fclose(f);
    data[n] = '\0';
    *len = n;
    return data;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
file_list(const char *dir, const char *suffix, int max, char ***names, int *count,
          struct mp_error *err)
{
    size_t slen = strlen(suffix);
    struct dirent *de;
    char **v;
    int n = 0;
    DIR *d;

    *names = NULL;
    *count = 0;
    d = opendir(dir);
    if (d == NULL)
        return mp_error_set(err, 0, "", "%s: cannot open the directory", dir);
    v = calloc((size_t)max + 1, sizeof(*v));
    if (v == NULL) {
        closedir(d);
        return mp_error_set(err, 0, "", "out of memory");
    }
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= slen || strcmp(de->d_name + len - slen, suffix) != 0)
            continue;
        if (n == max) {
            closedir(d);
            file_list_free(v, n);
            return mp_error_set(err, 0, "", "%s: more than %d %s files", dir, max, suffix);
        }
        v[n] = strdup(de->d_name);
        if (v[n] == NULL) {
            closedir(d);
            file_list_free(v, n);
            return mp_error_set(err, 0, "", "out of memory");
        }
        n++;
    }
    closedir(d);
    qsort(v, (size_t)n, sizeof(v[0]), cmp_names);
    *names = v;
    *count = n;
    return 0;
}

void
file_list_free(char **names, int count)
{
    for (int i = 0; names && i < count; i++)
        free(names[i]);
    free(names);
}

int
file_load_set(const char *dir, const char *suffix, int max, const struct embedded_file *files,
              size_t n, const char *builtin_name, file_set_fn fn, void *arg, struct mp_error *err)
{
    char path[PATH_MAX], **names = NULL;
    int count = 0, rc = 0;

    if (dir == NULL) {
        for (size_t i = 0; rc == 0 && i < n; i++) {
            snprintf(path, sizeof(path), "%s/%s", builtin_name, files[i].name);
            rc = fn(arg, (int)i, (int)n, path, (const char *)files[i].data, files[i].len, err);
        }
        return rc;
    }
    if (file_list(dir, suffix, max, &names, &count, err) != 0)
        return -1;
    for (int i = 0; rc == 0 && i < count; i++) {
        size_t len;
        char *text;

        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path)) {
            rc = mp_error_set(err, 0, "", "%s: path too long", dir);
            break;
        }
        text = file_read(path, 1u << 20, &len, err);
        if (text == NULL) {
            rc = -1;
            break;
        }
        rc = fn(arg, i, count, path, text, len, err);
        free(text);
    }
    file_list_free(names, count);
    return rc;
}

const json_t *
file_set_find(const json_t *list, const char *member, const char *id)
{
    size_t i;
    json_t *d;

    json_array_foreach(list, i, d)
    {
        const char *v = json_string_value(json_object_get(d, member));
        if (id && v && strcmp(v, id) == 0)
            return d;
    }
    return NULL;
}
