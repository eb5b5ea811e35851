/* SPDX-License-Identifier: EUPL-1.2 */
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

/*
 * Validation collects one error per field (422 each) so a client can fix
 * them all at once; a failure of another kind (404, 409, 412, 5xx) is
 * carried in the same list and answered alone.
 */
#define FIELD_ERRORS_MAX 24

struct field_errors {
    int count;
    struct mp_error items[FIELD_ERRORS_MAX];
};

/* Adds a 422 for field, unless that field already has one (the first
 * reason for a field is the one to fix). */
void field_error(struct field_errors *errs, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records err, the reason a change failed, and returns -1; a 422 standing
 * for field errors already listed is not added again. */
int field_errors_fail(struct field_errors *errs, const struct mp_error *err);

/*
 * The stable machine code of an error, for a client that shows its own
 * words (the web front end, in the user's language): "required",
 * "too_long", "one_of" … (the list, with what each means, is
 * ErrorCode in schema/openapi.yaml).  It is worked out from the status
 * and the message, so the thousand places that fill an error stay plain
 * English for logs and the CLI; tests/unit/test_error.c pins each message
 * family to its code.  Never NULL: "invalid" when nothing more is known.
 */
const char *mp_error_code(int status, const char *message);

#endif
