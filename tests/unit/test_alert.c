/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_alert.c - the parts of alerts that need no database: fingerprints
 * (core/detect.c), the match language, detection-rule validation (a table
 * of broken files and the path each is refused at), templates and
 * correlation keys, the shipped rules, and decoding of the generic and the
 * Alertmanager format (core/alert.c).
 */
#include "core/alert.h"
#include "core/detect.h"
#include "testutil.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1795928400 /* 2026-11-29T05:00:00Z */

/* An alert with these values; labels as JSON text. */
static struct alert
mk(const char *source, const char *title, int severity, const char *service, const char *labels)
{
    struct alert a;

    memset(&a, 0, sizeof(a));
    a.source = strdup(source);
    a.title = strdup(title);
    a.severity = severity;
    a.service = service ? strdup(service) : NULL;
    a.labels = json_loads(labels ? labels : "{}", 0, NULL);
    a.annotations = json_object();
    snprintf(a.fingerprint, sizeof(a.fingerprint), "fp-1");
    return a;
}

/* ---- fingerprints ---- */

START_TEST(test_fingerprint_stable_and_order_free)
{
    char a[ALERT_FINGERPRINT_HEX + 1], b[ALERT_FINGERPRINT_HEX + 1];
    json_t *l1 = json_pack("{s:s, s:s}", "host", "web1", "check", "disk");
    json_t *l2 = json_pack("{s:s, s:s}", "check", "disk", "host", "web1");

    alert_fingerprint("nagios", "Disk full", l1, a);
    alert_fingerprint("nagios", "Disk full", l2, b);
    ck_assert_str_eq(a, b);
    ck_assert_uint_eq(strlen(a), ALERT_FINGERPRINT_HEX);
    for (size_t i = 0; i < strlen(a); i++)
        ck_assert(strchr("0123456789abcdef", a[i]) != NULL);
    json_decref(l1);
    json_decref(l2);
}
END_TEST

START_TEST(test_fingerprint_differs_with_any_field)
{
    char base[ALERT_FINGERPRINT_HEX + 1], other[ALERT_FINGERPRINT_HEX + 1];
    json_t *l = json_pack("{s:s}", "host", "web1");
    json_t *l2 = json_pack("{s:s}", "host", "web2");
    json_t *l3 = json_pack("{s:s}", "hos", "tweb1");
    json_t *none = json_object();

    alert_fingerprint("nagios", "Disk full", l, base);
    alert_fingerprint("zabbix", "Disk full", l, other);
    ck_assert_str_ne(base, other);
    alert_fingerprint("nagios", "Disk fill", l, other);
    ck_assert_str_ne(base, other);
    alert_fingerprint("nagios", "Disk full", l2, other);
    ck_assert_str_ne(base, other);
    /* field boundaries count: "host"="web1" is not "hos"="tweb1" */
    alert_fingerprint("nagios", "Disk full", l3, other);
    ck_assert_str_ne(base, other);
    alert_fingerprint("nagios", "Disk full", none, other);
    ck_assert_str_ne(base, other);
    /* nor is source "a", title "bc" the same as "ab", "c" */
    alert_fingerprint("a", "bc", none, base);
    alert_fingerprint("ab", "c", none, other);
    ck_assert_str_ne(base, other);
    json_decref(l);
    json_decref(l2);
    json_decref(l3);
    json_decref(none);
}
END_TEST

/* ---- matching ---- */

static const struct {
    const char *match;
    bool want;
} match_cases[] = {
    {"{}", true},
    {"{\"source\": \"prometheus\"}", true},
    {"{\"source\": \"siem\"}", false},
    {"{\"source\": [\"siem\", \"prometheus\"]}", true},
    {"{\"source\": [\"siem\"]}", false},
    {"{\"source\": {\"glob\": \"prom*\"}}", true},
    {"{\"source\": {\"glob\": \"Prom*\"}}", false},
    {"{\"severity\": \"high\"}", true},
    {"{\"severity\": [\"low\", \"critical\"]}", false},
    {"{\"service\": {\"glob\": \"db-?rders\"}}", true},
    {"{\"labels\": {\"env\": \"prod\"}}", true},
    {"{\"labels\": {\"env\": \"prod\", \"team\": \"db\"}}", true},
    {"{\"labels\": {\"env\": \"prod\", \"team\": \"web\"}}", false},
    {"{\"labels\": {\"missing\": {\"glob\": \"*\"}}}", false}, /* absent meets nothing */
    {"{\"source\": \"prometheus\", \"severity\": \"low\"}", false},
    {"{\"source\": \"prometheus\", \"severity\": \"high\", \"labels\": {\"env\": [\"acc\", "
     "\"prod\"]}}",
     true},
};

START_TEST(test_match)
{
    struct alert a = mk("prometheus", "Replication lag", ALERT_SEV_HIGH, "db-orders",
                        "{\"env\": \"prod\", \"team\": \"db\"}");
    struct mp_error err;
    json_t *m = json_loads(match_cases[_i].match, 0, NULL);

    ck_assert_ptr_nonnull(m);
    ck_assert_msg(detect_match_valid(m, "match", &err), "%s: %s", err.field, err.message);
    ck_assert_msg(detect_match(m, &a) == match_cases[_i].want, "%s", match_cases[_i].match);
    json_decref(m);
    alert_free(&a);
}
END_TEST

START_TEST(test_service_absent_meets_nothing)
{
    struct alert a = mk("s", "t", ALERT_SEV_LOW, NULL, NULL);
    json_t *m = json_loads("{\"service\": {\"glob\": \"*\"}}", 0, NULL);

    ck_assert(!detect_match(m, &a));
    json_decref(m);
    alert_free(&a);
}
END_TEST

static const struct {
    const char *match;
    const char *field;
} bad_matches[] = {
    {"[]", "match"},
    {"{\"colour\": \"red\"}", "match.colour"},
    {"{\"severity\": \"urgent\"}", "match.severity"},
    {"{\"severity\": [\"low\", \"urgent\"]}", "match.severity"},
    {"{\"source\": []}", "match.source"},
    {"{\"source\": [1]}", "match.source"},
    {"{\"source\": 3}", "match.source"},
    {"{\"source\": {\"regex\": \"x\"}}", "match.source"},
    {"{\"source\": {\"glob\": \"\"}}", "match.source"},
    {"{\"labels\": [\"env\"]}", "match.labels"},
    {"{\"labels\": {\"env\": true}}", "match.labels.env"},
};

START_TEST(test_match_invalid)
{
    struct mp_error err;
    json_t *m = json_loads(bad_matches[_i].match, JSON_DECODE_ANY, NULL);

    ck_assert(!detect_match_valid(m, "match", &err));
    ck_assert_str_eq(err.field, bad_matches[_i].field);
    ck_assert_int_eq(err.status, 422);
    json_decref(m);
}
END_TEST

/* ---- rule files ---- */

static char dir[PATH_MAX];

static void
write_rules(const char *text)
{
    char path[PATH_MAX + 16];
    FILE *f;

    snprintf(path, sizeof(path), "%s/r.json", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void
setup(void)
{
    tu_mkdtemp(dir);
}

static void
teardown(void)
{
    tu_rmrf(dir);
}

#define RULE(x) "{\"version\": \"1\", \"rules\": [" x "]}"

static const struct {
    const char *text;
    const char *where; /* expected in the message */
} bad_files[] = {
    {"{", "line 1"},
    {"[]", "$: must be an object"},
    {"{\"rules\": []}", "$.version"},
    {"{\"version\": \"1\", \"rules\": [], \"extra\": 1}", "$.extra: unknown member"},
    {"{\"version\": \"1\"}", "$.rules"},
    {RULE("{\"id\": \"Bad Id\", \"match\": {}, \"action\": \"record\"}"), "$.rules[0].id"},
    {RULE("{\"id\": \"a\", \"action\": \"record\"}"), "$.rules[0].match: must be an object"},
    {RULE("{\"id\": \"a\", \"match\": {\"severity\": \"x\"}, \"action\": \"record\"}"),
     "$.rules[0].match.severity"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"page\"}"), "$.rules[0].action"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"open_incident\"}"),
     "$.rules[0].incident: must be an object"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"open_incident\", \"incident\": {}}"),
     "$.rules[0].incident.title"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"open_incident\", \"incident\": "
          "{\"title\": \"{nope}\"}}"),
     "$.rules[0].incident.title: unknown placeholder {nope}"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"open_incident\", \"incident\": "
          "{\"title\": \"{title\"}}"),
     "$.rules[0].incident.title: an unclosed {"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"open_incident\", \"incident\": "
          "{\"title\": \"t\", \"severity\": \"severe\"}}"),
     "$.rules[0].incident.severity"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"open_incident\", \"incident\": "
          "{\"title\": \"t\", \"category\": \"cosmic\"}}"),
     "$.rules[0].incident.category"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"open_incident\", \"incident\": "
          "{\"title\": \"t\", \"services\": [\"{labels.}\"]}}"),
     "$.rules[0].incident.services[0]"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"record\", \"incident\": {\"title\": "
          "\"t\"}}"),
     "$.rules[0].incident: only open_incident"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"attach\"}"),
     "$.rules[0].correlate: attach needs correlate"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"attach\", \"correlate\": {\"by\": "
          "[\"colour\"], \"within_minutes\": 5}}"),
     "$.rules[0].correlate.by[0]"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"attach\", \"correlate\": {\"by\": "
          "[\"service\"], \"within_minutes\": 0}}"),
     "$.rules[0].correlate.within_minutes"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"record\", \"correlate\": {\"by\": "
          "[\"service\"], \"within_minutes\": 5}}"),
     "$.rules[0].correlate: record does not correlate"},
    {RULE("{\"id\": \"a\", \"match\": {}, \"action\": \"record\"}, {\"id\": \"a\", \"match\": "
          "{}, \"action\": \"record\"}"),
     "$.rules[1]: id 'a' is also a rule of"},
};

START_TEST(test_rule_file_invalid)
{
    struct detection *d = NULL;
    struct mp_error err;

    write_rules(bad_files[_i].text);
    ck_assert_int_eq(detect_load(dir, &d, &err), -1);
    ck_assert_ptr_null(d);
    ck_assert_msg(strstr(err.message, bad_files[_i].where) != NULL, "want '%s' in '%s'",
                  bad_files[_i].where, err.message);
    ck_assert_msg(strstr(err.message, "r.json") != NULL, "the file is named: %s", err.message);
}
END_TEST

START_TEST(test_rules_first_match_decides)
{
    struct detection *d;
    struct mp_error err;
    const struct detection_rule *r;
    struct alert crit = mk("prometheus", "Down", ALERT_SEV_CRITICAL, "db-1", "{\"cluster\":\"a\"}");
    struct alert low = mk("prometheus", "Slow", ALERT_SEV_LOW, "db-1", NULL);
    struct buf key = BUF_INIT;
    char *title;

    write_rules(RULE(
        "{\"id\": \"crit\", \"match\": {\"severity\": \"critical\"}, \"action\": "
        "\"open_incident\", \"incident\": {\"title\": \"{service} {labels.cluster} {labels.none}: "
        "{title}\"}, \"correlate\": {\"by\": [\"service\", \"labels.cluster\"], "
        "\"within_minutes\": 15}}, {\"id\": \"rest\", \"match\": {}, \"action\": \"record\"}"));
    ck_assert_msg(detect_load(dir, &d, &err) == 0, "%s", err.message);
    ck_assert_int_eq(d->nrules, 2);
    r = detect_find(d, &crit);
    ck_assert_str_eq(r->id, "crit");
    ck_assert_int_eq(r->action, DETECT_OPEN_INCIDENT);
    ck_assert_int_eq(r->within_minutes, 15);
    title = detect_expand(json_string_value(json_object_get(r->incident, "title")), &crit);
    ck_assert_str_eq(title, "db-1 a : Down");
    free(title);
    detect_correlation_key(r, &crit, &key);
    buf_append(&key, "", 1);
    ck_assert_str_eq(key.data, "service=db-1\x1flabels.cluster=a");
    buf_free(&key);
    ck_assert_str_eq(detect_find(d, &low)->id, "rest");
    detect_release(d);
    alert_free(&crit);
    alert_free(&low);
}
END_TEST

START_TEST(test_shipped_rules_load)
{
    struct detection *d;
    struct mp_error err;
    struct alert crit = mk("siem", "x", ALERT_SEV_CRITICAL, "mail", NULL);
    struct alert info = mk("siem", "x", ALERT_SEV_INFO, "mail", NULL);

    ck_assert_msg(detect_load_builtin(&d, &err) == 0, "%s", err.message);
    ck_assert_int_gt(d->nrules, 0);
    ck_assert_int_eq(detect_find(d, &crit)->action, DETECT_OPEN_INCIDENT);
    ck_assert_int_eq(detect_find(d, &info)->action, DETECT_RECORD);
    /* the same files as the directory in the repository */
    detect_release(d);
    ck_assert_msg(detect_load("config/detection", &d, &err) == 0, "%s", err.message);
    detect_release(d);
    alert_free(&crit);
    alert_free(&info);
}
END_TEST

/* ---- decoding ---- */

START_TEST(test_decode_generic)
{
    struct field_errors errs = {0};
    struct alert a;
    json_t *in = json_loads("{\"source\": \"siem\", \"title\": \"Brute force\", \"severity\": "
                            "\"high\", \"service\": \"vpn\", \"starts_at\": "
                            "\"2026-11-29T03:00:00+01:00\", \"labels\": {\"src\": \"10.0.0.1\"}, "
                            "\"payload\": {\"raw\": [1, 2]}}",
                            0, NULL);

    ck_assert(alert_from_json(in, &a, NOW, &errs));
    ck_assert_str_eq(a.source, "siem");
    ck_assert_int_eq(a.severity, ALERT_SEV_HIGH);
    ck_assert_int_eq(a.status, ALERT_FIRING);
    ck_assert_int_eq(a.starts_at, 1795917600); /* 02:00Z */
    ck_assert_uint_eq(strlen(a.fingerprint), ALERT_FINGERPRINT_HEX);
    ck_assert_str_eq(a.payload, "{\"raw\":[1,2]}");
    alert_free(&a);
    json_decref(in);
}
END_TEST

static const struct {
    const char *body;
    const char *field;
} bad_alerts[] = {
    {"{\"title\": \"t\"}", "source"},
    {"{\"source\": \"s\"}", "title"},
    {"{\"source\": \"s\", \"title\": \"t\", \"severity\": \"urgent\"}", "severity"},
    {"{\"source\": \"s\", \"title\": \"t\", \"colour\": 1}", "colour"},
    {"{\"source\": \"s\", \"title\": \"t\", \"labels\": {\"a\": 1}}", "labels.a"},
    {"{\"source\": \"s\", \"title\": \"t\", \"labels\": []}", "labels"},
    {"{\"source\": \"s\", \"title\": \"t\", \"fingerprint\": \"has space\"}", "fingerprint"},
    {"{\"source\": \"s\", \"title\": \"t\", \"starts_at\": \"2030-01-01T00:00:00Z\"}", "starts_at"},
    {"{\"source\": \"s\", \"title\": \"t\", \"starts_at\": \"2026-11-29T03:00:00Z\", "
     "\"ends_at\": \"2026-11-29T02:00:00Z\"}",
     "ends_at"},
};

START_TEST(test_decode_generic_invalid)
{
    struct field_errors errs = {0};
    struct alert a;
    json_t *in = json_loads(bad_alerts[_i].body, 0, NULL);

    ck_assert(!alert_from_json(in, &a, NOW, &errs));
    ck_assert_int_ge(errs.count, 1);
    ck_assert_str_eq(errs.items[0].field, bad_alerts[_i].field);
    alert_free(&a);
    json_decref(in);
}
END_TEST

START_TEST(test_decode_alertmanager)
{
    struct field_errors errs = {0};
    struct alert a;
    json_t *firing = json_loads(
        "{\"status\": \"firing\", \"labels\": {\"alertname\": \"HostDown\", \"severity\": "
        "\"warning\", \"job\": \"node\"}, \"annotations\": {}, \"startsAt\": "
        "\"2026-11-29T04:00:00.5Z\", \"endsAt\": \"0001-01-01T00:00:00Z\", \"fingerprint\": "
        "\"a1b2\"}",
        0, NULL);
    json_t *resolved = json_loads(
        "{\"status\": \"resolved\", \"labels\": {\"alertname\": \"HostDown\", \"severity\": "
        "\"critical\", \"service\": \"web\", \"job\": \"node\"}, \"annotations\": {\"summary\": "
        "\"web is down\"}, \"startsAt\": \"2026-11-29T04:00:00Z\", \"endsAt\": "
        "\"2026-11-29T04:10:00Z\"}",
        0, NULL);

    ck_assert(alert_from_alertmanager(firing, &a, NOW, &errs));
    ck_assert_str_eq(a.source, "alertmanager");
    ck_assert_str_eq(a.title, "HostDown");
    ck_assert_str_eq(a.service, "node");
    ck_assert_str_eq(a.fingerprint, "a1b2");
    ck_assert_int_eq(a.severity, ALERT_SEV_MEDIUM);
    ck_assert_int_eq(a.status, ALERT_FIRING);
    ck_assert(a.ends_at == TIME_UNSET);
    ck_assert_ptr_nonnull(strstr(a.payload, "\"startsAt\""));
    alert_free(&a);
    ck_assert(alert_from_alertmanager(resolved, &a, NOW, &errs));
    ck_assert_str_eq(a.title, "web is down");
    ck_assert_str_eq(a.service, "web");
    ck_assert_int_eq(a.severity, ALERT_SEV_CRITICAL);
    ck_assert_int_eq(a.status, ALERT_RESOLVED);
    ck_assert_int_eq(a.ends_at - a.starts_at, 600);
    ck_assert_uint_eq(strlen(a.fingerprint), ALERT_FINGERPRINT_HEX); /* derived */
    alert_free(&a);
    json_decref(firing);
    json_decref(resolved);
}
END_TEST

/* Resolved is resolved: an end ahead of our clock is taken as now, and a
 * summary longer than a title is cut, not refused. */
START_TEST(test_decode_alertmanager_lenient)
{
    struct field_errors errs = {0};
    struct alert a;
    char summary[700];
    json_t *in;

    memset(summary, 'x', sizeof(summary) - 1);
    summary[sizeof(summary) - 1] = '\0';
    in = json_pack("{s:s, s:{s:s}, s:{s:s}, s:s, s:s}", "status", "resolved", "labels", "alertname",
                   "X", "annotations", "summary", summary, "startsAt", "2026-11-29T04:00:00Z",
                   "endsAt", "2026-11-29T06:00:00Z");
    ck_assert(alert_from_alertmanager(in, &a, NOW, &errs));
    ck_assert_int_eq(errs.count, 0);
    ck_assert_int_eq(a.status, ALERT_RESOLVED);
    ck_assert_int_eq(a.ends_at, NOW);
    ck_assert_uint_eq(strlen(a.title), ALERT_TITLE_MAX);
    alert_free(&a);
    json_decref(in);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("alert");
    TCase *tc = tcase_create("pure");
    TCase *files = tcase_create("rule files");

    tcase_add_test(tc, test_fingerprint_stable_and_order_free);
    tcase_add_test(tc, test_fingerprint_differs_with_any_field);
    tcase_add_loop_test(tc, test_match, 0, (int)(sizeof(match_cases) / sizeof(match_cases[0])));
    tcase_add_test(tc, test_service_absent_meets_nothing);
    tcase_add_loop_test(tc, test_match_invalid, 0,
                        (int)(sizeof(bad_matches) / sizeof(bad_matches[0])));
    tcase_add_test(tc, test_decode_generic);
    tcase_add_loop_test(tc, test_decode_generic_invalid, 0,
                        (int)(sizeof(bad_alerts) / sizeof(bad_alerts[0])));
    tcase_add_test(tc, test_decode_alertmanager);
    tcase_add_test(tc, test_decode_alertmanager_lenient);
    tcase_add_test(tc, test_shipped_rules_load);
    tcase_add_checked_fixture(files, setup, teardown);
    tcase_add_loop_test(files, test_rule_file_invalid, 0,
                        (int)(sizeof(bad_files) / sizeof(bad_files[0])));
    tcase_add_test(files, test_rules_first_match_decides);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, files);
    return tu_run(s);
}
