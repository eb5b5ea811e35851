/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * rules_recur.c - the recurring-incidents rule of a rule file ("recurring",
 * rules.h: struct rule_recurring) worked out over a set of incidents with
 * the same apparent root cause: which of them form a combination, their
 * combined facts, and whether the combination passes the file's test.
 * Pure: the incidents come in as facts and times (classify_recur.c finds
 * them in the store), so the table cases can run it as it is.
 *
 * For each member L in turn, the members that occurred in the period up to L
 * (`within`, L included) form the combination that L completes.  One that
 * passes the test is one significant incident, and L leads it; its members
 * count in no later combination (an incident is part of one significant
 * incident at most), so the next combination starts afresh.  A member in no
 * combination that passes is shown the latest that it is part of.
 *
 * Combinations form in the order meldpunt could know of them: the members
 * are taken in the order they were recorded, and each one recorded either
 * joins the significant incident in whose period (up to its lead) it
 * occurred, or may complete a new combination with the members known and
 * not yet spent.  So an incident recorded later with an earlier occurrence
 * (back-dated) never takes members away from a significant incident that
 * was already complete, and never starts a second one out of its members:
 * it is one more occurrence of it (CIR 2024/2690 art. 4: "shall be
 * considered as one significant incident").  Recorded in the order they
 * occurred, this is the same as taking them by occurrence alone.
 */
#include "rules.h"
#include "rules_int.h"

#include <stdlib.h>
#include <string.h>

/* Whether m occurred in the period up to l. */
static bool
in_window(const struct rule_recurring *r, int64_t m, int64_t l)
{
    return m <= l && time_add_duration(m, &r->within) >= l;
}

/* The combined facts of the members flagged in w: summed, largest, any;
 * sums and maxima only partly known get a lower bound (RULES_AT_LEAST). */
static json_t *
combine(const struct rule_recurring *r, const struct recur_member *m, int n, const bool *w)
{
    json_t *out = json_object(), *low = json_object();

    for (int k = 0; k < r->nsum + r->nmax; k++) {
        bool is_sum = k < r->nsum;
        const char *name = is_sum ? r->sum[k] : r->max[k - r->nsum];
        double v = 0;
        bool all = true;

        for (int i = 0; i < n; i++) {
            json_t *x = w[i] ? json_object_get(m[i].facts, name) : NULL;
            if (!w[i])
                continue;
            if (!json_is_number(x)) {
                all = false;
                continue;
            }
            v = is_sum ? v + json_number_value(x)
                       : (json_number_value(x) > v ? json_number_value(x) : v);
        }
        if (all)
            json_object_set_new(out, name, json_real(v));
        else if (v > 0)
            json_object_set_new(low, name, json_real(v));
    }
    for (int k = 0; k < r->nany; k++) {
        bool any = false, all = true;
        for (int i = 0; i < n; i++) {
            json_t *x = json_object_get(m[i].facts, r->any[k]);
            if (!w[i])
                continue;
            any = any || json_is_true(x);
            all = all && json_is_boolean(x);
        }
        if (any || all)
            json_object_set_new(out, r->any[k], json_boolean(any));
    }
    json_object_set_new(out, "kind", json_string("incident"));
    if (json_object_size(low) > 0)
        json_object_set_new(out, RULES_AT_LEAST, low);
    else
        json_decref(low);
    return out;
}

/* The combined facts for people: each one, null when not known, and
 * "at_least" with what is known of a partly known sum. */
static json_t *
figures(const json_t *combined)
{
    json_t *out = json_deep_copy(combined), *low;

    json_object_del(out, "kind");
    low = json_incref(json_object_get(out, RULES_AT_LEAST));
    json_object_del(out, RULES_AT_LEAST);
    if (low != NULL) {
        const char *k;
        json_t *v;
        json_object_foreach(low, k, v) json_object_set_new(out, k, json_null());
        json_object_set_new(out, "at_least", low);
    }
    return out;
}

/* The work of rules_recurring: the members, which are known yet (recorded
 * up to the member being taken), and which significant incident each is in
 * (the index of its lead, or -1). */
struct recur_work {
    const struct ruleset *rs;
    const struct recur_member *m;
    const json_t *profile;
    int n;
    bool *known, *w;
    int *group;
};

/* w: the known members that occurred in the period up to l and are in the
 * significant incident g (g < 0: in none).  Returns how many. */
static int
window(struct recur_work *k, int l, int g)
{
    int wn = 0;

    for (int i = 0; i < k->n; i++) {
        k->w[i] =
            k->known[i] && k->group[i] == g && in_window(k->rs->recurring, k->m[i].at, k->m[l].at);
        wn += k->w[i];
    }
    return wn;
}

/* The test over the combination in w: *eval and *combined are set (the
 * caller owns them).  -1 when the rule does not apply to the organisation
 * (a DORA microenterprise), 1 when it passes, else 0. */
static int
judge(struct recur_work *k, json_t **combined, json_t **eval)
{
    *combined = combine(k->rs->recurring, k->m, k->n, k->w);
    *eval = rules_evaluate_recurring(k->rs, *combined, k->profile);
    if (strcmp(json_string_value(json_object_get(*eval, "applies")), "no") == 0)
        return -1;
    return strcmp(json_string_value(json_object_get(*eval, "result")), "yes") == 0;
}

/* Member j is recorded: it joins the significant incident in whose period
 * it occurred, or the known members not yet spent may now complete new
 * ones (in the order they occurred).  -1 when the rule does not apply. */
static int
take(struct recur_work *k, int j)
{
    const struct rule_recurring *r = k->rs->recurring;

    k->known[j] = true;
    for (int l = 0; l < k->n; l++) {
        if (k->group[l] == l && in_window(r, k->m[j].at, k->m[l].at)) {
            k->group[j] = l;
            return 0;
        }
    }
    for (int l = 0; l < k->n; l++) {
        json_t *combined, *eval;
        int yes;

        if (!k->known[l] || k->group[l] >= 0 || window(k, l, -1) < r->at_least)
            continue;
        yes = judge(k, &combined, &eval);
        json_decref(combined);
        json_decref(eval);
        if (yes < 0)
            return -1;
        for (int i = 0; yes && i < k->n; i++)
            k->group[i] = k->w[i] ? l : k->group[i];
    }
    return 0;
}

/* The members in the order they were recorded (then as they occurred). */
static int *
recorded_order(const struct recur_member *m, int n)
{
    int *o = calloc((size_t)n + 1, sizeof(*o));

    for (int i = 0; o != NULL && i < n; i++) {
        int j = i;
        for (; j > 0 && m[o[j - 1]].recorded > m[i].recorded; j--)
            o[j] = o[j - 1];
        o[j] = i;
    }
    return o;
}

/* The answer for self: the significant incident it is in, else the latest
 * combination of members not spent that it is part of. */
static json_t *
answer(struct recur_work *k, int self)
{
    const struct rule_recurring *r = k->rs->recurring;
    json_t *combined = NULL, *eval = NULL, *members, *out;
    int lead = k->group[self];

    if (lead < 0) {
        for (int l = 0; l < k->n; l++) {
            if (window(k, l, -1) >= r->at_least && k->w[self])
                lead = l;
        }
    }
    if (lead < 0)
        return NULL;
    window(k, lead, k->group[self]);
    judge(k, &combined, &eval);
    members = json_array();
    for (int i = 0; i < k->n; i++) {
        if (k->w[i])
            json_array_append_new(members, json_integer(i));
    }
    out = json_pack(
        "{s:s, s:O, s:O?, s:i, s:s, s:o, s:i, s:b, s:o, s:O, s:O, s:O}", "id", r->id, "text",
        json_object_get(r->def, "text"), "source", json_object_get(r->def, "source"), "at_least",
        r->at_least, "within", r->within_text, "members", members, "lead", lead, "leads",
        lead == self, "combined", figures(combined), "result", json_object_get(eval, "result"),
        "missing", json_object_get(eval, "missing"), "criteria", json_object_get(eval, "criteria"));
    json_decref(combined);
    json_decref(eval);
    return out;
}

json_t *
rules_recurring(const struct ruleset *rs, const struct recur_member *m, int n, int self,
                const json_t *profile)
{
    struct recur_work k = {.rs = rs, .m = m, .profile = profile, .n = n};
    int *order = NULL;
    json_t *out = NULL;

    if (rs->recurring == NULL || self < 0 || self >= n)
        return NULL;
    k.known = calloc((size_t)n + 1, sizeof(bool));
    k.w = calloc((size_t)n + 1, sizeof(bool));
    k.group = calloc((size_t)n + 1, sizeof(int));
    order = recorded_order(m, n);
    if (k.known == NULL || k.w == NULL || k.group == NULL || order == NULL)
        goto out;
    for (int i = 0; i < n; i++)
        k.group[i] = -1;
    for (int i = 0; i < n; i++) {
        if (take(&k, order[i]) < 0)
            goto out;
    }
    out = answer(&k, self);
out:
    free(k.known);
    free(k.w);
    free(k.group);
    free(order);
    return out;
}
