/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * classify_recur.c - recurring incidents: the judgement that looks across
 * incidents (CIR 2024/2690 art. 4; RTS 2024/1772 art. 8(2)).
 *
 * Incidents that are not significant one by one count together as one
 * significant incident when at least N of them occurred within a period
 * (six months), have the same apparent root cause, and together meet a
 * test over their combined facts (art. 4: the financial loss of art.
 * 3(1)(a)).  The rule file says N, the period, how facts combine and the
 * test (rules.h: struct rule_recurring); rules_recur.c works out the
 * combination over facts and times; this file finds the members in the
 * store and says what the combination comes to for one incident.
 *
 * The same apparent root cause: the same category and the same words,
 * case and spacing aside (the page offers the words already used).  An
 * incident occurred at started_at, else at detected_at.  For each member L,
 * the members that occurred in the period up to L form a combination closed
 * by L; the first (earliest) such combination that passes the test is the
 * significant incident, and L, the member that completed it, carries its
 * reports ("leads"): they run from the moment meldpunt first judged the
 * combination significant (the regime's classified_at on L), because that
 * is when the entity could know.  Every member shows the link: the
 * members, the combined figures, the result and the lead.  A member that
 * is significant on its own is reported on its own and is no member.
 */
#include "classify.h"
#include "classify_int.h"
#include "core/rules.h"
#include "lib/buf.h"
#include "lib/timeutil.h"
#include "store/classification.h"
#include "store/incidents.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct member {
    struct incident inc;
    json_t *facts;     /* classify_facts */
    const char *alone; /* its own significance: "no" or "undetermined" */
    int64_t at;        /* when it occurred */
    bool self;
};

/* The words of a root cause as compared: lower case, spacing collapsed,
 * trimmed.  Empty when there are none. */
static void
root_key(const char *s, struct buf *out)
{
    bool space = false;

    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isspace(c)) {
            space = out->len > 0;
            continue;
        }
        if (space)
            buf_puts(out, " ");
        space = false;
        buf_printf(out, "%c", c < 0x80 ? tolower(c) : c);
    }
}

static int
by_time(const void *a, const void *b)
{
    const struct member *x = a, *y = b;

    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->inc.seq < y->inc.seq ? -1 : x->inc.seq > y->inc.seq;
}

/* The loaded members: every incident of the category with the same words
 * that is not significant on its own (inc itself from memory).  *alone_yes
 * when inc is significant on its own. */
static int
load_members(sqlite3 *db, const struct incident *inc, const struct ruleset *rs,
             const json_t *profile, const json_t *res, int64_t now, struct member **out, int *nout,
             struct mp_error *err)
{
    struct incident_id *ids = NULL;
    struct buf key = BUF_INIT;
    struct member *v;
    int n = 0, count = 0, rc = -1;

    *out = NULL;
    *nout = 0;
    root_key(inc->root_cause, &key);
    if (store_incident_by_root_cause(db, incident_root_cause_names[inc->root_cause_category], &ids,
                                     &count, err) != 0)
        goto done;
    v = calloc((size_t)count + 1, sizeof(*v));
    if (v == NULL) {
        mp_error_set(err, 500, "", "out of memory");
        goto done;
    }
    for (int i = 0; i <= count; i++) {
        struct member *m = &v[n];
        struct buf k = BUF_INIT;
        struct rules_facts fv;
        struct rules_decision alone;
        bool same;

        if (i == count) { /* inc itself, as it is now */
            m->inc = *inc;
            m->self = true;
            m->facts = classify_facts(db, inc, now);
            m->alone = json_string_value(json_object_get(res, "significant"));
        } else {
            if (strcmp(ids[i].id, inc->id) == 0 ||
                store_incident_load(db, ids[i].id, &m->inc, err) != 1)
                continue;
            root_key(m->inc.root_cause, &k);
            same = k.len == key.len && k.len > 0 && memcmp(k.data, key.data, k.len) == 0;
            buf_free(&k);
            if (!same) {
                incident_free(&m->inc);
                continue;
            }
            m->facts = classify_facts(db, &m->inc, now);
            /* the outcome alone, without the explanation */
            rules_facts_load(&fv, m->facts, profile);
            rules_decide(rs, &fv, &alone);
            m->alone = tri_name(alone.significant);
        }
        m->at = m->inc.started_at != TIME_UNSET ? m->inc.started_at : m->inc.detected_at;
        if (strcmp(m->alone, "yes") == 0) { /* reported on its own */
            json_decref(m->facts);
            if (!m->self)
                incident_free(&m->inc);
            memset(m, 0, sizeof(*m));
            if (i == count)
                break;
            continue;
        }
        n++;
    }
    qsort(v, (size_t)n, sizeof(*v), by_time);
    *out = v;
    *nout = n;
    rc = 0;
done:
    free(ids);
    buf_free(&key);
    return rc;
}

static void
members_free(struct member *v, int n)
{
    for (int i = 0; i < n; i++) {
        json_decref(v[i].facts);
        if (!v[i].self)
            incident_free(&v[i].inc);
    }
    free(v);
}

/*
 * The combination inc belongs to, as inc sees it: rules_recurring's answer
 * with the members' ids, refs, titles and times instead of indices, the
 * root cause, the lead by ref, and the words for the timeline.
 */
static json_t *
recurrence_json(const struct incident *inc, const struct member *v, json_t *rec)
{
    json_t *members = json_array(), *idx;
    const struct member *lead = &v[json_integer_value(json_object_get(rec, "lead"))];
    struct buf note = BUF_INIT;
    char at[TIME_RFC3339_LEN];
    size_t i;

    json_array_foreach(json_object_get(rec, "members"), i, idx)
    {
        const struct member *m = &v[json_integer_value(idx)];
        classify_fmt_time(m->at, at);
        json_array_append_new(members, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", m->inc.id,
                                                 "ref", m->inc.ref, "title", m->inc.title,
                                                 "occurred_at", at, "significant_alone", m->alone));
        if (m != lead)
            buf_printf(&note, "%s%s", note.len ? ", " : "", m->inc.ref);
    }
    json_object_set_new(rec, "members", members);
    json_object_set_new(rec, "lead",
                        json_pack("{s:s, s:s}", "id", lead->inc.id, "ref", lead->inc.ref));
    json_object_set_new(rec, "root_cause",
                        json_pack("{s:s, s:s}", "category",
                                  incident_root_cause_names[inc->root_cause_category], "text",
                                  inc->root_cause));
    if (note.len > 0) {
        char text[400];
        snprintf(text, sizeof(text),
                 "recurring incidents (%s): significant together with %.300s, the same apparent "
                 "root cause",
                 json_string_value(json_object_get(rec, "id")), note.data);
        json_object_set_new(rec, "note", json_string(text));
    }
    buf_free(&note);
    return rec;
}

void
classify_recurrence_overlay(json_t *res, const json_t *rec, bool explain)
{
    const char *result = json_string_value(json_object_get(rec, "result"));
    json_t *crit;

    if (!json_is_true(json_object_get(rec, "leads")) || result == NULL || strcmp(result, "no") == 0)
        return;
    /* the combination, completed by this incident, is (or may be) one
     * significant incident: its reports are owed here */
    crit = explain ? json_pack("{s:O, s:s, s:O, s:O?, s:[]}", "id", json_object_get(rec, "id"),
                               "result", result, "text", json_object_get(rec, "text"), "source",
                               json_object_get(rec, "source"), "conditions")
                   : json_pack("{s:O, s:s}", "id", json_object_get(rec, "id"), "result", result);
    json_object_set_new(res, "significant", json_string(result));
    json_array_append_new(json_object_get(res, "criteria"), crit);
    if (explain && strcmp(result, "undetermined") == 0)
        json_array_extend(json_object_get(res, "missing"), json_object_get(rec, "missing"));
}

int
classify_recurrence(sqlite3 *db, const struct incident *inc, const struct ruleset *rs,
                    const json_t *profile, json_t *res, int64_t now, json_t *others,
                    struct mp_error *err)
{
    struct member *v = NULL;
    struct recur_member *rm = NULL;
    json_t *rec = NULL;
    const char *result;
    int n = 0, self = -1, rc = -1;

    if (rs->recurring == NULL || inc->kind != KIND_INCIDENT || inc->root_cause_category < 0 ||
        inc->root_cause == NULL ||
        strcmp(json_string_value(json_object_get(res, "applies")), "no") == 0)
        return 0;
    if (load_members(db, inc, rs, profile, res, now, &v, &n, err) != 0)
        return -1;
    rm = calloc((size_t)n + 1, sizeof(*rm));
    if (rm == NULL) {
        mp_error_set(err, 500, "", "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        rm[i] = (struct recur_member){
            .facts = v[i].facts, .at = v[i].at, .recorded = v[i].inc.created_at};
        if (v[i].self)
            self = i;
        else
            json_array_append_new(others, json_string(v[i].inc.id));
    }
    rc = 0;
    if (self < 0 || (rec = rules_recurring(rs, rm, n, self, profile)) == NULL)
        goto out; /* significant on its own, or no combination */
    rec = recurrence_json(inc, v, rec);
    result = json_string_value(json_object_get(rec, "result"));
    if (!json_is_true(json_object_get(rec, "leads")) || strcmp(result, "no") == 0)
        json_object_set_new(rec, "leads", json_false());
    classify_recurrence_overlay(res, rec, false);
    json_object_set_new(res, "recurrence", rec);
out:
    free(rm);
    members_free(v, n);
    return rc;
}

/*
 * The incidents inc was linked with at its last judgement, before a change:
 * a member whose root cause (or kind, or its own significance) changes
 * leaves its old combination, and the members left behind must be judged
 * again, or they would go on showing it with the old combined figures.
 */
int
classify_recurrence_linked(sqlite3 *db, const char *incident_id, json_t *others,
                           struct mp_error *err)
{
    char *last = NULL, at[32];
    json_t *regimes, *r, *m;
    size_t i, k;

    if (store_classification_latest(db, incident_id, &last, at, err) != 0)
        return -1;
    regimes = last != NULL ? json_loads(last, 0, NULL) : NULL;
    free(last);
    json_array_foreach(regimes, i, r)
    {
        json_array_foreach(json_object_get(json_object_get(r, "recurrence"), "members"), k, m)
        {
            const char *id = json_string_value(json_object_get(m, "id"));
            if (id != NULL && strcmp(id, incident_id) != 0)
                json_array_append_new(others, json_string(id));
        }
    }
    json_decref(regimes);
    return 0;
}
