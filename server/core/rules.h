/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * rules.h - reporting rules as data: loading, validating and evaluating the
 * rule files of config/rules/ (the language is docs/RULES.md).
 *
 * A loaded set of files is immutable and reference-counted: a request
 * evaluates with the set it acquired even when SIGHUP installs a new one
 * meanwhile.  Evaluation is three-valued: an absent fact is unknown, not
 * false, and an undetermined result lists the facts that would decide it.
 */
#ifndef MP_RULES_H
#define MP_RULES_H

#include "lib/error.h"
#include "lib/snapshot.h"
#include "lib/timeutil.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>

enum tri { TRI_NO = 0, TRI_YES = 1, TRI_UNKNOWN = 2 };

const char *tri_name(enum tri t); /* "no", "yes", "undetermined" */

#define RULE_DUE_MAX        4
#define RULE_RECIPIENTS_MAX 4

struct rnode; /* a compiled expression (rules.c) */

/* A rule file's (or a profile's) content address: the first 8 bytes of
 * its BLAKE2b digest in hex, with the NUL (a database holds a handful of
 * versions; a stored text is checked against its hash when compiled). */
#define RULES_HASH_LEN 17

#define CALENDAR_HOLIDAYS_MAX 400

/* A country's working days (config/calendars/ID.json): local time as a UTC
 * offset with, optionally, EU summer time (one hour more from the last
 * Sunday of March to the last Sunday of October, 01:00 UTC), and the
 * public holidays of the years it covers, as local dates. */
struct calendar {
    char id[16];
    char file[PATH_MAX];
    json_t *doc;
    int offset_minutes;
    bool eu_summer_time;
    int first_year, last_year;
    int64_t holidays[CALENDAR_HOLIDAYS_MAX]; /* days since 1970-01-01, sorted */
    int nholidays;
};

/* One point in time: ANCHOR + DURATION. */
struct rule_time {
    char anchor[64]; /* aware_at, detected_at, ..., stage:ID, stage_last:ID[,ID] */
    struct duration within;
    char within_text[32];
};

/* A `due` entry: {"after", "within"} (nlater 0: the fields of the first
 * part), or {"later_of": [{"after", "within"}, ...]} (nlater 2 to 4: the
 * latest of its parts, known when all of them are). */
struct rule_due {
    char anchor[64]; /* "later_of" for a later_of entry */
    struct duration within;
    char within_text[32];
    struct rule_time later[RULE_DUE_MAX];
    int nlater;
    /* "unless_passed_at": ANCHOR: the entry does not bind when its time had
     * already passed at that anchor (DORA: the 24 hours after awareness do
     * not bind an incident classified as major later than that) */
    char unless_passed_at[64];
};

struct rule_stage {
    const char *id;
    const char *recipient; /* the first of recipients: whom a draft addresses */
    const char *recipients[RULE_RECIPIENTS_MAX]; /* every role the report goes to */
    int nrecipients;
    json_t *def; /* the stage object (names, contents, source) */
    json_t *when;
    struct rnode *when_n;
    struct rule_due due[RULE_DUE_MAX];
    int ndue;
    /* "only_if_ongoing_at_due": the stage exists only when the incident is
     * still ongoing (not handled) at its due time (NIS2 art. 23(4)(e):
     * the progress report) */
    bool only_if_ongoing;
    /* "if_ongoing_at_due": when the incident is still ongoing at the due
     * time, the stage is due at these instead (the final report: one month
     * after handling) */
    struct rule_due ongoing_due[RULE_DUE_MAX];
    int nongoing_due;
    /* "next_working_day": {"calendar": ID, "at": "HH:MM", "unless": EXPR}:
     * a due time on a weekend day or a holiday of the calendar moves to
     * HH:MM local time on the next working day, unless EXPR holds (DORA:
     * not for the initial notification of credit institutions, ...) */
    char wd_calendar[16];
    const struct calendar *wd_cal; /* resolved once every file is loaded */
    int wd_at_minutes;
    json_t *wd_unless;
    struct rnode *wd_unless_n;
    bool asap;
    bool on_request;
    /* "without_deadline": no numeric deadline, only "without undue delay"
     * (asap): owed at once and shown as due now, never missed (NIS2 art.
     * 23(1): informing the recipients of the service) */
    bool without_deadline;
    /* "voluntary": nothing is owed; a draft may be made (NIS2 art. 30) */
    bool voluntary;
};

#define RULE_COMBINE_MAX 24

/*
 * "recurring": incidents that are not significant one by one count together
 * as one significant incident when at least at_least of them occurred within
 * `within` of each other, with the same apparent root cause, and their
 * combined facts pass `test` (CIR 2024/2690 art. 4: twice in six months,
 * together over art. 3(1)(a); RTS 2024/1772 art. 8(2)).  The combined facts
 * are the members' facts summed (sum), their largest (max) and whether any
 * of them holds (any); a fact of a member not known leaves the sum unknown
 * but bounded below by what is known.  `when` (over the profile) says to
 * whom the rule applies; `test` NULL means the file's `significant`.
 */
struct rule_recurring {
    json_t *def; /* the member as written: id, text, source */
    const char *id;
    int at_least;
    struct duration within;
    char within_text[32];
    const char *sum[RULE_COMBINE_MAX], *max[RULE_COMBINE_MAX], *any[RULE_COMBINE_MAX];
    int nsum, nmax, nany;
    json_t *when;
    struct rnode *when_n;
    json_t *test;
    struct rnode *test_n;
};

struct ruleset {
    const char *regime;
    const char *version;
    /* the file's content address: its document as canonical text (compact,
     * keys sorted; what the database keeps of it) and a BLAKE2b digest of
     * that text in hex (rules_archive.c) */
    char *text;
    char hash[RULES_HASH_LEN];
    char file[PATH_MAX];
    json_t *doc;
    json_t *applies;
    json_t *significant;
    json_t *lifted_by; /* NULL: the duty, once significant, is never lifted by a fact */
    struct rnode *applies_n;
    struct rnode *significant_n;
    struct rnode *lifted_by_n;
    struct rule_stage *stages;
    int nstages;
    struct rule_recurring *recurring; /* NULL: incidents are judged one by one only */
};

struct rules {
    struct snapshot_refs refs;
    struct ruleset *sets;
    int nsets;
    char dir[PATH_MAX];
    struct calendar *calendars; /* from DIR/../calendars, else the built-in ones */
    int ncalendars;
};

/* Loads and validates every *.json in dir (sorted by name).  On error,
 * err->message is "FILE: $.json.path: reason". */
int rules_load(const char *dir, struct rules **out, struct mp_error *err);
/* The same for the copy of config/rules/ built into the binary. */
int rules_load_builtin(struct rules **out, struct mp_error *err);
void rules_release(struct rules *r);

/* The rules in force: install() takes over r (the old set is released
 * when its last user lets go); acquire() returns it with a reference the
 * caller releases (NULL when none is installed). */
void rules_install(struct rules *r);
struct rules *rules_acquire(void);

const struct ruleset *rules_find(const struct rules *r, const char *regime);
/* The stage with this id in rs (rs may be NULL); NULL when none. */
const struct rule_stage *rules_find_stage(const struct ruleset *rs, const char *id);

/* Evaluates one rule set against facts (impact facts and incident fields)
 * and profile.  Returns a new JSON object:
 *   {"regime","version","title","source","applies","significant",
 *    "missing":[fact…],"criteria":[{id,text,source,result,conditions:[…]}],
 *    "stages":[{id,name,recipient,recipients,due:[{after,within}],asap,on_request}]}
 * where applies and significant are "yes", "no" or "undetermined"; a rule
 * set with lifted_by adds "lifted" ("yes" when the entity has established
 * the fact that lifts the duty, such as GDPR art. 33's "unlikely to result
 * in a risk"; its criterion is reported with the others). */
json_t *rules_evaluate(const struct ruleset *rs, const json_t *facts, const json_t *profile);

/*
 * The facts and the profile as a flat vector, for evaluation without JSON
 * lookups: each impact fact and incident field has an index fixed at start
 * (rules_fact_index), each profile value its place in the profile names.
 * Values are borrowed from facts and profile, which must outlive the
 * vector.  Loaded once per incident, it serves every rule set.
 */
#define RULES_FACTS_MAX   128
#define RULES_PROFILE_MAX 16
struct rules_facts {
    const json_t *fact[RULES_FACTS_MAX];
    const json_t *profile[RULES_PROFILE_MAX];
    const json_t *at_least; /* RULES_AT_LEAST, or NULL */
    const json_t *facts, *profile_json;
};
void rules_facts_load(struct rules_facts *fv, const json_t *facts, const json_t *profile);
/* The index of an impact fact or incident field in the vector; -1 when the
 * name is none of them. */
int rules_fact_index(const char *name);

/* What rules_evaluate decides, without the explanation: for a read or a
 * bulk run that needs the outcome only.  when_yes and when_unknown have a
 * bit per stage (the first 32): its `when` holds, or is undetermined; a
 * stage with neither bit does not apply. */
#define RULES_DECISION_CRITERIA 32
struct rules_decision {
    enum tri applies, significant, lifted;
    unsigned long when_yes, when_unknown;
    /* the criteria (nodes with an id) of significant and lifted_by that
     * held (yes) or may hold (undetermined), in the order rules_evaluate
     * reports them; those that did not hold are left out */
    const char *criterion[RULES_DECISION_CRITERIA];
    enum tri criterion_result[RULES_DECISION_CRITERIA];
    int ncriteria;
};
void rules_decide(const struct ruleset *rs, const struct rules_facts *fv,
                  struct rules_decision *out);

/* The recurrence test of rs (rs->recurring not NULL) over the members'
 * combined facts: {"applies": yes|no|undetermined (its `when` over the
 * profile), "result": yes|no|undetermined, "missing": [fact…],
 * "criteria": [...]} (criteria as rules_evaluate reports them). */
json_t *rules_evaluate_recurring(const struct ruleset *rs, const json_t *facts,
                                 const json_t *profile);

/* One incident of a possible combination: its facts (classify_facts),
 * when it occurred and when it was recorded (meldpunt could know of it no
 * earlier).  The members come sorted by the time they occurred. */
struct recur_member {
    const json_t *facts;
    int64_t at;
    int64_t recorded;
};

/* The combination member `self` belongs to under rs's recurring rule (see
 * rules_recur.c), or NULL when it belongs to none (fewer than at_least in
 * every period, or rs has no such rule):
 *   {"id", "text", "source", "at_least", "within", "members": [index…],
 *    "lead": index, "leads": bool (self leads), "combined": {fact: value or
 *    null, "at_least"?: {fact: lower bound}}, "result", "missing",
 *    "criteria"}
 * The members given must each be not significant on their own. */
json_t *rules_recurring(const struct ruleset *rs, const struct recur_member *m, int n, int self,
                        const json_t *profile);

/* In the facts given to the rules: {fact: number}, lower bounds of facts
 * that are absent (a combination of recurring incidents whose sum is only
 * partly known). */
#define RULES_AT_LEAST "$at_least"

/* Evaluates one expression (for tests and the stage `when`). */
/* Checks expr as a rule file's expressions are checked, for other data in
 * the rule language (the assessment's decision): the facts it may name are
 * the list (NULL-terminated), and profile values are refused.  0, or -1
 * with err naming file, path and the reason. */
int rules_check_expr(json_t *expr, const char *file, const char *path, const char *const facts[],
                     struct mp_error *err);
enum tri rules_eval_expr(const json_t *expr, const json_t *facts, const json_t *profile);

/*
 * When a stage is due, for one incident at `now`.  Times are Unix seconds,
 * TIME_UNSET for "not known (yet)".  The incident's handling
 * comes as two times so that "was it handled by then?" has an answer for
 * any moment: resolved_at, when it last reached resolved, and reopened_at,
 * when it last went back from resolved to confirmed ("it came back").
 * Every other anchor is asked of anchor(name, ctx).
 */
struct rule_clock {
    int64_t now;
    int64_t resolved_at;
    int64_t reopened_at;
    int64_t (*anchor)(const char *name, void *ctx);
    void *ctx;
    const json_t *facts, *profile; /* for next_working_day's unless */
};

struct rule_stage_time {
    int64_t due;                /* the binding due time; TIME_UNSET while not known */
    int64_t regular;            /* the due time before if_ongoing_at_due moved it */
    enum tri ongoing;           /* still ongoing at the regular due time: yes, no (handled
                                 * by then), undetermined (not there yet, or no due time) */
    bool not_due;               /* only_if_ongoing_at_due, and handled by the due time */
    bool moved;                 /* if_ongoing_at_due applies: due moved after handling */
    int64_t before_working_day; /* the due time before next_working_day moved
                                 * it; TIME_UNSET when it did not move */
    bool calendar_gap;          /* the due time lies outside the calendar's years */
    const char *waiting[2 * RULE_DUE_MAX * RULE_DUE_MAX]; /* anchors awaited */
    int nwaiting;
};

/* When t falls on a weekend day or a holiday of cal (local time), HH:MM
 * (at_minutes) local time on the next working day; else t.  *gap is set
 * when t lies outside the years the calendar covers (t is returned). */
int64_t calendar_next_working(const struct calendar *cal, int64_t t, int at_minutes, bool *gap);
/* Local time minus UTC at UTC time t, in seconds: a country's clock (the
 * organisation's time on a printed notification). */
int64_t calendar_offset(const struct calendar *cal, int64_t t);

/* The anchor handled_at at `c`: resolved_at, unless the incident was
 * reopened since (then not handled yet). */
int64_t rules_handled_at(const struct rule_clock *c);
/* Whether the incident had been handled (resolved and not reopened) at t. */
bool rules_handled_by(const struct rule_clock *c, int64_t t);
/* The due time of stage st: the earliest computable `due` entry; with
 * if_ongoing_at_due and the incident still ongoing at that time, the
 * earliest of those entries instead. */
void rules_stage_time(const struct rule_stage *st, const struct rule_clock *c,
                      struct rule_stage_time *out);

/*
 * Timeliness is judged on when a report was sent, not when it was recorded
 * (docs/RULES.md).  A sending time is refused when it lies more than
 * RULES_SUBMIT_SKEW_SECONDS ahead of now (clock skew between the tools
 * involved): RULES_SENT_FUTURE, or before the incident was detected or known
 * (known_since: the earlier of detected_at and aware_at): RULES_SENT_EARLY.
 */
#define RULES_SUBMIT_SKEW_SECONDS 300
enum rules_sent_check { RULES_SENT_OK, RULES_SENT_FUTURE, RULES_SENT_EARLY };
enum rules_sent_check rules_sent_check(int64_t sent, int64_t now, int64_t known_since);
/* What an obligation in `status` becomes when its report was sent at
 * `sent`, due at `due` (TIME_UNSET: no due time): "submitted" when sent at
 * or before the due second, "missed" when after.  A pending obligation and
 * one marked missed for want of a record both take that; a submitted or
 * waived one keeps its status (returned as given). */
const char *rules_sent_status(const char *status, int64_t due, int64_t sent);

/*
 * Content-addressed rule files (rules_archive.c).  Every rule file the
 * server judged with is kept in the database by its hash, so that a stored
 * decision is explained later by the very rules that took it, whatever the
 * rules in force by then.
 */
/* Writes into out the hex digest of text (RULES_HASH_LEN bytes). */
void rules_hash_text(const char *text, size_t len, char out[RULES_HASH_LEN]);
/* The rule set with this hash: one of r's, else one compiled earlier from
 * its text, else compiled now from text (NULL: not known; the caller
 * fetches it from the database and asks again).  An archived set lives
 * until the process ends; NULL also when text does not compile (err). */
const struct ruleset *rules_by_hash(const struct rules *r, const char *hash, const char *text,
                                    struct mp_error *err);

/* {"dir", "rule_sets":[{regime, version, title, source, file, stages}]} */
json_t *rules_summary(const struct rules *r);

#endif
