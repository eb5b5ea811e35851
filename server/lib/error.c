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

/*
 * Codes by what the message says, first match wins: the specific families
 * before the general ones ("must be true, false or null" before "must be
 * true or false", "a suppression lasts at most a year" is no length).
 */
static const struct {
    const char *needle;
    const char *code;
} codes[] = {
    /* the second factor (core/mfa.h) */
    {"second sign-in step is owed", "mfa_required"},
    {"second factor must be set up", "mfa_enrolment_required"},
    {"fresh second-factor check", "step_up_required"},
    {"is wrong or was used already", "wrong_code"},
    {"local passwords are turned off", "local_passwords_off"},
    {"must keep its second factor", "not_allowed"},
    {"only an admin account can be break-glass", "not_allowed"},
    /* passkeys (core/webauthn.h) */
    {"last second factor", "passkey_last"},
    {"answers no challenge given out here", "passkey_replayed"},
    {"signature counter went back", "passkey_cloned"},
    {"comes from another origin", "passkey_refused"},
    {"was made for another site", "passkey_refused"},
    {"does not verify with this passkey", "passkey_refused"},
    {"is not a passkey of", "passkey_unknown"},
    {"unknown field", "unknown_field"},
    /* an indicator of compromise that is not one of its type (core/ioc.c) */
    {"usable as an indicator", "ioc_value"},
    {"elements in one array or object", "too_many"},
    {"values in one JSON text", "too_many"},
    {"nested too deeply", "too_many"},
    {"is above the highest level", "not_allowed"},
    {"cannot disable or demote", "not_allowed"},
    {"A-Z a-z", "name_format"},
    {"true, false or null", "yes_no_unknown"},
    {"must be true or false", "boolean"},
    {"is required: true or false", "boolean"},
    {"must be true", "boolean"},
    {"is required", "required"},
    {"must not be blank", "required"},
    {"needs the reason", "reason_required"},
    {"give the reason", "reason_required"},
    {"must say why", "reason_required"},
    {"must be text: the reason", "reason_required"},
    {"a note needs text", "required"},
    {"may not be null", "required"},
    {"RFC 3339", "date_time"},
    {"date YYYY-MM-DD", "date"},
    {"ISO 8601 duration", "duration"},
    {"cannot move to", "transition"},
    {"neither submitted nor waived", "reports_open"},
    {"is not the current password", "wrong_password"},
    {"must differ from the current password", "password_reused"},
    {"address or block", "address_block"},
    {"after its prefix", "address_block"},
    {"prefix is at most", "address_block"},
    {"is listed twice", "duplicate"},
    {"duplicate key", "duplicate"},
    {"exists", "exists"},
    {"another ", "exists"},
    {"already", "already_done"},
    {"is at version", "changed"},
    {"changed: it is at version", "changed"},
    {"characters", "text_length"},
    {"bytes", "text_length"},
    {"at most", "too_many"},
    {"whole number", "number"},
    {"must be a number", "number"},
    {"must be between", "number"},
    {"out of range", "number"},
    {"must be a string", "text"},
    {"must be text", "text"},
    {"NUL", "text"},
    {"ISO 3166", "country"},
    {"code such as NL", "country"},
    {"must be one of", "one_of"},
    {"is not one of", "one_of"},
    {"unknown value", "one_of"},
    {"unknown state", "one_of"},
    {"unknown fact", "one_of"},
    {"unknown question", "one_of"},
    {"options", "one_of"},
    {"must be en or nl", "one_of"},
    {"must be nl or en", "one_of"},
    {"must be a sector id", "one_of"},
    {"subsector", "one_of"},
    {"must be the id of", "not_found"},
    {"must be a threat id", "not_found"},
    {"no register item", "not_found"},
    {"must be after", "order"},
    {"must not be before", "order"},
    {"ahead of the server", "order"},
    {"lie in the future", "order"},
    {"a suppression lasts", "order"},
};

const char *
mp_error_code(int status, const char *message)
{
    const char *m = message ? message : "";

    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (strstr(m, codes[i].needle) != NULL)
            return (codes[i].code);
    }
    switch (status) {
    case 400:
        return ("malformed");
    case 401:
        return ("unauthenticated");
    case 403:
        return ("forbidden");
    case 404:
        return ("not_found");
    case 409:
        return ("conflict");
    case 412:
    case 428:
        return ("changed");
    case 413:
        return ("too_large");
    case 429:
        return ("rate_limited");
    default:
        return (status >= 500 ? "server" : "invalid");
    }
}
