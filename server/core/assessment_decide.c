/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * assessment_decide.c - the self-assessment evaluated: answers checked
 * against the questionnaire, the size range worked out, the NIS2 decision
 * taken by the steps in law.json (nis2_decision, conditions in the rule
 * language of rules.h), and the CER and DORA findings.  Loading and the
 * stored assessments are assessment.c.
 *
 * The decision follows the NIS2 scope questions in their legal order
 * (regimes.md §1.2): (1) sector: an Annex I or II type, else out of scope
 * unless a CER critical entity; (2) size under Recommendation 2003/361/EC:
 * medium-sized or larger is in scope; (3) size-independent categories
 * (Art. 2(2), 2(3)); (4) the class (Art. 3): essential, else important;
 * (5) lex specialis (Art. 4, DORA).  The order and the conditions are data.
 *
 * Size with unknown money figures is a range: the smallest class the
 * enterprise could be in and the smallest it certainly fits.  The outcome
 * is computed at both ends; the stricter one is shown, and when they differ
 * the difference is listed as uncertain rather than guessed away.
 */
#include "assessment.h"
#include "assessment_int.h"
#include "core/rules.h"
#include "lib/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- answers ---- */

/* An answer that is absent or null is unknown. */
static int
tri(json_t *answers, const char *id)
{
    json_t *v = json_object_get(answers, id);
    return json_is_boolean(v) ? json_is_true(v) : -1;
}

static double
amount(json_t *answers, const char *id)
{
    json_t *v = json_object_get(answers, id);
    return json_is_number(v) ? json_number_value(v) : -1;
}

static bool
check_answers(json_t *set, json_t *answers, struct field_errors *errs)
{
    json_t *questions = json_object_get(json_object_get(set, "questions"), "questions");
    json_t *sectors = json_object_get(json_object_get(set, "law"), "sectors");
    int before = errs->count;
    const char *key;
    json_t *v, *q;
    size_t i;

    if (!json_is_object(answers)) {
        field_error(errs, "answers", "must be an object {question id: answer}");
        return false;
    }
    json_object_foreach(answers, key, v)
    {
        if (assessment_find_id(questions, key) == NULL) {
            char f[96];
            snprintf(f, sizeof(f), "answers.%.80s", key);
            field_error(errs, f, "unknown question");
        }
    }
    json_array_foreach(questions, i, q)
    {
        const char *id = json_string_value(json_object_get(q, "id"));
        const char *type = json_string_value(json_object_get(q, "type"));
        json_t *min = json_object_get(q, "minimum"), *max = json_object_get(q, "maximum");
        char f[96];

        snprintf(f, sizeof(f), "answers.%s", id);
        v = json_object_get(answers, id);
        if (v == NULL || json_is_null(v)) {
            if (json_is_true(json_object_get(q, "required")))
                field_error(errs, f, "is required");
            continue;
        }
        if (strcmp(type, "boolean") == 0 && !json_is_boolean(v)) {
            field_error(errs, f, "must be true, false or null (unknown)");
        } else if (strcmp(type, "integer") == 0 || strcmp(type, "amount") == 0) {
            bool integer = strcmp(type, "integer") == 0;
            if (integer ? !json_is_integer(v) : !json_is_number(v))
                field_error(errs, f, integer ? "must be a whole number" : "must be a number");
            else if ((min && json_number_value(v) < json_number_value(min)) ||
                     (max && json_number_value(v) > json_number_value(max)))
                field_error(errs, f, "must be between %.0f and %.0f",
                            min ? json_number_value(min) : 0, max ? json_number_value(max) : 1e15);
        } else if (strcmp(type, "sector") == 0) {
            if (!json_is_string(v) || (strcmp(json_string_value(v), "none") != 0 &&
                                       assessment_find_id(sectors, json_string_value(v)) == NULL))
                field_error(errs, f, "must be a sector id from the questionnaire, or none");
        } else if (strcmp(type, "subsector") == 0) {
            json_t *sec =
                assessment_find_id(sectors, json_string_value(json_object_get(answers, "sector")));
            if (!json_is_string(v))
                field_error(errs, f, "must be a subsector id or null");
            else if (sec == NULL || assessment_find_id(json_object_get(sec, "subsectors"),
                                                       json_string_value(v)) == NULL)
                field_error(errs, f, "is not a subsector of the sector answered");
        } else if (strcmp(type, "choice") == 0) {
            json_t *opts = json_object_get(q, "options");
            if (!json_is_string(v) || assessment_find_id(opts, json_string_value(v)) == NULL)
                field_error(errs, f, "must be one of the question's options");
        }
    }
    return errs->count == before;
}

/* ---- the decision ---- */

struct eval {
    json_t *law;
    json_t *answers;
    const char *lang;
    json_t *sector;    /* law.sectors[] or NULL for none */
    json_t *subsector; /* NULL when none */
    int lo, hi;        /* the size range (indexes into size_classes) */
};

/* Appends the reason rule (its article and text) naming the questions. */
static void
say(struct eval *e, json_t *list, const char *rule, const char *questions)
{
    json_t *r = json_object_get(json_object_get(e->law, "rules"), rule), *qs;
    char buf[160], *tok, *save = NULL;

    if (list == NULL)
        return;
    qs = json_array();
    snprintf(buf, sizeof(buf), "%s", questions);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        json_array_append_new(qs, json_string(tok));
    json_array_append_new(list, json_pack("{s:s, s:O, s:O, s:o, s:b}", "rule", rule, "article",
                                          json_object_get(r, "article"), "text",
                                          json_object_get(json_object_get(r, "text"), e->lang),
                                          "questions", qs, "unconfirmed",
                                          json_is_true(json_object_get(r, "unconfirmed"))));
}

static const char *
sub_rule(json_t *sub, const char *key)
{
    return json_string_value(json_object_get(sub, key));
}

static const char *
class_id(struct eval *e, int i)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(e->law, "size_classes"), (size_t)i), "id"));
}

/* ---- the NIS2 decision: law.json's nis2_decision ---- */

/* What a step's condition may name besides the answers: facts the law data
 * gives about the answers (the sector's annex, the size class, what the
 * subsector's entry says) and the marks steps set. */
static const char *const derived_facts[] = {
    "sector_listed",                 /* the sector is of an Annex I or II type */
    "annex",                         /* "I" or "II"; absent when not listed */
    "size",                          /* the size class id at this end of the range */
    "size_rank",                     /* its place in size_classes, from 0 */
    "subsector_in_scope_any_size",   /* the subsector entry's members, as yes/no */
    "subsector_essential_any_size",  /*   (each names the rule that says so) */
    "subsector_uncertain",           /*   */
    "subsector_essential_from_rank", /* the rank essential_from_size names; absent: none */
    NULL};
static const char *const marks[] = {"in_scope", "essential", "identified", NULL};
static const char *const outcomes[] = {"out_of_scope", "important", "essential", NULL};
/* The subsector members that name a rule (essential_from_size: its "rule"). */
static const char *const subsector_rules[] = {"in_scope_any_size", "essential_any_size",
                                              "uncertain", "essential_from_size", NULL};

static bool
in_list(const char *const list[], const char *s)
{
    for (size_t i = 0; s && list[i]; i++) {
        if (strcmp(list[i], s) == 0)
            return true;
    }
    return false;
}

/* The rule id a subsector member names, or NULL when the subsector has none. */
static const char *
subsector_rule(json_t *sub, const char *member)
{
    json_t *v = json_object_get(sub, member);

    if (json_is_object(v))
        v = json_object_get(v, "rule");
    return json_string_value(v);
}

/* The facts for the steps' conditions, at size class s. */
static json_t *
decision_facts(struct eval *e, int s)
{
    json_t *f = json_deep_copy(e->answers),
           *efs = json_object_get(e->subsector, "essential_from_size");

    json_object_set_new(f, "sector_listed", json_boolean(e->sector != NULL));
    if (e->sector != NULL)
        json_object_set(f, "annex", json_object_get(e->sector, "annex"));
    json_object_set_new(f, "size", json_string(class_id(e, s)));
    json_object_set_new(f, "size_rank", json_integer(s));
    json_object_set_new(f, "subsector_in_scope_any_size",
                        json_boolean(subsector_rule(e->subsector, "in_scope_any_size") != NULL));
    json_object_set_new(f, "subsector_essential_any_size",
                        json_boolean(subsector_rule(e->subsector, "essential_any_size") != NULL));
    json_object_set_new(f, "subsector_uncertain",
                        json_boolean(subsector_rule(e->subsector, "uncertain") != NULL));
    if (efs != NULL)
        json_object_set_new(f, "subsector_essential_from_rank",
                            json_integer(assessment_size_index(
                                e->law, json_string_value(json_object_get(efs, "size")))));
    for (size_t i = 0; marks[i]; i++)
        json_object_set_new(f, marks[i], json_false());
    return f;
}

/* A step's reasons into list (NULL: not collected). */
static void
step_say(struct eval *e, json_t *list, json_t *reasons)
{
    size_t i;
    json_t *r;

    json_array_foreach(reasons, i, r)
    {
        json_t *rule = json_object_get(r, "rule"), *qs = json_object_get(r, "questions"), *q;
        const char *id = json_string_value(rule);
        struct buf names = BUF_INIT;
        size_t k;

        if (id == NULL)
            id = subsector_rule(e->subsector,
                                json_string_value(json_object_get(r, "subsector_rule")));
        if (id == NULL)
            continue; /* the subsector names no such rule */
        json_array_foreach(qs, k, q) buf_printf(&names, "%s%s", k ? "," : "", json_string_value(q));
        say(e, list, id, names.data ? names.data : "");
        buf_free(&names);
    }
}

/* The NIS2 outcome if the enterprise is of size class s: the steps in
 * turn; a step whose condition holds (unknown is not holding) gives its
 * reasons and uncertainties (to the lists; NULL: not collected), sets its
 * marks and, with an outcome, ends the decision. */
static const char *
nis2_outcome(struct eval *e, int s, json_t *why, json_t *unsure)
{
    json_t *steps = json_object_get(json_object_get(e->law, "nis2_decision"), "steps");
    json_t *facts = decision_facts(e, s), *step, *mark;
    const char *outcome = NULL;
    size_t i, k;

    json_array_foreach(steps, i, step)
    {
        json_t *when = json_object_get(step, "when");

        if (when != NULL && rules_eval_expr(when, facts, NULL) != TRI_YES)
            continue;
        step_say(e, why, json_object_get(step, "reasons"));
        step_say(e, unsure, json_object_get(step, "uncertain"));
        json_array_foreach(json_object_get(step, "set"), k, mark)
            json_object_set_new(facts, json_string_value(mark), json_true());
        if ((outcome = json_string_value(json_object_get(step, "outcome"))) != NULL)
            break;
    }
    json_decref(facts);
    return outcome ? outcome : "out_of_scope"; /* checked on loading: the last step decides */
}

/* The size range from headcount and the (possibly unknown) money figures:
 * a class fits when headcount is below its ceiling and turnover OR balance
 * sheet total is within its ceiling (Rec. 2003/361/EC Annex Art. 2). */
static void
size_range(struct eval *e)
{
    json_t *classes = json_object_get(e->law, "size_classes"), *c;
    int64_t hc = json_integer_value(json_object_get(e->answers, "headcount"));
    double to = amount(e->answers, "annual_turnover_eur");
    double bs = amount(e->answers, "balance_sheet_eur");
    int last = (int)json_array_size(classes) - 1;

    e->lo = e->hi = last;
    for (int i = last - 1; i >= 0; i--) {
        double tmax, bmax;
        bool hc_ok, possible, certain;

        c = json_array_get(classes, (size_t)i);
        tmax = json_number_value(json_object_get(c, "turnover_max_eur"));
        bmax = json_number_value(json_object_get(c, "balance_max_eur"));
        hc_ok = hc < json_integer_value(json_object_get(c, "headcount_below"));
        possible = hc_ok && (to < 0 || to <= tmax || bs < 0 || bs <= bmax);
        certain = hc_ok && ((to >= 0 && to <= tmax) || (bs >= 0 && bs <= bmax));
        if (possible)
            e->lo = i;
        if (certain)
            e->hi = i;
    }
}

int
assessment_evaluate(json_t *set, json_t *answers, const char *lang, json_t **result,
                    struct field_errors *errs)
{
    struct eval e = {.law = json_object_get(set, "law"), .answers = answers, .lang = lang};
    json_t *nis2_why, *nis2_unsure, *cer_why, *cer_unsure, *dora_why, *dora_unsure, *sizes;
    json_t *profile, *caveats, *types;
    const char *hi_outcome, *lo_outcome, *et;
    int cer, dora;

    *result = NULL;
    if (strcmp(lang, "en") != 0 && strcmp(lang, "nl") != 0) {
        field_error(errs, "language", "must be en or nl");
        return -1;
    }
    if (!check_answers(set, answers, errs))
        return -1;
    e.sector = assessment_find_id(json_object_get(e.law, "sectors"),
                                  json_string_value(json_object_get(answers, "sector")));
    e.subsector = assessment_find_id(json_object_get(e.sector, "subsectors"),
                                     json_string_value(json_object_get(answers, "subsector")));
    size_range(&e);

    nis2_why = json_array();
    nis2_unsure = json_array();
    caveats = json_array();
    hi_outcome = nis2_outcome(&e, e.hi, nis2_why, nis2_unsure);
    lo_outcome = nis2_outcome(&e, e.lo, NULL, NULL);
    if (strcmp(hi_outcome, lo_outcome) != 0) {
        say(&e, nis2_unsure, "size_unknown_finance", "annual_turnover_eur,balance_sheet_eur");
        json_object_set_new(json_array_get(nis2_unsure, json_array_size(nis2_unsure) - 1),
                            "otherwise", json_string(lo_outcome));
    }
    if (tri(answers, "partner_or_linked") == 1)
        say(&e, nis2_unsure, "partner_linked", "partner_or_linked");
    say(&e, caveats, "partner_linked", "partner_or_linked,headcount,annual_turnover_eur");

    cer = tri(answers, "cer_critical") == 1;
    cer_why = json_array();
    cer_unsure = json_array();
    say(&e, cer_why, cer ? "cer_designated" : "cer_not_designated", "cer_critical");
    if (!cer && json_is_true(json_object_get(e.sector, "cer")))
        say(&e, cer_unsure, "cer_possible", "sector,cer_critical");

    dora = tri(answers, "dora_financial") == 1;
    dora_why = json_array();
    dora_unsure = json_array();
    if (dora) {
        say(&e, dora_why, "dora_applies", "dora_financial");
        say(&e, dora_why, "dora_lex_specialis", "dora_financial");
        if (strcmp(hi_outcome, "out_of_scope") != 0)
            say(&e, nis2_why, "dora_lex_specialis", "dora_financial");
    } else {
        say(&e, dora_why, "dora_not", "dora_financial");
        if (json_is_true(json_object_get(e.sector, "dora")))
            say(&e, dora_unsure, "dora_possible", "sector,dora_financial");
    }

    sizes = json_array();
    for (int i = e.lo; i <= e.hi; i++)
        json_array_append_new(sizes, json_string(class_id(&e, i)));
    types = json_array();
    if ((et = sub_rule(e.subsector, "entity_type")) != NULL)
        json_array_append_new(types, json_string(et));
    profile = json_pack(
        "{s:s, s:s?, s:s, s:o, s:b, s:b, s:o, s:b}", "sector",
        e.sector ? json_string_value(json_object_get(e.sector, "id")) : "other", "subsector",
        e.subsector ? json_string_value(json_object_get(e.subsector, "id")) : NULL, "nis2_class",
        strcmp(hi_outcome, "out_of_scope") == 0 ? "none" : hi_outcome, "entity_types", types,
        "cer_critical", cer, "dora_financial", dora, "annual_turnover_eur",
        amount(answers, "annual_turnover_eur") >= 0
            ? json_real(amount(answers, "annual_turnover_eur"))
            : json_null(),
        "microenterprise", e.hi == 0);
    *result = json_pack(
        "{s:{s:s, s:o, s:o}, s:{s:b, s:o, s:o}, s:{s:b, s:o, s:o}, s:{s:s?, s:o}, s:o, s:o, "
        "s:O, s:O}",
        "nis2", "outcome", hi_outcome, "reasons", nis2_why, "uncertain", nis2_unsure, "cer",
        "critical_entity", cer, "reasons", cer_why, "uncertain", cer_unsure, "dora", "applies",
        dora, "reasons", dora_why, "uncertain", dora_unsure, "size", "class",
        e.lo == e.hi ? class_id(&e, e.hi) : NULL, "possible", sizes, "caveats", caveats, "profile",
        profile, "law_version", json_object_get(e.law, "version"), "questionnaire_version",
        json_object_get(json_object_get(set, "questions"), "version"));
    if (*result == NULL) {
        field_error(errs, "", "out of memory");
        return -1;
    }
    return 0;
}

/* ---- checking law.json's nis2_decision ---- */

static int
step_bad(struct mp_error *err, size_t i, const char *what, const char *name)
{
    char msg[160];

    snprintf(msg, sizeof(msg), what, name ? name : "");
    return mp_error_set(err, 0, "", "law.json: $.nis2_decision.steps[%zu]: %s", i, msg);
}

static int
check_reasons(json_t *law, json_t *questions, json_t *list, size_t i, struct mp_error *err)
{
    json_t *rules = json_object_get(law, "rules"), *r, *q;
    size_t k, m;

    if (list == NULL)
        return 0;
    if (!json_is_array(list))
        return step_bad(err, i, "%sreasons and uncertain are lists", NULL);
    json_array_foreach(list, k, r)
    {
        const char *rule = json_string_value(json_object_get(r, "rule"));
        const char *sub = json_string_value(json_object_get(r, "subsector_rule"));

        if ((rule == NULL) == (sub == NULL) || json_object_size(r) != 2 ||
            !json_is_array(json_object_get(r, "questions")))
            return step_bad(err, i, "%sa reason is {rule or subsector_rule, questions}", NULL);
        if (rule != NULL && json_object_get(rules, rule) == NULL)
            return step_bad(err, i, "unknown rule '%s' (law.json rules)", rule);
        if (sub != NULL && !in_list(subsector_rules, sub))
            return step_bad(err, i, "subsector_rule '%s' is not a subsector member naming a rule",
                            sub);
        json_array_foreach(json_object_get(r, "questions"), m, q)
        {
            if (assessment_find_id(questions, json_string_value(q)) == NULL)
                return step_bad(err, i, "unknown question '%s'", json_string_value(q));
        }
    }
    return 0;
}

int
assessment_decision_check(json_t *law, json_t *questions, struct mp_error *err)
{
    static const char *const members[] = {"when",    "reasons", "uncertain", "set",
                                          "outcome", "note",    NULL};
    json_t *steps = json_object_get(json_object_get(law, "nis2_decision"), "steps"), *step, *x;
    const char **facts;
    size_t i, k, n = 0, nq = json_array_size(questions);
    const char *key;
    int rc = -1;

    if (!json_is_array(steps) || json_array_size(steps) == 0)
        return mp_error_set(err, 0, "", "law.json: $.nis2_decision.steps: needs a list of steps");
    /* the facts a condition may name: the answers, the derived facts, the marks */
    facts = calloc(nq + N(derived_facts) + N(marks) + 1, sizeof(*facts));
    if (facts == NULL)
        return mp_error_set(err, 0, "", "out of memory");
    json_array_foreach(questions, i, x) facts[n++] = json_string_value(json_object_get(x, "id"));
    for (i = 0; derived_facts[i]; i++)
        facts[n++] = derived_facts[i];
    for (i = 0; marks[i]; i++)
        facts[n++] = marks[i];
    json_array_foreach(steps, i, step)
    {
        bool last = i + 1 == json_array_size(steps);
        const char *outcome = json_string_value(json_object_get(step, "outcome"));
        char path[64];

        if (!json_is_object(step)) {
            step_bad(err, i, "%sa step is an object", NULL);
            goto out;
        }
        json_object_foreach(step, key, x)
        {
            if (!in_list(members, key)) {
                step_bad(err, i, "unknown member '%s'", key);
                goto out;
            }
        }
        snprintf(path, sizeof(path), "$.nis2_decision.steps[%zu].when", i);
        if ((x = json_object_get(step, "when")) != NULL &&
            rules_check_expr(x, "law.json", path, facts, err) != 0)
            goto out;
        if (json_object_get(step, "outcome") != NULL && !in_list(outcomes, outcome)) {
            step_bad(err, i, "%soutcome is out_of_scope, important or essential", NULL);
            goto out;
        }
        if (last && (outcome == NULL || json_object_get(step, "when") != NULL)) {
            step_bad(err, i, "%sthe last step has no condition and an outcome", NULL);
            goto out;
        }
        if ((x = json_object_get(step, "set")) != NULL) {
            json_t *mark;
            if (!json_is_array(x)) {
                step_bad(err, i, "%sset is a list of marks", NULL);
                goto out;
            }
            json_array_foreach(x, k, mark)
            {
                if (!in_list(marks, json_string_value(mark))) {
                    step_bad(err, i, "set: unknown mark '%s' (in_scope, essential, identified)",
                             json_string_value(mark));
                    goto out;
                }
            }
        }
        if (check_reasons(law, questions, json_object_get(step, "reasons"), i, err) != 0 ||
            check_reasons(law, questions, json_object_get(step, "uncertain"), i, err) != 0)
            goto out;
    }
    rc = 0;
out:
    free(facts);
    return rc;
}
