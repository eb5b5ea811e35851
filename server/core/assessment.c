/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * assessment.c - see assessment.h.
 *
 * The decision follows the NIS2 scope questions in their legal order
 * (regimes.md §1.2): (1) sector: an Annex I or II type, else out of scope
 * unless a CER critical entity; (2) size under Recommendation 2003/361/EC:
 * medium-sized or larger is in scope; (3) size-independent categories
 * (Art. 2(2), 2(3)); (4) the class (Art. 3): essential, else important;
 * (5) lex specialis (Art. 4, DORA).
 *
 * Size with unknown money figures is a range: the smallest class the
 * enterprise could be in and the smallest it certainly fits.  The outcome
 * is computed at both ends; the stricter one is shown, and when they differ
 * the difference is listed as uncertain rather than guessed away.
 */
#include "assessment.h"
#include "core/organisation.h"
#include "lib/buf.h"
#include "lib/embed.h"
#include "lib/file.h"
#include "lib/snapshot.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"
#include "store/assessments.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/writer.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The questions the decision reads, with the type each must have. */
static const struct {
    const char *id;
    const char *type;
} needed[] = {
    {"eu_services", "boolean"},
    {"sector", "sector"},
    {"subsector", "subsector"},
    {"headcount", "integer"},
    {"annual_turnover_eur", "amount"},
    {"balance_sheet_eur", "amount"},
    {"partner_or_linked", "boolean"},
    {"sole_provider", "boolean"},
    {"significant_disruption", "boolean"},
    {"nationally_critical", "boolean"},
    {"member_state_designated", "boolean"},
    {"nis1_operator", "boolean"},
    {"cer_critical", "boolean"},
    {"dora_financial", "boolean"},
};

/* The reasons the decision can give; each needs its text in law.json. */
static const char *const rule_ids[] = {"no_eu_services",
                                       "no_annex_sector",
                                       "annex_sector",
                                       "size_in_scope",
                                       "size_below",
                                       "art2_2_a",
                                       "art2_2_b",
                                       "art2_2_cd",
                                       "art2_2_e",
                                       "art2_3_cer",
                                       "art3_1_a",
                                       "art3_1_e",
                                       "art3_1_f",
                                       "art3_1_g",
                                       "art3_2",
                                       "member_state_identification",
                                       "size_unknown_finance",
                                       "partner_linked",
                                       "cer_designated",
                                       "cer_not_designated",
                                       "cer_possible",
                                       "dora_applies",
                                       "dora_lex_specialis",
                                       "dora_not",
                                       "dora_possible",
                                       NULL};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- loading ---- */

static int
bad(struct mp_error *err, const char *where, const char *fmt, const char *what)
{
    char msg[160];

    snprintf(msg, sizeof(msg), fmt, what);
    return mp_error_set(err, 0, "", "%s: %s", where, msg);
}

static bool
has_texts(json_t *o)
{
    return json_is_object(o) && json_is_string(json_object_get(o, "en")) &&
           json_is_string(json_object_get(o, "nl"));
}

json_t *
assessment_find_id(json_t *list, const char *id)
{
    size_t i;
    json_t *x;

    json_array_foreach(list, i, x)
    {
        const char *xid = json_string_value(json_object_get(x, "id"));
        if (xid && id && strcmp(xid, id) == 0)
            return x;
    }
    return NULL;
}

static int
size_index(json_t *law, const char *id)
{
    json_t *classes = json_object_get(law, "size_classes");
    size_t i;
    json_t *x;

    json_array_foreach(classes, i, x)
    {
        if (id && strcmp(json_string_value(json_object_get(x, "id")), id) == 0)
            return (int)i;
    }
    return -1;
}

static bool
rule_ref_ok(json_t *rules, json_t *ref)
{
    return ref == NULL || (json_is_string(ref) && json_object_get(rules, json_string_value(ref)));
}

/* Checks the three documents; err->message names the file and the reason. */
static int
validate_set(json_t *set, struct mp_error *err)
{
    json_t *q = json_object_get(set, "questions"), *law = json_object_get(set, "law");
    json_t *threats = json_object_get(set, "threats"), *rules, *classes, *sectors, *x, *s;
    size_t i, k;
    const char *key;

    if (!json_is_string(json_object_get(q, "version")) ||
        !json_is_array(json_object_get(q, "questions")))
        return bad(err, "questions.json", "%s", "needs version and a list of questions");
    json_array_foreach(json_object_get(q, "questions"), i, x)
    {
        if (!json_is_string(json_object_get(x, "id")) ||
            !json_is_string(json_object_get(x, "type")) || !has_texts(json_object_get(x, "text")))
            return bad(err, "questions.json", "%s",
                       "every question needs id, type and text {en, nl}");
    }
    for (i = 0; i < N(needed); i++) {
        x = assessment_find_id(json_object_get(q, "questions"), needed[i].id);
        if (x == NULL)
            return bad(err, "questions.json", "the decision needs question '%s'", needed[i].id);
        if (strcmp(json_string_value(json_object_get(x, "type")), needed[i].type) != 0)
            return bad(err, "questions.json", "question '%s' has the wrong type", needed[i].id);
    }
    if (!json_is_string(json_object_get(law, "version")))
        return bad(err, "law.json", "%s", "needs a version");
    rules = json_object_get(law, "rules");
    if (!json_is_object(rules))
        return bad(err, "law.json", "%s", "needs rules {id: {article, text}}");
    json_object_foreach(rules, key, x)
    {
        if (!json_is_string(json_object_get(x, "article")) ||
            !has_texts(json_object_get(x, "text")))
            return bad(err, "law.json", "rule '%s' needs article and text {en, nl}", key);
    }
    for (i = 0; rule_ids[i]; i++) {
        if (json_object_get(rules, rule_ids[i]) == NULL)
            return bad(err, "law.json", "the decision needs rule '%s'", rule_ids[i]);
    }
    classes = json_object_get(law, "size_classes");
    if (!json_is_array(classes) || json_array_size(classes) < 2)
        return bad(err, "law.json", "%s", "needs at least two size_classes");
    json_array_foreach(classes, i, x)
    {
        bool last = i + 1 == json_array_size(classes);
        if (!json_is_string(json_object_get(x, "id")))
            return bad(err, "law.json", "%s", "every size class needs an id");
        if (!last && (!json_is_integer(json_object_get(x, "headcount_below")) ||
                      !json_is_number(json_object_get(x, "turnover_max_eur")) ||
                      !json_is_number(json_object_get(x, "balance_max_eur"))))
            return bad(err, "law.json", "size class '%s' needs its ceilings",
                       json_string_value(json_object_get(x, "id")));
    }
    if (size_index(law, json_string_value(json_object_get(law, "in_scope_from_size"))) < 0 ||
        size_index(law, json_string_value(json_object_get(law, "essential_annex_i_from_size"))) < 0)
        return bad(err, "law.json", "%s",
                   "in_scope_from_size and essential_annex_i_from_size must name size classes");
    sectors = json_object_get(law, "sectors");
    if (!json_is_array(sectors))
        return bad(err, "law.json", "%s", "needs a list of sectors");
    json_array_foreach(sectors, i, x)
    {
        const char *id = json_string_value(json_object_get(x, "id"));
        const char *annex = json_string_value(json_object_get(x, "annex"));
        if (id == NULL || annex == NULL || (strcmp(annex, "I") && strcmp(annex, "II")) ||
            !json_is_array(json_object_get(x, "subsectors")))
            return bad(err, "law.json", "%s", "every sector needs id, annex I or II, subsectors");
        json_array_foreach(json_object_get(x, "subsectors"), k, s)
        {
            json_t *efs = json_object_get(s, "essential_from_size");
            if (!json_is_string(json_object_get(s, "id")) ||
                !rule_ref_ok(rules, json_object_get(s, "in_scope_any_size")) ||
                !rule_ref_ok(rules, json_object_get(s, "essential_any_size")) ||
                !rule_ref_ok(rules, json_object_get(s, "uncertain")) ||
                (efs && (size_index(law, json_string_value(json_object_get(efs, "size"))) < 0 ||
                         !rule_ref_ok(rules, json_object_get(efs, "rule")))))
                return bad(err, "law.json", "a subsector of '%s' names an unknown rule or size",
                           id);
        }
    }
    if (!json_is_array(json_object_get(threats, "threats")))
        return bad(err, "threats.json", "%s", "needs a list of threats");
    json_array_foreach(json_object_get(threats, "threats"), i, x)
    {
        if (!json_is_string(json_object_get(x, "id")) || !has_texts(json_object_get(x, "name")))
            return bad(err, "threats.json", "%s", "every threat needs id and name {en, nl}");
    }
    return 0;
}

static const char *const files[] = {"questions", "law", "threats"};

static json_t *
parse(const char *where, const char *text, size_t len, struct mp_error *err)
{
    json_error_t je;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);

    if (doc == NULL)
        mp_error_set(err, 0, "", "%s:%d:%d: %s", where, je.line, je.column, je.text);
    else if (!json_is_object(doc)) {
        mp_error_set(err, 0, "", "%s: not a JSON object", where);
        json_decref(doc);
        doc = NULL;
    }
    return doc;
}

static int
finish(json_t *set, const char *dir, json_t **out, struct mp_error *err)
{
    json_object_set_new(set, "dir", json_string(dir));
    if (validate_set(set, err) != 0) {
        char msg[sizeof(err->message)];
        snprintf(msg, sizeof(msg), "%s", err->message);
        mp_error_set(err, 0, "", "%s/%s", dir, msg);
        json_decref(set);
        return -1;
    }
    *out = set;
    return 0;
}

int
assessment_load_builtin(json_t **out, struct mp_error *err)
{
    json_t *set = json_object();

    *out = NULL;
    for (size_t i = 0; i < N(files); i++) {
        char name[64];
        json_t *doc = NULL;

        snprintf(name, sizeof(name), "%s.json", files[i]);
        for (size_t k = 0; k < assessment_files_count; k++) {
            if (strcmp(assessment_files[k].name, name) == 0)
                doc = parse(name, (const char *)assessment_files[k].data, assessment_files[k].len,
                            err);
        }
        if (doc == NULL) {
            if (err->message[0] == '\0')
                mp_error_set(err, 0, "", "(built in): no %s", name);
            json_decref(set);
            return -1;
        }
        json_object_set_new(set, files[i], doc);
    }
    return finish(set, "(built in)", out, err);
}

int
assessment_load(const char *dir, json_t **out, struct mp_error *err)
{
    json_t *set = json_object();

    *out = NULL;
    for (size_t i = 0; i < N(files); i++) {
        char path[PATH_MAX], *text;
        size_t len;
        json_t *doc;

        snprintf(path, sizeof(path), "%s/%s.json", dir, files[i]);
        text = file_read(path, 1u << 20, &len, err);
        if (text == NULL) {
            json_decref(set);
            return -1;
        }
        doc = parse(path, text, len, err);
        free(text);
        if (doc == NULL) {
            json_decref(set);
            return -1;
        }
        json_object_set_new(set, files[i], doc);
    }
    return finish(set, dir, out, err);
}

static void
set_hold(void *set)
{
    json_incref(set);
}

static void
set_drop(void *set)
{
    json_decref(set);
}

static struct snapshot current = SNAPSHOT_INIT(set_hold, set_drop);

void
assessment_install(json_t *set)
{
    snapshot_install(&current, set);
}

#ifdef MP_TEST_BUILD
/* Unit tests set this to see what happens when no data can be loaded. */
bool assessment_test_unloaded;
#endif

/* Tests and CLI commands that never installed data: the built-in copy. */
static void *
builtin(void)
{
    struct mp_error err;
    json_t *set;

    return assessment_load_builtin(&set, &err) == 0 ? set : NULL;
}

json_t *
assessment_acquire(void)
{
#ifdef MP_TEST_BUILD
    if (assessment_test_unloaded)
        return NULL;
#endif
    return snapshot_acquire(&current, builtin);
}

json_t *
assessment_questionnaire(json_t *set)
{
    json_t *q = json_object_get(set, "questions"), *law = json_object_get(set, "law");
    json_t *rules = json_object_get(law, "rules");

    return json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:[O], s:O}", "version", json_object_get(q, "version"),
        "law_version", json_object_get(law, "version"), "title", json_object_get(q, "title"),
        "questions", json_object_get(q, "questions"), "sectors", json_object_get(law, "sectors"),
        "size_classes", json_object_get(law, "size_classes"), "notes",
        json_object_get(law, "notes"), "caveats", json_object_get(rules, "partner_linked"),
        "source", json_object_get(law, "source"));
}

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

/* The NIS2 outcome if the enterprise is of size class s; reasons and
 * uncertainties go to the lists (NULL: not collected). */
static const char *
nis2_outcome(struct eval *e, int s, json_t *why, json_t *unsure)
{
    json_t *a = e->answers, *efs = json_object_get(e->subsector, "essential_from_size");
    bool cer = tri(a, "cer_critical") == 1, in_scope = false, essential = false;
    bool identified = false;
    const char *r;

    if (tri(a, "eu_services") == 0) {
        say(e, why, "no_eu_services", "eu_services");
        return "out_of_scope";
    }
    if (e->sector == NULL) {
        if (cer) {
            say(e, why, "art2_3_cer", "cer_critical");
            say(e, why, "art3_1_f", "cer_critical");
            return "essential";
        }
        say(e, why, "no_annex_sector", "sector");
        return "out_of_scope";
    }
    say(e, why, "annex_sector", "sector,subsector");
    if (s >= size_index(e->law, json_string_value(json_object_get(e->law, "in_scope_from_size")))) {
        in_scope = true;
        say(e, why, "size_in_scope", "headcount,annual_turnover_eur,balance_sheet_eur");
    }
    if ((r = sub_rule(e->subsector, "in_scope_any_size")) != NULL) {
        in_scope = true;
        say(e, why, r, "subsector");
    }
    static const struct {
        const char *question, *rule;
    } identified_by_state[] = {
        {"sole_provider", "art2_2_b"},
        {"significant_disruption", "art2_2_cd"},
        {"nationally_critical", "art2_2_e"},
    };
    for (size_t i = 0; i < N(identified_by_state); i++) {
        if (tri(a, identified_by_state[i].question) == 1) {
            in_scope = identified = true;
            say(e, why, identified_by_state[i].rule, identified_by_state[i].question);
        }
    }
    if (identified)
        say(e, unsure, "member_state_identification",
            "sole_provider,significant_disruption,nationally_critical");
    if (cer) {
        in_scope = true;
        say(e, why, "art2_3_cer", "cer_critical");
    }
    if (tri(a, "member_state_designated") == 1) {
        in_scope = essential = true;
        say(e, why, "art3_1_e", "member_state_designated");
    }
    if (!in_scope) {
        if ((r = sub_rule(e->subsector, "uncertain")) != NULL)
            say(e, unsure, r, "subsector");
        say(e, why, "size_below", "headcount,annual_turnover_eur,balance_sheet_eur");
        return "out_of_scope";
    }
    if (strcmp(json_string_value(json_object_get(e->sector, "annex")), "I") == 0 &&
        s >= size_index(e->law, json_string_value(
                                    json_object_get(e->law, "essential_annex_i_from_size")))) {
        essential = true;
        say(e, why, "art3_1_a", "sector,headcount,annual_turnover_eur,balance_sheet_eur");
    }
    if ((r = sub_rule(e->subsector, "essential_any_size")) != NULL) {
        essential = true;
        say(e, why, r, "subsector");
    }
    if (efs && s >= size_index(e->law, json_string_value(json_object_get(efs, "size")))) {
        essential = true;
        say(e, why, json_string_value(json_object_get(efs, "rule")), "subsector,headcount");
    }
    if (cer) {
        essential = true;
        say(e, why, "art3_1_f", "cer_critical");
    }
    if (essential)
        return "essential";
    if (tri(a, "nis1_operator") == 1)
        say(e, unsure, "art3_1_g", "nis1_operator");
    say(e, why, "art3_2", "sector");
    return "important";
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

static const char *
class_id(struct eval *e, int i)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(e->law, "size_classes"), (size_t)i), "id"));
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

/* ---- stored assessments ---- */

struct create_change {
    const struct principal *p;
    int64_t now;
    const char *id, *lang, *answers, *result, *nis2, *law_version, *q_version;
    char at[TIME_RFC3339_LEN];
};

static int
create_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct create_change *c = arg;
    char payload[160];

    time_format_rfc3339(c->now, c->at, sizeof(c->at));
    if (store_assessment_insert(db,
                                &(struct assessment_row){.id = c->id,
                                                         .created_at = c->at,
                                                         .created_by = c->p->name,
                                                         .language = c->lang,
                                                         .law_version = c->law_version,
                                                         .questionnaire_version = c->q_version,
                                                         .answers = c->answers,
                                                         .result = c->result,
                                                         .nis2 = c->nis2},
                                err) != 0)
        return -1;
    snprintf(payload, sizeof(payload), "{\"nis2\":\"%s\"}", c->nis2);
    return store_audit_append(db, c->now, c->p->name, "assessment.create", c->id, payload, err);
}

int
assessment_create(const struct principal *p, int64_t now, json_t *answers, const char *lang,
                  json_t **out, struct field_errors *errs)
{
    json_t *set = assessment_acquire(), *result = NULL;
    struct create_change c = {.p = p, .now = now, .lang = lang};
    struct mp_error err;
    char id[UUID_TEXT_LEN + 1];
    char *a_text = NULL, *r_text = NULL;
    int rc = -1;

    *out = NULL;
    if (set == NULL) {
        field_error(errs, "", "no assessment data loaded");
        errs->items[errs->count - 1].status = 503;
        return -1;
    }
    if (assessment_evaluate(set, answers, lang, &result, errs) != 0)
        goto out;
    uuid7_generate(id);
    a_text = json_dumps(answers, JSON_COMPACT | JSON_SORT_KEYS);
    r_text = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS);
    if (a_text == NULL || r_text == NULL) {
        field_error(errs, "", "out of memory");
        goto out;
    }
    c.id = id;
    c.answers = a_text;
    c.result = r_text;
    c.nis2 = json_string_value(json_object_get(json_object_get(result, "nis2"), "outcome"));
    c.law_version = json_string_value(json_object_get(result, "law_version"));
    c.q_version = json_string_value(json_object_get(result, "questionnaire_version"));
    if (store_write(create_apply, &c, &err) != 0) {
        field_errors_fail(errs, &err);
        goto out;
    }
    rc = assessment_get(id, out, &err);
    if (rc != 0)
        field_errors_fail(errs, &err);
out:
    free(a_text);
    free(r_text);
    json_decref(result);
    json_decref(set);
    return rc;
}

int
assessment_list(json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    *out = NULL;
    if (db == NULL)
        return -1;
    return store_assessment_list(db, out, err);
}

int
assessment_get(const char *id, json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    *out = NULL;
    if (db == NULL)
        return -1;
    return store_assessment_get(db, id, out, err);
}

struct apply_change {
    const struct principal *p;
    int64_t now;
    const char *id;
    struct field_errors *errs;
};

static int
apply_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct apply_change *c = arg;
    json_t *a = NULL, *doc = NULL, *proposed;
    char at[TIME_RFC3339_LEN], payload[200], *text = NULL;
    int64_t version;
    int rc = -1;

    if (store_assessment_get(db, c->id, &a, err) != 0)
        return -1;
    if (organisation_load(db, &doc, &version, NULL, err) != 0)
        goto out;
    proposed = json_object_get(json_object_get(a, "result"), "profile");
    json_object_update_existing(doc, proposed);
    if (!organisation_validate(doc, c->errs)) {
        mp_error_set(err, 422, "", "the result does not fit the profile");
        goto out;
    }
    text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    time_format_rfc3339(c->now, at, sizeof(at));
    if (text == NULL || store_assessment_mark_applied(db, c->id, at, c->p->name, err) != 0)
        goto out;
    snprintf(payload, sizeof(payload), "{\"assessment\":\"%s\",\"nis2_class\":\"%s\"}", c->id,
             json_string_value(json_object_get(doc, "nis2_class")));
    if (store_audit_append(db, c->now, c->p->name, "assessment.apply", "organisation", payload,
                           err) != 0)
        goto out;
    rc = organisation_replace(db, c->p, c->now, text, -1, &version, err);
out:
    free(text);
    json_decref(doc);
    json_decref(a);
    return rc;
}

int
assessment_apply(const struct principal *p, int64_t now, const char *id, json_t **out,
                 struct field_errors *errs)
{
    struct apply_change c = {.p = p, .now = now, .id = id, .errs = errs};
    struct mp_error err;
    char at[32];
    int64_t version;

    *out = NULL;
    if (store_write(apply_apply, &c, &err) != 0)
        return field_errors_fail(errs, &err);
    if (organisation_get(out, &version, at, &err) != 0)
        return field_errors_fail(errs, &err);
    json_object_set_new(*out, "version", json_integer(version));
    json_object_set_new(*out, "updated_at", json_string(at));
    return 0;
}
