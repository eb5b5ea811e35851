/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * rules_due.c - when a stage is due, for one incident at a moment: the
 * earliest computable `due` entry (a `later_of` entry once every part is
 * known; `unless_passed_at`), whether the incident is still ongoing at that
 * time (NIS2 art. 23(4)(e)), and the move to the next working day (DORA,
 * Delegated Reg. 2025/301 art. 5).  See rules.h and docs/RULES.md.
 */
#include "rules.h"
#include "rules_int.h"

#include <stdio.h>
#include <string.h>

/* ---- due times ---- */

int64_t
rules_handled_at(const struct rule_clock *c)
{
    if (c->resolved_at == TIME_UNSET ||
        (c->reopened_at != TIME_UNSET && c->reopened_at > c->resolved_at))
        return TIME_UNSET; /* never handled, or it came back */
    return c->resolved_at;
}

bool
rules_handled_by(const struct rule_clock *c, int64_t t)
{
    /* resolved at or before t, and not reopened between that and t */
    return c->resolved_at != TIME_UNSET && c->resolved_at <= t &&
           (c->reopened_at == TIME_UNSET || c->reopened_at <= c->resolved_at || c->reopened_at > t);
}

static int64_t
anchor_at(const struct rule_clock *c, const char *anchor)
{
    if (strcmp(anchor, "handled_at") == 0)
        return rules_handled_at(c);
    return c->anchor ? c->anchor(anchor, c->ctx) : TIME_UNSET;
}

static void
await_anchor(struct rule_stage_time *out, const char *anchor)
{
    for (int i = 0; i < out->nwaiting; i++) {
        if (strcmp(out->waiting[i], anchor) == 0)
            return;
    }
    if (out->nwaiting < (int)(sizeof(out->waiting) / sizeof(out->waiting[0])))
        out->waiting[out->nwaiting++] = anchor;
}

/* The earliest computable entry of a due list; a later_of entry counts
 * when every one of its parts is known. */
static int64_t
earliest_due(const struct rule_due *dv, int nd, const struct rule_clock *c,
             struct rule_stage_time *out)
{
    int64_t best = TIME_UNSET;

    for (int d = 0; d < nd; d++) {
        int np = dv[d].nlater ? dv[d].nlater : 1;
        int64_t t = TIME_UNSET;
        bool known = true;

        for (int p = 0; p < np; p++) {
            /* names point into the stage, which outlives out */
            const char *name = dv[d].nlater ? dv[d].later[p].anchor : dv[d].anchor;
            const struct duration *w = dv[d].nlater ? &dv[d].later[p].within : &dv[d].within;
            int64_t a = anchor_at(c, name);
            if (a == TIME_UNSET) {
                await_anchor(out, name);
                known = false;
                continue;
            }
            a = time_add_duration(a, w);
            if (t == TIME_UNSET || a > t)
                t = a;
        }
        if (known && dv[d].unless_passed_at[0]) {
            /* had it passed when the duty arose?  (unknown: it binds) */
            int64_t arose = anchor_at(c, dv[d].unless_passed_at);
            if (arose != TIME_UNSET && t < arose)
                continue;
        }
        if (known && (best == TIME_UNSET || t < best))
            best = t;
    }
    return best;
}

static void ongoing_time(const struct rule_stage *st, const struct rule_clock *c,
                         struct rule_stage_time *out);

void
rules_stage_time(const struct rule_stage *st, const struct rule_clock *c,
                 struct rule_stage_time *out)
{
    memset(out, 0, sizeof(*out));
    out->ongoing = TRI_UNKNOWN;
    out->before_working_day = TIME_UNSET;
    out->due = out->regular = earliest_due(st->due, st->ndue, c, out);
    ongoing_time(st, c, out);
    if (st->wd_cal != NULL && out->due != TIME_UNSET) {
        /* the unless condition undecided: the time stands (the earlier) */
        enum tri unless =
            st->wd_unless_n ? rules_node_eval(st->wd_unless_n, c->facts, c->profile) : TRI_NO;
        if (unless == TRI_NO) {
            int64_t moved =
                calendar_next_working(st->wd_cal, out->due, st->wd_at_minutes, &out->calendar_gap);
            if (moved != out->due) {
                out->before_working_day = out->due;
                out->due = moved;
            }
        }
    }
}

/* NIS2 art. 23(4)(e): judged on the incident being ongoing at the
 * regular due time. */
static void
ongoing_time(const struct rule_stage *st, const struct rule_clock *c, struct rule_stage_time *out)
{
    if (!st->only_if_ongoing && st->nongoing_due == 0)
        return;
    /* Ongoing at the due time?  Handled by then: no.  Past it and not
     * handled by then: yes.  Before it (or no due time yet): it may still
     * be handled in time, so the regular due time stands meanwhile. */
    if (out->regular == TIME_UNSET)
        return;
    if (rules_handled_by(c, out->regular))
        out->ongoing = TRI_NO;
    else if (c->now >= out->regular)
        out->ongoing = TRI_YES;
    out->not_due = st->only_if_ongoing && out->ongoing == TRI_NO;
    if (st->nongoing_due > 0 && out->ongoing == TRI_YES) {
        out->moved = true;
        out->nwaiting = 0;
        out->due = earliest_due(st->ongoing_due, st->nongoing_due, c, out);
    }
}
