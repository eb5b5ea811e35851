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
#include "lib/timeutil.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>

enum tri { TRI_NO = 0, TRI_YES = 1, TRI_UNKNOWN = 2 };

const char *tri_name(enum tri t); /* "no", "yes", "undetermined" */

#define RULE_DUE_MAX        4
#define RULE_RECIPIENTS_MAX 4

struct rnode; /* a compiled expression (rules.c) */

struct rule_due {
    char anchor[48]; /* aware_at, detected_at, ..., stage:ID */
    struct duration within;
    char within_text[32];
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
    bool asap;
    bool on_request;
};

struct ruleset {
    const char *regime;
    const char *version;
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
};

struct rules {
    int refs; /* guarded by the module's lock */
    struct ruleset *sets;
    int nsets;
    char dir[PATH_MAX];
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

/* Evaluates one expression (for tests and the stage `when`). */
enum tri rules_eval_expr(const json_t *expr, const json_t *facts, const json_t *profile);

/* {"dir", "rule_sets":[{regime, version, title, source, file, stages}]} */
json_t *rules_summary(const struct rules *r);

#endif
