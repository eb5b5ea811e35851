/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_classify_store.c - the judgement as stored (core/classify_store.c):
 *
 * - over every case of tests/rules/cases.json and every rule set, the
 *   decision a change stores, taken by rules_decide over the flat fact
 *   vector, is the one the explaining evaluator (rules_evaluate) gives: the
 *   same applies, significance, lift, criteria that held or may hold (with
 *   their answers, in order) and stages;
 * - the explanation worked out again from a stored decision is what
 *   rules_evaluate answered when it was taken;
 * - a decision taken under a rule file that is no longer in force is
 *   explained by that file, compiled from the text the database kept;
 * - a profile stored by its hash is read back; a row written before schema
 *   0020 (the explanation itself) is read as it is;
 * - outcomes compare by content (a history row is written only when the
 *   outcome moved), alike for rows before and after schema 0020.
 */
#include "core/classify_int.h"
#include "core/rules.h"
#include "lib/embed.h"
#include "store/classification.h"
#include "store/db.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *cases;
static struct rules *rules;

static void
load_all(void)
{
    struct mp_error err = {0};

    cases = json_load_file("tests/rules/cases.json", 0, NULL);
    if (rules_load("config/rules", &rules, &err) != 0)
        rules = NULL;
}

static char *
dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static void
assert_same(const json_t *got, const json_t *want, const char *what)
{
    if (!json_equal((json_t *)got, (json_t *)want)) {
        char *g = dump(got), *w = dump(want);
        ck_abort_msg("%s:\n got  %s\n want %s", what, g ? g : "NULL", w ? w : "NULL");
    }
}

/* Every case under every rule set (not only its own regime): the fast
 * path decides what the explaining evaluator decides, and the explanation
 * rebuilt from that decision is the evaluator's answer. */
START_TEST(test_decided_equals_evaluated)
{
    const json_t *c = json_array_get(cases, (size_t)_i);
    const json_t *facts = json_object_get(c, "facts"), *profile = json_object_get(c, "profile");
    struct rules_facts fv;

    ck_assert_ptr_nonnull(rules);
    rules_facts_load(&fv, facts, profile);
    for (int k = 0; k < rules->nsets; k++) {
        const struct ruleset *rs = &rules->sets[k];
        json_t *full = rules_evaluate(rs, facts, profile);
        json_t *fast = classify_decided(rs, &fv);
        json_t *slow = classify_decision_of(full, rs->hash);
        json_t *again = classify_explain_regime(rs, fast, facts, profile);
        char what[200];

        snprintf(what, sizeof(what), "case %d '%s' under %s", _i,
                 json_string_value(json_object_get(c, "name")), rs->regime);
        assert_same(fast, slow, what);
        assert_same(again, full, what);
        json_decref(full);
        json_decref(fast);
        json_decref(slow);
        json_decref(again);
    }
}
END_TEST

/* The stages' due times and the change's own parts are laid over the
 * explanation: the stored decision is what was decided. */
START_TEST(test_explain_lays_the_decision_over)
{
    const struct ruleset *rs = rules_find(rules, "nis2");
    json_t *facts = json_pack("{s:b, s:i}", "suspected_malicious", 1, "users_affected", 1000);
    json_t *profile = json_pack("{s:s, s:s}", "nis2_class", "essential", "country", "NL");
    struct rules_facts fv;
    json_t *stored, *full, *st;

    ck_assert_ptr_nonnull(rs);
    rules_facts_load(&fv, facts, profile);
    stored = classify_decided(rs, &fv);
    ck_assert_uint_gt(json_array_size(json_object_get(stored, "stages")), 0);
    st = json_array_get(json_object_get(stored, "stages"), 0);
    json_object_set_new(st, "due_at", json_string("2026-12-03T10:00:00Z"));
    json_object_set_new(stored, "effective", json_string("yes"));
    json_object_set_new(stored, "classified_at", json_string("2026-12-02T10:00:00Z"));
    full = classify_explain_regime(rs, stored, facts, profile);
    ck_assert_str_eq(json_string_value(json_object_get(full, "effective")), "yes");
    ck_assert_str_eq(json_string_value(json_object_get(full, "classified_at")),
                     "2026-12-02T10:00:00Z");
    st = json_array_get(json_object_get(full, "stages"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(st, "due_at")), "2026-12-03T10:00:00Z");
    ck_assert_ptr_nonnull(json_object_get(st, "name")); /* the words, from the rule file */
    ck_assert_ptr_null(json_object_get(full, "rules"));
    json_decref(full);
    json_decref(stored);
    json_decref(facts);
    json_decref(profile);
}
END_TEST

/* ---- with a database ---- */

static char dir[PATH_MAX];

static sqlite3 *
open_db(void)
{
    char path[PATH_MAX + 16];
    struct mp_error err = {0};
    sqlite3 *db;

    tu_mkdtemp(dir);
    snprintf(path, sizeof(path), "%s/t.db", dir);
    db = db_connect(path, true, &err);
    ck_assert_msg(db != NULL, "%s", err.message);
    ck_assert_msg(db_migrate(db, schema_files, schema_files_count, &err) == 0, "%s", err.message);
    return db;
}

static void
close_db(sqlite3 *db)
{
    sqlite3_close_v2(db);
    tu_rmrf(dir);
}

/* Every criterion's English text and the title marked as another
 * version's words. */
static void
mark_old(json_t *j)
{
    const char *key;
    json_t *v;
    size_t i;

    if (json_is_array(j)) {
        json_array_foreach(j, i, v) mark_old(v);
        return;
    }
    if (!json_is_object(j))
        return;
    if (json_is_string(json_object_get(j, "id")) && json_is_object(json_object_get(j, "text")))
        json_object_set_new(json_object_get(j, "text"), "en", json_string("old words"));
    json_object_foreach(j, key, v) mark_old(v);
}

/* A decision taken under an earlier version of a rule file is explained
 * by that version (kept in the database by its hash), not by the rules in
 * force when it is read. */
START_TEST(test_old_rule_file_explains_its_decision)
{
    sqlite3 *db = open_db();
    const struct ruleset *rs = rules_find(rules, "nis2");
    json_t *facts = json_pack("{s:b, s:i}", "suspected_malicious", 1, "users_affected", 1000);
    json_t *profile = json_pack("{s:s, s:s}", "nis2_class", "essential", "country", "NL");
    json_t *old = json_deep_copy(rs->doc), *stored, *regimes, *inputs, *out, *crit, *x;
    struct rules_facts fv;
    struct mp_error err = {0};
    char hash[RULES_HASH_LEN], phash[RULES_HASH_LEN], *text, *ptext;
    bool seen = false;
    size_t i;

    rules_install(rules); /* the rules in force: the current files */
    json_object_set_new(old, "version", json_string("0.9-old"));
    json_object_set_new(json_object_get(old, "title"), "en", json_string("The old title"));
    mark_old(json_object_get(old, "significant"));
    text = dump(old);
    rules_hash_text(text, strlen(text), hash);
    ck_assert_str_ne(hash, rs->hash);
    ck_assert_int_eq(store_rule_text_put(db, hash, "rules", text, &err), 0);
    ck_assert_int_eq(store_rule_text_put(db, hash, "rules", text, &err), 0); /* once */
    ptext = dump(profile);
    rules_hash_text(ptext, strlen(ptext), phash);
    ck_assert_int_eq(store_rule_text_put(db, phash, "profile", ptext, &err), 0);

    /* the decision as the old file took it (only its words differ) */
    rules_facts_load(&fv, facts, profile);
    stored = classify_decided(rs, &fv);
    json_object_set_new(stored, "rules", json_string(hash));
    json_object_set_new(stored, "version", json_string("0.9-old"));
    regimes = json_pack("[O]", stored);
    inputs = json_pack("{s:O, s:s}", "facts", facts, "profile_hash", phash);
    ck_assert_msg(classify_inputs_read(db, inputs, &err) == 0, "%s", err.message);
    assert_same(json_object_get(inputs, "profile"), profile, "the profile by its hash");

    out = classify_explain(db, regimes, inputs, &err);
    x = json_array_get(out, 0);
    ck_assert_str_eq(json_string_value(json_object_get(x, "version")), "0.9-old");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(x, "title"), "en")),
                     "The old title");
    ck_assert_str_eq(json_string_value(json_object_get(x, "significant")),
                     json_string_value(json_object_get(stored, "significant")));
    json_array_foreach(json_object_get(x, "criteria"), i, crit)
    {
        const char *en = json_string_value(json_object_get(json_object_get(crit, "text"), "en"));
        ck_assert_msg(en == NULL || strcmp(en, "old words") == 0, "criterion %s says '%s'",
                      json_string_value(json_object_get(crit, "id")), en);
        seen = seen || en != NULL;
    }
    ck_assert_msg(seen, "no criterion with words in %s", dump(x));
    json_decref(out);

    /* a hash the database does not know: the decision as stored, with
     * what storing leaves out put back */
    json_object_set_new(stored, "rules", json_string("0000000000000000"));
    out = classify_explain(db, regimes, inputs, &err);
    classify_stored_defaults(regimes);
    assert_same(json_array_get(out, 0), stored, "an unknown rule file");
    ck_assert_str_eq(json_string_value(json_object_get(stored, "effective")), "no");
    ck_assert(json_is_null(json_object_get(stored, "classified_at")));
    json_decref(out);
    free(text);
    free(ptext);
    json_decref(old);
    json_decref(stored);
    json_decref(regimes);
    json_decref(inputs);
    json_decref(facts);
    json_decref(profile);
    close_db(db);
}
END_TEST

/* A row written before schema 0020 holds the explanation itself, with the
 * profile in its inputs: read as it is. */
START_TEST(test_row_before_0020_read_as_it_is)
{
    sqlite3 *db = open_db();
    const struct ruleset *rs = rules_find(rules, "gdpr");
    json_t *facts = json_pack("{s:b}", "personal_data_breach", 1);
    json_t *profile = json_pack("{s:s}", "country", "NL");
    json_t *legacy = json_pack("[o]", rules_evaluate(rs, facts, profile));
    json_t *inputs = json_pack("{s:O, s:O}", "facts", facts, "profile", profile), *out;
    struct mp_error err = {0};

    json_object_set_new(json_array_get(legacy, 0), "effective", json_string("undetermined"));
    ck_assert_int_eq(classify_inputs_read(db, inputs, &err), 0);
    assert_same(json_object_get(inputs, "profile"), profile, "the profile itself");
    out = classify_explain(db, legacy, inputs, &err);
    assert_same(out, legacy, "a row before 0020");
    json_decref(out);
    json_decref(legacy);
    json_decref(inputs);
    json_decref(facts);
    json_decref(profile);
    close_db(db);
}
END_TEST

/* A history row is written when the outcome moved, compared by content:
 * over every case and rule set the decision compares equal to itself as a
 * row before schema 0020 held it (the explanation, naming the rule file by
 * its version) and as a row after (by its hash, whatever hash); a moved
 * significance, effective status, criterion, due time, stage not due or
 * classification time compares unequal. */
START_TEST(test_same_outcome_by_content)
{
    const json_t *c = json_array_get(cases, (size_t)_i);
    const json_t *facts = json_object_get(c, "facts"), *profile = json_object_get(c, "profile");
    struct rules_facts fv;

    ck_assert_ptr_nonnull(rules);
    rules_facts_load(&fv, facts, profile);
    for (int k = 0; k < rules->nsets; k++) {
        const struct ruleset *rs = &rules->sets[k];
        json_t *now = json_pack("[o]", classify_decided(rs, &fv));
        json_t *legacy = json_pack("[o]", rules_evaluate(rs, facts, profile));
        json_t *r = json_array_get(now, 0), *moved;
        const char *sig = json_string_value(json_object_get(r, "significant"));
        char *t_now, *t_legacy, *t_moved, what[200];

        snprintf(what, sizeof(what), "case %d '%s' under %s", _i,
                 json_string_value(json_object_get(c, "name")), rs->regime);
        json_object_set_new(r, "effective", json_string(sig));
        json_object_set_new(json_array_get(legacy, 0), "effective", json_string(sig));
        t_now = dump(now);
        t_legacy = dump(legacy);
        ck_assert_msg(classify_same_outcome(now, t_now), "%s: itself", what);
        ck_assert_msg(classify_same_outcome(now, t_legacy), "%s: as before 0020", what);
        ck_assert_msg(!classify_same_outcome(now, NULL), "%s: no row yet", what);

        /* another rule file's hash, the same outcome */
        moved = json_deep_copy(now);
        json_object_set_new(json_array_get(moved, 0), "rules", json_string("0123abcd"));
        t_moved = dump(moved);
        ck_assert_msg(classify_same_outcome(now, t_moved), "%s: by hash", what);
        free(t_moved);
        json_decref(moved);

        /* each part of the outcome moved on its own */
        moved = json_deep_copy(now);
        json_object_set_new(json_array_get(moved, 0), "significant",
                            json_string(strcmp(sig, "yes") == 0 ? "no" : "yes"));
        t_moved = dump(moved);
        ck_assert_msg(!classify_same_outcome(now, t_moved), "%s: significance", what);
        free(t_moved);
        json_decref(moved);
        moved = json_deep_copy(now);
        json_object_set_new(json_array_get(moved, 0), "effective", json_string("waived"));
        t_moved = dump(moved);
        ck_assert_msg(!classify_same_outcome(now, t_moved), "%s: effective", what);
        free(t_moved);
        json_decref(moved);
        moved = json_deep_copy(now);
        json_array_append_new(json_object_get(json_array_get(moved, 0), "criteria"),
                              json_pack("{s:s, s:s}", "id", "x-new", "result", "yes"));
        t_moved = dump(moved);
        ck_assert_msg(!classify_same_outcome(now, t_moved), "%s: a criterion", what);
        free(t_moved);
        json_decref(moved);
        moved = json_deep_copy(now);
        json_array_append_new(
            json_object_get(json_array_get(moved, 0), "stages"),
            json_pack("{s:s, s:s}", "id", "initial", "due_at", "2026-01-01T00:00:00Z"));
        t_moved = dump(moved);
        ck_assert_msg(!classify_same_outcome(now, t_moved), "%s: a due time", what);
        free(t_moved);
        json_decref(moved);
        moved = json_deep_copy(now);
        json_array_append_new(json_object_get(json_array_get(moved, 0), "stages"),
                              json_pack("{s:s, s:b}", "id", "progress", "not_due", 1));
        t_moved = dump(moved);
        ck_assert_msg(!classify_same_outcome(now, t_moved), "%s: a stage not due", what);
        free(t_moved);
        json_decref(moved);
        moved = json_deep_copy(now);
        json_object_set_new(json_array_get(moved, 0), "classified_at",
                            json_string("2026-01-01T00:00:00Z"));
        t_moved = dump(moved);
        ck_assert_msg(!classify_same_outcome(now, t_moved), "%s: classified_at", what);
        free(t_moved);
        json_decref(moved);

        free(t_now);
        free(t_legacy);
        json_decref(now);
        json_decref(legacy);
    }
}
END_TEST

/* The content address is of the document, not of its layout. */
START_TEST(test_hash_is_of_the_canonical_text)
{
    const struct ruleset *rs = rules_find(rules, "nis2");
    struct rules *again = NULL;
    struct mp_error err = {0};
    char h[RULES_HASH_LEN];

    ck_assert_uint_eq(strlen(rs->hash), RULES_HASH_LEN - 1);
    rules_hash_text(rs->text, strlen(rs->text), h);
    ck_assert_str_eq(h, rs->hash);
    /* the same file compiled from its stored text has the same hash */
    ck_assert_ptr_eq(rules_by_hash(rules, rs->hash, NULL, &err), rs);
    ck_assert_int_eq(rules_load_builtin(&again, &err), 0);
    ck_assert_str_eq(rules_find(again, "nis2")->hash, rs->hash);
    rules_release(again);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("classify_store");
    TCase *tc = tcase_create("decision");
    SRunner *sr;
    int failed;

    load_all();
    tcase_add_loop_test(tc, test_decided_equals_evaluated, 0, (int)json_array_size(cases));
    tcase_add_test(tc, test_explain_lays_the_decision_over);
    tcase_add_test(tc, test_old_rule_file_explains_its_decision);
    tcase_add_test(tc, test_row_before_0020_read_as_it_is);
    tcase_add_test(tc, test_hash_is_of_the_canonical_text);
    tcase_add_loop_test(tc, test_same_outcome_by_content, 0, (int)json_array_size(cases));
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    json_decref(cases);
    rules_release(rules);
    return failed == 0 ? 0 : 1;
}
