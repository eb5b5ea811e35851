/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_state.c - store/state.c: the state file beside the database (the
 * audit head and the highest reference per year after each commit group),
 * its two checksummed slots, the merge that never lowers it, and the
 * comparison at start that finds a database behind it.
 */
#include "store/audit.h"
#include "store/db.h"
#include "store/state.h"
#include "store/writer.h"
#include "testutil.h"

#include <check.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const int64_t NOW = 1796000000; /* 2026-11-30T00:53:20Z */

static char tmpdir[PATH_MAX];
static char dbfile[PATH_MAX];

static void
setup_db(void)
{
    tu_db_setup(tmpdir, dbfile, NULL);
}

static void
teardown_db(void)
{
    tu_db_teardown(tmpdir, NULL);
}

/* ---- one slot ---- */

static struct store_state
sample(void)
{
    struct store_state s = {.gen = 7, .audit_seq = 1234, .nrefs = 2};

    for (int i = 0; i < CHAIN_HASH_LEN; i++)
        s.audit_hash[i] = (uint8_t)(i * 7 + 1);
    s.refs[0] = (struct store_state_ref){2026, 42};
    s.refs[1] = (struct store_state_ref){2027, 3};
    return s;
}

START_TEST(test_slot_round_trip)
{
    struct store_state s = sample(), back;
    char slot[STATE_SLOT];

    ck_assert_int_eq(store_state_format(&s, slot), 0);
    ck_assert_ptr_nonnull(strstr(slot, "audit 1234 "));
    ck_assert_ptr_nonnull(strstr(slot, "\nref 2026 42\n"));
    ck_assert_int_eq(store_state_parse(slot, sizeof(slot), &back), 0);
    ck_assert_int_eq(back.gen, 7);
    ck_assert_int_eq(back.audit_seq, 1234);
    ck_assert_mem_eq(back.audit_hash, s.audit_hash, CHAIN_HASH_LEN);
    ck_assert_int_eq(back.nrefs, 2);
    ck_assert_int_eq(back.refs[1].year, 2027);
    ck_assert_int_eq(back.refs[1].number, 3);
}
END_TEST

/* Any changed byte of the text, or a slot cut short, is refused by the
 * checksum: a torn write is never read as a state. */
START_TEST(test_slot_checksum_refuses_damage)
{
    struct store_state s = sample(), back;
    char slot[STATE_SLOT], bad[STATE_SLOT];
    size_t len;

    ck_assert_int_eq(store_state_format(&s, slot), 0);
    len = strlen(slot);
    for (size_t i = 0; i < len; i++) {
        if (slot[i] == '\n')
            continue;
        memcpy(bad, slot, sizeof(bad));
        bad[i] = bad[i] == '1' ? '2' : '1';
        ck_assert_msg(store_state_parse(bad, sizeof(bad), &back) != 0, "byte %zu changed", i);
    }
    ck_assert_int_ne(store_state_parse(slot, len / 2, &back), 0);
    ck_assert_int_ne(store_state_parse(slot, 0, &back), 0);
}
END_TEST

START_TEST(test_slot_holds_every_year)
{
    struct store_state s = {.gen = 1, .audit_seq = INT64_MAX, .nrefs = STATE_YEARS_MAX}, back;
    char slot[STATE_SLOT];

    for (int i = 0; i < STATE_YEARS_MAX; i++)
        s.refs[i] = (struct store_state_ref){9999 - i, 2147483647};
    ck_assert_int_eq(store_state_format(&s, slot), 0);
    ck_assert_int_eq(store_state_parse(slot, sizeof(slot), &back), 0);
    ck_assert_int_eq(back.nrefs, STATE_YEARS_MAX);
    ck_assert_int_eq(back.refs[STATE_YEARS_MAX - 1].year, 9999 - STATE_YEARS_MAX + 1);
}
END_TEST

/* Two groups' states recorded by one write: the higher head, each year's
 * higher number, the years of both. */
START_TEST(test_merge_of_two_groups)
{
    struct store_state a = sample(), b = {.audit_seq = 2000, .nrefs = 2};

    memset(b.audit_hash, 0x5a, CHAIN_HASH_LEN);
    b.refs[0] = (struct store_state_ref){2026, 41};
    b.refs[1] = (struct store_state_ref){2028, 1};
    store_state_merge(&a, &b);
    ck_assert_int_eq(a.audit_seq, 2000);
    ck_assert_mem_eq(a.audit_hash, b.audit_hash, CHAIN_HASH_LEN);
    ck_assert_int_eq(a.nrefs, 3);
    ck_assert_int_eq(a.refs[0].number, 42); /* not lowered */
    ck_assert_int_eq(a.refs[2].year, 2028);
    b.audit_seq = 5;
    store_state_merge(&a, &b);
    ck_assert_int_eq(a.audit_seq, 2000);
}
END_TEST

/* ---- the file, written by the writer ---- */

static int
append_one(sqlite3 *db, void *arg, struct mp_error *err)
{
    return store_audit_append(db, NOW, "test", arg ? (const char *)arg : "act.one", "obj", "{}",
                              err);
}

static int
append_then_fail(sqlite3 *db, void *arg, struct mp_error *err)
{
    (void)arg;
    if (store_audit_append(db, NOW, "test", "act.fail", "obj", "{}", err) != 0)
        return -1;
    return mp_error_set(err, 422, "x", "refused after appending");
}

static void
write_n(int n)
{
    struct mp_error err;

    for (int i = 0; i < n; i++)
        ck_assert_msg(store_write(append_one, NULL, &err) == 0, "%s", err.message);
}

/* The file as it is on disk now (a fresh read, not the process's copy). */
static int
file_state(struct store_state *out)
{
    char buf[2 * STATE_SLOT];
    struct store_state s[2];
    int fd = open(store_state_path(), O_RDONLY);
    ssize_t n;
    bool ok[2];

    ck_assert_int_ge(fd, 0);
    n = read(fd, buf, sizeof(buf));
    close(fd);
    ck_assert_int_eq(n, 2 * STATE_SLOT);
    ok[0] = store_state_parse(buf, STATE_SLOT, &s[0]) == 0;
    ok[1] = store_state_parse(buf + STATE_SLOT, STATE_SLOT, &s[1]) == 0;
    ck_assert(ok[0] || ok[1]);
    *out = s[ok[0] && (!ok[1] || s[0].gen > s[1].gen) ? 0 : 1];
    return 0;
}

static void
db_head(int64_t *seq, uint8_t hash[CHAIN_HASH_LEN])
{
    struct mp_error err;
    sqlite3 *db = db_reader(&err);

    ck_assert_ptr_nonnull(db);
    ck_assert_int_ge(store_audit_head(db, seq, hash, &err), 0);
}

START_TEST(test_each_commit_records_the_head)
{
    struct store_state f;
    uint8_t h[CHAIN_HASH_LEN];
    int64_t seq;
    struct mp_error err;

    write_n(3);
    file_state(&f);
    db_head(&seq, h);
    ck_assert_int_eq(seq, 3);
    ck_assert_int_eq(f.audit_seq, 3);
    ck_assert_mem_eq(f.audit_hash, h, CHAIN_HASH_LEN);

    /* a change that fails leaves the recorded head where it was */
    ck_assert_int_eq(store_write(append_then_fail, NULL, &err), -1);
    file_state(&f);
    ck_assert_int_eq(f.audit_seq, 3);
    write_n(1);
    file_state(&f);
    ck_assert_int_eq(f.audit_seq, 4);
}
END_TEST

/* A torn write of the newer slot leaves the older one in force. */
START_TEST(test_torn_slot_falls_back_to_the_other)
{
    struct store_state a = sample(), b = sample(), f;
    char slot[STATE_SLOT];
    int fd;

    a.gen = 4; /* slot 0 */
    a.refs[0].number = 40;
    b.gen = 5; /* slot 1, torn below */
    b.refs[0].number = 50;
    fd = open(store_state_path(), O_RDWR | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(store_state_format(&a, slot), 0);
    ck_assert_int_eq(pwrite(fd, slot, STATE_SLOT, 0), STATE_SLOT);
    ck_assert_int_eq(store_state_format(&b, slot), 0);
    memset(slot + 40, 0, 30); /* half written */
    ck_assert_int_eq(pwrite(fd, slot, STATE_SLOT, STATE_SLOT), STATE_SLOT);
    close(fd);
    store_state_forget();
    ck_assert_int_eq(store_state_ref_floor(2026), 40);
    ck_assert_int_eq(store_state_ref_floor(2027), 3);
    ck_assert_int_eq(store_state_ref_floor(2025), 0);
    file_state(&f);
    ck_assert_int_eq(f.gen, 4);
}
END_TEST

/* Writes s as the file's only valid slot and forgets the process's copy,
 * as a new process would start. */
static void
put_file(struct store_state s)
{
    char slot[STATE_SLOT], zero[STATE_SLOT] = {0};
    int fd = open(store_state_path(), O_RDWR | O_CREAT | O_TRUNC, 0600);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(store_state_format(&s, slot), 0);
    ck_assert_int_eq(pwrite(fd, (s.gen & 1) ? zero : slot, STATE_SLOT, 0), STATE_SLOT);
    ck_assert_int_eq(pwrite(fd, (s.gen & 1) ? slot : zero, STATE_SLOT, STATE_SLOT), STATE_SLOT);
    close(fd);
    store_state_forget();
}

/* The writer merges: a commit whose head is below the recorded one (a
 * process that wrote to an older copy) never lowers it, nor a year's
 * number. */
START_TEST(test_merge_never_lowers)
{
    struct store_state s = sample(), f;

    s.audit_seq = 100;
    put_file(s);
    write_n(2);
    file_state(&f);
    ck_assert_int_eq(f.audit_seq, 100);
    ck_assert_mem_eq(f.audit_hash, s.audit_hash, CHAIN_HASH_LEN);
    ck_assert_int_eq(f.refs[0].number, 42);
}
END_TEST

static void
compare(struct store_state_gap *gap, bool *created)
{
    struct mp_error err;
    sqlite3 *db = db_reader(&err);

    ck_assert_ptr_nonnull(db);
    ck_assert_msg(store_state_compare(db, gap, created, &err) == 0, "%s", err.message);
}

START_TEST(test_compare_in_step)
{
    struct store_state_gap gap;
    bool created;

    write_n(3);
    store_state_forget();
    compare(&gap, &created);
    ck_assert(!created);
    ck_assert(!gap.behind);
    ck_assert_int_eq(gap.recorded_seq, 3);
    ck_assert_int_eq(gap.database_seq, 3);
}
END_TEST

/* No file (a database from before it): made from the database, in step. */
START_TEST(test_compare_creates_a_missing_file)
{
    struct store_state_gap gap;
    struct store_state f;
    bool created;

    write_n(2);
    ck_assert_int_eq(unlink(store_state_path()), 0);
    store_state_forget();
    compare(&gap, &created);
    ck_assert(created);
    ck_assert(!gap.behind);
    file_state(&f);
    ck_assert_int_eq(f.audit_seq, 2);
}
END_TEST

START_TEST(test_compare_finds_a_database_behind)
{
    struct store_state s = sample();
    struct store_state_gap gap;
    struct mp_error err;
    bool created;

    write_n(3);
    s.audit_seq = 10; /* the file saw entries 4..10, the database lost them */
    put_file(s);
    compare(&gap, &created);
    ck_assert(gap.behind);
    ck_assert(!gap.diverged);
    ck_assert_int_eq(gap.recorded_seq, 10);
    ck_assert_int_eq(gap.database_seq, 3);
    /* and the references of both years are gone */
    ck_assert_int_eq(gap.nlost, 2);
    ck_assert_int_eq(gap.lost[0].year, 2026);
    ck_assert_int_eq(gap.lost[0].issued, 42);
    ck_assert_int_eq(gap.lost[0].present, 0);

    /* adopting the database's head ends the gap, the numbers stay */
    ck_assert_msg(store_state_adopt(db_reader(&err), &err) == 0, "%s", err.message);
    store_state_forget();
    compare(&gap, &created);
    ck_assert(!gap.behind);
    ck_assert_int_eq(gap.nlost, 2); /* still missing, and accepted */
    ck_assert_int_eq(store_state_ref_floor(2026), 42);
    ck_assert_int_eq(store_state_ref_floor(2027), 3);
}
END_TEST

/* The database reached the recorded seq again, by other entries: the hash
 * at that seq differs. */
START_TEST(test_compare_finds_a_diverged_chain)
{
    struct store_state s = {.gen = 2};
    struct store_state_gap gap;
    bool created;

    write_n(3);
    s.audit_seq = 2;
    memset(s.audit_hash, 0xab, CHAIN_HASH_LEN);
    put_file(s);
    compare(&gap, &created);
    ck_assert(gap.behind);
    ck_assert(gap.diverged);
    ck_assert_int_eq(gap.nlost, 0);
}
END_TEST

START_TEST(test_compare_refuses_a_damaged_file)
{
    struct store_state_gap gap;
    struct mp_error err;
    bool created;
    int fd;

    write_n(1);
    fd = open(store_state_path(), O_WRONLY | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "garbage\n", 8), 8);
    close(fd);
    store_state_forget();
    ck_assert_int_eq(store_state_compare(db_reader(&err), &gap, &created, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "damaged"));
}
END_TEST

static Suite *
state_suite(void)
{
    Suite *s = suite_create("state");
    TCase *tc;

    tc = tcase_create("slot");
    tcase_add_test(tc, test_slot_round_trip);
    tcase_add_test(tc, test_slot_checksum_refuses_damage);
    tcase_add_test(tc, test_slot_holds_every_year);
    tcase_add_test(tc, test_merge_of_two_groups);
    suite_add_tcase(s, tc);

    tc = tcase_create("file");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_add_test(tc, test_each_commit_records_the_head);
    tcase_add_test(tc, test_torn_slot_falls_back_to_the_other);
    tcase_add_test(tc, test_merge_never_lowers);
    tcase_add_test(tc, test_compare_in_step);
    tcase_add_test(tc, test_compare_creates_a_missing_file);
    tcase_add_test(tc, test_compare_finds_a_database_behind);
    tcase_add_test(tc, test_compare_finds_a_diverged_chain);
    tcase_add_test(tc, test_compare_refuses_a_damaged_file);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    if (sodium_init() < 0)
        return EXIT_FAILURE;
    return tu_run(state_suite());
}
