/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_config.c - config.c (defaults, INI loading, sizes) and
 * http_parse_listen() from http/server.c.
 *
 * The shipped config/meldpunt.conf is parsed and must state exactly the
 * built-in defaults (run from the repository root, as tests/run.sh does).
 */
#include "config.h"
#include "http/server.h"
#include "testutil.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define SHIPPED_CONF "config/meldpunt.conf"

static char tmpdir[PATH_MAX];
static char conf[PATH_MAX];

static void
setup(void)
{
    tu_mkdtemp(tmpdir);
    tu_path(conf, tmpdir, "test.conf");
}

static void
teardown(void)
{
    tu_rmrf(tmpdir);
}

/* Writes text to the temp config file and loads it over the defaults. */
static int
load_text(const char *text, struct config *cfg, struct mp_error *err)
{
    tu_write_file(conf, text);
    config_defaults(cfg);
    mp_error_clear(err);
    return config_load(conf, cfg, err);
}

/* ---- defaults ---- */

START_TEST(test_defaults)
{
    struct config c;

    memset(&c, 0x5a, sizeof(c));
    config_defaults(&c);
    ck_assert_str_eq(c.listen, "127.0.0.1:8080");
    ck_assert_str_eq(c.web_root, "");
    ck_assert_uint_eq(c.threads, 4);
    ck_assert_uint_eq(c.connection_limit, 4096);
    ck_assert_uint_eq(c.per_ip_connection_limit, 64);
    ck_assert_uint_eq(c.connection_timeout, 30);
    ck_assert_uint_eq(c.header_timeout, 10);
    ck_assert_uint_eq(c.body_min_rate, 1024);
    ck_assert_uint_eq(c.connection_memory_limit, 64 * 1024);
    ck_assert_uint_eq(c.body_limit, 1024 * 1024);
    ck_assert_uint_eq(c.large_bodies, 8);
    ck_assert_uint_eq(c.shutdown_timeout, 10);
    ck_assert(!c.bench_endpoints);
    ck_assert_str_eq(c.data_dir, "./var");
    ck_assert_uint_eq(c.write_batch, 64);
    ck_assert_uint_eq(c.checkpoint_interval, 3600);
    ck_assert_int_eq(c.log_level, LOG_NOTICE);
}
END_TEST

/* The documented defaults in config/meldpunt.conf are the code's defaults:
 * loaded over config_defaults() the struct is byte-for-byte unchanged. */
START_TEST(test_shipped_conf_equals_defaults_memcmp)
{
    struct config want, got;
    struct mp_error err;

    config_defaults(&want);
    config_defaults(&got);
    mp_error_clear(&err);
    ck_assert_msg(config_load(SHIPPED_CONF, &got, &err) == 0, "%s", err.message);
    ck_assert_msg(memcmp(&want, &got, sizeof(want)) == 0,
                  "config/meldpunt.conf does not state the defaults of config_defaults()");
}
END_TEST

/* The same, but loaded over a struct where every field differs from the
 * default: so every key must be present in the file (not just "not wrong"). */
START_TEST(test_shipped_conf_states_every_key)
{
    struct config want, got;
    struct mp_error err;

    config_defaults(&want);
    memset(&got, 0, sizeof(got));
    snprintf(got.listen, sizeof(got.listen), "10.9.8.7:1");
    snprintf(got.web_root, sizeof(got.web_root), "/poison");
    got.threads = 99;
    got.connection_limit = 99;
    got.per_ip_connection_limit = 99;
    got.connection_timeout = 99;
    got.header_timeout = 99;
    got.body_min_rate = 99;
    got.connection_memory_limit = 99;
    got.body_limit = 99;
    got.large_bodies = 99;
    got.shutdown_timeout = 99;
    got.bench_endpoints = true;
    snprintf(got.tls_cert, sizeof(got.tls_cert), "/poison");
    snprintf(got.tls_key, sizeof(got.tls_key), "/poison");
    snprintf(got.trusted_proxies, sizeof(got.trusted_proxies), "10.0.0.1");
    got.rate_limit = 99;
    got.rate_burst = 99;
    got.session_idle = 99;
    got.session_max = 99;
    got.password_min_length = 99;
    got.lockout_after = 99;
    got.lockout_time = 99;
    snprintf(got.data_dir, sizeof(got.data_dir), "/poison");
    snprintf(got.assessment_dir, sizeof(got.assessment_dir), "/poison");
    got.write_batch = 99;
    snprintf(got.detection_dir, sizeof(got.detection_dir), "/poison");
    got.alert_batch_max = 99;
    got.alert_payload_limit = 99;
    got.log_level = LOG_DEBUG;

    mp_error_clear(&err);
    ck_assert_msg(config_load(SHIPPED_CONF, &got, &err) == 0, "%s", err.message);
    ck_assert_str_eq(got.listen, want.listen);
    ck_assert_str_eq(got.web_root, want.web_root);
    ck_assert_str_eq(got.assessment_dir, want.assessment_dir);
    ck_assert_uint_eq(got.threads, want.threads);
    ck_assert_uint_eq(got.connection_limit, want.connection_limit);
    ck_assert_uint_eq(got.per_ip_connection_limit, want.per_ip_connection_limit);
    ck_assert_uint_eq(got.header_timeout, want.header_timeout);
    ck_assert_uint_eq(got.body_min_rate, want.body_min_rate);
    ck_assert_uint_eq(got.connection_timeout, want.connection_timeout);
    ck_assert_uint_eq(got.connection_memory_limit, want.connection_memory_limit);
    ck_assert_uint_eq(got.body_limit, want.body_limit);
    ck_assert_uint_eq(got.large_bodies, want.large_bodies);
    ck_assert_uint_eq(got.shutdown_timeout, want.shutdown_timeout);
    ck_assert_int_eq(got.bench_endpoints, want.bench_endpoints);
    ck_assert_str_eq(got.tls_cert, want.tls_cert);
    ck_assert_str_eq(got.tls_key, want.tls_key);
    ck_assert_str_eq(got.trusted_proxies, want.trusted_proxies);
    ck_assert_uint_eq(got.rate_limit, want.rate_limit);
    ck_assert_uint_eq(got.rate_burst, want.rate_burst);
    ck_assert_uint_eq(got.session_idle, want.session_idle);
    ck_assert_uint_eq(got.session_max, want.session_max);
    ck_assert_uint_eq(got.password_min_length, want.password_min_length);
    ck_assert_uint_eq(got.lockout_after, want.lockout_after);
    ck_assert_uint_eq(got.lockout_time, want.lockout_time);
    ck_assert_str_eq(got.data_dir, want.data_dir);
    ck_assert_uint_eq(got.write_batch, want.write_batch);
    ck_assert_str_eq(got.detection_dir, want.detection_dir);
    ck_assert_uint_eq(got.alert_batch_max, want.alert_batch_max);
    ck_assert_uint_eq(got.alert_payload_limit, want.alert_payload_limit);
    ck_assert_int_eq(got.log_level, want.log_level);
}
END_TEST

/* ---- loading ---- */

START_TEST(test_load_overrides)
{
    struct config c;
    struct mp_error err;

    ck_assert_msg(load_text("; a comment\n"
                            "# another\n"
                            "[server]\n"
                            "listen = [::1]:9090\n"
                            "web_root = /srv/web\n"
                            "threads = 8\n"
                            "connection_limit = 100\n"
                            "per_ip_connection_limit = 0\n"
                            "connection_timeout = 5\n"
                            "connection_memory_limit = 128K\n"
                            "body_limit = 2M\n"
                            "shutdown_timeout = 0\n"
                            "bench_endpoints = yes\n"
                            "\n"
                            "[storage]\n"
                            "data_dir = /var/lib/meldpunt\n"
                            "write_batch = 10000\n"
                            "[audit]\n"
                            "checkpoint_interval = 0\n"
                            "[log]\n"
                            "level = debug\n",
                            &c, &err) == 0,
                  "%s", err.message);
    ck_assert_str_eq(c.listen, "[::1]:9090");
    ck_assert_str_eq(c.web_root, "/srv/web");
    ck_assert_uint_eq(c.threads, 8);
    ck_assert_uint_eq(c.connection_limit, 100);
    ck_assert_uint_eq(c.per_ip_connection_limit, 0);
    ck_assert_uint_eq(c.connection_timeout, 5);
    ck_assert_uint_eq(c.connection_memory_limit, 128 * 1024);
    ck_assert_uint_eq(c.body_limit, 2 * 1024 * 1024);
    ck_assert_uint_eq(c.shutdown_timeout, 0);
    ck_assert(c.bench_endpoints);
    ck_assert_str_eq(c.data_dir, "/var/lib/meldpunt");
    ck_assert_uint_eq(c.write_batch, 10000);
    ck_assert_uint_eq(c.checkpoint_interval, 0);
    ck_assert_int_eq(c.log_level, LOG_DEBUG);
}
END_TEST

/* A file that sets only some keys leaves the others at their defaults. */
START_TEST(test_load_partial_keeps_defaults)
{
    struct config c, d;
    struct mp_error err;

    ck_assert_int_eq(load_text("[server]\nthreads = 2\n", &c, &err), 0);
    config_defaults(&d);
    ck_assert_uint_eq(c.threads, 2);
    d.threads = 2;
    ck_assert(memcmp(&c, &d, sizeof(c)) == 0);
}
END_TEST

START_TEST(test_load_empty_file)
{
    struct config c, d;
    struct mp_error err;

    ck_assert_int_eq(load_text("", &c, &err), 0);
    config_defaults(&d);
    ck_assert(memcmp(&c, &d, sizeof(c)) == 0);
}
END_TEST

START_TEST(test_load_missing_file)
{
    struct config c;
    struct mp_error err;

    config_defaults(&c);
    tu_path(conf, tmpdir, "does-not-exist.conf");
    ck_assert_int_eq(config_load(conf, &c, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, conf));
}
END_TEST

/* Asserts that err.message starts with "CONF:LINE: " and contains want. */
static void
assert_error_at(const struct mp_error *err, int line, const char *want)
{
    char prefix[PATH_MAX + 32];

    snprintf(prefix, sizeof(prefix), "%s:%d: ", conf, line);
    ck_assert_msg(strncmp(err->message, prefix, strlen(prefix)) == 0,
                  "message \"%s\" does not start with \"%s\"", err->message, prefix);
    ck_assert_msg(strstr(err->message, want) != NULL, "message \"%s\" does not contain \"%s\"",
                  err->message, want);
}

START_TEST(test_unknown_key)
{
    struct config c;
    struct mp_error err;

    ck_assert_int_eq(load_text("[server]\nthreads = 4\nthread = 4\n", &c, &err), -1);
    assert_error_at(&err, 3, "unknown key");
    ck_assert_ptr_nonnull(strstr(err.message, "thread"));

    /* a key that exists, but in another section */
    ck_assert_int_eq(load_text("[storage]\nthreads = 4\n", &c, &err), -1);
    assert_error_at(&err, 2, "unknown key");
}
END_TEST

START_TEST(test_unknown_section)
{
    struct config c;
    struct mp_error err;

    ck_assert_int_eq(load_text("[server]\nthreads = 4\n\n[nope]\nx = 1\n", &c, &err), -1);
    assert_error_at(&err, 5, "unknown section");

    /* a key before any section */
    ck_assert_int_eq(load_text("threads = 4\n", &c, &err), -1);
    assert_error_at(&err, 1, "unknown section");
}
END_TEST

START_TEST(test_syntax_error_line)
{
    struct config c;
    struct mp_error err;

    ck_assert_int_eq(load_text("# comment\n[server]\nthreads = 4\nthis line has no equals sign\n"
                               "body_limit = 1M\n",
                               &c, &err),
                     -1);
    assert_error_at(&err, 4, "syntax error");
}
END_TEST

/* With several errors the first one is reported, line and reason together. */
START_TEST(test_first_error_wins)
{
    struct config c;
    struct mp_error err;

    ck_assert_int_eq(load_text("[server]\nthreads = 0\nbody_limit = abc\n", &c, &err), -1);
    assert_error_at(&err, 2, "threads");
    ck_assert_ptr_null(strstr(err.message, "body_limit"));
}
END_TEST

/* A syntax error followed by a bad value on a later line: the message gives
 * the first error's line (inih returns it), so the reason must be that
 * line's reason too, not the later line's. */
struct syntax_case {
    const char *text;
    int line;
};

static const struct syntax_case syntax_then_bad[] = {
    {"[server]\nno equals here\nthreads = 0\n", 2},
    {"[server\nthreads = 4\n", 1}, /* unclosed header, then a key in no section */
    {"[server]\nthreads = 4\n!!!\n[nope]\nx = 1\n", 3},
};

START_TEST(test_syntax_error_then_bad_value)
{
    const struct syntax_case *t = &syntax_then_bad[_i];
    struct config c;
    struct mp_error err;

    ck_assert_int_eq(load_text(t->text, &c, &err), -1);
    assert_error_at(&err, t->line, "syntax error");
}
END_TEST

struct bad_value {
    const char *section;
    const char *key;
    const char *value;
};

static const struct bad_value bad_values[] = {
    {"server", "threads", "0"},
    {"server", "threads", "257"},
    {"server", "threads", "-1"},
    {"server", "threads", "4x"},
    {"server", "threads", "four"},
    {"server", "threads", "99999999999999999999"},
    {"server", "body_limit", "abc"},
    {"server", "body_limit", "512"},
    {"server", "body_limit", "2G"},
    {"server", "body_limit", "1m"},
    {"server", "body_limit", "17179869185G"}, /* wraps to 1G if unchecked */
    {"server", "connection_memory_limit", "4K"},
    {"server", "connection_memory_limit", "32M"},
    {"server", "listen", "localhost:80"},
    {"server", "listen", "127.0.0.1"},
    {"server", "listen", "127.0.0.1:70000"},
    {"server", "connection_limit", "0"},
    {"server", "connection_limit", "100001"},
    {"server", "per_ip_connection_limit", "100001"},
    {"server", "connection_timeout", "0"},
    {"server", "connection_timeout", "3601"},
    {"server", "header_timeout", "0"},
    {"server", "header_timeout", "3601"},
    {"server", "body_min_rate", "-1"},
    {"server", "body_min_rate", "1073741825"},
    {"server", "shutdown_timeout", "3601"},
    {"server", "bench_endpoints", "maybe"},
    {"server", "bench_endpoints", "TRUE"},
    {"server", "trusted_proxies", "proxy.example"},
    {"server", "trusted_proxies", "127.0.0.1, 10.0.0.300"},
    {"server", "rate_limit", "-5"},
    {"server", "rate_burst", "0"},
    {"auth", "session_idle", "59"},
    {"auth", "session_max", "0"},
    {"auth", "password_min_length", "4"},
    {"auth", "lockout_after", "2"},
    {"auth", "lockout_time", "0"},
    {"storage", "data_dir", ""},
    {"storage", "write_batch", "0"},
    {"storage", "write_batch", "10001"},
    {"audit", "checkpoint_interval", "-1"},
    {"audit", "checkpoint_interval", "604801"},
    {"audit", "checkpoint_interval", "1h"},
    {"log", "level", "loud"},
    {"log", "level", "NOTICE"},
    {"log", "level", ""},
};

START_TEST(test_bad_value)
{
    const struct bad_value *b = &bad_values[_i];
    char text[512];
    struct config c, d;
    struct mp_error err;

    snprintf(text, sizeof(text), "# line 1\n[%s]\n%s = %s\n", b->section, b->key, b->value);
    ck_assert_msg(load_text(text, &c, &err) == -1, "[%s] %s = %s was accepted", b->section, b->key,
                  b->value);
    assert_error_at(&err, 3, b->key);
    ck_assert_msg(strstr(err.message, "must be") != NULL, "%s", err.message);
    /* a rejected value is not half-applied to fields other than its own */
    config_defaults(&d);
    ck_assert_str_eq(c.listen, d.listen);
    ck_assert_str_eq(c.data_dir, d.data_dir);
}
END_TEST

struct good_value {
    const char *section;
    const char *key;
    const char *value;
};

static const struct good_value good_values[] = {
    {"server", "threads", "1"},
    {"server", "threads", "256"},
    {"server", "listen", "0.0.0.0:0"},
    {"server", "body_limit", "1K"},
    {"server", "body_limit", "1G"},
    {"server", "body_limit", "1024"},
    {"server", "connection_memory_limit", "8K"},
    {"server", "connection_memory_limit", "16M"},
    {"server", "per_ip_connection_limit", "0"},
    {"server", "bench_endpoints", "true"},
    {"server", "bench_endpoints", "1"},
    {"server", "bench_endpoints", "no"},
    {"server", "bench_endpoints", "0"},
    {"server", "web_root", ""},
    {"server", "trusted_proxies", "127.0.0.1, ::1"},
    {"server", "trusted_proxies", ""},
    {"server", "rate_limit", "0"},
    {"auth", "session_idle", "60"},
    {"auth", "lockout_after", "3"},
    {"log", "level", "error"},
    {"log", "level", "warn"},
    {"log", "level", "info"},
};

START_TEST(test_good_value)
{
    const struct good_value *g = &good_values[_i];
    char text[512];
    struct config c;
    struct mp_error err;

    snprintf(text, sizeof(text), "[%s]\n%s = %s\n", g->section, g->key, g->value);
    ck_assert_msg(load_text(text, &c, &err) == 0, "[%s] %s = %s: %s", g->section, g->key, g->value,
                  err.message);
}
END_TEST

/* ---- sizes ---- */

struct size_case {
    const char *text;
    int rc;
    size_t value;
};

static const struct size_case size_cases[] = {
    {"0", 0, 0},
    {"1", 0, 1},
    {"1048576", 0, 1048576},
    {"64K", 0, 64 * 1024},
    {"1K", 0, 1024},
    {"1M", 0, 1024 * 1024},
    {"3M", 0, 3 * 1024 * 1024},
    {"1G", 0, (size_t)1 << 30},
    {"1024G", 0, (size_t)1 << 40},
    {"1099511627776", 0, (size_t)1 << 40},
    {"1099511627777", -1, 0},
    {"1025G", -1, 0},
    {"", -1, 0},
    {"K", -1, 0},
    {"-1", -1, 0},
    {"+1", -1, 0},
    {" 1", -1, 0},
    {"1 ", -1, 0},
    {"1k", -1, 0},
    {"1KB", -1, 0},
    {"1T", -1, 0},
    {"1.5M", -1, 0},
    {"0x10", -1, 0},
    {"18446744073709551616", -1, 0},
    /* the shift must not wrap around: 2^34 G is 2^64 bytes */
    {"17179869184G", -1, 0},
    {"17179869185G", -1, 0},
    {"17592186044417M", -1, 0},
    {"18014398509481985K", -1, 0},
};

START_TEST(test_parse_size)
{
    const struct size_case *t = &size_cases[_i];
    size_t out = 12345;
    int rc = config_parse_size(t->text, &out);

    ck_assert_msg(rc == t->rc, "config_parse_size(\"%s\") = %d (value %zu), expected %d", t->text,
                  rc, out, t->rc);
    if (t->rc == 0)
        ck_assert_msg(out == t->value, "config_parse_size(\"%s\"): %zu, expected %zu", t->text, out,
                      t->value);
    else
        ck_assert_uint_eq(out, 12345); /* untouched on failure */
}
END_TEST

/* ---- listen addresses ---- */

struct listen_case {
    const char *text;
    int rc;
    const char *host;
    unsigned port;
    bool ipv6;
};

static const struct listen_case listen_cases[] = {
    {"127.0.0.1:8080", 0, "127.0.0.1", 8080, false},
    {"[::1]:9", 0, "::1", 9, true},
    {"0.0.0.0:0", 0, "0.0.0.0", 0, false},
    {"[::]:65535", 0, "::", 65535, true},
    {"192.168.1.20:443", 0, "192.168.1.20", 443, false},
    {"[fe80::1]:80", 0, "fe80::1", 80, true},
    {"127.0.0.1", -1, NULL, 0, false},
    {"127.0.0.1:70000", -1, NULL, 0, false},
    {"127.0.0.1:65536", -1, NULL, 0, false},
    {"[::1]8080", -1, NULL, 0, false},
    {"[::1]", -1, NULL, 0, false},
    {"[::1]:", -1, NULL, 0, false},
    {"[]:80", -1, NULL, 0, false},
    {"[::1:80", -1, NULL, 0, false},
    {"[127.0.0.1]:80", -1, NULL, 0, false},
    {"::1:80", -1, NULL, 0, false},
    {"host:80", -1, NULL, 0, false},
    {"localhost:80", -1, NULL, 0, false},
    {":80", -1, NULL, 0, false},
    {"127.0.0.1:", -1, NULL, 0, false},
    {"127.0.0.1:-1", -1, NULL, 0, false},
    {"127.0.0.1:+80", -1, NULL, 0, false},
    {"127.0.0.1: 80", -1, NULL, 0, false},
    {"127.0.0.1:80x", -1, NULL, 0, false},
    {"127.0.0.1:80 ", -1, NULL, 0, false},
    {"127.0.0.1:000080", -1, NULL, 0, false},
    {"256.0.0.1:80", -1, NULL, 0, false},
    {"1.2.3:80", -1, NULL, 0, false},
    {"", -1, NULL, 0, false},
};

START_TEST(test_parse_listen)
{
    const struct listen_case *t = &listen_cases[_i];
    char host[64] = "";
    uint16_t port = 1;
    bool v6 = !t->ipv6;
    int rc = http_parse_listen(t->text, host, &port, &v6);

    ck_assert_msg(rc == t->rc, "http_parse_listen(\"%s\") = %d, expected %d", t->text, rc, t->rc);
    if (t->rc != 0)
        return;
    ck_assert_str_eq(host, t->host);
    ck_assert_uint_eq(port, t->port);
    ck_assert_int_eq(v6, t->ipv6);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc;

    tc = tcase_create("defaults");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_shipped_conf_equals_defaults_memcmp);
    tcase_add_test(tc, test_shipped_conf_states_every_key);
    suite_add_tcase(s, tc);

    tc = tcase_create("load");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_load_overrides);
    tcase_add_test(tc, test_load_partial_keeps_defaults);
    tcase_add_test(tc, test_load_empty_file);
    tcase_add_test(tc, test_load_missing_file);
    tcase_add_test(tc, test_unknown_key);
    tcase_add_test(tc, test_unknown_section);
    tcase_add_test(tc, test_syntax_error_line);
    tcase_add_test(tc, test_first_error_wins);
    tcase_add_loop_test(tc, test_syntax_error_then_bad_value, 0, N(syntax_then_bad));
    tcase_add_loop_test(tc, test_bad_value, 0, N(bad_values));
    tcase_add_loop_test(tc, test_good_value, 0, N(good_values));
    suite_add_tcase(s, tc);

    tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_parse_size, 0, N(size_cases));
    tcase_add_loop_test(tc, test_parse_listen, 0, N(listen_cases));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(config_suite());
}
