/*
 * file.c - see file.h.
 */
#include "file.h"

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
