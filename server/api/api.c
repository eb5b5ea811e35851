/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * api.c - request decoding and answer helpers shared by every handler.
 */
#include "api.h"
#include "lib/admit.h"
#include "lib/jsonscan.h"
#include "lib/text.h"

#include <sodium.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
api_response_free(struct api_response *rs)
{
    json_decref(rs->body);
    json_decref(rs->errors);
    json_decref(rs->extra);
    free(rs->raw);
    rs->body = rs->errors = rs->extra = NULL;
    rs->raw = NULL;
    if (rs->heavy) {
        rs->heavy = false;
        admit_give(&admit_decodes);
    }
}

void
api_ok(struct api_response *rs, int status, json_t *body)
{
    rs->status = status;
    json_decref(rs->body);
    rs->body = body;
}

static void
add_field_error(struct api_response *rs, int status, const char *field, const char *message)
{
    if (rs->errors == NULL)
        rs->errors = json_array();
    json_array_append_new(rs->errors,
                          json_pack("{s:s, s:s, s:s}", "field", field, "code",
                                    mp_error_code(status, message), "message", message));
}

void
api_error(struct api_response *rs, const struct mp_error *err)
{
    rs->status = err->status >= 400 ? err->status : 500;
    if (err->field[0] != '\0') {
        add_field_error(rs, rs->status, err->field, err->message);
        snprintf(rs->detail, sizeof(rs->detail), "%s: %s", err->field, err->message);
    } else {
        snprintf(rs->detail, sizeof(rs->detail), "%s", err->message);
    }
}

void
api_fail(struct api_response *rs, int status, const char *field, const char *fmt, ...)
{
    struct mp_error err;
    va_list ap;

    err.status = status;
    snprintf(err.field, sizeof(err.field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(err.message, sizeof(err.message), fmt, ap);
    va_end(ap);
    api_error(rs, &err);
}

void
api_field_error(struct api_response *rs, const char *field, const char *fmt, ...)
{
    char message[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (rs->status < 400) {
        rs->status = 422;
        snprintf(rs->detail, sizeof(rs->detail), "%s: %s", field, message);
    } else {
        snprintf(rs->detail, sizeof(rs->detail), "%zu fields are not valid; see errors",
                 (rs->errors ? json_array_size(rs->errors) : 0) + 1);
    }
    add_field_error(rs, 422, field, message);
}

/* The key of a duplicate-key error: the string token that ends at byte
 * end of the body, decoded, into out ("" when it cannot be found). */
static void
duplicate_key(const struct api_request *rq, size_t end, char *out, size_t size)
{
    const char *b = rq->body;
    size_t start;
    json_t *k;

    out[0] = '\0';
    if (end < 2 || end > rq->body_len || b[end - 1] != '"')
        return;
    /* back to the opening quote: one not escaped by an odd run of \ */
    for (start = end - 1; start-- > 0;) {
        size_t n = 0;
        if (b[start] != '"')
            continue;
        while (n < start && b[start - 1 - n] == '\\')
            n++;
        if (n % 2 == 0)
            break;
    }
    if (start == (size_t)-1)
        return;
    k = json_loadb(b + start, end - start, JSON_DECODE_ANY, NULL);
    if (json_is_string(k))
        text_copy_utf8(out, size, json_string_value(k));
    json_decref(k);
}

/* The raw text's shape, before jansson builds it (lib/jsonscan.h): an
 * array or object longer than any field takes, or too many values, is
 * refused without allocating them; one whose values would take more than
 * ADMIT_DECODE needs a decode slot (lib/admit.h), held until rs is freed. */
static bool
within_shape(const struct api_request *rq, struct api_response *rs)
{
    char field[80];
    size_t cost = 0;

    switch (jsonscan_check(rq->body, rq->body_len, field, sizeof(field), &cost)) {
    case JSONSCAN_OK:
        if (cost <= ADMIT_DECODE || rs->heavy)
            return true;
        if (admit_take(&admit_decodes)) {
            rs->heavy = true;
            return true;
        }
        rs->retry_after = 1;
        api_fail(rs, 503, NULL, "too many large request bodies at once; retry after a second");
        return false;
    case JSONSCAN_LONG:
        api_fail(rs, 422, field, "more than %u elements in one array or object",
                 JSONSCAN_ELEMENTS_MAX);
        return false;
    case JSONSCAN_MANY:
        api_fail(rs, 422, NULL, "more than %u values in one JSON text", JSONSCAN_VALUES_MAX);
        return false;
    case JSONSCAN_DEEP:
        api_fail(rs, 422, NULL, "the JSON text is nested too deeply");
        return false;
    case JSONSCAN_NO_MEMORY:
        break;
    }
    api_fail(rs, 500, NULL, "out of memory");
    return false;
}

/* jansson says what is wrong in its own words, which can name its flags
 * (JSON_ALLOW_NUL) or echo the input: the client gets ours.  Text that is
 * not JSON is 400; JSON this server does not take (a repeated key, a
 * \u0000 in a string, a number no double or int64 holds, nesting deeper
 * than jansson goes) is 422, like JSON of the wrong shape. */
json_t *
api_parse_json(const struct api_request *rq, struct api_response *rs)
{
    json_error_t jerr;
    char key[80];
    json_t *v;

    if (rq->body_len == 0) {
        api_fail(rs, 400, NULL, "a JSON body is required");
        return NULL;
    }
    if (!within_shape(rq, rs))
        return NULL;
    v = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (v != NULL)
        return v;
    switch (json_error_code(&jerr)) {
    case json_error_duplicate_key:
        duplicate_key(rq, (size_t)jerr.position, key, sizeof(key));
        api_fail(rs, 422, key[0] ? key : NULL, "duplicate key `%s`", key);
        break;
    case json_error_null_character:
    case json_error_null_byte_in_key:
        api_fail(rs, 422, NULL,
                 "a string at line %d, column %d holds \\u0000, which is not allowed", jerr.line,
                 jerr.column);
        break;
    case json_error_numeric_overflow:
        api_fail(rs, 422, NULL, "the number at line %d, column %d is out of range", jerr.line,
                 jerr.column);
        break;
    case json_error_stack_overflow:
        api_fail(rs, 422, NULL, "the JSON text is nested too deeply");
        break;
    case json_error_out_of_memory:
        api_fail(rs, 500, NULL, "out of memory");
        break;
    case json_error_invalid_utf8:
        api_fail(rs, 400, NULL, "malformed JSON at line %d, column %d: not valid UTF-8", jerr.line,
                 jerr.column);
        break;
    case json_error_premature_end_of_input:
        api_fail(rs, 400, NULL, "malformed JSON at line %d, column %d: the text ends too early",
                 jerr.line, jerr.column);
        break;
    case json_error_end_of_input_expected:
        api_fail(rs, 400, NULL,
                 "malformed JSON at line %d, column %d: more text after the JSON value", jerr.line,
                 jerr.column);
        break;
    default:
        api_fail(rs, 400, NULL, "malformed JSON at line %d, column %d: not a JSON value here",
                 jerr.line, jerr.column);
        break;
    }
    return NULL;
}

json_t *
api_parse_object(const struct api_request *rq, struct api_response *rs)
{
    json_t *v;

    if (rq->body_len == 0) {
        api_fail(rs, 400, NULL, "a JSON object body is required");
        return NULL;
    }
    if ((v = api_parse_json(rq, rs)) == NULL)
        return NULL;
    if (!json_is_object(v)) {
        json_decref(v);
        api_fail(rs, 422, NULL, "the body must be a JSON object");
        return NULL;
    }
    return v;
}

bool
api_only_fields(json_t *obj, const char *const allowed[], struct api_response *rs)
{
    const char *key;
    json_t *value;
    bool ok = true;

    json_object_foreach(obj, key, value)
    {
        bool known = false;
        (void)value;
        for (size_t i = 0; allowed[i] != NULL; i++) {
            if (strcmp(key, allowed[i]) == 0) {
                known = true;
                break;
            }
        }
        if (!known) {
            api_field_error(rs, key, "unknown field");
            ok = false;
        }
    }
    return ok;
}

bool
api_get_string(json_t *obj, const char *key, bool required, size_t max, const char **out,
               struct api_response *rs)
{
    json_t *v = json_object_get(obj, key);
    const char *s;
    size_t chars = 0;

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required) {
            api_field_error(rs, key, "is required");
            return false;
        }
        return true;
    }
    if (!json_is_string(v)) {
        api_field_error(rs, key, "must be a string");
        return false;
    }
    s = json_string_value(v);
    if (strlen(s) != json_string_length(v)) {
        api_field_error(rs, key, "must not contain NUL characters");
        return false;
    }
    chars = text_chars(s); /* code points, not bytes */
    if (chars > max) {
        api_field_error(rs, key, "must be at most %zu characters", max);
        return false;
    }
    *out = s;
    return true;
}

bool
api_query_int(const struct api_request *rq, const char *name, int64_t min, int64_t max, int64_t def,
              int64_t *out, struct api_response *rs)
{
    const char *s = rq->query ? rq->query(rq->ctx, name) : NULL;
    long long v;
    char *end;

    if (s == NULL || *s == '\0') {
        *out = def;
        return true;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || (*s != '-' && (*s < '0' || *s > '9')) || v < min || v > max) {
        api_fail(rs, 400, name, "must be a whole number from %lld to %lld", (long long)min,
                 (long long)max);
        return false;
    }
    *out = v;
    return true;
}

void
api_field_errors(struct api_response *rs, const struct field_errors *errs)
{
    for (int i = 0; i < errs->count; i++) {
        if (errs->items[i].status != 422) {
            api_error(rs, &errs->items[i]);
            return;
        }
    }
    for (int i = 0; i < errs->count; i++)
        api_field_error(rs, errs->items[i].field, "%s", errs->items[i].message);
}

bool
api_if_match(const struct api_request *rq, const char *what, int64_t *out, struct api_response *rs)
{
    const char *h = rq->header(rq->ctx, "If-Match");
    char *end;
    long long v;

    *out = -1;
    if (h == NULL || strcmp(h, "*") == 0)
        return true;
    if (h[0] == '"' && h[1] >= '0' && h[1] <= '9') {
        errno = 0;
        v = strtoll(h + 1, &end, 10);
        if (errno == 0 && end[0] == '"' && end[1] == '\0') {
            *out = v;
            return true;
        }
    }
    api_fail(rs, 412, "If-Match", "must be the %s's ETag, such as \"3\"", what);
    return false;
}

bool
api_idempotency(const struct api_request *rq, struct idempotency *idem, struct api_response *rs)
{
    crypto_generichash_state h;
    size_t n;
    bool printable;

    idem->key = rq->header(rq->ctx, "Idempotency-Key");
    if (idem->key == NULL)
        return true;
    n = strlen(idem->key);
    printable = n > 0 && n <= API_IDEMPOTENCY_KEY_MAX;
    for (size_t i = 0; printable && i < n; i++)
        printable = idem->key[i] > 0x20 && idem->key[i] < 0x7f;
    if (!printable) {
        api_fail(rs, 400, "Idempotency-Key", "must be 1-%d visible ASCII characters",
                 API_IDEMPOTENCY_KEY_MAX);
        return false;
    }
    /* The request's fingerprint: a retry must send the same body to the
     * same path. */
    crypto_generichash_init(&h, NULL, 0, sizeof(idem->request_hash));
    crypto_generichash_update(&h, (const unsigned char *)rq->path, strlen(rq->path) + 1);
    crypto_generichash_update(&h, (const unsigned char *)rq->body, rq->body_len);
    crypto_generichash_final(&h, idem->request_hash, sizeof(idem->request_hash));
    return true;
}

/* The cursor is the position below which the next page starts, written so
 * that clients treat it as opaque. */
void
api_cursor_encode(int64_t seq, char out[32])
{
    snprintf(out, 32, "c%llx", (unsigned long long)seq);
}

bool
api_cursor_decode(const char *s, int64_t *seq)
{
    char *end;
    unsigned long long v;

    if (s[0] != 'c' || s[1] == '\0' || strlen(s) > 17)
        return false;
    v = strtoull(s + 1, &end, 16);
    if (*end != '\0' || v == 0 || v > INT64_MAX)
        return false;
    *seq = (int64_t)v;
    return true;
}

bool
api_query_enum(const struct api_request *rq, const char *name, const char *const names[], int n,
               int *out, struct api_response *rs)
{
    const char *v = rq->query(rq->ctx, name);

    *out = -1;
    if (v == NULL || *v == '\0')
        return true;
    *out = incident_enum_parse(names, n, v);
    if (*out < 0) {
        api_fail(rs, 400, name, "unknown value '%.40s'", v);
        return false;
    }
    return true;
}
