/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * file.h - reading a whole small file.
 */
#ifndef MP_FILE_H
#define MP_FILE_H

#include "error.h"

#include <jansson.h>
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

struct embedded_file;

/* One file of a data set, handed over in turn: its index, how many files
 * the set has, its path (for messages) and its bytes.  0, or -1 with err. */
typedef int (*file_set_fn)(void *arg, int index, int count, const char *path, const char *text,
                           size_t len, struct mp_error *err);

/* A data set (rules, calendars, detection rules): with dir, every file in it
 * ending in suffix (sorted by name, at most max, each at most 1 MiB, path
 * "DIR/NAME"); without (NULL), the n embedded files (path
 * "BUILTIN_NAME/NAME").  fn gets each in turn; the first failure stops.
 * An empty set calls fn never. */
int file_load_set(const char *dir, const char *suffix, int max, const struct embedded_file *files,
                  size_t n, const char *builtin_name, file_set_fn fn, void *arg,
                  struct mp_error *err);

/* The document of a loaded set (an array of JSON objects) whose string
 * member names id (a format file's "format", a scenario's "scenario"), or
 * NULL (also for a NULL id). */
const json_t *file_set_find(const json_t *list, const char *member, const char *id);

#endif
