/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_ioc.c - core/ioc.c: each indicator type's check and normal form
 * (what is refused, never repaired), the type told from the value; the
 * version 5 UUIDs of lib/uuid.c (RFC 9562's own example); and the exports'
 * pure halves: the MISP event of a fixed incident (types, categories,
 * tags of the TLP and the NIS taxonomy, the same ids every time) and the
 * STIX patterns with their quoting.  The formats themselves are checked
 * against the published schemas in tests/e2e/threatintel.test.mjs.
 */
#include "core/ioc.h"
#include "core/misp.h"
#include "core/stix.h"
#include "lib/uuid.h"
#include "testutil.h"

#include <check.h>
#include <string.h>

static const struct {
    const char *type; /* NULL: told from the value */
    const char *value;
    const char *want_type; /* NULL: refused */
    const char *normal;
} cases[] = {
    /* addresses and blocks: inet_ntop's form; /32 and /128 are the address */
    {NULL, "192.0.2.1", "ipv4", "192.0.2.1"},
    {"ipv4", " 192.0.2.1 ", "ipv4", "192.0.2.1"},
    {NULL, "192.0.2.1/32", "ipv4", "192.0.2.1"},
    {NULL, "10.0.0.0/8", "ipv4", "10.0.0.0/8"},
    {NULL, "10.1.2.3/8", NULL, NULL}, /* bits after the prefix: which was meant? */
    {NULL, "2001:DB8:0:0::1", "ipv6", "2001:db8::1"},
    {"ipv6", "2001:db8::/32", "ipv6", "2001:db8::/32"},
    {"ipv4", "2001:db8::1", NULL, NULL},
    {"ipv6", "192.0.2.1", NULL, NULL},
    {"ipv4", "192.0.2.256", NULL, NULL},
    {"ipv4", "010.0.0.1", NULL, NULL},
    /* domains: lower case, no final dot, labels checked */
    {NULL, "Evil.Example.COM.", "domain", "evil.example.com"},
    {"domain", "xn--bcher-kva.example", "domain", "xn--bcher-kva.example"},
    {"domain", "example[.]com", NULL, NULL}, /* defanged: write it out */
    {"domain", "localhost", NULL, NULL},
    {"domain", "-bad.example", NULL, NULL},
    {"domain", "bad-.example", NULL, NULL},
    {"domain", "a..example", NULL, NULL},
    {"domain", "example.123", NULL, NULL},
    {"domain", "bücher.example", NULL, NULL},
    /* URLs: scheme and host lower case, the rest as written */
    {NULL, "HTTPS://Evil.Example/Path?Q=A#F", "url", "https://evil.example/Path?Q=A#F"},
    {"url", "http://user@Host.Example:8080/x", "url", "http://user@host.example:8080/x"},
    {"url", "hxxp//evil.example", NULL, NULL},
    {"url", "hxxp://evil.example/", NULL, NULL}, /* defanged: write it out */
    {"url", "http://bad[.]example/", NULL, NULL},
    {"url", "http://192.0.2.1:8080/x", "url", "http://192.0.2.1:8080/x"},
    {"url", "https://[2001:DB8::1]/x", "url", "https://[2001:db8::1]/x"},
    {"url", "http://evil.example:80a/", NULL, NULL},
    {"url", "gopher://evil.example/", NULL, NULL},
    {"url", "http://evil.example/a b", NULL, NULL},
    {"url", "http:///path", NULL, NULL},
    {"url", "://x.example", NULL, NULL},
    /* hashes by length and hex, lower case */
    {NULL, "D41D8CD98F00B204E9800998ECF8427E", "md5", "d41d8cd98f00b204e9800998ecf8427e"},
    {NULL, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1",
     "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {NULL, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "sha256",
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"sha512",
     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877"
     "eec2f63b931bd47417a81a538327af927da3e",
     "sha512",
     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877"
     "eec2f63b931bd47417a81a538327af927da3e"},
    {"md5", "da39a3ee5e6b4b0d3255bfef95601890afd80709", NULL, NULL}, /* a SHA-1's length */
    {"sha256", "g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", NULL, NULL},
    /* e-mail addresses: the domain lower case, the local part as written */
    {NULL, "Bad.Guy@Example.ORG", "email", "Bad.Guy@example.org"},
    {"email", "a@b@example.org", NULL, NULL},
    {"email", "@example.org", NULL, NULL},
    {"email", "a b@example.org", NULL, NULL},
    {"email", "a@localhost", NULL, NULL},
    /* file names: never told from the value, as written */
    {"filename", "Invoice.PDF.exe", "filename", "Invoice.PDF.exe"},
    {"filename", "dir/evil.exe", NULL, NULL},
    {"filename", "C:\\evil.exe", NULL, NULL},
    /* what reads as no type at all */
    {NULL, "evil", NULL, NULL},
    {NULL, "", NULL, NULL},
    {NULL, "   ", NULL, NULL},
    {NULL, "1.2.3", NULL, NULL},
};

START_TEST(test_ioc_normalise_table)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[4096];
        const char *why = NULL;
        int want =
            cases[i].type ? incident_enum_parse(ioc_type_names, IOC_TYPE_COUNT, cases[i].type) : -1;
        int type = -1;
        int rc = ioc_normalise(want, cases[i].value, &type, out, sizeof(out), &why);

        if (cases[i].want_type == NULL) {
            ck_assert_msg(rc == -1, "%s: accepted as %s", cases[i].value, out);
            ck_assert_msg(why && why[0], "%s: refused without a reason", cases[i].value);
            continue;
        }
        ck_assert_msg(rc == 0, "%s: refused: %s", cases[i].value, why);
        ck_assert_str_eq(ioc_type_names[type], cases[i].want_type);
        ck_assert_str_eq(out, cases[i].normal);
    }
}
END_TEST

/* The reason names the type's rule, for the problem's message. */
START_TEST(test_ioc_reasons)
{
    char out[64];
    const char *why;
    int type;

    ck_assert_int_eq(ioc_normalise(IOC_SHA256, "abc", &type, out, sizeof(out), &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "64 hexadecimal digits"));
    ck_assert_int_eq(ioc_normalise(-1, "evil", &type, out, sizeof(out), &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "give the type"));
    /* a normal form that does not fit the caller's buffer is refused */
    ck_assert_int_eq(ioc_normalise(-1, "averyveryverylongname.example", &type, out, 8, &why), -1);
}
END_TEST

START_TEST(test_uuid5_rfc9562_example)
{
    char out[UUID_TEXT_LEN + 1];

    /* RFC 9562 appendix A.4: the DNS namespace and "www.example.com" */
    ck_assert_int_eq(
        uuid5_generate("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com", 15, out), 0);
    ck_assert_str_eq(out, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
    ck_assert_int_eq(uuid5_generate("not-a-uuid", "x", 1, out), -1);
    ck_assert_int_eq(uuid5_generate("6ba7b810-9dad-11d1-80b4-00c04fd430cg", "x", 1, out), -1);
}
END_TEST

static void
fixed_incident(struct incident *inc)
{
    memset(inc, 0, sizeof(*inc));
    snprintf(inc->id, sizeof(inc->id), "01900000-0000-7000-8000-000000000001");
    snprintf(inc->ref, sizeof(inc->ref), "INC-2031-0007");
    inc->title = "Ransomware at the pumping station";
    inc->description = "Encrypted SCADA historian";
    inc->severity = SEVERITY_CRITICAL;
    inc->state = STATE_CONTAINED;
    inc->tlp = TLP_AMBER;
    inc->root_cause_category = ROOT_CAUSE_MALICIOUS_ACTION;
    inc->detected_at = 1931245200; /* 2031-03-14T09:00:00Z */
    inc->created_at = 1931245200;
    inc->updated_at = 1931248800;
    inc->version = 3;
}

static json_t *
rows(void)
{
    return json_pack(
        "[{s:s, s:s, s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s, s:s, s:s},"
        " {s:s, s:s, s:s, s:s, s:s, s:s}]",
        "id", "01900000-0000-7000-8000-0000000000a1", "type", "ipv4", "value", "192.0.2.1", "tlp",
        "green", "comment", "", "created_at", "2031-03-14T09:30:00Z", "id",
        "01900000-0000-7000-8000-0000000000a2", "type", "sha256", "value",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "tlp", "amber",
        "comment", "dropper", "created_at", "2031-03-14T09:31:00Z", "id",
        "01900000-0000-7000-8000-0000000000a3", "type", "email", "value", "o'brien@evil.example",
        "tlp", "red", "comment", "", "created_at", "2031-03-14T09:32:00Z");
}

START_TEST(test_misp_event_mapping)
{
    struct incident inc;
    json_t *iocs = rows(), *ev, *again, *e, *attrs, *tags;
    char *a, *b;

    fixed_incident(&inc);
    ev = misp_event(&inc, iocs, "Waterbedrijf");
    ck_assert_ptr_nonnull(ev);
    e = json_object_get(ev, "Event");
    ck_assert_str_eq(json_string_value(json_object_get(e, "info")),
                     "INC-2031-0007: Ransomware at the pumping station");
    ck_assert_str_eq(json_string_value(json_object_get(e, "date")), "2031-03-14");
    ck_assert_str_eq(json_string_value(json_object_get(e, "threat_level_id")), "1");
    ck_assert_str_eq(json_string_value(json_object_get(e, "analysis")), "1");
    ck_assert_str_eq(json_string_value(json_object_get(e, "distribution")), "0");
    ck_assert_str_eq(json_string_value(json_object_get(e, "timestamp")), "1931248800");
    tags = json_object_get(e, "Tag");
    ck_assert_int_eq(json_array_size(tags), 3);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(tags, 0), "name")),
                     "tlp:amber");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(tags, 1), "name")),
                     "nis:nature-root-cause=\"malicious-actions\"");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(tags, 2), "name")),
                     "nis:nature-severity=\"high\"");
    attrs = json_object_get(e, "Attribute");
    ck_assert_int_eq(json_array_size(attrs), 3);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(attrs, 0), "type")),
                     "ip-dst");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(attrs, 0), "category")),
                     "Network activity");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(attrs, 1), "type")),
                     "sha256");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(attrs, 1), "category")),
                     "Payload delivery");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(attrs, 2), "type")),
                     "email-src");
    ck_assert_str_eq(
        json_string_value(json_object_get(
            json_array_get(json_object_get(json_array_get(attrs, 2), "Tag"), 0), "name")),
        "tlp:red");
    /* the same incident gives the same event, ids and all */
    again = misp_event(&inc, iocs, "Waterbedrijf");
    a = json_dumps(ev, JSON_SORT_KEYS);
    b = json_dumps(again, JSON_SORT_KEYS);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    json_decref(again);
    json_decref(ev);
    /* a root cause the taxonomy has no word for gets no nis root-cause tag */
    inc.root_cause_category = ROOT_CAUSE_OTHER;
    inc.severity = SEVERITY_LOW;
    inc.tlp = TLP_CLEAR;
    ev = misp_event(&inc, iocs, "Waterbedrijf");
    e = json_object_get(ev, "Event");
    ck_assert_int_eq(json_array_size(json_object_get(e, "Tag")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(e, "distribution")), "3");
    ck_assert_str_eq(json_string_value(json_object_get(e, "threat_level_id")), "3");
    json_decref(ev);
    json_decref(iocs);
}
END_TEST

START_TEST(test_stix_patterns)
{
    char out[256];

    ck_assert(stix_pattern("ipv4", "192.0.2.1", out, sizeof(out)));
    ck_assert_str_eq(out, "[ipv4-addr:value = '192.0.2.1']");
    ck_assert(stix_pattern("sha256", "e3b0", out, sizeof(out)));
    ck_assert_str_eq(out, "[file:hashes.'SHA-256' = 'e3b0']");
    ck_assert(stix_pattern("md5", "d41d", out, sizeof(out)));
    ck_assert_str_eq(out, "[file:hashes.MD5 = 'd41d']");
    ck_assert(stix_pattern("filename", "a'b\\c.exe", out, sizeof(out)));
    ck_assert_str_eq(out, "[file:name = 'a\\'b\\\\c.exe']");
    ck_assert(stix_pattern("email", "x@evil.example", out, sizeof(out)));
    ck_assert_str_eq(out, "[email-addr:value = 'x@evil.example']");
    ck_assert(!stix_pattern("nonsense", "x", out, sizeof(out)));
    ck_assert(!stix_pattern("url", "http://evil.example/a-long-path", out, 16));
}
END_TEST

START_TEST(test_stix_bundle_ids)
{
    struct incident inc;
    json_t *iocs = rows(), *b1, *b2, *objects, *o;
    char *a, *b;
    size_t i, markings = 0, indicators = 0;

    fixed_incident(&inc);
    b1 = stix_bundle(&inc, iocs, "Waterbedrijf");
    b2 = stix_bundle(&inc, iocs, "Waterbedrijf");
    a = json_dumps(b1, JSON_SORT_KEYS);
    b = json_dumps(b2, JSON_SORT_KEYS);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    objects = json_object_get(b1, "objects");
    json_array_foreach(objects, i, o)
    {
        const char *type = json_string_value(json_object_get(o, "type"));
        if (strcmp(type, "marking-definition") == 0)
            markings++;
        if (strcmp(type, "indicator") == 0)
            indicators++;
        /* the observable's id is STIX's own: UUIDv5 of its canonical value */
        if (strcmp(type, "ipv4-addr") == 0) {
            char want[UUID_TEXT_LEN + 1], id[80];
            uuid5_generate("00abedb4-aa42-466c-9c01-fed23315a9b7", "{\"value\":\"192.0.2.1\"}", 21,
                           want);
            snprintf(id, sizeof(id), "ipv4-addr--%s", want);
            ck_assert_str_eq(json_string_value(json_object_get(o, "id")), id);
        }
    }
    ck_assert_int_eq(indicators, 3);
    ck_assert_int_eq(markings, 3); /* green, amber, red: the levels used */
    json_decref(b1);
    json_decref(b2);
    json_decref(iocs);
}
END_TEST

static Suite *
ioc_suite(void)
{
    Suite *s = suite_create("ioc");
    TCase *tc = tcase_create("ioc");

    tcase_add_test(tc, test_ioc_normalise_table);
    tcase_add_test(tc, test_ioc_reasons);
    tcase_add_test(tc, test_uuid5_rfc9562_example);
    suite_add_tcase(s, tc);
    tc = tcase_create("exports");
    tcase_add_test(tc, test_misp_event_mapping);
    tcase_add_test(tc, test_stix_patterns);
    tcase_add_test(tc, test_stix_bundle_ids);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(ioc_suite());
}
