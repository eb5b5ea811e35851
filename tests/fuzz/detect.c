/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * detect.c - fuzz target: detection rules (core/detect.c): the rule-file
 * loader, the match language, the incident template and correlation keys.
 *
 * The input is written as the one detection rule file of a directory, as
 * `[detection] dir` names it.  A file that is refused says where.  A file
 * that loads is run over a few alerts (decoded as the API decodes them):
 * the first matching rule is one of the file's, its incident title expands,
 * and its correlation key is built.
 */
#include "core/alert.h"
#include "core/detect.h"
#include "fuzz.h"

#define NOW 1780315200 /* 2026-06-01T12:00:00Z */

static const char *const alerts[] = {
    "{\"source\": \"prometheus\", \"title\": \"Primary down\", \"severity\": \"critical\", "
    "\"service\": \"db-main\", \"labels\": {\"cluster\": \"eu-1\", \"env\": \"prod\"}}",
    "{\"source\": \"siem\", \"title\": \"Brute force on VPN\", \"severity\": \"medium\", "
    "\"labels\": {\"host\": \"vpn1\", \"env\": \"test-3\"}, \"annotations\": {\"runbook\": "
    "\"https://example.org\"}}",
    "{\"source\": \"alertmanager\", \"title\": \"{title} {service} {labels.x}\", \"severity\": "
    "\"low\", \"fingerprint\": \"f1\"}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[PATH_MAX], file[PATH_MAX + 16];
    static struct alert a[sizeof(alerts) / sizeof(alerts[0])];
    struct mp_error err = {0};
    struct detection *d;
    json_t *summary;

    if (dir[0] == '\0') {
        fuzz_quiet();
        fuzz_path(dir, "detection");
        if (mkdir(dir, 0700) != 0)
            abort();
        snprintf(file, sizeof(file), "%s/fuzz.json", dir);
        for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++) {
            struct field_errors errs = {0};
            json_t *j = json_loads(alerts[i], 0, NULL);

            FUZZ_ASSERT(alert_from_json(j, &a[i], NOW, &errs));
            json_decref(j);
        }
    }
    fuzz_write_file(file, data, size);
    if (detect_load(dir, &d, &err) != 0) {
        FUZZ_ASSERT(strstr(err.message, "fuzz.json") != NULL);
        return 0;
    }
    summary = detect_summary(d);
    FUZZ_ASSERT(summary != NULL);
    json_decref(summary);
    for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++) {
        const struct detection_rule *r = detect_find(d, &a[i]);
        struct buf key = BUF_INIT;

        if (r == NULL)
            continue;
        FUZZ_ASSERT(r >= d->rules && r < d->rules + d->nrules);
        FUZZ_ASSERT(detect_match(r->match, &a[i]));
        if (r->incident != NULL) {
            const char *title = json_string_value(json_object_get(r->incident, "title"));
            char *t = title ? detect_expand(title, &a[i]) : NULL;
            free(t);
        }
        detect_correlation_key(r, &a[i], &key);
        buf_free(&key);
    }
    detect_release(d);
    return 0;
}
