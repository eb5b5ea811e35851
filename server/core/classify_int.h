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

/* A leading recurrence rec laid over res, a regime's judgement: its
 * significance and its criterion (classify_recur.c); explain adds the
 * criterion's words and the missing facts (a judgement read). */
void classify_recurrence_overlay(json_t *res, const json_t *rec, bool explain);

/* ---- the judgement as stored (classify_store.c) ---- */

/* One regime's judgement as stored, decided by rules_decide over fv (no
 * explanation): {regime, version, rules (the file's hash), applies,
 * significant, lifted?, criteria: [{id, result}] (those that held or may
 * hold), stages: [{id, conditional}] (those that apply)}.  The change adds
 * effective, classified_at, decision, recurrence and the stages' due
 * times. */
json_t *classify_decided(const struct ruleset *rs, const struct rules_facts *fv);
/* The same from rules_evaluate's answer full (hash: the rule file's). */
json_t *classify_decision_of(const json_t *full, const char *hash);
/* Writes the history row of a judgement: regimes as above (without what
 * a regime that does not apply says anyway: classify_stored_defaults; a
 * stage with nothing but its id and condition is left out: the
 * explanation lists it again; regimes is changed so), the facts, the profile by its hash, and every
 * rule file and the profile into rule_texts when new.  unless_inputs
 * (non-NULL): the latest row's inputs text, whose outcome is the same; then
 * nothing is written (0) when the inputs are the same too. */
int classify_store_row(sqlite3 *db, const struct incident *inc, const char *at, int64_t pversion,
                       const struct rules *rules, json_t *regimes, const json_t *facts,
                       const json_t *profile, const char *unless_inputs, struct mp_error *err);
/* Whether regimes (as decided now) has the outcome of stored, a history
 * row's result text (NULL: no row): compared by content -- what applies,
 * significance, effective status, the criteria that held or may hold, a
 * recurrence and the due times -- never by the rule files' versions or
 * hashes, so that rows before and after schema 0020 compare alike. */
bool classify_same_outcome(const json_t *regimes, const char *stored);
/* A stored row's regimes with what storing left out put back (what a
 * regime that does not apply says anyway); entries from before schema
 * 0020 as they are. */
void classify_stored_defaults(json_t *regimes);
/* A stored row's inputs with the profile in place of its hash. */
int classify_inputs_read(sqlite3 *db, json_t *inputs, struct mp_error *err);
/* One stored regime's judgement explained by rs (the rule file it names):
 * what rules_evaluate says over facts and profile, with the stored
 * decision over it -- what the change that stored it had answered. */
json_t *classify_explain_regime(const struct ruleset *rs, const json_t *stored, const json_t *facts,
                                const json_t *profile);
/* Every regime of a stored row explained (inputs as classify_inputs_read
 * gives them); entries from before schema 0020 as they are. */
json_t *classify_explain(sqlite3 *db, const json_t *regimes, const json_t *inputs,
                         struct mp_error *err);

#endif
