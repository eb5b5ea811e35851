/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * file.h - reading a whole small file.
 */
#ifndef MP_FILE_H
#define MP_FILE_H

#include "error.h"

#include <stddef.h>

/* The file's bytes, NUL-terminated (malloc'd; *len without the NUL), or
 * NULL with err ("PATH: reason") when it cannot be read or is larger than
 * max bytes. */
char *file_read(const char *path, size_t max, size_t *len, struct mp_error *err);

/* The names of the files in dir ending in suffix (no hidden ones), sorted,
 * at most max: *names is a malloc'd array of *count malloc'd names (free
 * them with file_list_free).  -1 with err when dir cannot be read or holds
 * more than max. */
int file_list(const char *dir, const char *suffix, int max, char ***names, int *count,
              struct mp_error *err);
void file_list_free(char **names, int count);

#endif
