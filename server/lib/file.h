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

#endif
