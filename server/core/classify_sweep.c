/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * classify_sweep.c - the sweeper: every [rules] sweep_interval seconds, reports
 * whose due time passed are marked missed and ongoing incidents are judged
 * again (their duration grows; a stage judged on the incident being ongoing
 * at its due time is settled first).  See classify.h.
 */
#include "classify.h"
#include "classify_int.h"
#include "core/rules.h"
#include "lib/timeutil.h"
#include "store/classification.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/writer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/ticker.h"

/* ---- the sweeper ---- */

struct sweep_change {
    int64_t now;
    const char *id;
};

/*
 * A report whose due time depends on the incident still being ongoing at
 * its regular due time (if_ongoing_at_due: NIS2's final report) is not
 * missed at that time when the incident is still ongoing then: its due
 * time moves.  So before passed deadlines are marked missed, the incidents
 * with such a report pending past its due time are judged again at now,
 * which moves it (or marks it missed when it was handled by then).
 */
static int
sweep_ongoing(sqlite3 *db, int64_t now, const char *at, struct mp_error *err)
{
    struct obligation *v = NULL;
    struct rules *rules = rules_acquire();
    bool *judged = NULL;
    int n = 0, rc = -1;

    if (store_obligation_list(db, NULL, at, 1000, &v, &n, err) != 0)
        goto out;
    judged = calloc((size_t)n + 1, sizeof(*judged));
    if (judged == NULL) {
        mp_error_set(err, 500, "", "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        const struct ruleset *rs = rules_find(rules, v[i].regime);
        const struct rule_stage *st = rs ? rules_find_stage(rs, v[i].stage) : NULL;
        struct incident inc;
        bool seen = false;

        if (st == NULL || (st->nongoing_due == 0 && !st->only_if_ongoing) ||
            strcmp(v[i].status, "pending") != 0)
            continue;
        for (int k = 0; k < i && !seen; k++) /* one judgement per incident */
            seen = judged[k] && strcmp(v[k].incident_id, v[i].incident_id) == 0;
        judged[i] = true;
        if (seen)
            continue;
        if (store_incident_load(db, v[i].incident_id, &inc, err) != 1)
            goto out;
        if (classify_refresh_quiet(db, &inc, "meldpunt", now, err) != 0) {
            incident_free(&inc);
            goto out;
        }
        incident_free(&inc);
    }
    rc = 0;
out:
    free(judged);
    free(v);
    rules_release(rules);
    return rc;
}

static int
sweep_missed_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct sweep_change *c = arg;
    char at[TIME_RFC3339_LEN];

    classify_fmt_time(c->now, at);
    if (sweep_ongoing(db, c->now, at, err) != 0)
        return -1;
    return store_obligation_sweep(db, at, err) < 0 ? -1 : 0;
}

/* Re-judges one incident whose disruption is still going on. */
static int
sweep_refresh_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct sweep_change *c = arg;
    struct incident inc;
    int found = store_incident_load(db, c->id, &inc, err), rc;

    if (found <= 0)
        return found; /* gone: nothing to do */
    rc = classify_refresh_quiet(db, &inc, "meldpunt", c->now, err);
    incident_free(&inc);
    return rc;
}

int
classify_sweep(int64_t now, struct mp_error *err)
{
    struct sweep_change c = {.now = now};
    struct incident_id *ids;
    sqlite3 *db;
    int n;

    if (store_write_background(sweep_missed_apply, &c, err) != 0)
        return -1;
    /* Ongoing disruptions get longer: judge each again, in a change of its
     * own so that requests interleave (history only grows when the outcome
     * changes).  Every one, whatever its age or TLP: the sweeper is nobody's
     * view, and an old disruption still running may cross a threshold. */
    db = db_reader(err);
    if (db == NULL || store_incident_ongoing(db, &ids, &n, err) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        c.id = ids[i].id;
        if (store_write_background(sweep_refresh_apply, &c, err) != 0) {
            free(ids);
            return -1;
        }
    }
    free(ids);
    return 0;
}

static struct ticker sweeper;

void
classify_sweeper_start(unsigned interval_seconds)
{
    ticker_start(&sweeper, interval_seconds ? interval_seconds : 30, "obligation sweep",
                 classify_sweep);
}

void
classify_sweeper_stop(void)
{
    ticker_stop(&sweeper);
}
