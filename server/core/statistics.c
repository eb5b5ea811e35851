/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * statistics.c - timeliness and recurrence per regime and quarter (issue
 * 22).  See statistics.h.
 *
 * Everything is counted from what is stored: the obligations (status,
 * due_at, submitted_at, the waiver's reason) and, for the recurring
 * groups, each incident's last stored judgement.  An incident belongs to
 * the quarter in which it became known (aware_at, else detected_at) in the
 * organisation's clock (the working-day calendar of its country: Dutch
 * time, summer time included), and its reports count there, whenever they
 * fell due: one incident's figures are never split over two quarters.
 * Which incidents count at all (the TLP levels the reader may see; not
 * exercises) is decided in one place, store/statistics.c.
 *
 * The figures are accumulated in JSON objects keyed by quarter and regime,
 * then turned into sorted lists with their labels (finish()).
 */
#include "statistics.h"
#include "core/incident_types.h"
#include "core/organisation.h"
#include "lib/buf.h"
#include "lib/timeutil.h"
#include "store/classification.h"
#include "store/db.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DELAYS "$delays" /* the hours awareness -> first report, while counting */

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

double
statistics_percentile(double *v, int n, double p)
{
    double h;
    int lo;

    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    h = (n - 1) * p;
    lo = (int)floor(h);
    if (lo >= n - 1)
        return v[n - 1];
    return v[lo] + (h - lo) * (v[lo + 1] - v[lo]);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int64_t
local_offset(const struct calendar *cal, int64_t t)
{
    return cal != NULL ? calendar_offset(cal, t) : 0;
}

int
statistics_quarter(int64_t t, const struct calendar *cal, int *year)
{
    time_t lt = (time_t)(t + local_offset(cal, t));
    struct tm tm;

    gmtime_r(&lt, &tm);
    *year = tm.tm_year + 1900;
    return tm.tm_mon / 3 + 1;
}

/* Local midnight of the day `days` after 1970-01-01, as UTC seconds (the
 * summer hour changes at 01:00 UTC, never at local midnight). */
static int64_t
day_start(int64_t days, const struct calendar *cal)
{
    int64_t t = days * 86400, std = cal != NULL ? (int64_t)cal->offset_minutes * 60 : 0;

    return t - local_offset(cal, t - std);
}

int
statistics_day_start(const char *s, const struct calendar *cal, int64_t *out)
{
    int64_t days;

    if (s == NULL || time_parse_date(s, &days, NULL) != 0)
        return -1;
    *out = day_start(days, cal);
    return 0;
}

static void
bump(json_t *o, const char *key, int64_t by)
{
    json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + by));
}

static const char *
or_empty(const char *s)
{
    return s != NULL ? s : "";
}

static json_t *
text2(const char *en, const char *nl)
{
    return json_pack("{s:s, s:s}", "en", en, "nl", nl);
}

/* The bucket of quarter key (get or create): counts by regime and cause. */
static json_t *
bucket(json_t *all, const char *key, json_t *label)
{
    json_t *b = json_object_get(all, key);

    if (b == NULL) {
        b = json_pack("{s:s, s:o, s:i, s:{}, s:{}}", "quarter", key, "label", label, "incidents", 0,
                      "regimes", "root_causes");
        json_object_set_new(all, key, b);
    } else {
        json_decref(label);
    }
    return b;
}

static json_t *
cell(json_t *b, const char *regime)
{
    json_t *regimes = json_object_get(b, "regimes"), *c = json_object_get(regimes, regime);

    if (c == NULL) {
        c = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:[], s:[]}", "regime", regime, "owed", 0,
                      "on_time", 0, "late", 0, "waived", 0, "pending", 0, "waivers", DELAYS);
        json_object_set_new(regimes, regime, c);
    }
    return c;
}

/* What became of a report: on_time, late, waived or pending (open). */
static const char *
outcome(const struct stats_obligation *o, int64_t now)
{
    if (strcmp(o->status, "waived") == 0)
        return "waived";
    if (strcmp(o->status, "missed") == 0)
        return "late";
    if (o->submitted != TIME_UNSET)
        return o->due == TIME_UNSET || o->submitted <= o->due ? "on_time" : "late";
    return o->due != TIME_UNSET && o->due < now ? "late" : "pending";
}

static json_t *
stage_name(const struct rules *rules, const char *regime, const char *stage)
{
    const struct ruleset *rs = rules ? rules_find(rules, regime) : NULL;
    const struct rule_stage *st = rs ? rules_find_stage(rs, stage) : NULL;
    json_t *name = st ? json_object_get(st->def, "name") : NULL;

    return name ? json_incref(name) : text2(stage, stage);
}

/* One report counted in the buckets b[0] (its quarter) and b[1] (total). */
static void
count_report(json_t *b[2], const struct stats_obligation *o, const char *ref,
             const struct rules *rules, int64_t now)
{
    const char *what = outcome(o, now);

    for (int k = 0; k < 2; k++) {
        json_t *c = cell(b[k], o->regime);
        bump(c, "owed", 1);
        bump(c, what, 1);
        if (strcmp(what, "waived") == 0)
            json_array_append_new(
                json_object_get(c, "waivers"),
                json_pack("{s:s, s:s, s:o, s:s}", "incident", ref, "stage", o->stage, "stage_name",
                          stage_name(rules, o->regime, o->stage), "reason", o->waived_reason));
    }
}

static double
round2(double x)
{
    return round(x * 100) / 100;
}

/* A bucket as it is shown: regimes and causes as sorted lists, labelled,
 * and the delays as median and 90th percentile. */
static json_t *
finish(json_t *b, const struct rules *rules)
{
    json_t *regimes = json_object_get(b, "regimes"), *list = json_array(), *causes, *c;
    const char *keys[64];
    const char *k;
    int n = 0;

    json_object_foreach(regimes, k, c)
    {
        if (n < 64)
            keys[n++] = k;
    }
    qsort(keys, (size_t)n, sizeof(*keys), cmp_str);
    for (int i = 0; i < n; i++) {
        const struct ruleset *rs = rules ? rules_find(rules, keys[i]) : NULL;
        json_t *title = rs ? json_object_get(rs->doc, "title") : NULL, *d;
        double *v;
        int m;

        c = json_object_get(regimes, keys[i]);
        d = json_object_get(c, DELAYS);
        m = (int)json_array_size(d);
        v = calloc((size_t)m + 1, sizeof(*v));
        for (int j = 0; v != NULL && j < m; j++)
            v[j] = json_number_value(json_array_get(d, (size_t)j));
        json_object_set_new(c, "title", title ? json_incref(title) : text2(keys[i], keys[i]));
        json_object_set_new(
            c, "first_report",
            m == 0 || v == NULL
                ? json_pack("{s:i, s:n, s:n}", "count", 0, "median_hours", "p90_hours")
                : json_pack("{s:i, s:f, s:f}", "count", m, "median_hours",
                            round2(statistics_percentile(v, m, 0.5)), "p90_hours",
                            round2(statistics_percentile(v, m, 0.9))));
        free(v);
        json_object_del(c, DELAYS);
        json_array_append(list, c);
    }
    causes = json_array();
    for (int i = 0; i <= ROOT_CAUSE_COUNT; i++) {
        const char *name = i < ROOT_CAUSE_COUNT ? incident_root_cause_names[i] : "not_recorded";
        json_t *label = i < ROOT_CAUSE_COUNT ? text2(incident_root_cause_labels[i][0],
                                                     incident_root_cause_labels[i][1])
                                             : text2("Not recorded", "Niet vastgelegd");
        json_int_t count =
            json_integer_value(json_object_get(json_object_get(b, "root_causes"), name));
        json_array_append_new(causes, json_pack("{s:s, s:o, s:I}", "category", name, "label", label,
                                                "incidents", count));
    }
    json_object_set_new(b, "regimes", list);
    json_object_set_new(b, "root_causes", causes);
    return b;
}

/* The buckets of incident i: b[0] its quarter, b[1] the total. */
static void
buckets_of(json_t *all, json_t *total, const struct stats_incident *i, const struct calendar *cal,
           json_t *b[2])
{
    char key[32], en[32], nl[32];
    int year, q = statistics_quarter(i->aware, cal, &year);

    snprintf(key, sizeof(key), "%04d-Q%d", year, q);
    snprintf(en, sizeof(en), "Q%d %04d", q, year);
    snprintf(nl, sizeof(nl), "K%d %04d", q, year);
    b[0] = bucket(all, key, text2(en, nl));
    b[1] = total;
}

json_t *
statistics_compute(const struct stats_incident *inc, int ni, const struct stats_obligation *ob,
                   int no, const struct rules *rules, const struct calendar *cal, int64_t from,
                   int64_t to, int64_t now)
{
    json_t *all = json_object(), *index = json_object(), *firsts = json_object(), *quarters, *b[2];
    json_t *total = json_pack("{s:s, s:o, s:i, s:{}, s:{}}", "quarter", "total", "label",
                              text2("Total", "Totaal"), "incidents", 0, "regimes", "root_causes");
    const char *keys[512], *k;
    json_t *v;
    int nk = 0;

    for (int i = 0; i < ni; i++) {
        if (inc[i].aware == TIME_UNSET || (from != TIME_UNSET && inc[i].aware < from) ||
            (to != TIME_UNSET && inc[i].aware >= to))
            continue;
        json_object_set_new(index, inc[i].id, json_integer(i));
        buckets_of(all, total, &inc[i], cal, b);
        if (strcmp(inc[i].kind, "incident") != 0)
            continue; /* near misses and cyber threats are not incidents */
        for (int j = 0; j < 2; j++) {
            bump(b[j], "incidents", 1);
            bump(json_object_get(b[j], "root_causes"),
                 inc[i].root_cause_category[0] ? inc[i].root_cause_category : "not_recorded", 1);
        }
    }
    for (int j = 0; j < no; j++) {
        json_t *at = json_object_get(index, ob[j].incident_id), *first;
        char fk[128];

        if (at == NULL)
            continue;
        const struct stats_incident *i = &inc[json_integer_value(at)];
        buckets_of(all, total, i, cal, b);
        count_report(b, &ob[j], i->ref, rules, now);
        if (ob[j].submitted == TIME_UNSET || strcmp(ob[j].status, "waived") == 0)
            continue;
        snprintf(fk, sizeof(fk), "%s %s", ob[j].incident_id, ob[j].regime);
        first = json_object_get(firsts, fk);
        if (first == NULL || json_integer_value(json_object_get(first, "at")) > ob[j].submitted)
            json_object_set_new(firsts, fk,
                                json_pack("{s:I, s:s, s:I}", "i", json_integer_value(at), "regime",
                                          ob[j].regime, "at", (json_int_t)ob[j].submitted));
    }
    json_object_foreach(firsts, k, v)
    {
        const struct stats_incident *i = &inc[json_integer_value(json_object_get(v, "i"))];
        double hours = (double)(json_integer_value(json_object_get(v, "at")) - i->aware) / 3600.0;

        buckets_of(all, total, i, cal, b);
        for (int j = 0; j < 2; j++)
            json_array_append_new(
                json_object_get(cell(b[j], json_string_value(json_object_get(v, "regime"))),
                                DELAYS),
                json_real(hours < 0 ? 0 : hours));
    }
    json_object_foreach(all, k, v)
    {
        if (nk < 512)
            keys[nk++] = k;
    }
    qsort(keys, (size_t)nk, sizeof(*keys), cmp_str);
    quarters = json_array();
    for (int i = 0; i < nk; i++)
        json_array_append(quarters, finish(json_object_get(all, keys[i]), rules));
    v = json_pack("{s:o, s:o}", "quarters", quarters, "total", finish(total, rules));
    json_decref(all);
    json_decref(index);
    json_decref(firsts);
    return v;
}

/* The recurring-incident groups among the incidents counted (index: id ->
 * position), from each one's last stored judgement: a regime whose
 * recurrence this incident leads and that is significant together.
 * Members the reader may not see (visible: id -> true) are left out. */
static int
recurring_groups(sqlite3 *db, const json_t *index, const json_t *visible, const struct rules *rules,
                 json_t *out, struct mp_error *err)
{
    const char *id;
    json_t *at;

    json_object_foreach((json_t *)index, id, at)
    {
        char *last = NULL, when[32];
        json_t *regimes, *r;
        size_t i;

        (void)at;
        if (store_classification_latest(db, id, &last, when, err) != 0)
            return -1;
        regimes = last != NULL ? json_loads(last, 0, NULL) : NULL;
        free(last);
        json_array_foreach(regimes, i, r)
        {
            json_t *rec = json_object_get(r, "recurrence"), *members = json_array(), *m, *g;
            const char *regime = json_string_value(json_object_get(r, "regime"));
            const struct ruleset *rs = regime && rules ? rules_find(rules, regime) : NULL;
            json_t *cause = json_deep_copy(json_object_get(rec, "root_cause"));
            size_t k;

            if (!json_is_true(json_object_get(rec, "leads")) || regime == NULL) {
                json_decref(members);
                json_decref(cause);
                continue;
            }
            json_array_foreach(json_object_get(rec, "members"), k, m)
            {
                if (json_object_get(visible, json_string_value(json_object_get(m, "id"))))
                    json_array_append(members, m);
            }
            for (int c = 0; cause != NULL && c < ROOT_CAUSE_COUNT; c++) {
                if (strcmp(incident_root_cause_names[c],
                           or_empty(json_string_value(json_object_get(cause, "category")))) == 0)
                    json_object_set_new(
                        cause, "label",
                        text2(incident_root_cause_labels[c][0], incident_root_cause_labels[c][1]));
            }
            g = json_pack("{s:s, s:O?, s:o?, s:O?, s:o, s:O?, s:O?}", "regime", regime, "title",
                          rs ? json_object_get(rs->doc, "title") : NULL, "root_cause", cause,
                          "lead", json_object_get(rec, "lead"), "members", members, "combined",
                          json_object_get(rec, "combined"), "result",
                          json_object_get(rec, "result"));
            json_array_append_new(out, g);
        }
        json_decref(regimes);
    }
    return 0;
}

/* The organisation's clock: the calendar of its country (else UTC). */
static const struct calendar *
org_calendar(const struct rules *rules, const json_t *profile)
{
    const char *country = json_string_value(json_object_get(profile, "country"));

    for (int i = 0; rules && country && i < rules->ncalendars; i++) {
        if (strcasecmp(rules->calendars[i].id, country) == 0)
            return &rules->calendars[i];
    }
    return NULL;
}

/* from..to (local dates, inclusive) as [*f, *t) in UTC; 422 naming the
 * field that is wrong. */
static int
range(const char *from, const char *to, const struct calendar *cal, int64_t *f, int64_t *t,
      struct mp_error *err)
{
    int64_t days;

    *f = *t = TIME_UNSET;
    if (from != NULL && statistics_day_start(from, cal, f) != 0)
        return mp_error_set(err, 422, "from", "must be a date: YYYY-MM-DD");
    if (to != NULL && time_parse_date(to, &days, NULL) != 0)
        return mp_error_set(err, 422, "to", "must be a date: YYYY-MM-DD");
    if (to != NULL)
        *t = day_start(days + 1, cal);
    if (*f != TIME_UNSET && *t != TIME_UNSET && *t <= *f)
        return mp_error_set(err, 422, "to", "must be on or after from");
    return 0;
}

int
statistics_report(const char *from, const char *to, int tlp_max, int64_t now, json_t **out,
                  struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    struct stats_incident *inc = NULL;
    struct stats_obligation *ob = NULL;
    json_t *profile = NULL, *rep = NULL, *index = json_object(), *visible = json_object();
    struct rules *rules = NULL;
    const struct calendar *cal;
    int64_t pversion, f, t;
    int ni = 0, no = 0, rc = -1;

    *out = NULL;
    if (db == NULL || organisation_load(db, &profile, &pversion, NULL, err) != 0)
        goto out;
    rules = rules_acquire();
    cal = org_calendar(rules, profile);
    if (range(from, to, cal, &f, &t, err) != 0 ||
        store_statistics_incidents(db, tlp_max, &inc, &ni, err) != 0 ||
        store_statistics_obligations(db, tlp_max, &ob, &no, err) != 0)
        goto out;
    rep = statistics_compute(inc, ni, ob, no, rules, cal, f, t, now);
    for (int i = 0; i < ni; i++) {
        json_object_set_new(visible, inc[i].id, json_true());
        if (inc[i].aware != TIME_UNSET && (f == TIME_UNSET || inc[i].aware >= f) &&
            (t == TIME_UNSET || inc[i].aware < t) && strcmp(inc[i].kind, "incident") == 0)
            json_object_set_new(index, inc[i].id, json_integer(i));
    }
    json_object_set_new(rep, "recurring_groups", json_array());
    if (recurring_groups(db, index, visible, rules, json_object_get(rep, "recurring_groups"),
                         err) != 0)
        goto out;
    json_object_set_new(rep, "from", from ? json_string(from) : json_null());
    json_object_set_new(rep, "to", to ? json_string(to) : json_null());
    json_object_set_new(rep, "calendar", cal ? json_string(cal->id) : json_string("utc"));
    json_object_set_new(rep, "generated_at", time_format_json(now));
    *out = json_incref(rep);
    rc = 0;
out:
    json_decref(rep);
    json_decref(profile);
    json_decref(index);
    json_decref(visible);
    if (rules != NULL)
        rules_release(rules);
    free(inc);
    free(ob);
    return rc;
}

/* The words of a label object in lang. */
static const char *
word(const json_t *label, bool nl)
{
    const char *s = json_string_value(json_object_get(label, nl ? "nl" : "en"));

    return s ? s : "";
}

static void
csv_row(struct buf *b, const char *const *fields, int n)
{
    for (int i = 0; i < n; i++) {
        if (i > 0)
            buf_puts(b, ",");
        buf_csv_field(b, fields[i] ? fields[i] : "", false);
    }
    buf_puts(b, "\r\n");
}

static void
csv_hours(char *out, size_t size, const json_t *v)
{
    if (json_is_number(v))
        snprintf(out, size, "%.2f", json_number_value(v));
    else
        out[0] = '\0';
}

/* Section one and three of the CSV for one bucket: a row per regime, and
 * a row per waived report. */
static void
csv_bucket(struct buf *b, struct buf *waivers, const json_t *q, bool nl)
{
    const char *label = word(json_object_get(q, "label"), nl);
    json_t *r, *w;
    size_t i, k;

    json_array_foreach(json_object_get(q, "regimes"), i, r)
    {
        char n[5][24], med[32], p90[32];
        const char *names[] = {"owed", "on_time", "late", "waived", "pending"};
        const json_t *fr = json_object_get(r, "first_report");
        for (int j = 0; j < 5; j++)
            snprintf(n[j], sizeof(n[j]), "%lld",
                     (long long)json_integer_value(json_object_get(r, names[j])));
        csv_hours(med, sizeof(med), json_object_get(fr, "median_hours"));
        csv_hours(p90, sizeof(p90), json_object_get(fr, "p90_hours"));
        const char *row[] = {
            label, word(json_object_get(r, "title"), nl), n[0], n[1], n[2], n[3], n[4], med, p90};
        csv_row(b, row, 9);
        json_array_foreach(json_object_get(r, "waivers"), k, w)
        {
            const char *wrow[] = {label, word(json_object_get(r, "title"), nl),
                                  json_string_value(json_object_get(w, "incident")),
                                  word(json_object_get(w, "stage_name"), nl),
                                  json_string_value(json_object_get(w, "reason"))};
            csv_row(waivers, wrow, 5);
        }
    }
}

char *
statistics_csv(const json_t *rep, const char *lang, size_t *len)
{
    bool nl = lang != NULL && strcmp(lang, "nl") == 0;
    struct buf b = BUF_INIT, waivers = BUF_INIT;
    const json_t *total = json_object_get(rep, "total");
    json_t *q, *c, *g, *m;
    size_t i, k;
    const char *h1[] = {nl ? "Kwartaal" : "Quarter",
                        nl ? "Regeling" : "Regime",
                        nl ? "Verschuldigde meldingen" : "Reports owed",
                        nl ? "Op tijd" : "On time",
                        nl ? "Te laat" : "Late",
                        nl ? "Afgezien (met reden)" : "Waived (with reason)",
                        nl ? "Nog open" : "Still open",
                        nl ? "Mediaan kennisname tot eerste melding (uren)"
                           : "Median awareness to first report (hours)",
                        nl ? "90e percentiel (uren)" : "90th percentile (hours)"};
    const char *h2[] = {nl ? "Kwartaal" : "Quarter",
                        nl ? "Categorie grondoorzaak" : "Root-cause category",
                        nl ? "Incidenten" : "Incidents"};
    const char *h3[] = {nl ? "Kwartaal" : "Quarter", nl ? "Regeling" : "Regime",
                        nl ? "Incident" : "Incident", nl ? "Melding" : "Report",
                        nl ? "Reden" : "Reason"};
    const char *h4[] = {nl ? "Regeling" : "Regime", nl ? "Grondoorzaak" : "Root cause",
                        nl ? "Incident met de meldingen" : "Incident carrying the reports",
                        nl ? "Incidenten in de groep" : "Incidents in the group"};

    csv_row(&b, h1, 9);
    csv_row(&waivers, h3, 5);
    json_array_foreach(json_object_get(rep, "quarters"), i, q) csv_bucket(&b, &waivers, q, nl);
    csv_bucket(&b, &waivers, total, nl);
    buf_puts(&b, "\r\n");
    csv_row(&b, h2, 3);
    json_array_foreach(json_object_get(rep, "quarters"), i, q)
    {
        json_array_foreach(json_object_get(q, "root_causes"), k, c)
        {
            char n[24];
            snprintf(n, sizeof(n), "%lld",
                     (long long)json_integer_value(json_object_get(c, "incidents")));
            const char *row[] = {word(json_object_get(q, "label"), nl),
                                 word(json_object_get(c, "label"), nl), n};
            if (json_integer_value(json_object_get(c, "incidents")) > 0)
                csv_row(&b, row, 3);
        }
    }
    buf_puts(&b, "\r\n");
    buf_append(&b, waivers.data, waivers.len);
    buf_free(&waivers);
    buf_puts(&b, "\r\n");
    csv_row(&b, h4, 4);
    json_array_foreach(json_object_get(rep, "recurring_groups"), i, g)
    {
        struct buf refs = BUF_INIT, cause = BUF_INIT;
        const json_t *rc = json_object_get(g, "root_cause");
        json_array_foreach(json_object_get(g, "members"), k, m) buf_printf(
            &refs, "%s%s", k ? " " : "", or_empty(json_string_value(json_object_get(m, "ref"))));
        buf_printf(&cause, "%s: %s", word(json_object_get(rc, "label"), nl),
                   or_empty(json_string_value(json_object_get(rc, "text"))));
        const char *row[] = {
            word(json_object_get(g, "title"), nl), cause.data ? cause.data : "",
            or_empty(json_string_value(json_object_get(json_object_get(g, "lead"), "ref"))),
            refs.data ? refs.data : ""};
        csv_row(&b, row, 4);
        buf_free(&refs);
        buf_free(&cause);
    }
    return buf_detach(&b, len);
}
