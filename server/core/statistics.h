/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * statistics.h - timeliness and recurrence per regime and quarter, for
 * management and supervisors (issue 22, "Statistics"): how many reports
 * were owed, sent on time, late, waived (with the reasons) and still
 * open; how long from awareness to the first report sent; incidents per
 * root-cause category; the recurring-incident groups.  Worked out from
 * the stored obligations and submissions only (timeliness on submitted_at,
 * issue 16 item 3); quarters in the organisation's clock.
 */
#ifndef MP_STATISTICS_H
#define MP_STATISTICS_H

#include "core/rules.h"
#include "lib/error.h"
#include "store/statistics.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The p-quantile (0..1) of the n values in v, linearly interpolated
 * between the closest ranks (R type 7, as spreadsheets do); v is sorted in
 * place.  NaN when n is 0. */
double statistics_percentile(double *v, int n, double p);

/* The quarter (1-4) the UTC time t falls in, in the local time of cal
 * (NULL: UTC); *year its year. */
int statistics_quarter(int64_t t, const struct calendar *cal, int *year);

/* The first second of the local date "YYYY-MM-DD" in cal (NULL: UTC); 0,
 * or -1 when s is not such a date. */
int statistics_day_start(const char *s, const struct calendar *cal, int64_t *out);

/* The figures of the incidents that became known in [from, to)
 * (TIME_UNSET: open), pure (the table-driven test runs it as it is):
 *   {"quarters": [{"quarter": "2026-Q1", "label": {en, nl}, "incidents",
 *     "regimes": [{"regime", "title": {en, nl}, "owed", "on_time", "late",
 *       "waived", "pending", "waivers": [{"incident", "stage", "stage_name",
 *       "reason"}], "first_report": {"count", "median_hours",
 *       "p90_hours"}}], "root_causes": [{"category", "label", "incidents"}]}],
 *    "total": {as one quarter, "quarter": "total"}}
 * A report is on time when it was sent (submitted_at) by its due time (or
 * it had none), late when it was missed or sent after it, still open
 * (pending) otherwise; a pending report whose due time has passed at now
 * is late. */
json_t *statistics_compute(const struct stats_incident *inc, int ni,
                           const struct stats_obligation *ob, int no, const struct rules *rules,
                           const struct calendar *cal, int64_t from, int64_t to, int64_t now);

/* The whole report for a principal who may see up to tlp_max: the
 * figures above for the local dates from..to (inclusive; NULL: open),
 * with "from", "to", "calendar" and "recurring_groups" ([{"regime",
 * "title", "root_cause": {category, label, text}, "lead": {id, ref},
 * "members": [{id, ref, title, occurred_at}], "combined", "result"}]).
 * A bad date is a 422 naming from or to. */
int statistics_report(const char *from, const char *to, int tlp_max, int64_t now, json_t **out,
                      struct mp_error *err);

/* The report as CSV in lang ("nl" or "en"): labels, not keys. */
char *statistics_csv(const json_t *report, const char *lang, size_t *len);

#endif
