/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * error.c - see error.h.
 */
#include "error.h"

#include <stdio.h>
#include <string.h>

int
mp_error_set(struct mp_error *err, int status, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return -1;
    err->status = status;
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return -1;
}

void
mp_error_clear(struct mp_error *err)
{
    if (err == NULL)
        return;
    err->status = 0;
    err->field[0] = '\0';
    err->message[0] = '\0';
}

void
field_error(struct field_errors *errs, const char *field, const char *fmt, ...)
{
    struct mp_error *e;
    va_list ap;

    if (errs->count >= FIELD_ERRORS_MAX)
        return;
    for (int i = 0; i < errs->count; i++) {
        if (strcmp(errs->items[i].field, field) == 0)
            return;
    }
    e = &errs->items[errs->count++];
    e->status = 422;
    snprintf(e->field, sizeof(e->field), "%s", field);
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
}

int
field_errors_fail(struct field_errors *errs, const struct mp_error *err)
{
    if (err->status == 422 && errs->count > 0)
        return -1;
    errs->items[errs->count < FIELD_ERRORS_MAX ? errs->count++ : FIELD_ERRORS_MAX - 1] = *err;
    return -1;
}
