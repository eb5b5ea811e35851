/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_list_plans.c - store/incidents.c and store/alerts.c: each filter of
 * the incident and alert lists, and the text search, is served by an index
 * (schema/0016), never by a walk through the whole table; /metrics' counts
 * come from counters kept in step in the write transaction.
 *
 * The statements are the ones the store really prepares: a trace callback
 * on the reader catches each list statement, and SQLite's own EXPLAIN QUERY
 * PLAN says how it is run.
 */
#include "core/alert.h"
#include "core/incident_types.h"
#include "datadir.h"
#include "lib/timeutil.h"
#include "store/alerts.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/writer.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int64_t NOW = 1796000000; /* 2026-11-30T00:53:20Z */

static char tmpdir[PATH_MAX], datadir[PATH_MAX];
static char last_sql[4096];

static void
setup(void)
{
    char token[TOKEN_TEXT_LEN + 1];
    struct mp_error err;

    tu_mkdtemp(tmpdir);
    tu_path(datadir, tmpdir, "data");
    mp_error_clear(&err);
    ck_assert_msg(datadir_init(datadir, "test", NOW, token, &err) == 0, "%s", err.message);
}

static void
teardown(void)
{
    datadir_close();
    tu_rmrf(tmpdir);
}

/* Keeps the text of the last list statement the store prepared. */
static int
trace(unsigned type, void *ctx, void *p, void *x)
{
    const char *sql = sqlite3_sql((sqlite3_stmt *)p);

    (void)type;
    (void)ctx;
    (void)x;
    if (sql != NULL && strstr(sql, "DESC LIMIT ?") != NULL)
        snprintf(last_sql, sizeof(last_sql), "%s", sql);
    return 0;
}

/* The plan of last_sql, its lines joined by "; ". */
static void
plan(sqlite3 *db, char *out, size_t size)
{
    char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", last_sql);
    sqlite3_stmt *st;
    size_t n = 0;

    out[0] = '\0';
    ck_assert_int_eq(sqlite3_prepare_v2(db, eqp, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW && n < size)
        n += (size_t)snprintf(out + n, size - n, "%s; ", (const char *)sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    sqlite3_free(eqp);
}

/* True when the plan walks table through (a SCAN of it, not of an index
 * or the text index). */
static bool
full_scan(const char *p, const char *table)
{
    char scan[64], covering[80];

    snprintf(scan, sizeof(scan), "SCAN %s; ", table);
    snprintf(covering, sizeof(covering), "SCAN %s USING", table);
    return strstr(p, scan) != NULL || strncmp(p, scan, strlen(scan)) == 0 ||
           strstr(p, covering) != NULL;
}

static sqlite3 *
traced_reader(void)
{
    struct mp_error err;
    sqlite3 *db = db_reader(&err);

    ck_assert_ptr_nonnull(db);
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, trace, NULL);
    return db;
}

START_TEST(test_incident_filters_use_an_index)
{
    static const struct {
        const char *name;
        struct store_incident_query q;
    } cases[] = {
        {"state", {.state = STATE_TRIAGE, .severity = -1, .category = -1}},
        {"severity", {.state = -1, .severity = SEVERITY_HIGH, .category = -1}},
        {"category", {.state = -1, .severity = -1, .category = CATEGORY_CYBER}},
        {"q", {.state = -1, .severity = -1, .category = -1, .q = "nothing matches this"}},
        {"updated_since", {.state = -1, .severity = -1, .category = -1, .updated_since = NOW}},
        {"state, deep page, TLP-limited",
         {.state = STATE_DETECTED,
          .severity = -1,
          .category = -1,
          .before_seq = 1000,
          .tlp_limited = true,
          .tlp_max = TLP_GREEN}},
    };
    sqlite3 *db = traced_reader();
    char p[1024];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct store_incident_query q = cases[i].q;
        struct incident *items;
        struct mp_error err;
        int n;

        if (q.updated_since == 0)
            q.updated_since = TIME_UNSET;
        q.limit = 50;
        last_sql[0] = '\0';
        ck_assert_msg(store_incident_query(db, &q, &items, &n, &err) == 0, "%s", err.message);
        free(items);
        ck_assert_msg(last_sql[0] != '\0', "%s: no statement seen", cases[i].name);
        plan(db, p, sizeof(p));
        ck_assert_msg(!full_scan(p, "incidents"), "%s: %s", cases[i].name, p);
        ck_assert_msg(strstr(p, "SEARCH incidents") != NULL, "%s: %s", cases[i].name, p);
        if (cases[i].q.q != NULL)
            ck_assert_msg(strstr(p, "incidents_fts VIRTUAL TABLE") != NULL, "q: %s", p);
    }
    sqlite3_trace_v2(db, 0, NULL, NULL);
}
END_TEST

START_TEST(test_alert_filters_use_an_index)
{
    static const struct {
        const char *name;
        struct store_alert_query q;
    } cases[] = {
        {"state", {.state = 0, .status = -1, .severity = -1, .tlp_max = TLP_RED}},
        {"status", {.state = -1, .status = 0, .severity = -1, .tlp_max = TLP_RED}},
        {"severity", {.state = -1, .status = -1, .severity = 2, .tlp_max = TLP_RED}},
        {"source", {.state = -1, .status = -1, .severity = -1, .source = "x", .tlp_max = TLP_RED}},
        {"service",
         {.state = -1, .status = -1, .severity = -1, .service = "x", .tlp_max = TLP_RED}},
        {"incident",
         {.state = -1, .status = -1, .severity = -1, .incident_id = "x", .tlp_max = TLP_RED}},
        {"severity, deep page, TLP-limited",
         {.state = -1, .status = -1, .severity = 2, .before_seq = 1000, .tlp_max = TLP_GREEN}},
    };
    sqlite3 *db = traced_reader();
    char p[1024];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct store_alert_query q = cases[i].q;
        struct alert *items;
        struct mp_error err;
        int n;

        q.limit = 50;
        last_sql[0] = '\0';
        ck_assert_msg(store_alert_query(db, &q, &items, &n, &err) == 0, "%s", err.message);
        free(items);
        ck_assert_msg(last_sql[0] != '\0', "%s: no statement seen", cases[i].name);
        plan(db, p, sizeof(p));
        ck_assert_msg(!full_scan(p, "alerts"), "%s: %s", cases[i].name, p);
        ck_assert_msg(strstr(p, "SEARCH alerts") != NULL, "%s: %s", cases[i].name, p);
    }
    sqlite3_trace_v2(db, 0, NULL, NULL);
}
END_TEST

static void
exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql,
                  msg ? msg : "?");
}

/* The seq of the one incident text matches, 0 for none. */
static int64_t
search(sqlite3 *db, const char *text)
{
    struct store_incident_query q = {
        .state = -1, .severity = -1, .category = -1, .q = text, .limit = 10};
    struct incident *items;
    struct mp_error err;
    int64_t seq = 0;
    int n;

    q.updated_since = TIME_UNSET;
    ck_assert_msg(store_incident_query(db, &q, &items, &n, &err) == 0, "%s", err.message);
    ck_assert_int_le(n, 1);
    if (n == 1)
        seq = items[0].seq;
    for (int k = 0; k < n; k++)
        incident_free(&items[k]);
    free(items);
    return seq;
}

/* The counters and the text index follow every insert and change in the
 * same transaction, and a rolled-back change leaves them as they were. */
START_TEST(test_counters_and_text_index_kept_in_step)
{
    char path[PATH_MAX];
    struct mp_error err;
    sqlite3 *w, *db;
    int64_t counts[STATE_COUNT];

    tu_path(path, datadir, "meldpunt.db");
    w = db_connect(path, false, &err);
    ck_assert_ptr_nonnull(w);
    for (int i = 0; i < 3; i++) {
        struct incident inc = {0};
        snprintf(inc.id, sizeof(inc.id), "00000000-0000-7000-8000-00000000000%c", '0' + i);
        inc.title = i == 0 ? "Ransomware op de fileserver" : "Phishing campagne";
        inc.description = i == 2 ? "mail met een link naar een valse inlogpagina" : "";
        inc.category = CATEGORY_CYBER;
        inc.cause = CAUSE_MALICIOUS;
        inc.severity = SEVERITY_HIGH;
        inc.state = STATE_DETECTED;
        inc.tlp = i == 1 ? TLP_RED : TLP_GREEN;
        inc.detected_at = inc.created_at = inc.updated_at = NOW;
        inc.aware_at = inc.started_at = inc.ended_at = TIME_UNSET;
        for (int k = 0; k < STATE_COUNT; k++)
            inc.state_at[k] = TIME_UNSET;
        inc.root_cause_category = -1;
        inc.services = json_array();
        inc.impact = json_object();
        inc.version = 1;
        snprintf(inc.created_by, sizeof(inc.created_by), "test");
        ck_assert_msg(store_incident_insert(w, &inc, &err) == 0, "%s", err.message);
        json_decref(inc.services);
        json_decref(inc.impact);
    }
    exec_ok(w, "UPDATE incidents SET state = 'triage' WHERE seq = 1");

    db = db_reader(&err);
    ck_assert_int_eq(store_incident_count_by_state(db, TLP_RED, counts, STATE_COUNT, &err), 0);
    ck_assert_int_eq(counts[STATE_DETECTED], 2);
    ck_assert_int_eq(counts[STATE_TRIAGE], 1);
    ck_assert_int_eq(store_incident_count_by_state(db, TLP_GREEN, counts, STATE_COUNT, &err), 0);
    ck_assert_int_eq(counts[STATE_DETECTED], 1);
    ck_assert_int_eq(counts[STATE_TRIAGE], 1);

    /* substring, any case, in title or description, as LIKE matched */
    ck_assert_int_eq(search(db, "SOMWARE"), 1);
    ck_assert_int_eq(search(db, "valse inlog"), 3);
    ck_assert_int_eq(search(db, "\"quoted\""), 0);

    /* from the text index in the cursor's order: newest first, from the
     * cursor down, with the other filters */
    {
        struct store_incident_query q = {
            .state = -1, .severity = -1, .category = -1, .q = "phishing", .limit = 1};
        struct incident *items;
        int n;

        q.updated_since = TIME_UNSET;
        ck_assert_int_eq(store_incident_query(db, &q, &items, &n, &err), 0);
        ck_assert_int_eq(n, 2); /* the one asked for and the one saying more follow */
        ck_assert_int_eq(items[0].seq, 3);
        ck_assert_int_eq(items[1].seq, 2);
        for (int k = 0; k < n; k++)
            incident_free(&items[k]);
        free(items);
        q.before_seq = 3;
        q.tlp_limited = true;
        q.tlp_max = TLP_GREEN; /* 2 is red */
        ck_assert_int_eq(store_incident_query(db, &q, &items, &n, &err), 0);
        ck_assert_int_eq(n, 0);
        free(items);
        q.tlp_limited = false;
        q.state = STATE_DETECTED;
        ck_assert_int_eq(store_incident_query(db, &q, &items, &n, &err), 0);
        ck_assert_int_eq(n, 1);
        ck_assert_int_eq(items[0].seq, 2);
        incident_free(&items[0]);
        free(items);
    }

    /* a changed title: the old text is out of the index, the new one in */
    {
        struct incident inc;
        ck_assert_int_eq(store_incident_load(w, "INC-2026-0001", &inc, &err), 1);
        free(inc.title);
        inc.title = strdup("Datalek bij leverancier");
        ck_assert_msg(store_incident_update(w, &inc, &err) == 0, "%s", err.message);
        incident_free(&inc);
    }
    ck_assert_int_eq(search(db, "ransomware"), 0);
    ck_assert_int_eq(search(db, "leverancier"), 1);

    /* rolled back: the counts as they were */
    exec_ok(w, "BEGIN; UPDATE incidents SET state = 'closed'; ROLLBACK;");
    ck_assert_int_eq(store_incident_count_by_state(db, TLP_RED, counts, STATE_COUNT, &err), 0);
    ck_assert_int_eq(counts[STATE_DETECTED], 2);
    ck_assert_int_eq(counts[STATE_CLOSED], 0);
    /* and they are what a count of the table says */
    exec_ok(w, "CREATE TEMP TABLE c AS SELECT state, tlp, count(*) AS n FROM incidents GROUP BY "
               "1, 2");
    {
        sqlite3_stmt *st;
        ck_assert_int_eq(sqlite3_prepare_v2(w,
                                            "SELECT count(*) FROM temp.c FULL JOIN "
                                            "(SELECT * FROM incident_counts WHERE n > 0) k "
                                            "USING (state, tlp) WHERE c.n IS NOT k.n",
                                            -1, &st, NULL),
                         SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_int_eq(sqlite3_column_int(st, 0), 0);
        sqlite3_finalize(st);
    }
    db_disconnect(w);
}
END_TEST

static Suite *
list_plans_suite(void)
{
    Suite *s = suite_create("list plans");
    TCase *tc = tcase_create("indexes");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_incident_filters_use_an_index);
    tcase_add_test(tc, test_alert_filters_use_an_index);
    tcase_add_test(tc, test_counters_and_text_index_kept_in_step);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    if (sodium_init() < 0)
        return 2;
    return tu_run(list_plans_suite());
}
