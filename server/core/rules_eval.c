/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * rules_eval.c - three-valued evaluation of the compiled rules over an
 * incident's facts and the profile, with the explanation (the due times of
 * the stages are rules_due.c).  See rules.h and docs/RULES.md.
 */
#include "rules.h"
#include "rules_int.h"
#include "core/incident.h"
#include "lib/embed.h"
#include "lib/file.h"
#include <dirent.h>
#include <sys/stat.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- evaluation ----
 *
 * At load every expression is compiled into a tree of struct rnode, so that
 * evaluating reads no JSON member by name and allocates nothing but the
 * explanation it returns.  Values are numbers or JSON values borrowed from
 * the rule file, the facts or the profile; unknown is its own state.
 *
 * Three-valued logic reaches into the arithmetic: an unknown number is
 * not "anything" but still lies within its domain (a count or an amount is
 * 0 or more), and arithmetic on such bounds gives bounds.  A comparison
 * whose bounds already decide it does not wait for the unknown value:
 * with financial_loss_eur 0 and the turnover unknown,
 * loss > min(500000, 0.05 * turnover) is no, because the right side is at
 * least 0 whatever the turnover; with a loss of 600000 it is yes, because
 * the right side is at most 500000 (CIR 2024/2690 art. 3(1)(a)).  Only
 * the facts of comparisons still undecided are reported missing. */

enum rnode_kind { RN_TRUE, RN_FALSE, RN_ALL, RN_ANY, RN_NOT, RN_AT_LEAST, RN_CMP };
enum rval_kind { RV_CONST, RV_FACT, RV_PROFILE, RV_DIV, RV_MUL, RV_MIN, RV_MAX };
enum rcmp { RC_GT, RC_GE, RC_LT, RC_LE, RC_EQ, RC_NE, RC_IN, RC_HAS };

struct rvalue {
    enum rval_kind kind;
    const char *name;    /* fact or profile value */
    const json_t *konst; /* RV_CONST; the default of a fact, or NULL */
    const json_t *src;   /* the value as written, for explanations */
    struct rvalue *args; /* arithmetic */
    int nargs;
    int idx;          /* a fact's or profile value's place in struct rules_facts, or -1 */
    bool nonnegative; /* a fact or profile value that, unknown, is still >= 0 */
};

struct rnode {
    enum rnode_kind kind;
    const json_t *src; /* the expression object: id, text, source */
    const json_t *id;
    struct rnode *kids;
    int nkids;
    int at_least;
    enum rcmp op;
    const char *op_text;
    struct rvalue left, right;
};

/* A value during evaluation.  An unknown number may still be bounded:
 * it lies in [lo, hi] (hi may be INFINITY). */
struct rv {
    bool known;
    bool is_num;
    double num;
    const json_t *json; /* when known and taken from JSON */
    bool bounded;       /* unknown, but within [lo, hi] */
    double lo, hi;
};

#define MISSING_MAX 48

struct missing {
    const char *name[MISSING_MAX];
    bool profile[MISSING_MAX];
    int n;
};

struct eval {
    const json_t *facts;
    const json_t *profile;
    const struct rules_facts *fv; /* the same as a flat vector, or NULL */
    bool quiet;                   /* the outcome only: no missing facts */
    json_t *criteria;             /* reported criteria (nodes with an id) */
    json_t *conditions;           /* comparisons of the innermost criterion being evaluated */
    struct rules_decision *dec;   /* rules_decide: the criteria that held or may hold */
};

static void
missing_add(struct missing *m, const char *name, bool profile)
{
    for (int i = 0; i < m->n; i++) {
        if (m->profile[i] == profile && strcmp(m->name[i], name) == 0)
            return;
    }
    if (m->n < MISSING_MAX) {
        m->name[m->n] = name;
        m->profile[m->n++] = profile;
    }
}

static void
missing_merge(struct missing *into, const struct missing *from)
{
    for (int i = 0; i < from->n; i++)
        missing_add(into, from->name[i], from->profile[i]);
}

static json_t *
missing_json(const struct missing *m)
{
    json_t *arr = json_array();

    for (int i = 0; i < m->n; i++) {
        if (m->profile[i]) {
            char name[96];
            snprintf(name, sizeof(name), "profile.%s", m->name[i]);
            json_array_append_new(arr, json_string(name));
        } else {
            json_array_append_new(arr, json_string(m->name[i]));
        }
    }
    return arr;
}

static void rvalue_free(struct rvalue *v);

static void
rnode_free_kids(struct rnode *n)
{
    for (int i = 0; i < n->nkids; i++)
        rnode_free_kids(&n->kids[i]);
    free(n->kids);
    rvalue_free(&n->left);
    rvalue_free(&n->right);
}

static void
rvalue_free(struct rvalue *v)
{
    for (int i = 0; i < v->nargs; i++)
        rvalue_free(&v->args[i]);
    free(v->args);
    v->args = NULL;
    v->nargs = 0;
}

void
rules_rnode_free(struct rnode *n)
{
    if (n == NULL)
        return;
    rnode_free_kids(n);
    free(n);
}

/* Compiles a validated value. */
static int
compile_value(const json_t *j, struct rvalue *v)
{
    static const struct {
        const char *key;
        enum rval_kind kind;
    } arith[] = {{"div", RV_DIV}, {"mul", RV_MUL}, {"min", RV_MIN}, {"max", RV_MAX}};
    const json_t *x;

    memset(v, 0, sizeof(*v));
    v->src = j;
    if (!json_is_object(j)) {
        v->kind = RV_CONST;
        v->konst = j;
        return 0;
    }
    if ((x = json_object_get(j, "fact")) != NULL) {
        v->kind = RV_FACT;
        v->name = json_string_value(x);
        v->idx = rules_fact_index(v->name);
        v->konst = json_object_get(j, "default");
        v->nonnegative = rules_fact_nonnegative(v->name);
        return 0;
    }
    if ((x = json_object_get(j, "profile")) != NULL) {
        v->kind = RV_PROFILE;
        v->name = json_string_value(x);
        v->konst = json_object_get(j, "default");
        v->idx = -1;
        for (int i = 0; rules_profile_names[i] && i < RULES_PROFILE_MAX; i++) {
            if (strcmp(rules_profile_names[i], v->name) == 0)
                v->idx = i;
        }
        v->nonnegative = rules_in_list(rules_profile_amounts, v->name);
        return 0;
    }
    for (size_t k = 0; k < sizeof(arith) / sizeof(arith[0]); k++) {
        size_t i;
        json_t *item;

        if ((x = json_object_get(j, arith[k].key)) == NULL)
            continue;
        v->kind = arith[k].kind;
        v->nargs = (int)json_array_size(x);
        v->args = calloc((size_t)v->nargs, sizeof(*v->args));
        if (v->args == NULL)
            return -1;
        json_array_foreach(x, i, item)
        {
            if (compile_value(item, &v->args[i]) != 0)
                return -1;
        }
        return 0;
    }
    return -1;
}

static int
compile_node(const json_t *j, struct rnode *n)
{
    static const char *const ops[] = {">", ">=", "<", "<=", "==", "!=", "in", "has"};
    const json_t *list, *x;
    size_t i;

    memset(n, 0, sizeof(*n));
    n->src = j;
    if (json_is_boolean(j)) {
        n->kind = json_is_true(j) ? RN_TRUE : RN_FALSE;
        return 0;
    }
    n->id = json_object_get(j, "id");
    if ((list = json_object_get(j, "all")) != NULL)
        n->kind = RN_ALL;
    else if ((list = json_object_get(j, "any")) != NULL)
        n->kind = RN_ANY;
    else if ((list = json_object_get(j, "of")) != NULL) {
        n->kind = RN_AT_LEAST;
        n->at_least = (int)json_integer_value(json_object_get(j, "at_least"));
    }
    if (list != NULL) {
        n->nkids = (int)json_array_size(list);
        n->kids = calloc((size_t)n->nkids, sizeof(*n->kids));
        if (n->kids == NULL)
            return -1;
        json_array_foreach(list, i, x)
        {
            if (compile_node(x, &n->kids[i]) != 0)
                return -1;
        }
        return 0;
    }
    if ((x = json_object_get(j, "not")) != NULL) {
        n->kind = RN_NOT;
        n->nkids = 1;
        n->kids = calloc(1, sizeof(*n->kids));
        return n->kids ? compile_node(x, &n->kids[0]) : -1;
    }
    n->kind = RN_CMP;
    n->op_text = json_string_value(json_object_get(j, "op"));
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        if (strcmp(ops[k], n->op_text) == 0)
            n->op = (enum rcmp)k;
    }
    if (compile_value(json_object_get(j, "left"), &n->left) != 0 ||
        compile_value(json_object_get(j, "right"), &n->right) != 0)
        return -1;
    return 0;
}

struct rnode *
rules_compile_expr(const json_t *j)
{
    struct rnode *n = calloc(1, sizeof(*n));

    if (n != NULL && compile_node(j, n) != 0) {
        rules_rnode_free(n);
        return NULL;
    }
    return n;
}

static struct rv
rv_from_json(const json_t *j)
{
    struct rv r = {.known = true, .json = j};

    if (json_is_number(j)) {
        r.is_num = true;
        r.num = json_number_value(j);
    }
    return r;
}

/* An unknown value; bounded to [0, infinity) when its domain says so. */
static struct rv
rv_unknown(bool nonnegative)
{
    struct rv r = {.known = false};

    if (nonnegative) {
        r.bounded = true;
        r.lo = 0;
        r.hi = INFINITY;
    }
    return r;
}

/* The bounds of a numeric value: a known number is [num, num]. */
static bool
rv_bounds(const struct rv *v, double *lo, double *hi)
{
    if (v->known && v->is_num) {
        *lo = *hi = v->num;
        return true;
    }
    if (!v->known && v->bounded) {
        *lo = v->lo;
        *hi = v->hi;
        return true;
    }
    return false;
}

/* a * b where 0 times anything, even an unbounded side, is 0: the value is
 * a finite number, only its bound is infinite. */
static double
mul_bound(double a, double b)
{
    return a == 0 || b == 0 ? 0 : a * b;
}

/* Combines [alo, ahi] and [blo, bhi] with the arithmetic of kind into
 * [*lo, *hi].  False when nothing can be said (a divisor that may be 0). */
static bool
bounds_combine(enum rval_kind kind, double alo, double ahi, double blo, double bhi, double *lo,
               double *hi)
{
    double c[4];

    switch (kind) {
    case RV_MIN:
        *lo = fmin(alo, blo);
        *hi = fmin(ahi, bhi);
        return true;
    case RV_MAX:
        *lo = fmax(alo, blo);
        *hi = fmax(ahi, bhi);
        return true;
    case RV_MUL:
        c[0] = mul_bound(alo, blo);
        c[1] = mul_bound(alo, bhi);
        c[2] = mul_bound(ahi, blo);
        c[3] = mul_bound(ahi, bhi);
        break;
    case RV_DIV:
        if (blo <= 0 && bhi >= 0)
            return false; /* the divisor may be 0: no answer to bound */
        c[0] = alo / blo;
        c[1] = alo / bhi;
        c[2] = ahi / blo;
        c[3] = ahi / bhi;
        break;
    default:
        return false;
    }
    *lo = *hi = NAN;
    for (int i = 0; i < 4; i++) {
        /* fmin and fmax pass over the NaN of infinity / infinity */
        *lo = fmin(*lo, c[i]);
        *hi = fmax(*hi, c[i]);
    }
    return !isnan(*lo) && !isnan(*hi);
}

static struct rv
value_eval(const struct rvalue *v, struct eval *ev, struct missing *missing)
{
    const json_t *j;

    switch (v->kind) {
    case RV_CONST:
        return rv_from_json(v->konst);
    case RV_FACT:
        j = ev->fv && v->idx >= 0 ? ev->fv->fact[v->idx] : json_object_get(ev->facts, v->name);
        if (j == NULL || json_is_null(j)) {
            struct rv u;
            const json_t *lb;

            if (v->konst != NULL)
                return rv_from_json(v->konst); /* the rule says what absent means */
            if (!ev->quiet)
                missing_add(missing, v->name, false);
            u = rv_unknown(v->nonnegative);
            /* a combination of recurring incidents: the sum of what is
             * known bounds the unknown sum from below */
            lb = json_object_get(
                ev->fv ? ev->fv->at_least : json_object_get(ev->facts, RULES_AT_LEAST), v->name);
            if (u.bounded && json_is_number(lb) && json_number_value(lb) > u.lo)
                u.lo = json_number_value(lb);
            return u;
        }
        return rv_from_json(j);
    case RV_PROFILE:
        j = ev->fv && v->idx >= 0 ? ev->fv->profile[v->idx] : json_object_get(ev->profile, v->name);
        if (j == NULL || json_is_null(j)) {
            if (v->konst != NULL)
                return rv_from_json(v->konst); /* the rule says what unanswered means */
            if (!ev->quiet)
                missing_add(missing, v->name, true);
            return rv_unknown(v->nonnegative);
        }
        return rv_from_json(j);
    default: {
        struct rv out = {.known = true, .is_num = true};
        double lo = 0, hi = 0;
        bool known = true, bounded = true;

        for (int i = 0; i < v->nargs; i++) {
            struct rv a = value_eval(&v->args[i], ev, missing);
            double alo, ahi;

            known = known && a.known && a.is_num;
            if (!rv_bounds(&a, &alo, &ahi)) {
                bounded = false; /* not a number, or nothing known of it */
                continue;
            }
            if (v->kind == RV_DIV && i > 0 && alo == 0 && ahi == 0)
                known = bounded = false; /* division by zero: no value */
            if (!bounded)
                continue;
            if (i == 0) {
                lo = alo;
                hi = ahi;
            } else if (!bounds_combine(v->kind, lo, hi, alo, ahi, &lo, &hi)) {
                bounded = false;
            }
        }
        if (known) {
            out.num = lo; /* every argument known: lo == hi */
            return out;
        }
        out = rv_unknown(false);
        if (bounded) {
            out.bounded = true;
            out.lo = lo;
            out.hi = hi;
        }
        return out;
    }
    }
}

static bool
rv_equal(const struct rv *a, const json_t *b)
{
    if (a->is_num && json_is_number(b))
        return a->num == json_number_value(b);
    return a->json != NULL && json_equal((json_t *)a->json, (json_t *)b);
}

static enum tri
compare(enum rcmp op, const struct rv *l, const struct rv *r)
{
    size_t i;
    json_t *x;

    if (op == RC_IN) {
        json_array_foreach((json_t *)r->json, i, x)
        {
            if (rv_equal(l, x))
                return TRI_YES;
        }
        return TRI_NO;
    }
    if (op == RC_HAS) {
        if (!json_is_array(l->json))
            return TRI_NO;
        json_array_foreach((json_t *)l->json, i, x)
        {
            if (rv_equal(r, x))
                return TRI_YES;
        }
        return TRI_NO;
    }
    if (l->is_num && r->is_num) {
        double a = l->num, b = r->num;
        switch (op) {
        case RC_GT:
            return a > b ? TRI_YES : TRI_NO;
        case RC_GE:
            return a >= b ? TRI_YES : TRI_NO;
        case RC_LT:
            return a < b ? TRI_YES : TRI_NO;
        case RC_LE:
            return a <= b ? TRI_YES : TRI_NO;
        case RC_EQ:
            return a == b ? TRI_YES : TRI_NO;
        default:
            return a != b ? TRI_YES : TRI_NO;
        }
    }
    if (op == RC_EQ)
        return l->json && r->json && json_equal((json_t *)l->json, (json_t *)r->json) ? TRI_YES
                                                                                      : TRI_NO;
    if (op == RC_NE)
        return l->json && r->json && json_equal((json_t *)l->json, (json_t *)r->json) ? TRI_NO
                                                                                      : TRI_YES;
    return TRI_NO; /* ordering of non-numbers: never true */
}

/* A comparison of which one side or both are unknown but bounded: yes or
 * no when every value within the bounds gives the same answer. */
static enum tri
compare_bounds(enum rcmp op, const struct rv *l, const struct rv *r)
{
    double llo, lhi, rlo, rhi;

    if (!rv_bounds(l, &llo, &lhi) || !rv_bounds(r, &rlo, &rhi))
        return TRI_UNKNOWN;
    switch (op) {
    case RC_GT:
        return llo > rhi ? TRI_YES : lhi <= rlo ? TRI_NO : TRI_UNKNOWN;
    case RC_GE:
        return llo >= rhi ? TRI_YES : lhi < rlo ? TRI_NO : TRI_UNKNOWN;
    case RC_LT:
        return lhi < rlo ? TRI_YES : llo >= rhi ? TRI_NO : TRI_UNKNOWN;
    case RC_LE:
        return lhi <= rlo ? TRI_YES : llo > rhi ? TRI_NO : TRI_UNKNOWN;
    case RC_EQ:
    case RC_NE: {
        enum tri eq = llo == lhi && rlo == rhi && llo == rlo ? TRI_YES
                      : lhi < rlo || rhi < llo               ? TRI_NO
                                                             : TRI_UNKNOWN;
        if (op == RC_EQ || eq == TRI_UNKNOWN)
            return eq;
        return eq == TRI_YES ? TRI_NO : TRI_YES;
    }
    default:
        return TRI_UNKNOWN; /* in, has: lists are not bounded */
    }
}

/* [lo, hi] of an unknown but bounded value, for the explanation (an
 * infinite bound is null); NULL when known or unbounded. */
static json_t *
rv_bounds_json(const struct rv *v)
{
    if (v->known || !v->bounded)
        return NULL;
    return json_pack("[o, o]", isinf(v->lo) ? json_null() : json_real(v->lo),
                     isinf(v->hi) ? json_null() : json_real(v->hi));
}

static json_t *
rv_json(const struct rv *v)
{
    if (!v->known)
        return json_null();
    if (v->json != NULL)
        return json_incref((json_t *)v->json);
    return json_real(v->num);
}

static json_t *
describe(const struct rvalue *v)
{
    char name[96];

    if (v->kind == RV_FACT)
        return json_string(v->name);
    if (v->kind == RV_PROFILE) {
        snprintf(name, sizeof(name), "profile.%s", v->name);
        return json_string(name);
    }
    return json_deep_copy(v->src);
}

static enum tri node_eval(const struct rnode *n, struct eval *ev, struct missing *missing);

static enum tri
node_eval_inner(const struct rnode *n, struct eval *ev, struct missing *missing)
{
    switch (n->kind) {
    case RN_TRUE:
        return TRI_YES;
    case RN_FALSE:
        return TRI_NO;
    case RN_ALL:
    case RN_ANY: {
        bool all = n->kind == RN_ALL, unknown = false, decided = false;
        struct missing sub = {.n = 0};

        for (int i = 0; i < n->nkids; i++) {
            enum tri t = node_eval(&n->kids[i], ev, &sub);
            if (t == TRI_UNKNOWN) {
                unknown = true;
            } else if (all && t == TRI_NO) {
                /* A conjunction is decided by its first "no": the rest
                 * cannot change it (an entity-type guard skips a whole
                 * threshold).  A disjunction goes on, so that every
                 * criterion that fired is reported. */
                decided = true;
                break;
            } else if (!all && t == TRI_YES) {
                decided = true;
            }
        }
        if (decided)
            return all ? TRI_NO : TRI_YES;
        if (unknown)
            missing_merge(missing, &sub);
        return unknown ? TRI_UNKNOWN : all ? TRI_YES : TRI_NO;
    }
    case RN_NOT: {
        enum tri t = node_eval(&n->kids[0], ev, missing);
        return t == TRI_UNKNOWN ? TRI_UNKNOWN : t == TRI_YES ? TRI_NO : TRI_YES;
    }
    case RN_AT_LEAST: {
        struct missing sub = {.n = 0};
        int yes = 0, unknown = 0;

        for (int i = 0; i < n->nkids; i++) {
            enum tri t = node_eval(&n->kids[i], ev, &sub);
            yes += t == TRI_YES;
            unknown += t == TRI_UNKNOWN;
        }
        if (yes >= n->at_least)
            return TRI_YES;
        if (yes + unknown < n->at_least)
            return TRI_NO;
        missing_merge(missing, &sub);
        return TRI_UNKNOWN;
    }
    case RN_CMP: {
        struct missing sub = {.n = 0};
        struct rv l = value_eval(&n->left, ev, &sub);
        struct rv r = value_eval(&n->right, ev, &sub);
        enum tri t = l.known && r.known ? compare(n->op, &l, &r) : compare_bounds(n->op, &l, &r);

        /* a comparison its bounds decided asks for nothing */
        if (t == TRI_UNKNOWN)
            missing_merge(missing, &sub);
        if (ev->conditions != NULL) {
            json_t *c = json_object(), *b;
            json_object_set_new_nocheck(c, "left", describe(&n->left));
            json_object_set_new_nocheck(c, "op", json_string_nocheck(n->op_text));
            json_object_set_new_nocheck(c, "threshold", rv_json(&r));
            json_object_set_new_nocheck(c, "actual", rv_json(&l));
            /* what is known of an unknown sum: "at most 500000" */
            if (n->right.nargs > 0 && (b = rv_bounds_json(&r)) != NULL)
                json_object_set_new_nocheck(c, "threshold_range", b);
            if (n->left.nargs > 0 && (b = rv_bounds_json(&l)) != NULL)
                json_object_set_new_nocheck(c, "actual_range", b);
            json_object_set_new_nocheck(c, "result", json_string_nocheck(tri_name(t)));
            json_array_append_new(ev->conditions, c);
        }
        return t;
    }
    }
    return TRI_UNKNOWN;
}

/* True when a condition on the profile failed: the criterion is not one
 * for this organisation. */
static bool
not_ours(const json_t *conditions)
{
    size_t i;
    json_t *c;

    json_array_foreach((json_t *)conditions, i, c)
    {
        const char *left = json_string_value(json_object_get(c, "left"));
        if (left && strncmp(left, "profile.", 8) == 0 &&
            strcmp(json_string_value(json_object_get(c, "result")), "no") == 0)
            return true;
    }
    return false;
}

static enum tri
node_eval(const struct rnode *n, struct eval *ev, struct missing *missing)
{
    json_t *saved, *crit, *x;
    enum tri t;

    if (n->id == NULL || ev->criteria == NULL) {
        t = node_eval_inner(n, ev, missing);
        /* rules_evaluate leaves out only criteria that did not hold (and
         * of those, the ones not for this organisation): a criterion that
         * held or may hold is reported in the same order here */
        if (n->id != NULL && ev->dec != NULL && t != TRI_NO &&
            ev->dec->ncriteria < RULES_DECISION_CRITERIA) {
            ev->dec->criterion[ev->dec->ncriteria] = json_string_value(n->id);
            ev->dec->criterion_result[ev->dec->ncriteria++] = t;
        }
        return t;
    }
    saved = ev->conditions;
    ev->conditions = json_array();
    t = node_eval_inner(n, ev, missing);
    if (t == TRI_NO && not_ours(ev->conditions)) {
        /* A criterion for another kind of organisation (an entity type we
         * are not) explains nothing: leave it out.  Every other criterion
         * is reported, met or not, with its conditions. */
        json_decref(ev->conditions);
        ev->conditions = saved;
        return t;
    }
    crit = json_object();
    json_object_set_nocheck(crit, "id", (json_t *)n->id);
    json_object_set_new_nocheck(crit, "result", json_string_nocheck(tri_name(t)));
    json_object_set_new_nocheck(crit, "conditions", ev->conditions);
    if ((x = json_object_get(n->src, "text")) != NULL)
        json_object_set_nocheck(crit, "text", x);
    if ((x = json_object_get(n->src, "source")) != NULL)
        json_object_set_nocheck(crit, "source", x);
    json_array_append_new(ev->criteria, crit);
    ev->conditions = saved;
    return t;
}

enum tri
rules_eval_expr(const json_t *expr, const json_t *facts, const json_t *profile)
{
    struct eval ev = {.facts = facts, .profile = profile};
    struct missing missing = {.n = 0};
    struct rnode *n = rules_compile_expr(expr);
    enum tri t;

    if (n == NULL)
        return TRI_UNKNOWN;
    t = node_eval(n, &ev, &missing);
    rules_rnode_free(n);
    return t;
}

json_t *
rules_evaluate(const struct ruleset *rs, const json_t *facts, const json_t *profile)
{
    struct rules_facts fv;
    struct eval ev = {.facts = facts, .profile = profile, .fv = &fv};
    struct missing missing = {.n = 0}, sig_missing = {.n = 0};
    json_t *out, *stages = json_array();
    enum tri applies, significant = TRI_NO, lifted = TRI_NO;

    rules_facts_load(&fv, facts, profile);
    applies = node_eval(rs->applies_n, &ev, &missing);
    ev.criteria = json_array();
    if (applies != TRI_NO) {
        significant = node_eval(rs->significant_n, &ev, &sig_missing);
        if (significant == TRI_UNKNOWN)
            missing_merge(&missing, &sig_missing);
    }
    if (rs->lifted_by_n != NULL && applies != TRI_NO && significant != TRI_NO) {
        /* What would lift the duty does not decide it: the duty runs while
         * its facts are unknown, so they are not "missing"; its criterion
         * is reported, met or not. */
        struct missing lm = {.n = 0};
        lifted = node_eval(rs->lifted_by_n, &ev, &lm);
    }
    for (int i = 0; i < rs->nstages; i++) {
        const struct rule_stage *st = &rs->stages[i];
        struct eval wev = {.facts = facts, .profile = profile, .fv = &fv};
        struct missing wm = {.n = 0};
        enum tri when = st->when_n ? node_eval(st->when_n, &wev, &wm) : TRI_YES;
        json_t *due, *to;

        if (when == TRI_NO)
            continue;
        json_t *sj;

        due = json_array();
        for (int d = 0; d < st->ndue; d++)
            json_array_append_new(due, rules_due_json(&st->due[d]));
        to = json_array();
        for (int k = 0; k < st->nrecipients; k++)
            json_array_append_new(to, json_string(st->recipients[k]));
        sj = json_pack("{s:s, s:O, s:s, s:o, s:o, s:b, s:b, s:b}", "id", st->id, "name",
                       json_object_get(st->def, "name"), "recipient", st->recipient, "recipients",
                       to, "due", due, "asap", st->asap, "on_request", st->on_request,
                       "conditional", when == TRI_UNKNOWN);
        if (sj != NULL && st->wd_cal != NULL) {
            struct eval uev = {.facts = facts, .profile = profile, .fv = &fv};
            struct missing um = {.n = 0};
            char hhmm[32];
            snprintf(hhmm, sizeof(hhmm), "%02d:%02d", st->wd_at_minutes / 60,
                     st->wd_at_minutes % 60);
            json_object_set_new(
                sj, "next_working_day",
                json_pack("{s:s, s:s, s:s}", "calendar", st->wd_cal->id, "at", hhmm, "unless",
                          st->wd_unless_n ? tri_name(node_eval(st->wd_unless_n, &uev, &um))
                                          : "no"));
        }
        if (sj != NULL && st->without_deadline)
            json_object_set_new(sj, "without_deadline", json_true());
        if (sj != NULL && st->voluntary)
            json_object_set_new(sj, "voluntary", json_true());
        if (sj != NULL && st->only_if_ongoing)
            json_object_set_new(sj, "only_if_ongoing_at_due", json_true());
        if (sj != NULL && st->nongoing_due > 0) {
            json_t *od = json_array();
            for (int d = 0; d < st->nongoing_due; d++)
                json_array_append_new(od, rules_due_json(&st->ongoing_due[d]));
            json_object_set_new(sj, "if_ongoing_at_due", od);
        }
        json_array_append_new(stages, sj);
    }
    out = json_pack("{s:s, s:s, s:O, s:O, s:s, s:s, s:o, s:o, s:o}", "regime", rs->regime,
                    "version", rs->version, "title", json_object_get(rs->doc, "title"), "source",
                    json_object_get(rs->doc, "source"), "applies", tri_name(applies), "significant",
                    tri_name(significant), "missing", missing_json(&missing), "criteria",
                    ev.criteria, "stages", stages);
    if (out != NULL && rs->lifted_by_n != NULL)
        json_object_set_new_nocheck(out, "lifted", json_string_nocheck(tri_name(lifted)));
    return out;
}

json_t *
rules_evaluate_recurring(const struct ruleset *rs, const json_t *facts, const json_t *profile)
{
    const struct rule_recurring *r = rs->recurring;
    struct eval ev = {.facts = facts, .profile = profile};
    struct missing missing = {.n = 0}, wm = {.n = 0};
    enum tri applies = TRI_YES, result = TRI_NO;
    json_t *out;

    if (r == NULL)
        return NULL;
    if (r->when_n != NULL)
        applies = node_eval(r->when_n, &ev, &wm);
    ev.criteria = json_array();
    if (applies != TRI_NO)
        result = node_eval(r->test_n ? r->test_n : rs->significant_n, &ev, &missing);
    out = json_pack("{s:s, s:s, s:o, s:o}", "applies", tri_name(applies), "result",
                    tri_name(result), "missing", missing_json(&missing), "criteria", ev.criteria);
    return out;
}

/*
 * The outcome of rules_evaluate without its explanation: no criteria, no
 * conditions, no missing facts, nothing allocated; the facts read from the
 * flat vector.  rules bench measures this (docs/RULES.md).
 */
void
rules_decide(const struct ruleset *rs, const struct rules_facts *fv, struct rules_decision *out)
{
    struct eval ev = {.facts = fv->facts, .profile = fv->profile_json, .fv = fv, .quiet = true};
    struct missing m = {.n = 0};

    memset(out, 0, sizeof(*out));
    out->applies = node_eval(rs->applies_n, &ev, &m);
    ev.dec = out; /* the criteria of significant and lifted_by, as rules_evaluate's */
    if (out->applies != TRI_NO)
        out->significant = node_eval(rs->significant_n, &ev, &m);
    if (rs->lifted_by_n != NULL && out->applies != TRI_NO && out->significant != TRI_NO)
        out->lifted = node_eval(rs->lifted_by_n, &ev, &m);
    ev.dec = NULL;
    for (int i = 0; i < rs->nstages && i < 32; i++) {
        enum tri when = rs->stages[i].when_n ? node_eval(rs->stages[i].when_n, &ev, &m) : TRI_YES;
        if (when == TRI_YES)
            out->when_yes |= 1UL << i;
        else if (when == TRI_UNKNOWN)
            out->when_unknown |= 1UL << i;
    }
}

/* Evaluates a compiled expression without an explanation (the stage's
 * `next_working_day` unless, in rules_due.c). */
enum tri
rules_node_eval(const struct rnode *n, const json_t *facts, const json_t *profile)
{
    struct eval ev = {.facts = facts, .profile = profile};
    struct missing m = {.n = 0};

    return node_eval(n, &ev, &m);
}

json_t *
rules_summary(const struct rules *r)
{
    json_t *sets = json_array();

    for (int i = 0; r && i < r->nsets; i++) {
        const struct ruleset *rs = &r->sets[i];
        json_t *stages = json_array();
        for (int s = 0; s < rs->nstages; s++)
            json_array_append_new(stages, json_string(rs->stages[s].id));
        json_array_append_new(
            sets, json_pack("{s:s, s:s, s:O, s:O, s:O?, s:s, s:o}", "regime", rs->regime, "version",
                            rs->version, "title", json_object_get(rs->doc, "title"), "source",
                            json_object_get(rs->doc, "source"), "notes",
                            json_object_get(rs->doc, "notes"), "file", rs->file, "stages", stages));
    }
    return json_pack("{s:s, s:o}", "dir", r ? r->dir : "", "rule_sets", sets);
}
