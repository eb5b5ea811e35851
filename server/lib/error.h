/*
 * error.h - errors carried up as values.
 *
 * A function that can fail for a reason a user should read fills a
 * struct mp_error at the point of failure and returns -1 (or false).  The
 * edge (an HTTP handler, a CLI command) reports it once: the HTTP layer turns
 * it into an RFC 9457 problem, the CLI prints it.  `status` is the HTTP status
 * the failure maps to; `field` names the input at fault, empty when none.
 */
#ifndef MP_ERROR_H
#define MP_ERROR_H

#include <stdarg.h>

struct mp_error {
    int status;
    char field[96];
    char message[200];
};

/* Fill err (when not NULL) and return -1, so callers can write
 * `return mp_error_set(err, 400, "title", "too long");`. */
int mp_error_set(struct mp_error *err, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void mp_error_clear(struct mp_error *err);

#endif
