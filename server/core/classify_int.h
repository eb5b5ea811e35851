/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * classify_int.h - what the classification files share (classify.c: the
 * judgement inside a change; classify_read.c, classify_decide.c,
 * classify_sweep.c, services.c).  Not for other modules: classify.h is the
 * interface.
 */
#ifndef MP_CLASSIFY_INT_H
#define MP_CLASSIFY_INT_H

#include "core/incident.h"
#include "core/rules.h"
#include "lib/timeutil.h"

#include <sqlite3.h>
#include <stdint.h>

/* t in RFC 3339 form; "" for TIME_UNSET (stored columns say "not known"
 * with an empty text). */
void classify_fmt_time(int64_t t, char out[TIME_RFC3339_LEN]);
/* The time in s; TIME_UNSET for NULL, "" or text that is not one. */
int64_t classify_parse_time(const char *s);
/* classify_refresh() for the sweeper: the history keeps the judgement only
 * when its outcome moved. */
int classify_refresh_quiet(sqlite3 *db, const struct incident *inc, const char *principal,
                           int64_t now, struct mp_error *err);

/* Inside a change: recurring incidents (classify_recur.c).  When rs has a
 * `recurring` rule and inc an apparent root cause, writes into res (inc's
 * judgement under rs) "recurrence": the members of the combination inc
 * belongs to, their combined figures, the result and the member that
 * leads; when inc leads a combination that passes (or may pass) while inc
 * alone does not, res's "significant" becomes that, with the criterion.
 * The ids of the other incidents with the same root cause are appended to
 * others (to be judged again). */
int classify_recurrence(sqlite3 *db, const struct incident *inc, const struct ruleset *rs,
                        const json_t *profile, json_t *res, int64_t now, json_t *others,
                        struct mp_error *err);
/* Appends to others the ids of the incidents the last stored judgement of
 * incident_id showed as members of its combinations (classify_recur.c):
 * before a change, so that those it leaves are judged again too. */
int classify_recurrence_linked(sqlite3 *db, const char *incident_id, json_t *others,
                               struct mp_error *err);

#endif
