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

json_t *
rules_recurring(const struct ruleset *rs, const struct recur_member *m, int n, int self,
                const json_t *profile)
{
    const struct rule_recurring *r = rs->recurring;
    bool *w = calloc((size_t)n + 1, sizeof(*w)), *best_w = calloc((size_t)n + 1, sizeof(*w));
    bool *used = calloc((size_t)n + 1, sizeof(*w));
    json_t *best_eval = NULL, *best_combined = NULL, *out = NULL, *members;
    int lead = -1;

    if (r == NULL || w == NULL || best_w == NULL || used == NULL || self < 0 || self >= n)
        goto out;
    for (int l = 0; l < n; l++) {
        int wn = 0;
        json_t *combined, *eval;
        bool yes;

        for (int i = 0; i < n; i++) {
            w[i] = !used[i] && in_window(r, m[i].at, m[l].at);
            wn += w[i];
        }
        if (used[l] || wn < r->at_least)
            continue;
        combined = combine(r, m, n, w);
        eval = rules_evaluate_recurring(rs, combined, profile);
        if (strcmp(json_string_value(json_object_get(eval, "applies")), "no") == 0) {
            json_decref(combined);
            json_decref(eval);
            break; /* not for this organisation (a DORA microenterprise) */
        }
        yes = strcmp(json_string_value(json_object_get(eval, "result")), "yes") == 0;
        if (!w[self]) {
            /* another significant incident: its members are spent */
            for (int i = 0; yes && i < n; i++)
                used[i] = used[i] || w[i];
            json_decref(combined);
            json_decref(eval);
            continue;
        }
        json_decref(best_combined);
        json_decref(best_eval);
        best_combined = combined;
        best_eval = eval;
        memcpy(best_w, w, sizeof(*w) * (size_t)n);
        lead = l;
        if (yes)
            break; /* self's significant incident */
    }
    if (lead < 0)
        goto out;
    members = json_array();
    for (int i = 0; i < n; i++) {
        if (best_w[i])
            json_array_append_new(members, json_integer(i));
    }
    out = json_pack(
        "{s:s, s:O, s:O?, s:i, s:s, s:o, s:i, s:b, s:o, s:O, s:O, s:O}", "id", r->id, "text",
        json_object_get(r->def, "text"), "source", json_object_get(r->def, "source"), "at_least",
        r->at_least, "within", r->within_text, "members", members, "lead", lead, "leads",
        lead == self, "combined", figures(best_combined), "result",
        json_object_get(best_eval, "result"), "missing", json_object_get(best_eval, "missing"),
        "criteria", json_object_get(best_eval, "criteria"));
out:
    json_decref(best_combined);
    json_decref(best_eval);
    free(w);
    free(best_w);
    free(used);
    return out;
}
