/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_writer.c - store/writer.c: the order the writer thread takes changes
 * in.  The requests' changes go first; background work (the reminder send
 * loop, re-planning, the sweeper) gets at most one change into each commit
 * group, so it never holds a request back by more than one group.  The
 * writer is held on a change of its own while the others queue, so the
 * queues are known exactly when it goes on.
 */
#include "datadir.h"
#include "store/db.h"
#include "store/writer.h"
#include "testutil.h"

#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>

static const int64_t NOW = 1796000000; /* 2026-11-30T00:53:20Z */

static char tmpdir[PATH_MAX], datadir[PATH_MAX];

static void
setup(void)
{
    char token[TOKEN_TEXT_LEN + 1];
    struct mp_error err;

    tu_mkdtemp(tmpdir);
    tu_path(datadir, tmpdir, "data");
    mp_error_clear(&err);
    ck_assert_msg(datadir_init(datadir, "test", NOW, token, &err) == 0, "%s", err.message);
    ck_assert_msg(store_writer_start(16, &err) == 0, "%s", err.message);
}

static void
teardown(void)
{
    store_writer_stop();
    datadir_close();
    tu_rmrf(tmpdir);
}

/* What ran, in order, with the commit group it ran in. */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open, gate_entered;
static char seen[16];
static uint64_t seen_group[16];
static int n_seen;

static int
note(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct store_writer_stats st;

    (void)db;
    (void)err;
    store_writer_stats(&st);
    pthread_mutex_lock(&seen_lock);
    seen_group[n_seen] = st.commits;
    seen[n_seen++] = *(const char *)arg;
    pthread_mutex_unlock(&seen_lock);
    return 0;
}

/* Holds the writer thread inside its group until the gate opens. */
static int
gate(sqlite3 *db, void *arg, struct mp_error *err)
{
    (void)db;
    (void)arg;
    (void)err;
    pthread_mutex_lock(&seen_lock);
    gate_entered = true;
    pthread_cond_broadcast(&gate_cond);
    while (!gate_open)
        pthread_cond_wait(&gate_cond, &seen_lock);
    pthread_mutex_unlock(&seen_lock);
    return 0;
}

struct writer_call {
    const char *label;
    bool background;
    pthread_t th;
    int rc;
};

static void *
call_main(void *arg)
{
    struct writer_call *c = arg;
    struct mp_error err;

    mp_error_clear(&err);
    c->rc = c->background ? store_write_background(note, (void *)c->label, &err)
                          : store_write(note, (void *)c->label, &err);
    return NULL;
}

static void *
gate_main(void *arg)
{
    struct mp_error err;

    mp_error_clear(&err);
    *(int *)arg = store_write(gate, NULL, &err);
    return NULL;
}

/* Waits (yielding, never sleeping) until the queues hold that many. */
static void
wait_queued(unsigned requests, unsigned background)
{
    unsigned r, b;

    for (;;) {
        store_writer_queued(&r, &b);
        if (r == requests && b == background)
            return;
        sched_yield();
    }
}

/* Background changes B, C, D queued first, then requests X and Y: X and Y
 * run first, with B in their group; C and D each in a group of their
 * own, in their order. */
START_TEST(test_requests_before_background)
{
    struct writer_call calls[] = {
        {"B", true, 0, -1},  {"C", true, 0, -1},  {"D", true, 0, -1},
        {"X", false, 0, -1}, {"Y", false, 0, -1},
    };
    unsigned requests = 0, background = 0;
    pthread_t held;
    int held_rc = -1;

    ck_assert_int_eq(pthread_create(&held, NULL, gate_main, &held_rc), 0);
    pthread_mutex_lock(&seen_lock);
    while (!gate_entered)
        pthread_cond_wait(&gate_cond, &seen_lock);
    pthread_mutex_unlock(&seen_lock);
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        ck_assert_int_eq(pthread_create(&calls[i].th, NULL, call_main, &calls[i]), 0);
        if (calls[i].background)
            background++;
        else
            requests++;
        wait_queued(requests, background); /* queued in this order */
    }
    pthread_mutex_lock(&seen_lock);
    gate_open = true;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&seen_lock);
    pthread_join(held, NULL);
    ck_assert_int_eq(held_rc, 0);
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        pthread_join(calls[i].th, NULL);
        ck_assert_int_eq(calls[i].rc, 0);
    }
    ck_assert_int_eq(n_seen, 5);
    seen[n_seen] = '\0';
    ck_assert_str_eq(seen, "XYBCD");
    ck_assert_uint_eq(seen_group[0], seen_group[1]); /* X, Y and B: one group */
    ck_assert_uint_eq(seen_group[1], seen_group[2]);
    ck_assert_uint_eq(seen_group[3], seen_group[2] + 1); /* C: the next */
    ck_assert_uint_eq(seen_group[4], seen_group[3] + 1); /* D: the one after */
}
END_TEST

/* Without a writer thread (the CLI) a background change runs at once, in
 * a transaction of its own, like any other. */
START_TEST(test_background_without_thread)
{
    struct mp_error err;

    store_writer_stop();
    mp_error_clear(&err);
    ck_assert_int_eq(store_write_background(note, "Z", &err), 0);
    ck_assert_int_eq(n_seen, 1);
    ck_assert_int_eq(seen[0], 'Z');
}
END_TEST

/* Read-only refuses background work too. */
START_TEST(test_background_read_only)
{
    struct mp_error err;

    store_writer_read_only("read-only for the test");
    mp_error_clear(&err);
    ck_assert_int_eq(store_write_background(note, "R", &err), -1);
    ck_assert_int_eq(err.status, 503);
    store_writer_read_only(NULL);
    ck_assert_int_eq(n_seen, 0);
}
END_TEST

static Suite *
writer_suite(void)
{
    Suite *s = suite_create("writer");
    TCase *tc = tcase_create("order");

    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_requests_before_background);
    tcase_add_test(tc, test_background_without_thread);
    tcase_add_test(tc, test_background_read_only);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(writer_suite());
}
