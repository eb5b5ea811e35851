/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * detect.h - detection rules as data: which alerts become incidents.
 *
 * Rule files live in config/detection/ (one JSON file per set; built into the binary;
 * `[detection] dir` reads them from disk).  Each rule matches alerts on
 * source, severity, service and labels, and acts: open an incident from a
 * template, attach the alert to the open incident with the same
 * correlation key, or only record it.  The first matching rule in file
 * order (files sorted by name) decides; an alert no rule matches is
 * recorded.  The language is docs/ALERTS.md.
 *
 * The match language is shared with suppressions: an object whose members
 * (source, severity, service, labels.NAME) each hold a condition: a string
 * (equality), an array of strings (membership) or {"glob": "pattern"}
 * (fnmatch(3) pattern).  {} matches every alert.
 *
 * Like the reporting rules, a loaded set is immutable and
 * reference-counted, so SIGHUP can install a new one while requests use
 * the old.
 */
#ifndef MP_DETECT_H
#define MP_DETECT_H

#include "lib/buf.h"
#include "lib/error.h"
#include "lib/snapshot.h"
#include "store/alerts.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>

#define ALERT_FINGERPRINT_HEX 32 /* derived fingerprints: BLAKE2b-128 in hex */

/* The fingerprint of an alert that came without one: from source, title
 * and labels (in key order), so the same alert always gets the same. */
void alert_fingerprint(const char *source, const char *title, const json_t *labels,
                       char out[ALERT_FINGERPRINT_HEX + 1]);

/* Checks a match object; on error err->field is path + the member at
 * fault and err->message the reason (status 422). */
bool detect_match_valid(const json_t *match, const char *path, struct mp_error *err);
bool detect_match(const json_t *match, const struct alert *a);

enum detect_action { DETECT_OPEN_INCIDENT = 0, DETECT_ATTACH, DETECT_RECORD };
extern const char *const detect_action_names[3];

struct detection_rule {
    const char *id;
    const char *file;
    const json_t *match;
    enum detect_action action;
    const json_t *incident; /* the template (open_incident) */
    const json_t *by;       /* correlation fields, NULL: none */
    int64_t within_minutes; /* correlation window */
};

struct detection {
    struct snapshot_refs refs;
    json_t *files; /* [{file, version, doc}] owned */
    struct detection_rule *rules;
    int nrules;
    char dir[PATH_MAX];
};

/* Loads and validates every *.json in dir (sorted by name).  On error,
 * err->message is "FILE: $.json.path: reason". */
int detect_load(const char *dir, struct detection **out, struct mp_error *err);
/* The same for the copy of config/detection/ built into the binary. */
int detect_load_builtin(struct detection **out, struct mp_error *err);
void detect_release(struct detection *d);
void detect_install(struct detection *d);
struct detection *detect_acquire(void);

/* The first rule matching a, or NULL. */
const struct detection_rule *detect_find(const struct detection *d, const struct alert *a);
/* The rule's correlation key for a (its `by` fields' values), into out. */
void detect_correlation_key(const struct detection_rule *r, const struct alert *a, struct buf *out);
/* Expands {title}, {source}, {service}, {severity}, {fingerprint} and
 * {labels.NAME} in tmpl with a's values (absent: empty).  malloc'd. */
char *detect_expand(const char *tmpl, const struct alert *a);

/* {"dir", "files":[{file, version}], "rules":[rule as written + file]} */
json_t *detect_summary(const struct detection *d);

#endif
