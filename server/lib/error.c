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
