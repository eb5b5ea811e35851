/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * alert.c - fuzz target: alert decoding (core/alert_decode.c) in both
 * formats and what detection does with a decoded alert (core/detect.c,
 * the built-in rules).
 *
 * The input is a request body: an object with "alerts" is decoded as an
 * Alertmanager webhook (each alert of it), an array as a batch of generic
 * alerts, anything else as one generic alert.  Whatever the input: a
 * refused alert names a field; a taken one has a fingerprint and encodes
 * to a JSON object, and the built-in detection rules pick a rule for it
 * (their last one matches everything) whose incident title expands.  The
 * request target sends such bodies through the handlers and the store.
 */
#include "core/alert.h"
#include "core/detect.h"
#include "fuzz.h"

#define NOW 1780315200 /* 2026-06-01T12:00:00Z */

static struct detection *detection;

typedef bool (*decoder)(json_t *obj, struct alert *a, int64_t now, struct field_errors *errs);

static void
check_one(json_t *obj, decoder decode)
{
    struct field_errors errs = {0};
    struct alert a;
    const struct detection_rule *r;
    struct buf key = BUF_INIT;
    json_t *out;

    memset(&a, 0, sizeof(a));
    if (!decode(obj, &a, NOW, &errs)) {
        FUZZ_ASSERT(errs.count > 0);
        alert_free(&a);
        return;
    }
    FUZZ_ASSERT(a.fingerprint[0] != '\0' && a.source != NULL && a.title != NULL);
    out = alert_to_json(&a);
    FUZZ_ASSERT(json_is_object(out));
    json_decref(out);
    r = detect_find(detection, &a);
    FUZZ_ASSERT(r != NULL);
    if (r->incident != NULL) {
        const char *title = json_string_value(json_object_get(r->incident, "title"));
        char *t = title ? detect_expand(title, &a) : NULL;
        FUZZ_ASSERT(title == NULL || t != NULL);
        free(t);
    }
    detect_correlation_key(r, &a, &key);
    buf_free(&key);
    alert_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *in, *v;
    size_t i;

    if (detection == NULL) {
        struct mp_error err;

        fuzz_quiet();
        FUZZ_ASSERT(detect_load_builtin(&detection, &err) == 0);
        alert_configure(1000, 1 << 20);
    }
    in = fuzz_json(data, size);
    if (in == NULL)
        return 0;
    if (json_is_array(json_object_get(in, "alerts"))) {
        json_array_foreach(json_object_get(in, "alerts"), i, v)
        {
            check_one(v, alert_from_alertmanager);
        }
    } else if (json_is_array(in)) {
        json_array_foreach(in, i, v)
        {
            check_one(v, alert_from_json);
        }
    } else {
        check_one(in, alert_from_json);
    }
    json_decref(in);
    return 0;
}
