/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * rules_int.h - what the rule files' source files share: rules.c (the
 * vocabulary and the rules in force), rules_load.c (validation and
 * compiling at load), rules_calendar.c (working-day calendars) and
 * rules_eval.c (three-valued evaluation and due times).  Not for other
 * modules: rules.h is the interface.
 */
#ifndef MP_RULES_INT_H
#define MP_RULES_INT_H

#include "core/rules.h"

#include <jansson.h>
#include <stdbool.h>

/* The words a rule file may use (rules.c). */
extern const char *const rules_profile_names[];
extern const char *const rules_profile_amounts[];
extern const char *const rules_field_names[];
extern const char *const rules_recipients[];
extern const char *const rules_anchors[];

/* Validation's context: the file being read and where its error goes. */
struct vctx {
    const char *file;
    struct mp_error *err;
    /* The facts an expression may name (NULL-terminated), and no profile
     * values; NULL: the incident facts and the profile (rule files). */
    const char *const *facts;
};

struct rnode; /* a compiled expression (rules_eval.c) */

bool rules_in_list(const char *const list[], const char *s);
bool rules_fact_known(const char *name);
bool rules_fact_nonnegative(const char *name);
bool rules_vfail(struct vctx *v, const char *path, const char *fmt, const char *arg);
bool rules_check_text(struct vctx *v, json_t *t, const char *path);
bool rules_digits(const char *s, int n, int *out);
bool rules_parse_hhmm(const char *s, int *hh, int *mm);
void rules_ruleset_free(struct ruleset *rs);
/* One rule file's text checked and compiled into rs (rules_load.c); path
 * names it in messages.  Its calendars are resolved by the caller. */
int rules_load_text(const char *path, const char *text, size_t len, struct ruleset *rs,
                    struct mp_error *err);
/* rs->text and rs->hash from rs->doc (rules_archive.c). */
int rules_fingerprint(struct ruleset *rs, struct mp_error *err);
int rules_calendars_for(const char *dir, struct rules *r, struct mp_error *err);
void rules_calendars_free(struct rules *r);
void rules_rnode_free(struct rnode *n);
struct rnode *rules_compile_expr(const json_t *j);
/* A compiled expression evaluated without an explanation (rules_eval.c). */
enum tri rules_node_eval(const struct rnode *n, const json_t *facts, const json_t *profile);
/* A due entry as JSON: {after, within} or {later_of: [...]}. */
json_t *rules_due_json(const struct rule_due *d);

#endif
