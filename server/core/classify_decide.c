/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * classify_decide.c - a manager's decisions about reporting: waive one report
 * (with the reason), or judge a regime "not notifiable".  See classify.h.
 */
#include "classify.h"
#include "classify_int.h"
#include "core/rules.h"
#include "lib/text.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/classification.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/writer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- manager actions ---- */

struct waive_change {
    const struct principal *p;
    int64_t now;
    const char *id_or_ref;
    const char *oid;
    const char *reason;
    struct obligation o;
};

static int
waive_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct waive_change *c = arg;
    struct incident inc;
    char at[TIME_RFC3339_LEN], payload[600];
    int found;

    found = store_incident_load(db, c->id_or_ref, &inc, err);
    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no incident '%s'", c->id_or_ref);
    found = store_obligation_get(db, c->oid, &c->o, err);
    if (found <= 0 || strcmp(c->o.incident_id, inc.id) != 0) {
        incident_free(&inc);
        return found < 0 ? -1
                         : mp_error_set(err, 404, "", "no obligation '%s' on %s", c->oid, inc.ref);
    }
    if (c->o.submitted_at[0] || strcmp(c->o.status, "waived") == 0) {
        incident_free(&inc);
        return mp_error_set(err, 409, "", "the obligation is already %s",
                            c->o.submitted_at[0] ? "submitted" : "waived");
    }
    /* a missed report is still owed, so it can be waived too: the
     * timeline says from which state */
    bool was_missed = strcmp(c->o.status, "missed") == 0;
    classify_fmt_time(c->now, at);
    snprintf(c->o.waived_at, sizeof(c->o.waived_at), "%s", at);
    snprintf(c->o.waived_by, sizeof(c->o.waived_by), "%s", c->p->name);
    snprintf(c->o.waived_reason, sizeof(c->o.waived_reason), "%s", c->reason);
    /* a missed obligation keeps its missed_at: lateness stays on record */
    snprintf(c->o.status, sizeof(c->o.status), "waived");
    snprintf(payload, sizeof(payload), "{\"regime\":\"%s\",\"stage\":\"%s\"}", c->o.regime,
             c->o.stage);
    if (store_obligation_update(db, &c->o, err) != 0 ||
        store_timeline_append(db, inc.id, at, c->p->name, "obligation", c->o.stage,
                              was_missed ? "\"missed\"" : "\"pending\"", "\"waived\"", c->reason,
                              err) != 0 ||
        store_audit_append(db, c->now, c->p->name, "obligation.waive", c->o.id, payload, err) !=
            0) {
        incident_free(&inc);
        return -1;
    }
    incident_free(&inc);
    return 0;
}

int
classify_waive(const struct principal *p, int64_t now, const char *id_or_ref,
               const char *obligation_id, const char *reason, json_t **out, struct mp_error *err)
{
    struct waive_change c = {
        .p = p, .now = now, .id_or_ref = id_or_ref, .oid = obligation_id, .reason = reason};

    *out = NULL;
    if (text_blank(reason))
        return mp_error_set(err, 422, "reason", "waiving a report needs the reason");
    if (text_chars(reason) > 390)
        return mp_error_set(err, 422, "reason", "must be at most 390 characters");
    if (store_write(waive_apply, &c, err) != 0)
        return -1;
    *out = store_obligation_json(&c.o);
    return 0;
}

struct decide_change {
    const struct principal *p;
    int64_t now;
    const char *id_or_ref;
    const char *regime;
    bool notifiable;
    const char *reason;
};

static int
decide_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct decide_change *c = arg;
    struct regime_status s;
    struct incident inc;
    struct obligation *v = NULL;
    char at[TIME_RFC3339_LEN], payload[200];
    int found, n = 0, rc = -1;
    int64_t now = c->now;

    found = store_incident_load(db, c->id_or_ref, &inc, err);
    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no incident '%s'", c->id_or_ref);
    classify_fmt_time(now, at);
    found = store_regime_status_get(db, inc.id, c->regime, &s, err);
    if (found < 0)
        goto out;
    if (!found) {
        memset(&s, 0, sizeof(s));
        snprintf(s.regime, sizeof(s.regime), "%s", c->regime);
        snprintf(s.significant, sizeof(s.significant), "no");
    }
    if (c->notifiable) {
        s.decision[0] = s.decision_reason[0] = s.decided_by[0] = s.decided_at[0] = '\0';
    } else {
        snprintf(s.decision, sizeof(s.decision), "not_notifiable");
        snprintf(s.decision_reason, sizeof(s.decision_reason), "%s", c->reason);
        snprintf(s.decided_by, sizeof(s.decided_by), "%s", c->p->name);
        snprintf(s.decided_at, sizeof(s.decided_at), "%s", at);
    }
    if (store_regime_status_put(db, inc.id, &s, err) != 0)
        goto out;
    if (!c->notifiable) {
        /* what was still owed under this regime is owed no longer */
        if (store_obligation_list(db, inc.id, NULL, 1000, &v, &n, err) != 0)
            goto out;
        for (int i = 0; i < n; i++) {
            if (strcmp(v[i].regime, c->regime) != 0 || v[i].submitted_at[0] ||
                strcmp(v[i].status, "waived") == 0)
                continue;
            snprintf(v[i].status, sizeof(v[i].status), "waived");
            snprintf(v[i].waived_at, sizeof(v[i].waived_at), "%s", at);
            snprintf(v[i].waived_by, sizeof(v[i].waived_by), "%s", c->p->name);
            snprintf(v[i].waived_reason, sizeof(v[i].waived_reason), "not notifiable: %s",
                     c->reason);
            if (store_obligation_update(db, &v[i], err) != 0)
                goto out;
        }
    }
    snprintf(payload, sizeof(payload), "{\"regime\":\"%s\",\"notifiable\":%s}", c->regime,
             c->notifiable ? "true" : "false");
    if (store_timeline_append(db, inc.id, at, c->p->name, "decision", c->regime, NULL,
                              c->notifiable ? "\"notifiable\"" : "\"not_notifiable\"", c->reason,
                              err) != 0 ||
        store_audit_append(db, now, c->p->name, "incident.decision", inc.id, payload, err) != 0 ||
        classify_refresh(db, &inc, c->p->name, now, err) != 0)
        goto out;
    rc = 0;
out:
    free(v);
    incident_free(&inc);
    return rc;
}

int
classify_decide(const struct principal *p, int64_t now, const char *id_or_ref, const char *regime,
                bool notifiable, const char *reason, json_t **out, struct mp_error *err)
{
    struct decide_change c = {.p = p,
                              .now = now,
                              .id_or_ref = id_or_ref,
                              .regime = regime,
                              .notifiable = notifiable,
                              .reason = reason ? reason : ""};
    struct rules *r = rules_acquire();
    bool known = rules_find(r, regime) != NULL;

    rules_release(r);
    *out = NULL;
    if (!known)
        return mp_error_set(err, 422, "regime", "no rule set for regime '%s'", regime);
    if (!notifiable && text_blank(reason))
        return mp_error_set(err, 422, "reason", "a \"not notifiable\" decision needs the reason");
    if (reason && text_chars(reason) > 390)
        return mp_error_set(err, 422, "reason", "must be at most 390 characters");
    if (store_write(decide_apply, &c, err) != 0)
        return -1;
    /* committed: whatever happens to the re-read, the answer is a success */
    if (classify_get(id_or_ref, now, out, err) != 0)
        *out = json_pack("{s:s, s:b}", "regime", regime, "notifiable", notifiable);
    return 0;
}
