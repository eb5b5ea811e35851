/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_rules.c - server/core/rules: validating rule files (every message
 * names the file, the JSON path and a reason), three-valued evaluation of
 * expressions, rules_evaluate (criteria, missing facts, stages) and the
 * built-in rules.  The language is docs/RULES.md.
 *
 * JSON in this file is written with single quotes for readability; J() and
 * write_rule() turn them into double quotes (no text here needs an
 * apostrophe).
 */
#include "core/rules.h"
#include "testutil.h"

#include <check.h>
#include <sys/stat.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static char tmpdir[PATH_MAX];

static void
setup_tmp(void)
{
    tu_mkdtemp(tmpdir);
}

static void
teardown_tmp(void)
{
    tu_rmrf(tmpdir);
}

/* A malloc'd copy of text with ' turned into ". */
static char *
dq(const char *text)
{
    char *s = strdup(text);

    ck_assert_ptr_nonnull(s);
    for (char *p = s; *p; p++) {
        if (*p == '\'')
            *p = '"';
    }
    return s;
}

/* Parses single-quoted JSON (NULL stays NULL). */
static json_t *
J(const char *text)
{
    json_error_t jerr;
    char *s;
    json_t *j;

    if (text == NULL)
        return NULL;
    s = dq(text);
    j = json_loads(s, JSON_DECODE_ANY, &jerr);
    ck_assert_msg(j != NULL, "bad test JSON %s: %s", s, jerr.text);
    free(s);
    return j;
}

/* Writes single-quoted JSON text as dir/name; path gets the full name. */
static void
write_rule_in(const char *dir, const char *name, const char *text, char path[PATH_MAX])
{
    char *s = dq(text);

    tu_path(path, dir, name);
    tu_write_file(path, s);
    free(s);
}

static void
write_rule(const char *name, const char *text, char path[PATH_MAX])
{
    write_rule_in(tmpdir, name, text, path);
}

/* ---- rule file pieces ---- */

#define HEAD      "'regime':'test','version':'1','title':{'en':'T','nl':'T'},'source':'art. 1'"
#define NAME      "'name':{'en':'S','nl':'S'}"
#define DUE24     "'due':[{'after':'aware_at','within':'PT24H'}]"
#define STAGE_OK  "{'id':'s1'," NAME ",'recipient':'csirt'," DUE24 ",'contents':[]}"
#define STAGE2_OK "{'id':'s2'," NAME ",'recipient':'csirt'," DUE24 ",'contents':[]}"
/* A whole file with the given significant expression and stages. */
#define DOC(sig, stages) "{" HEAD ",'applies':true,'significant':" sig ",'stages':[" stages "]}"
/* ... and with a stage whose members are given. */
#define DOC_STAGE(members) DOC("true", "{'id':'s1'," members "}")
#define CMP(left)          "{'op':'>','left':" left ",'right':1}"
/* ... with a recurring-incidents rule (CIR 2024/2690 art. 4). */
#define DOC_REC(rec) "{" HEAD ",'applies':true,'significant':true,'recurring':" rec ",'stages':[]}"
#define REC_HEAD     "'id':'cir-4','text':{'en':'R','nl':'R'}"

/* ---- validation ---- */

struct bad_case {
    const char *name; /* what is wrong */
    const char *text;
    const char *path;   /* the JSON path, "$..." (NULL: a JSON syntax error) */
    const char *reason; /* a part of the reason (NULL: any non-empty reason) */
};

static const struct bad_case bad_cases[] = {
    {"not JSON", "{'regime':'test',\n'version':'1',\n,}", NULL, "line 3 column 1"},
    {"duplicate key", "{'regime':'a',\n'regime':'b'}", NULL, "line 2"},
    {"not an object", "['regime']", "$", "object"},
    {"missing regime",
     "{'version':'1','title':{'en':'T','nl':'T'},'source':'s','applies':true,"
     "'significant':true,'stages':[]}",
     "$.regime", "id"},
    {"missing version",
     "{'regime':'test','title':{'en':'T','nl':'T'},'source':'s','applies':true,"
     "'significant':true,'stages':[]}",
     "$.version", "required"},
    {"missing source",
     "{'regime':'test','version':'1','title':{'en':'T','nl':'T'},'applies':true,"
     "'significant':true,'stages':[]}",
     "$.source", "required"},
    {"missing title",
     "{'regime':'test','version':'1','source':'s','applies':true,'significant':true,"
     "'stages':[]}",
     "$.title", "en"},
    {"missing applies", "{" HEAD ",'significant':true,'stages':[]}", "$.applies", "required"},
    {"missing significant", "{" HEAD ",'applies':true,'stages':[]}", "$.significant", "required"},
    {"missing stages", "{" HEAD ",'applies':true,'significant':true}", "$.stages", "list"},
    {"bad regime id",
     "{'regime':'NIS 2','version':'1','title':{'en':'T','nl':'T'},'source':'s',"
     "'applies':true,'significant':true,'stages':[]}",
     "$.regime", "a-z"},
    {"empty regime id",
     "{'regime':'','version':'1','title':{'en':'T','nl':'T'},'source':'s',"
     "'applies':true,'significant':true,'stages':[]}",
     "$.regime", "a-z"},
    {"unknown top-level member",
     "{" HEAD ",'applies':true,'significant':true,'stages':[],'extra':1}", "$",
     "unknown member 'extra'"},
    {"title missing nl",
     "{'regime':'test','version':'1','title':{'en':'T'},'source':'s',"
     "'applies':true,'significant':true,'stages':[]}",
     "$.title", "nl"},
    {"title with another language",
     "{'regime':'test','version':'1','title':{'en':'T','nl':'T','de':'T'},'source':'s',"
     "'applies':true,'significant':true,'stages':[]}",
     "$.title", "unknown language 'de'"},
    {"notes missing nl",
     "{" HEAD ",'notes':{'en':'N'},'applies':true,'significant':true,'stages':[]}", "$.notes",
     "nl"},
    {"expression text missing nl",
     DOC("{'id':'c1','text':{'en':'x'},"
         "'op':'>','left':1,'right':0}",
         ""),
     "$.significant.text", "nl"},
    {"stage name missing nl",
     DOC("true", "{'id':'s1','name':{'en':'S'},'recipient':'csirt'," DUE24 ",'contents':[]}"),
     "$.stages[0].name", "nl"},
    {"expression with two shapes", DOC("{'all':[true],'any':[true]}", ""), "$.significant",
     "exactly one"},
    {"comparison and list", DOC("{'any':[true],'op':'>','left':1,'right':0}", ""), "$.significant",
     "exactly one"},
    {"expression of no shape", DOC("{'id':'c1'}", ""), "$.significant", "exactly one"},
    {"expression is a number", DOC("1", ""), "$.significant", "true, false or an object"},
    {"unknown expression member", DOC("{'all':[true],'when':true}", ""), "$.significant",
     "unknown member 'when'"},
    {"unknown op", DOC("{'op':'=~','left':1,'right':2}", ""), "$.significant", "op must be"},
    {"comparison missing right", DOC("{'op':'>','left':{'fact':'users_affected'}}", ""),
     "$.significant", "left and right"},
    {"comparison missing left", DOC("{'op':'>','right':1}", ""), "$.significant", "left and right"},
    {"in without a list", DOC("{'op':'in','left':{'fact':'category'},'right':'malware'}", ""),
     "$.significant", "list"},
    {"unknown fact", DOC("{'any':[true,{'op':'>','left':{'fact':'users_affectd'},'right':1}]}", ""),
     "$.significant.any[1].left.fact", "unknown fact 'users_affectd'"},
    {"unknown fact in all/not",
     DOC("{'all':[{'not':{'op':'<','left':1,'right':{'fact':'nope'}}}]}", ""),
     "$.significant.all[0].not.right.fact", "unknown fact 'nope'"},
    {"unknown fact in at_least", DOC("{'at_least':1,'of':[true," CMP("{'fact':'nope'}") "]}", ""),
     "$.significant.of[1].left.fact", "unknown fact 'nope'"},
    {"fact not a string", DOC(CMP("{'fact':3}"), ""), "$.significant.left.fact", "unknown fact"},
    {"unknown profile value", DOC("{'op':'==','left':{'profile':'colour'},'right':'x'}", ""),
     "$.significant.left.profile", "unknown profile value 'colour'"},
    {"div with three items", DOC(CMP("{'div':[1,2,3]}"), ""), "$.significant.left.div", "two"},
    {"mul with one item", DOC(CMP("{'mul':[1]}"), ""), "$.significant.left.mul", "two"},
    {"min with one item", DOC(CMP("{'min':[1]}"), ""), "$.significant.left.min", "two or more"},
    {"max not a list", DOC(CMP("{'max':3}"), ""), "$.significant.left.max", "list"},
    {"unknown fact inside arithmetic",
     DOC(CMP("{'min':[1,{'mul':[0.05,{'fact':'users_totl'}]}]}"), ""),
     "$.significant.left.min[1].mul[1].fact", "unknown fact 'users_totl'"},
    {"unknown value operator", DOC(CMP("{'sum':[1,2]}"), ""), "$.significant.left.sum",
     "unknown value operator 'sum'"},
    {"lifted_by not an expression",
     "{" HEAD ",'applies':true,'significant':true,'lifted_by':'yes','stages':[]}", "$.lifted_by",
     "an expression"},
    {"lifted_by with an unknown fact",
     "{" HEAD
     ",'applies':true,'significant':true,'lifted_by':" CMP("{'fact':'risk'}") ",'stages':[]}",
     "$.lifted_by.left.fact", "unknown fact 'risk'"},
    {"default without fact", DOC(CMP("{'default':0}"), ""), "$.significant.left", "default"},
    /* {profile, default} is a value (an exception that must be known); with
     * arithmetic a default means nothing */
    {"default with arithmetic", DOC(CMP("{'div':[1,2],'default':0}"), ""),
     "$.significant.left.default", "default goes with fact or profile"},
    {"default not a constant", DOC(CMP("{'fact':'deaths','default':{'fact':'deaths'}}"), ""),
     "$.significant.left.default", "constant"},
    {"fact and profile", DOC(CMP("{'fact':'deaths','profile':'country'}"), ""),
     "$.significant.left", "a value is"},
    {"null constant", DOC("{'op':'==','left':{'fact':'deaths'},'right':null}", ""),
     "$.significant.right", "a value is"},
    {"at_least zero", DOC("{'at_least':0,'of':[true]}", ""), "$.significant", "at_least"},
    {"at_least not whole", DOC("{'at_least':1.5,'of':[true]}", ""), "$.significant", "at_least"},
    {"at_least without of", DOC("{'at_least':1}", ""), "$.significant", "of"},
    {"empty any", DOC("{'any':[]}", ""), "$.significant", "non-empty"},
    {"bad applies", "{" HEAD ",'applies':{'op':'>'},'significant':true,'stages':[]}", "$.applies",
     "left and right"},
    {"stages not a list", "{" HEAD ",'applies':true,'significant':true,'stages':{}}", "$.stages",
     "list"},
    {"stage not an object", DOC("true", "1"), "$.stages[0]", "object"},
    {"stage without id", DOC("true", "{" NAME ",'recipient':'csirt'," DUE24 ",'contents':[]}"),
     "$.stages[0]", "id"},
    {"stage without due", DOC_STAGE(NAME ",'recipient':'csirt','contents':[]"), "$.stages[0]",
     "due"},
    {"stage with empty due", DOC_STAGE(NAME ",'recipient':'csirt','due':[],'contents':[]"),
     "$.stages[0].due", "must be a list of 1 to 4"},
    {"stage with five dues",
     DOC_STAGE(NAME ",'recipient':'csirt','due':["
                    "{'after':'aware_at','within':'PT1H'},{'after':'aware_at','within':'PT2H'},"
                    "{'after':'aware_at','within':'PT3H'},{'after':'aware_at','within':'PT4H'},"
                    "{'after':'aware_at','within':'PT5H'}],'contents':[]"),
     "$.stages[0].due", "1 to 4"},
    /* the later of two or more times; stages that depend on the incident
     * being ongoing at their due time (NIS2 art. 23(4)(e)) */
    {"later_of with one part",
     DOC_STAGE(NAME ",'recipient':'csirt','due':[{'later_of':[{'after':'aware_at','within':"
                    "'PT1H'}]}],'contents':[]"),
     "$.stages[0].due[0]", "later_of is a list of 2 to 4"},
    {"later_of with another member",
     DOC_STAGE(NAME ",'recipient':'csirt','due':[{'later_of':[{'after':'aware_at','within':"
                    "'PT1H'},{'after':'handled_at','within':'P1M'}],'within':'PT1H'}],"
                    "'contents':[]"),
     "$.stages[0].due[0]", "later_of is a list of 2 to 4"},
    {"later_of part with an unknown anchor",
     DOC_STAGE(NAME ",'recipient':'csirt','due':[{'later_of':[{'after':'aware_at','within':"
                    "'PT1H'},{'after':'fixed_at','within':'P1M'}]}],'contents':[]"),
     "$.stages[0].due[0].later_of[1]", "unknown anchor 'fixed_at'"},
    {"later_of part naming no stage",
     DOC_STAGE(NAME ",'recipient':'csirt','due':[{'later_of':[{'after':'aware_at','within':"
                    "'PT1H'},{'after':'stage:nope','within':'P1M'}]}],'contents':[]"),
     "$.stages[0].due[0].later_of[1]", "anchor 'stage:nope' names no stage"},
    {"unless_passed_at not an anchor",
     DOC_STAGE(NAME ",'recipient':'csirt','due':[{'after':'aware_at','within':'PT24H',"
                    "'unless_passed_at':'lunch'}],'contents':[]"),
     "$.stages[0].due[0]", "unless_passed_at must be an anchor"},
    {"unless_passed_at naming no stage",
     DOC_STAGE(NAME ",'recipient':'csirt','due':[{'after':'aware_at','within':'PT24H',"
                    "'unless_passed_at':'stage:nope'}],'contents':[]"),
     "$.stages[0].due[0].unless_passed_at", "anchor 'stage:nope' names no stage"},
    {"stage_last naming no stage",
     DOC_STAGE(NAME ",'recipient':'csirt','due':[{'after':'stage_last:nope','within':'P1M'}],"
                    "'contents':[]"),
     "$.stages[0].due[0]", "anchor 'stage_last:nope' names no stage"},
    {"stage_last list with one ID naming no stage",
     DOC("true", "{'id':'a'," NAME ",'recipient':'csirt'," DUE24 ",'contents':[]},{'id':'b'," NAME
                 ",'recipient':'csirt','due':[{'after':'stage_last:a,nope','within':'P1M'}],"
                 "'contents':[]}"),
     "$.stages[1].due[0]", "anchor 'stage_last:a,nope' names no stage"},
    {"stage: takes one stage, not a list",
     DOC("true", "{'id':'a'," NAME ",'recipient':'csirt'," DUE24 ",'contents':[]},{'id':'b'," NAME
                 ",'recipient':'csirt','due':[{'after':'stage:a,a','within':'P1M'}],"
                 "'contents':[]}"),
     "$.stages[1].due[0]", "anchor 'stage:a,a' names no stage"},
    {"an anchor too long to keep",
     DOC_STAGE(NAME ",'recipient':'csirt','due':[{'after':'stage_last:"
                    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',"
                    "'within':'P1M'}],'contents':[]"),
     "$.stages[0].due[0]", "is too long"},
    {"next_working_day without a calendar",
     DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'next_working_day':{'at':'12:00'},"
                    "'contents':[]"),
     "$.stages[0].next_working_day", "must be {"},
    {"next_working_day at not a time",
     DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'next_working_day':{'calendar':'nl',"
                    "'at':'noon'},'contents':[]"),
     "$.stages[0].next_working_day", "at must be a local time HH:MM"},
    {"next_working_day with an unknown member",
     DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'next_working_day':{'calendar':'nl',"
                    "'at':'12:00','when':true},'contents':[]"),
     "$.stages[0].next_working_day", "unknown member 'when'"},
    {"next_working_day naming no calendar",
     DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'next_working_day':{'calendar':'xx',"
                    "'at':'12:00'},'contents':[]"),
     "$.stages[0].next_working_day.calendar", "no calendar 'xx'"},
    {"only_if_ongoing_at_due not a boolean",
     DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'only_if_ongoing_at_due':1,'contents':[]"),
     "$.stages[0]", "only_if_ongoing_at_due must be true or false"},
    {"only_if_ongoing_at_due without a due time",
     DOC_STAGE(NAME ",'recipient':'csirt','on_request':true,'only_if_ongoing_at_due':true,"
                    "'contents':[]"),
     "$.stages[0]", "need a due time"},
    {"if_ongoing_at_due empty",
     DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'if_ongoing_at_due':[],'contents':[]"),
     "$.stages[0].if_ongoing_at_due", "1 to 4"},
    {"if_ongoing_at_due naming no stage",
     DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'if_ongoing_at_due':[{'after':'stage:x',"
                    "'within':'P1M'}],'contents':[]"),
     "$.stages[0].if_ongoing_at_due[0]", "anchor 'stage:x' names no stage"},
    {"unknown anchor",
     DOC_STAGE(NAME ",'recipient':'csirt','due':[{'after':'noticed_at','within':'PT24H'}],"
                    "'contents':[]"),
     "$.stages[0].due[0]", "unknown anchor 'noticed_at'"},
    {"due item with extra member",
     DOC_STAGE(NAME ",'recipient':'csirt','due':[{'after':'aware_at','within':'PT24H','x':1}],"
                    "'contents':[]"),
     "$.stages[0].due[0]", "after"},
    {"stage:ID naming no stage",
     DOC("true",
         STAGE_OK ",{'id':'s2'," NAME ",'recipient':'csirt','due':[{'after':'aware_at','within':"
                  "'PT1H'},{'after':'stage:nope','within':'P1M'}],'contents':[]}"),
     "$.stages[1].due[1]", "anchor 'stage:nope' names no stage"},
    {"bad ISO duration",
     DOC_STAGE(NAME ",'recipient':'csirt','due':[{'after':'aware_at','within':'24 hours'}],"
                    "'contents':[]"),
     "$.stages[0].due[0]", "within '24 hours' is not an ISO 8601 duration"},
    {"H without T",
     DOC_STAGE(NAME ",'recipient':'csirt','due':[{'after':'aware_at','within':'P24H'}],"
                    "'contents':[]"),
     "$.stages[0].due[0]", "within 'P24H'"},
    {"unknown recipient", DOC_STAGE(NAME ",'recipient':'police'," DUE24 ",'contents':[]"),
     "$.stages[0]", "unknown recipient role: not 'police'"},
    {"recipient not text", DOC_STAGE(NAME ",'recipient':5," DUE24 ",'contents':[]"), "$.stages[0]",
     "or a list of 1 to 4 of them"},
    /* every recipient (the Cbw: the CSIRT and the competent authority) */
    {"empty recipient list", DOC_STAGE(NAME ",'recipient':[]," DUE24 ",'contents':[]"),
     "$.stages[0]", "or a list of 1 to 4 of them"},
    {"unknown recipient in a list",
     DOC_STAGE(NAME ",'recipient':['csirt','police']," DUE24 ",'contents':[]"), "$.stages[0]",
     "unknown recipient role: not 'police'"},
    {"recipient named twice",
     DOC_STAGE(NAME ",'recipient':['csirt','supervisor','csirt']," DUE24 ",'contents':[]"),
     "$.stages[0]", "recipient 'csirt' is named twice"},
    {"recipient list with a number",
     DOC_STAGE(NAME ",'recipient':['csirt',2]," DUE24 ",'contents':[]"), "$.stages[0]",
     "or a list of 1 to 4 of them"},
    {"five recipients",
     DOC_STAGE(NAME ",'recipient':['csirt','supervisor','dpa','cer_authority','clients']," DUE24
                    ",'contents':[]"),
     "$.stages[0]", "or a list of 1 to 4 of them"},
    /* NIS2 art. 23(1): owed at once, "without undue delay", no numeric
     * deadline; art. 30: voluntary, nothing owed */
    {"without_deadline with a due time",
     DOC_STAGE(NAME ",'recipient':'clients'," DUE24 ",'asap':true,'without_deadline':true,"
                    "'contents':[]"),
     "$.stages[0]", "a stage without_deadline has no due time"},
    {"without_deadline without asap",
     DOC_STAGE(NAME ",'recipient':'clients','without_deadline':true,'contents':[]"), "$.stages[0]",
     "without_deadline needs asap: true"},
    {"without_deadline not a boolean",
     DOC_STAGE(NAME ",'recipient':'clients','asap':true,'without_deadline':1,'contents':[]"),
     "$.stages[0]", "without_deadline and voluntary must be true or false"},
    {"voluntary and on_request",
     DOC_STAGE(NAME ",'recipient':'csirt','on_request':true,'voluntary':true,'contents':[]"),
     "$.stages[0]", "exclude each other"},
    {"voluntary with a due time",
     DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'voluntary':true,'contents':[]"), "$.stages[0]",
     "a stage that is voluntary has no due time"},
    {"template not in both languages",
     DOC_STAGE(NAME ",'recipient':'clients','asap':true,'without_deadline':true,'contents':[{'id':"
                    "'message','label':{'en':'M','nl':'B'},'template':{'en':'Dear'}}]"),
     "$.stages[0].contents[0].template", "nl"},
    /* recurring incidents: how many, within what, how facts combine, the test */
    {"recurring at_least 1",
     DOC_REC("{" REC_HEAD ",'at_least':1,'within':'P6M','combine':{},'test':'significant'}"),
     "$.recurring.at_least", "from 2 to 100"},
    {"recurring within not a duration",
     DOC_REC("{" REC_HEAD ",'at_least':2,'within':'half a year','combine':{},'test':true}"),
     "$.recurring.within", "ISO 8601"},
    {"recurring summing an unknown fact",
     DOC_REC("{" REC_HEAD ",'at_least':2,'within':'P6M','combine':{'sum':['losses']},"
             "'test':true}"),
     "$.recurring.combine.sum", "unknown fact 'losses'"},
    {"recurring combining another way",
     DOC_REC("{" REC_HEAD ",'at_least':2,'within':'P6M','combine':{'avg':['deaths']},"
             "'test':true}"),
     "$.recurring.combine", "unknown member 'avg'"},
    {"recurring without a test", DOC_REC("{" REC_HEAD ",'at_least':2,'within':'P6M','combine':{}}"),
     "$.recurring.test", "is required"},
    {"recurring without an id",
     DOC_REC("{'text':{'en':'R','nl':'R'},'at_least':2,'within':'P6M','combine':{},'test':true}"),
     "$.recurring.id", "is required"},
    {"recurring with an unknown member",
     DOC_REC("{" REC_HEAD ",'at_least':2,'within':'P6M','combine':{},'test':true,'monthly':1}"),
     "$.recurring", "unknown member 'monthly'"},
    {"duplicate stage id", DOC("true", STAGE_OK "," STAGE2_OK "," STAGE_OK), "$.stages[2]",
     "stage id 's1' is used twice"},
    {"unknown stage member",
     DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'contents':[],'deadline':'PT1H'"),
     "$.stages[0]", "unknown member 'deadline'"},
    {"asap not boolean", DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'asap':1,'contents':[]"),
     "$.stages[0]", "asap"},
    {"stage without contents", DOC_STAGE(NAME ",'recipient':'csirt'," DUE24), "$.stages[0]",
     "contents"},
    {"contents item without label",
     DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'contents':[{'id':'x'}]"),
     "$.stages[0].contents[0].label", "nl"},
    {"bad when",
     DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'contents':[],"
                    "'when':{'op':'==','left':{'fact':'nope'},'right':1}"),
     "$.stages[0].when.left.fact", "unknown fact 'nope'"},
    /* A stray "of" must not let a broken comparison (or `not`) through:
     * an `of` without `at_least` is no shape of the language. */
    {"of beside op", DOC("{'op':'=~','left':{'fact':'nope'},'right':1,'of':[true]}", ""),
     "$.significant", NULL},
    {"of beside not", DOC("{'not':{'op':'=~','left':1,'right':1},'of':[true]}", ""),
     "$.significant", NULL},
};

START_TEST(test_load_rejects)
{
    const struct bad_case *c = &bad_cases[_i];
    struct rules *r = (struct rules *)1;
    struct mp_error err = {0};
    char path[PATH_MAX], want[160];
    const char *m = err.message, *after;

    write_rule("broken.json", c->text, path);
    ck_assert_msg(rules_load(tmpdir, &r, &err) == -1, "%s: loaded", c->name);
    ck_assert_msg(r == NULL, "%s: out not NULL", c->name);
    /* "FILE: $.path: reason" */
    ck_assert_msg(strncmp(m, path, strlen(path)) == 0 && strncmp(m + strlen(path), ": ", 2) == 0,
                  "%s: message does not start with the file name: %s", c->name, m);
    after = m + strlen(path) + 2;
    if (c->path != NULL) {
        snprintf(want, sizeof(want), "%s: ", c->path);
        ck_assert_msg(strncmp(after, want, strlen(want)) == 0, "%s: want path %s in: %s", c->name,
                      c->path, m);
        after += strlen(want);
    }
    ck_assert_msg(strlen(after) > 2, "%s: no reason: %s", c->name, m);
    if (c->reason != NULL)
        ck_assert_msg(strstr(after, c->reason) != NULL, "%s: want reason '%s' in: %s", c->name,
                      c->reason, m);
}
END_TEST

/* The good file sorts first, so the message must name the broken one. */
START_TEST(test_load_names_the_broken_file)
{
    struct rules *r = NULL;
    struct mp_error err = {0};
    char good[PATH_MAX], bad[PATH_MAX];

    write_rule("a.json", DOC("true", STAGE_OK), good);
    write_rule("b.json",
               "{'regime':'b','version':'1','title':{'en':'T','nl':'T'},'source':'s',"
               "'applies':true,'significant':" CMP("{'fact':'nope'}") ",'stages':[]}",
               bad);
    ck_assert_int_eq(rules_load(tmpdir, &r, &err), -1);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.message, bad) != NULL && strstr(err.message, good) == NULL, "%s",
                  err.message);
    ck_assert_msg(strstr(err.message, "$.significant.left.fact: ") != NULL, "%s", err.message);
}
END_TEST

START_TEST(test_load_duplicate_regime)
{
    struct rules *r = NULL;
    struct mp_error err = {0};
    char first[PATH_MAX], second[PATH_MAX];

    write_rule("one.json", DOC("true", STAGE_OK), first);
    write_rule("two.json", DOC("false", ""), second);
    ck_assert_int_eq(rules_load(tmpdir, &r, &err), -1);
    ck_assert_ptr_null(r);
    /* the later file is at fault, and the message names the other one */
    ck_assert_msg(strncmp(err.message, second, strlen(second)) == 0, "%s", err.message);
    ck_assert_msg(strstr(err.message, ": $.regime: ") != NULL, "%s", err.message);
    ck_assert_msg(strstr(err.message, "'test'") != NULL, "%s", err.message);
    ck_assert_msg(strstr(err.message, first) != NULL, "%s", err.message);
}
END_TEST

START_TEST(test_load_empty_dir)
{
    struct rules *r = (struct rules *)1;
    struct mp_error err = {0};
    char other[PATH_MAX];

    ck_assert_int_eq(rules_load(tmpdir, &r, &err), -1);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.message, tmpdir) != NULL, "%s", err.message);
    ck_assert_msg(strstr(err.message, "no rule files") != NULL, "%s", err.message);

    /* files that are not *.json (or are hidden) do not count */
    write_rule("README.md", "rules", other);
    write_rule(".hidden.json", DOC("true", ""), other);
    write_rule("nis2.json~", DOC("true", ""), other);
    write_rule(".json", DOC("true", ""), other);
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(rules_load(tmpdir, &r, &err), -1);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.message, "no rule files") != NULL, "%s", err.message);
}
END_TEST

START_TEST(test_load_missing_dir)
{
    struct rules *r = (struct rules *)1;
    struct mp_error err = {0};
    char dir[PATH_MAX];

    tu_path(dir, tmpdir, "nowhere");
    ck_assert_int_eq(rules_load(dir, &r, &err), -1);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.message, dir) != NULL, "%s", err.message);
}
END_TEST

#define VALID_FULL                                                                                 \
    "{'regime':'nis2-test','version':'2026-11-29.1',"                                              \
    "'title':{'en':'NIS2 test','nl':'NIS2-test'},'source':'Directive (EU) 2022/2555 art. 23',"     \
    "'notes':{'en':'UNCONFIRMED','nl':'ONBEVESTIGD'},"                                             \
    "'applies':{'op':'in','left':{'profile':'nis2_class'},'right':['essential','important']},"     \
    "'significant':{'any':["                                                                       \
    " {'id':'c-1','text':{'en':'a','nl':'b'},'source':'art. 3','op':'>=',"                         \
    "  'left':{'fact':'users_affected'},'right':{'min':[{'mul':[0.05,{'fact':'users_total'}]},"    \
    "  1000000]}},"                                                                                \
    " {'at_least':2,'of':[{'op':'has','left':{'fact':'member_states'},'right':'NL'},"              \
    "  {'op':'==','left':{'fact':'scheduled_maintenance','default':false},'right':false},"         \
    "  {'not':{'op':'<','left':{'div':[{'fact':'users_affected'},{'fact':'users_total'}]},"        \
    "   'right':0.5}}]},"                                                                          \
    " {'all':[{'op':'has','left':{'profile':'entity_types'},'right':'dns'},true]}]},"              \
    "'stages':["                                                                                   \
    " {'id':'early_warning','name':{'en':'Early warning','nl':'Vroegtijdige waarschuwing'},"       \
    "  'recipient':'csirt','due':[{'after':'aware_at','within':'PT24H'}],'asap':true,"             \
    "  'contents':[{'id':'suspected_malicious','label':{'en':'x','nl':'y'},'required':true}],"     \
    "  'source':'art. 23(4)(a)'},"                                                                 \
    " {'id':'notification','name':{'en':'N','nl':'M'},'recipient':['csirt','supervisor'],"         \
    "  'due':[{'after':'aware_at','within':'PT72H'},{'after':'detected_at','within':'P3D'}],"      \
    "  'when':{'op':'!=','left':{'profile':'subsector'},'right':'trust'},'contents':[]},"          \
    " {'id':'final','name':{'en':'F','nl':'E'},'recipient':'csirt',"                               \
    "  'due':[{'after':'stage:notification','within':'P1M'}],'contents':[]},"                      \
    " {'id':'progress','name':{'en':'P','nl':'V'},'recipient':'supervisor','on_request':true,"     \
    "  'contents':[]}]}"

START_TEST(test_load_valid_and_summary)
{
    struct rules *r = NULL;
    struct mp_error err = {0};
    char p1[PATH_MAX], p2[PATH_MAX];
    const struct ruleset *rs;
    json_t *sum, *sets, *x, *want;

    write_rule("b-nis2.json", VALID_FULL, p1);
    write_rule("a-other.json",
               "{'regime':'other','version':'v2','title':{'en':'O','nl':'A'},'source':'s',"
               "'applies':true,'significant':false,'stages':[]}",
               p2);
    ck_assert_msg(rules_load(tmpdir, &r, &err) == 0, "%s", err.message);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->nsets, 2);

    rs = rules_find(r, "nis2-test");
    ck_assert_ptr_nonnull(rs);
    ck_assert_str_eq(rs->version, "2026-11-29.1");
    ck_assert_str_eq(rs->file, p1);
    ck_assert_int_eq(rs->nstages, 4);
    ck_assert_str_eq(rs->stages[0].id, "early_warning");
    ck_assert_str_eq(rs->stages[0].recipient, "csirt");
    ck_assert(rs->stages[0].asap);
    ck_assert(!rs->stages[0].on_request);
    ck_assert_int_eq(rs->stages[0].ndue, 1);
    ck_assert_str_eq(rs->stages[0].due[0].anchor, "aware_at");
    ck_assert_str_eq(rs->stages[0].due[0].within_text, "PT24H");
    ck_assert_int_eq(rs->stages[0].due[0].within.seconds, 86400);
    ck_assert_int_eq(rs->stages[1].ndue, 2);
    ck_assert_ptr_nonnull(rs->stages[1].when);
    ck_assert_str_eq(rs->stages[1].due[1].anchor, "detected_at");
    ck_assert_int_eq(rs->stages[1].due[1].within.days, 3);
    ck_assert_str_eq(rs->stages[2].due[0].anchor, "stage:notification");
    ck_assert_int_eq(rs->stages[2].due[0].within.months, 1);
    ck_assert(rs->stages[3].on_request);
    ck_assert_int_eq(rs->stages[3].ndue, 0);
    ck_assert_ptr_nonnull(rules_find(r, "other"));
    ck_assert_ptr_null(rules_find(r, "gdpr"));
    ck_assert_ptr_null(rules_find(r, "nis2"));

    sum = rules_summary(r);
    ck_assert_ptr_nonnull(sum);
    ck_assert_str_eq(json_string_value(json_object_get(sum, "dir")), tmpdir);
    sets = json_object_get(sum, "rule_sets");
    ck_assert_uint_eq(json_array_size(sets), 2);
    /* sorted by file name: a-other.json, then b-nis2.json */
    x = json_array_get(sets, 0);
    ck_assert_str_eq(json_string_value(json_object_get(x, "regime")), "other");
    ck_assert_str_eq(json_string_value(json_object_get(x, "file")), p2);
    ck_assert_uint_eq(json_array_size(json_object_get(x, "stages")), 0);
    x = json_array_get(sets, 1);
    ck_assert_str_eq(json_string_value(json_object_get(x, "regime")), "nis2-test");
    ck_assert_str_eq(json_string_value(json_object_get(x, "version")), "2026-11-29.1");
    ck_assert_str_eq(json_string_value(json_object_get(x, "source")),
                     "Directive (EU) 2022/2555 art. 23");
    ck_assert_str_eq(json_string_value(json_object_get(x, "file")), p1);
    want = J("{'en':'NIS2 test','nl':'NIS2-test'}");
    ck_assert(json_equal(json_object_get(x, "title"), want));
    json_decref(want);
    want = J("['early_warning','notification','final','progress']");
    ck_assert_msg(json_equal(json_object_get(x, "stages"), want), "stages %s",
                  json_dumps(json_object_get(x, "stages"), JSON_COMPACT));
    json_decref(want);
    json_decref(sum);
    rules_release(r);
}
END_TEST

/* Variants the language allows. */
static const char *const good_texts[] = {
    DOC("true", ""),
    DOC("false", STAGE_OK),
    DOC("{'not':false}", STAGE_OK "," STAGE2_OK),
    /* on_request without due, or with due */
    DOC_STAGE(NAME ",'recipient':'dpa','on_request':true,'contents':[]"),
    DOC_STAGE(NAME ",'recipient':'dpa','on_request':true,'due':[],'contents':[]"),
    DOC_STAGE(NAME ",'recipient':'clients','on_request':false," DUE24 ",'contents':[]"),
    /* every anchor and recipient */
    DOC_STAGE(NAME ",'recipient':'financial_supervisor','due':["
                   "{'after':'aware_at','within':'PT4H'},{'after':'detected_at','within':'PT24H'},"
                   "{'after':'started_at','within':'P1D'},{'after':'classified_at','within':'P1M'}"
                   "],'contents':[]"),
    DOC_STAGE(NAME ",'recipient':'data_subjects','due':["
                   "{'after':'classified_major_at','within':'PT4H'},"
                   "{'after':'handled_at','within':'P1M'}],'contents':[]"),
    DOC("true", "{'id':'initial'," NAME ",'recipient':'cer_authority'," DUE24 ",'contents':[]},"
                "{'id':'final'," NAME ",'recipient':'supervisor','due':[{'after':'stage:initial',"
                "'within':'P1M'}],'contents':[]}"),
    /* the later of; a stage only while ongoing; a due time that moves */
    DOC_STAGE(NAME ",'recipient':'csirt','due':[{'later_of':[{'after':'aware_at','within':"
                   "'PT1H'},{'after':'handled_at','within':'P1M'}]},{'after':'aware_at',"
                   "'within':'P1D'}],'only_if_ongoing_at_due':true,'if_ongoing_at_due':["
                   "{'after':'handled_at','within':'P1M'}],'contents':[]"),
    /* a due time that moves to the next working day, unless */
    DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'next_working_day':{'calendar':'nl',"
                   "'at':'12:00','unless':{'op':'==','left':{'profile':'sector'},"
                   "'right':'banking'}},'contents':[]"),
    /* a limit that does not bind once passed; the latest report of a stage */
    DOC("true", "{'id':'a'," NAME ",'recipient':'csirt','due':[{'after':'classified_major_at',"
                "'within':'PT4H'},{'after':'aware_at','within':'PT24H','unless_passed_at':"
                "'classified_major_at'}],'contents':[]},{'id':'b'," NAME ",'recipient':'csirt',"
                "'due':[{'after':'stage_last:a','within':'P1M','unless_passed_at':'stage:a'}],"
                "'contents':[]}"),
    /* the latest report of any of several stages (DORA's final report) */
    DOC("true",
        "{'id':'a'," NAME ",'recipient':'csirt'," DUE24 ",'contents':[]},{'id':'b'," NAME
        ",'recipient':'csirt','asap':true,'without_deadline':true,'contents':[]},{'id':"
        "'c'," NAME ",'recipient':'csirt','due':[{'after':'stage_last:a,b','within':'P1M'}],"
        "'contents':[]}"),
    /* owed at once without a numeric deadline, with a template; voluntary */
    DOC("true", "{'id':'a'," NAME ",'recipient':'clients','asap':true,'without_deadline':true,"
                "'contents':[{'id':'m','label':{'en':'M','nl':'B'},'template':{'en':'Dear "
                "{organisation}','nl':'Beste'}}]},{'id':'b'," NAME ",'recipient':'csirt',"
                "'voluntary':true,'contents':[]}"),
    /* recurring incidents, with its own test or the file's */
    DOC_REC("{" REC_HEAD ",'source':'art. 4','at_least':2,'within':'P6M','combine':{'sum':["
            "'financial_loss_eur'],'max':['users_total'],'any':['cross_border']},'when':{'op':'!=',"
            "'left':{'profile':'microenterprise'},'right':true},'test':{'op':'>','left':{'fact':"
            "'financial_loss_eur'},'right':500000}}"),
    DOC_REC("{" REC_HEAD ",'at_least':3,'within':'P1M','combine':{},'test':'significant'}"),
    /* a stage may name a later stage */
    DOC("true", "{'id':'a'," NAME ",'recipient':'csirt','due':[{'after':'stage:b','within':'P1D'}],"
                "'contents':[]},{'id':'b'," NAME ",'recipient':'csirt'," DUE24 ",'contents':[]}"),
    /* values */
    DOC("{'op':'in','left':{'fact':'category'},'right':['malware','dos',1,true]}", ""),
    DOC("{'op':'has','left':{'fact':'services'},'right':'mail'}", ""),
    DOC("{'op':'==','left':{'fact':'scheduled_maintenance','default':false},'right':false}", ""),
    DOC("{'op':'==','left':{'fact':'member_states','default':['NL']},'right':['NL']}", ""),
    DOC("{'op':'>','left':{'max':[1,{'fact':'deaths'},{'div':[{'fact':'users_affected'},"
        "{'fact':'users_total'}]}]},'right':{'profile':'annual_turnover_eur'}}",
        ""),
    DOC("{'at_least':3,'of':[true,false]}", ""), /* can never hold, but is well-formed */
    DOC("{'id':'c','text':{'en':'e','nl':'n'},'source':'art. 1','all':[{'id':'d','any':[true]}]}",
        ""),
};

START_TEST(test_load_accepts)
{
    struct rules *r = NULL;
    struct mp_error err = {0};
    char path[PATH_MAX];

    write_rule("good.json", good_texts[_i], path);
    ck_assert_msg(rules_load(tmpdir, &r, &err) == 0, "case %d: %s", _i, err.message);
    ck_assert_ptr_nonnull(rules_find(r, "test"));
    rules_release(r);
}
END_TEST

/* ---- calendars (config/calendars/, next to the rules directory) ---- */

#define CAL_HEAD "'calendar':'xx','title':{'en':'X','nl':'X'},'source':'law'"

static const struct {
    const char *name, *text, *want;
} calendar_cases[] = {
    {"valid",
     "{" CAL_HEAD ",'utc_offset':'+01:00','summer_time':'eu','years':[2031,2031],"
     "'holidays':[{'date':'2031-04-14','name':{'en':'E','nl':'E'}}]}",
     NULL},
    {"unknown member",
     "{" CAL_HEAD ",'utc_offset':'+01:00','years':[2031,2031],'holidays':[],'x':1}",
     "$: unknown member 'x'"},
    {"bad offset", "{" CAL_HEAD ",'utc_offset':'CET','years':[2031,2031],'holidays':[]}",
     "$.utc_offset: must be +HH:MM"},
    {"bad summer time",
     "{" CAL_HEAD ",'utc_offset':'+01:00','summer_time':'us','years':[2031,2031],'holidays':[]}",
     "$.summer_time: must be"},
    {"years reversed", "{" CAL_HEAD ",'utc_offset':'+01:00','years':[2032,2031],'holidays':[]}",
     "$.years: must be [first, last]"},
    {"not a date",
     "{" CAL_HEAD ",'utc_offset':'+01:00','years':[2031,2031],"
     "'holidays':[{'date':'2031-02-30','name':{'en':'E','nl':'E'}}]}",
     "$.holidays[0]: date must be YYYY-MM-DD"},
    {"date outside the years",
     "{" CAL_HEAD ",'utc_offset':'+01:00','years':[2031,2031],"
     "'holidays':[{'date':'2030-12-25','name':{'en':'E','nl':'E'}}]}",
     "$.holidays[0]: date 2030-12-25 lies outside the years"},
    {"holiday without a name",
     "{" CAL_HEAD ",'utc_offset':'+01:00','years':[2031,2031],"
     "'holidays':[{'date':'2031-12-25'}]}",
     "$.holidays[0].name"},
};

START_TEST(test_calendars_load)
{
    char rules_dir[PATH_MAX], cal_dir[PATH_MAX], path[PATH_MAX];
    struct rules *r = NULL;
    struct mp_error err = {0};
    const struct ruleset *rs;
    bool gap;

    tu_path(rules_dir, tmpdir, "rules");
    tu_path(cal_dir, tmpdir, "calendars");
    ck_assert_int_eq(mkdir(rules_dir, 0700), 0);
    ck_assert_int_eq(mkdir(cal_dir, 0700), 0);
    write_rule_in(rules_dir, "r.json",
                  DOC_STAGE(NAME ",'recipient':'csirt'," DUE24 ",'next_working_day':{'calendar':"
                                 "'xx','at':'12:00'},'contents':[]"),
                  path);
    write_rule_in(cal_dir, "xx.json", calendar_cases[_i].text, path);
    if (calendar_cases[_i].want != NULL) {
        ck_assert_int_eq(rules_load(rules_dir, &r, &err), -1);
        ck_assert_msg(strstr(err.message, path) != NULL, "%s: %s", calendar_cases[_i].name,
                      err.message);
        ck_assert_msg(strstr(err.message, calendar_cases[_i].want) != NULL, "%s: %s",
                      calendar_cases[_i].name, err.message);
        return;
    }
    ck_assert_msg(rules_load(rules_dir, &r, &err) == 0, "%s", err.message);
    rs = rules_find(r, "test");
    ck_assert_ptr_nonnull(rs->stages[0].wd_cal);
    ck_assert_str_eq(rs->stages[0].wd_cal->id, "xx");
    /* Easter Monday 2031 (a holiday here) 08:00 UTC -> Tuesday 12:00 CEST */
    ck_assert_int_eq(calendar_next_working(rs->stages[0].wd_cal, 1933920000, 720, &gap),
                     1934013600);
    ck_assert(!gap);
    /* a Wednesday: stays */
    ck_assert_int_eq(calendar_next_working(rs->stages[0].wd_cal, 1934092800, 720, &gap),
                     1934092800);
    /* 2032: beyond the years, stays, and says so */
    ck_assert_int_eq(calendar_next_working(rs->stages[0].wd_cal, 1988000000, 720, &gap),
                     1988000000);
    ck_assert(gap);
    rules_release(r);
}
END_TEST

START_TEST(test_builtin)
{
    struct rules *r = NULL;
    struct mp_error err = {0};
    json_t *sum, *sets, *x;
    size_t i;

    ck_assert_msg(rules_load_builtin(&r, &err) == 0, "%s", err.message);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_ge(r->nsets, 0);
    sum = rules_summary(r);
    sets = json_object_get(sum, "rule_sets");
    ck_assert_uint_eq(json_array_size(sets), (size_t)r->nsets);
    json_array_foreach(sets, i, x)
    {
        const char *regime = json_string_value(json_object_get(x, "regime"));
        const struct ruleset *rs = rules_find(r, regime);
        json_t *res;

        ck_assert_ptr_nonnull(rs);
        ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(x, "file")), "(built in)/"));
        /* every built-in set evaluates with nothing known */
        res = rules_evaluate(rs, NULL, NULL);
        ck_assert_ptr_nonnull(res);
        ck_assert_str_eq(json_string_value(json_object_get(res, "regime")), regime);
        json_decref(res);
    }
    json_decref(sum);
    rules_release(r);
}
END_TEST

START_TEST(test_install_acquire)
{
    struct rules *r = NULL, *a, *b;
    struct mp_error err = {0};
    char path[PATH_MAX];

    write_rule("x.json", DOC("true", ""), path);
    ck_assert_int_eq(rules_load(tmpdir, &r, &err), 0);
    rules_install(r);
    a = rules_acquire();
    ck_assert_ptr_eq(a, r);
    rules_install(NULL); /* a still holds it */
    ck_assert_ptr_null(rules_acquire());
    ck_assert_ptr_nonnull(rules_find(a, "test"));
    b = a;
    rules_release(b);
}
END_TEST

/* ---- three-valued expressions ---- */

static const char *const U = "{'op':'>','left':{'fact':'users_affected'},'right':0}"; /* unknown */

struct expr_case {
    const char *expr;
    const char *facts;
    const char *profile;
    enum tri want;
};

#define Y   TRI_YES
#define NO  TRI_NO
#define UNK TRI_UNKNOWN

static const struct expr_case expr_cases[] = {
    /* numbers, including integers against reals */
    {"{'op':'==','left':10,'right':10.0}", NULL, NULL, Y},
    {"{'op':'!=','left':10,'right':10.0}", NULL, NULL, NO},
    {"{'op':'>','left':{'fact':'users_affected'},'right':1000}", "{'users_affected':1000.5}", NULL,
     Y},
    {"{'op':'<','left':{'fact':'avg_response_seconds'},'right':0.5}",
     "{'avg_response_seconds':0.25}", NULL, Y},
    /* strings */
    {"{'op':'==','left':{'fact':'category'},'right':'malware'}", "{'category':'malware'}", NULL, Y},
    {"{'op':'==','left':{'fact':'category'},'right':'malware'}", "{'category':'dos'}", NULL, NO},
    {"{'op':'!=','left':{'fact':'category'},'right':'malware'}", "{'category':'dos'}", NULL, Y},
    {"{'op':'!=','left':{'fact':'category'},'right':'malware'}", "{'category':'malware'}", NULL,
     NO},
    {"{'op':'==','left':'Malware','right':'malware'}", NULL, NULL, NO},
    /* ordering on strings (or a string and a number) is never true */
    {"{'op':'>','left':'b','right':'a'}", NULL, NULL, NO},
    {"{'op':'<','left':'a','right':'b'}", NULL, NULL, NO},
    {"{'op':'>=','left':'a','right':'a'}", NULL, NULL, NO},
    {"{'op':'<=','left':'a','right':'a'}", NULL, NULL, NO},
    {"{'op':'>','left':{'fact':'geographic_area'},'right':1}", "{'geographic_area':'5'}", NULL, NO},
    {"{'op':'==','left':'1','right':1}", NULL, NULL, NO},
    /* booleans */
    {"{'op':'==','left':{'fact':'suspected_malicious'},'right':true}",
     "{'suspected_malicious':true}", NULL, Y},
    {"{'op':'==','left':{'fact':'suspected_malicious'},'right':true}",
     "{'suspected_malicious':false}", NULL, NO},
    {"{'op':'!=','left':{'fact':'suspected_malicious'},'right':true}",
     "{'suspected_malicious':false}", NULL, Y},
    {"{'op':'!=','left':true,'right':true}", NULL, NULL, NO},
    {"{'op':'==','left':false,'right':0}", NULL, NULL, NO},
    /* in */
    {"{'op':'in','left':{'fact':'category'},'right':['malware','dos']}", "{'category':'dos'}", NULL,
     Y},
    {"{'op':'in','left':{'fact':'category'},'right':['malware','dos']}", "{'category':'phishing'}",
     NULL, NO},
    {"{'op':'in','left':3,'right':[1,2,3.0]}", NULL, NULL, Y},
    {"{'op':'in','left':4,'right':[1,2,3]}", NULL, NULL, NO},
    {"{'op':'in','left':{'fact':'category'},'right':['malware']}", "{}", NULL, UNK},
    /* has (the left list contains right) */
    {"{'op':'has','left':{'fact':'services'},'right':'mail'}", "{'services':['web','mail']}", NULL,
     Y},
    {"{'op':'has','left':{'fact':'services'},'right':'dns'}", "{'services':['web','mail']}", NULL,
     NO},
    {"{'op':'has','left':{'fact':'services'},'right':'dns'}", "{'services':[]}", NULL, NO},
    {"{'op':'has','left':{'fact':'member_states'},'right':'NL'}", "{'member_states':['BE','NL']}",
     NULL, Y},
    {"{'op':'has','left':{'fact':'geographic_area'},'right':'NL'}", "{'geographic_area':'NL'}",
     NULL, NO}, /* left is no list */
    {"{'op':'has','left':[1,2],'right':2}", NULL, NULL, Y},
    {"{'op':'has','left':{'fact':'services'},'right':'mail'}", "{}", NULL, UNK},
    /* "has" compares numbers as numbers, like ==, in and every other
     * comparison: [1, 2] contains 2.0 (the result of any arithmetic) */
    {"{'op':'has','left':[1,2],'right':2.0}", NULL, NULL, Y},
    {"{'op':'has','left':[1,2],'right':{'mul':[1,2]}}", NULL, NULL, Y},
    /* absent, null, default */
    {"{'op':'>','left':{'fact':'users_affected'},'right':0}", "{}", NULL, UNK},
    {"{'op':'>','left':{'fact':'users_affected'},'right':0}", NULL, NULL, UNK},
    {"{'op':'>','left':{'fact':'users_affected'},'right':0}", "{'users_affected':null}", NULL, UNK},
    {"{'op':'<','left':0,'right':{'fact':'users_affected'}}", "{}", NULL, UNK},
    {"{'op':'!=','left':{'fact':'category'},'right':'x'}", "{}", NULL, UNK},
    {"{'op':'==','left':{'fact':'scheduled_maintenance','default':false},'right':false}", "{}",
     NULL, Y},
    {"{'op':'==','left':{'fact':'scheduled_maintenance','default':false},'right':false}",
     "{'scheduled_maintenance':null}", NULL, Y},
    {"{'op':'==','left':{'fact':'scheduled_maintenance','default':false},'right':false}",
     "{'scheduled_maintenance':true}", NULL, NO},
    {"{'op':'>','left':{'fact':'users_affected','default':0},'right':5}", "{}", NULL, NO},
    {"{'op':'>','left':{'fact':'users_affected','default':10},'right':5}", "{}", NULL, Y},
    {"{'op':'>','left':{'fact':'users_affected','default':10},'right':5}", "{'users_affected':1}",
     NULL, NO},
    {"{'op':'has','left':{'fact':'member_states','default':['NL']},'right':'NL'}", "{}", NULL, Y},
    /* profile values */
    {"{'op':'==','left':{'profile':'sector'},'right':'energy'}", NULL, "{'sector':'energy'}", Y},
    {"{'op':'==','left':{'profile':'sector'},'right':'energy'}", NULL, "{'sector':'health'}", NO},
    {"{'op':'==','left':{'profile':'sector'},'right':'energy'}", NULL, "{}", UNK},
    {"{'op':'==','left':{'profile':'sector'},'right':'energy'}", NULL, NULL, UNK},
    {"{'op':'==','left':{'profile':'sector'},'right':'energy'}", NULL, "{'sector':null}", UNK},
    {"{'op':'==','left':{'profile':'sector'},'right':'energy'}", "{'sector':'energy'}", "{}",
     UNK}, /* facts are not the profile */
    {"{'op':'in','left':{'profile':'nis2_class'},'right':['essential','important']}", NULL,
     "{'nis2_class':'important'}", Y},
    {"{'op':'has','left':{'profile':'entity_types'},'right':'dns'}", NULL,
     "{'entity_types':['tld','dns']}", Y},
    {"{'op':'==','left':{'profile':'cer_critical'},'right':true}", NULL, "{'cer_critical':false}",
     NO},
    {"{'op':'>=','left':{'profile':'annual_turnover_eur'},'right':50000000}", NULL,
     "{'annual_turnover_eur':50000000}", Y},
    /* arithmetic */
    {"{'op':'>','left':{'div':[{'fact':'users_affected'},{'fact':'users_total'}]},'right':0.05}",
     "{'users_affected':100,'users_total':1000}", NULL, Y},
    {"{'op':'>','left':{'div':[{'fact':'users_affected'},{'fact':'users_total'}]},'right':0.05}",
     "{'users_affected':50,'users_total':1000}", NULL, NO},
    {"{'op':'>','left':{'div':[{'fact':'users_affected'},{'fact':'users_total'}]},'right':0.05}",
     "{'users_affected':100,'users_total':0}", NULL, UNK},
    {"{'op':'<','left':{'div':[{'fact':'users_affected'},{'fact':'users_total'}]},'right':0.05}",
     "{'users_affected':0,'users_total':0}", NULL, UNK},
    {"{'op':'>','left':{'div':[{'fact':'users_affected'},{'fact':'users_total'}]},'right':0.05}",
     "{'users_total':1000}", NULL, UNK},
    {"{'op':'>','left':{'div':[{'fact':'users_affected'},{'fact':'users_total'}]},'right':0.05}",
     "{'users_affected':100}", NULL, UNK},
    {"{'op':'==','left':{'div':[1,4]},'right':0.25}", NULL, NULL, Y},
    {"{'op':'==','left':{'div':[7,2]},'right':3.5}", NULL, NULL, Y}, /* not integer division */
    {"{'op':'==','left':{'mul':[0.5,{'fact':'users_total'}]},'right':500}", "{'users_total':1000}",
     NULL, Y},
    {"{'op':'==','left':{'mul':[{'fact':'users_total'},0]},'right':0}", "{'users_total':1000}",
     NULL, Y},
    /* an unknown count times 0 is 0, whatever the count */
    {"{'op':'==','left':{'mul':[{'fact':'users_total'},0]},'right':0}", "{}", NULL, Y},
    {"{'op':'==','left':{'mul':[{'fact':'users_total'},2]},'right':0}", "{}", NULL, UNK},
    {"{'op':'==','left':{'min':[5,2,9]},'right':2}", NULL, NULL, Y},
    {"{'op':'==','left':{'max':[5,2,9]},'right':9}", NULL, NULL, Y},
    {"{'op':'==','left':{'min':[-1,0]},'right':-1}", NULL, NULL, Y},
    {"{'op':'==','left':{'max':[-3,-1,-2]},'right':-1}", NULL, NULL, Y},
    /* deaths is a count (0 or more): min(deaths, 0) is 0 however many */
    {"{'op':'<','left':{'min':[{'fact':'deaths'},0]},'right':1}", "{}", NULL, Y},
    {"{'op':'<','left':{'min':[{'fact':'deaths'},5]},'right':1}", "{}", NULL, UNK},
    {"{'op':'>','left':{'div':[{'fact':'category'},2]},'right':1}", "{'category':'dos'}", NULL,
     UNK}, /* not a number */
/* CIR's U5: users_affected >= min(5% of users_total, 1 000 000) */
#define U5                                                                                         \
    "{'op':'>=','left':{'fact':'users_affected'},'right':{'min':[{'mul':[0.05,{'fact':'users_"     \
    "total'}]},1000000]}}"
    {U5, "{'users_total':10000000,'users_affected':500000}", NULL, Y},
    {U5, "{'users_total':10000000,'users_affected':499999}", NULL, NO},
    {U5, "{'users_total':30000000,'users_affected':1000000}", NULL, Y},
    {U5, "{'users_total':30000000,'users_affected':999999}", NULL, NO},
    {U5, "{'users_total':30000000,'users_affected':1400000}", NULL, Y},
    /* at most 1 000 000 whatever users_total is: 1 400 000 is enough */
    {U5, "{'users_affected':1400000}", NULL, Y},
    {U5, "{'users_affected':999999}", NULL, UNK},
    {U5, "{'users_affected':0}", NULL, UNK}, /* 5 % of 0 users is 0 */
    {U5, "{'users_total':30000000}", NULL, UNK},
/* CIR 2024/2690 art. 3(1)(a): loss > min(500 000, 5 % of turnover), whichever
 * is lower.  A known side that decides the comparison does not wait for the
 * unknown one: the lower bound lies in [0, 500 000] whatever the turnover. */
#define LOWER                                                                                      \
    "{'op':'>','left':{'fact':'financial_loss_eur'},'right':{'min':[500000,{'mul':[0.05,"          \
    "{'profile':'annual_turnover_eur'}]}]}}"
    {LOWER, "{'financial_loss_eur':0}", "{}", NO},
    {LOWER, "{'financial_loss_eur':0}", "{'annual_turnover_eur':null}", NO},
    {LOWER, "{'financial_loss_eur':0}", "{'annual_turnover_eur':0}", NO},
    {LOWER, "{'financial_loss_eur':1}", "{'annual_turnover_eur':0}", Y},
    {LOWER, "{'financial_loss_eur':1}", "{}", UNK},
    {LOWER, "{'financial_loss_eur':500000}", "{}", UNK},
    {LOWER, "{'financial_loss_eur':500000.01}", "{}", Y},
    {LOWER, "{'financial_loss_eur':600000}", "{}", Y},
    {LOWER, "{'financial_loss_eur':200000}", "{'annual_turnover_eur':4000000}", NO},
    {LOWER, "{'financial_loss_eur':200001}", "{'annual_turnover_eur':4000000}", Y},
    {LOWER, "{}", "{'annual_turnover_eur':4000000}", UNK},
    {LOWER, "{}", "{}", UNK},
    /* the same written as two comparisons (any): each decided on its own */
    {"{'any':[{'op':'>','left':{'fact':'financial_loss_eur'},'right':500000},{'op':'>','left':"
     "{'fact':'financial_loss_eur'},'right':{'mul':[0.05,{'profile':'annual_turnover_eur'}]}}]}",
     "{'financial_loss_eur':0}", "{}", NO},
    /* bounds of unknown counts and amounts (0 or more) */
    {"{'op':'>','left':{'fact':'users_affected'},'right':-1}", "{}", NULL, Y},
    {"{'op':'>=','left':{'fact':'financial_loss_eur'},'right':0}", "{}", NULL, Y},
    {"{'op':'<','left':{'fact':'financial_loss_eur'},'right':0}", "{}", NULL, NO},
    {"{'op':'==','left':{'fact':'users_affected'},'right':-1}", "{}", NULL, NO},
    {"{'op':'!=','left':{'fact':'users_affected'},'right':-1}", "{}", NULL, Y},
    {"{'op':'==','left':{'fact':'users_affected'},'right':0}", "{}", NULL, UNK},
    {"{'op':'>','left':{'max':[{'fact':'deaths'},5]},'right':4}", "{}", NULL, Y},
    {"{'op':'>','left':{'max':[{'fact':'deaths'},5]},'right':5}", "{}", NULL, UNK},
    {"{'op':'<=','left':{'min':[{'fact':'deaths'},5]},'right':5}", "{}", NULL, Y},
    {"{'op':'>','left':{'profile':'annual_turnover_eur'},'right':-1}", NULL, "{}", Y},
    /* a divisor that may be 0 bounds nothing: the share may not exist */
    {"{'op':'>=','left':{'div':[{'fact':'users_affected'},{'fact':'users_total'}]},'right':0}",
     "{}", NULL, UNK},
    {"{'op':'>=','left':{'div':[{'fact':'users_affected'},{'fact':'users_total'}]},'right':0}",
     "{'users_affected':5}", NULL, UNK},
    /* a divisor bounded away from 0 does */
    {"{'op':'<=','left':{'div':[{'fact':'users_affected'},{'max':[{'fact':'users_total'},10]}]},"
     "'right':1}",
     "{'users_affected':10}", NULL, Y},
    /* values with no numeric domain stay unknown */
    {"{'op':'>','left':{'fact':'suspected_malicious'},'right':-1}", "{}", NULL, UNK},
    {"{'op':'>','left':{'profile':'sector'},'right':-1}", NULL, "{}", UNK},
    {"{'op':'in','left':{'fact':'users_affected'},'right':[-1,-2]}", "{}", NULL, UNK},
    /* constants */
    {"true", NULL, NULL, Y},
    {"false", NULL, NULL, NO},
    {"{'not':true}", NULL, NULL, NO},
    /* nested with ids and texts: those only annotate */
    {"{'id':'x','text':{'en':'a','nl':'b'},'all':[{'id':'y','op':'>','left':2,'right':1},true]}",
     NULL, NULL, Y},
    /* at_least around the threshold */
    {"{'at_least':2,'of':[true,{'op':'>','left':{'fact':'deaths'},'right':0},false]}", "{}", NULL,
     UNK},
    {"{'at_least':2,'of':[true,true,{'op':'>','left':{'fact':'deaths'},'right':0}]}", "{}", NULL,
     Y},
    {"{'at_least':2,'of':[true,false,false]}", NULL, NULL, NO},
    {"{'at_least':3,'of':[true,true]}", NULL, NULL, NO},
};

static const char *
tri_short(enum tri t)
{
    return tri_name(t);
}

START_TEST(test_expr)
{
    const struct expr_case *c = &expr_cases[_i];
    json_t *e = J(c->expr), *f = J(c->facts), *p = J(c->profile);
    enum tri got = rules_eval_expr(e, f, p);

    ck_assert_msg(got == c->want, "%s with facts %s, profile %s: %s, want %s", c->expr,
                  c->facts ? c->facts : "NULL", c->profile ? c->profile : "NULL", tri_short(got),
                  tri_short(c->want));
    json_decref(e);
    json_decref(f);
    json_decref(p);
}
END_TEST

/* Every numeric comparison just below, at and just above the threshold, as
 * integers, reals and facts. */
START_TEST(test_compare_numbers)
{
    static const char *const ops[] = {">", ">=", "<", "<=", "==", "!="};
    /* want[op][below, equal, above] */
    static const enum tri want[][3] = {
        {NO, NO, Y}, {NO, Y, Y}, {Y, NO, NO}, {Y, Y, NO}, {NO, Y, NO}, {Y, NO, Y},
    };
    static const double lefts[][3] = {{999, 1000, 1001}, {999.999, 1000.0, 1000.001}};

    for (int o = 0; o < N(ops); o++) {
        for (int k = 0; k < N(lefts); k++) {
            for (int v = 0; v < 3; v++) {
                json_t *facts, *e;
                enum tri got;

                facts = k == 0 ? json_pack("{s:I}", "users_affected", (json_int_t)lefts[k][v])
                               : json_pack("{s:f}", "users_affected", lefts[k][v]);
                e = json_pack("{s:s, s:{s:s}, s:i}", "op", ops[o], "left", "fact", "users_affected",
                              "right", 1000);
                got = rules_eval_expr(e, facts, NULL);
                ck_assert_msg(got == want[o][v], "%g %s 1000: %s, want %s", lefts[k][v], ops[o],
                              tri_name(got), tri_name(want[o][v]));
                /* the constant on the left, the fact on the right: mirrored */
                json_decref(e);
                e = json_pack("{s:s, s:i, s:{s:s}}", "op", ops[o], "left", 1000, "right", "fact",
                              "users_affected");
                got = rules_eval_expr(e, facts, NULL);
                ck_assert_msg(got == want[o][2 - v], "1000 %s %g: %s, want %s", ops[o], lefts[k][v],
                              tri_name(got), tri_name(want[o][2 - v]));
                json_decref(e);
                /* the fact absent: unknown, whatever the operator */
                e = json_pack("{s:s, s:{s:s}, s:i}", "op", ops[o], "left", "fact", "users_affected",
                              "right", 1000);
                ck_assert_int_eq(rules_eval_expr(e, NULL, NULL), TRI_UNKNOWN);
                json_decref(e);
                json_decref(facts);
            }
        }
    }
}
END_TEST

/* Kleene's order: no < unknown < yes; all is the minimum, any the maximum. */
static int
rank(enum tri t)
{
    return t == TRI_NO ? 0 : t == TRI_UNKNOWN ? 1 : 2;
}

static json_t *
child(enum tri t)
{
    return t == TRI_YES ? json_true() : t == TRI_NO ? json_false() : J(U);
}

static const enum tri tris[] = {TRI_NO, TRI_YES, TRI_UNKNOWN};

/* all/any over every combination of one, two and three children. */
START_TEST(test_kleene_all_any)
{
    for (int n = 1; n <= 3; n++) {
        int combos = n == 1 ? 3 : n == 2 ? 9 : 27;

        for (int c = 0; c < combos; c++) {
            json_t *list = json_array(), *e;
            enum tri lo = TRI_YES, hi = TRI_NO, got;
            char desc[64] = "";
            int k = c;

            for (int i = 0; i < n; i++, k /= 3) {
                enum tri t = tris[k % 3];
                json_array_append_new(list, child(t));
                if (rank(t) < rank(lo))
                    lo = t;
                if (rank(t) > rank(hi))
                    hi = t;
                strcat(desc, tri_name(t));
                strcat(desc, " ");
            }
            e = json_pack("{s:O}", "all", list);
            got = rules_eval_expr(e, NULL, NULL);
            ck_assert_msg(got == lo, "all [%s]: %s, want %s", desc, tri_name(got), tri_name(lo));
            json_decref(e);
            e = json_pack("{s:O}", "any", list);
            got = rules_eval_expr(e, NULL, NULL);
            ck_assert_msg(got == hi, "any [%s]: %s, want %s", desc, tri_name(got), tri_name(hi));
            json_decref(e);
            json_decref(list);
        }
    }
}
END_TEST

START_TEST(test_kleene_not)
{
    static const enum tri want[] = {TRI_YES, TRI_NO, TRI_UNKNOWN};

    for (int i = 0; i < 3; i++) {
        json_t *e = json_pack("{s:o}", "not", child(tris[i]));
        json_t *e2 = json_pack("{s:O}", "not", e);

        ck_assert_msg(rules_eval_expr(e, NULL, NULL) == want[i], "not %s", tri_name(tris[i]));
        ck_assert_msg(rules_eval_expr(e2, NULL, NULL) == tris[i], "not not %s", tri_name(tris[i]));
        json_decref(e);
        json_decref(e2);
    }
}
END_TEST

/* at_least N of three children, N = 1..4, every combination. */
START_TEST(test_kleene_at_least)
{
    for (int need = 1; need <= 4; need++) {
        for (int c = 0; c < 27; c++) {
            json_t *list = json_array(), *e;
            int yes = 0, unknown = 0, k = c;
            enum tri want, got;
            char desc[64] = "";

            for (int i = 0; i < 3; i++, k /= 3) {
                enum tri t = tris[k % 3];
                json_array_append_new(list, child(t));
                yes += t == TRI_YES;
                unknown += t == TRI_UNKNOWN;
                strcat(desc, tri_name(t));
                strcat(desc, " ");
            }
            want = yes >= need ? TRI_YES : yes + unknown < need ? TRI_NO : TRI_UNKNOWN;
            e = json_pack("{s:i, s:o}", "at_least", need, "of", list);
            got = rules_eval_expr(e, NULL, NULL);
            ck_assert_msg(got == want, "at_least %d of [%s]: %s, want %s", need, desc,
                          tri_name(got), tri_name(want));
            json_decref(e);
        }
    }
}
END_TEST

START_TEST(test_tri_name)
{
    ck_assert_str_eq(tri_name(TRI_YES), "yes");
    ck_assert_str_eq(tri_name(TRI_NO), "no");
    ck_assert_str_eq(tri_name(TRI_UNKNOWN), "undetermined");
}
END_TEST

/* ---- rules_evaluate ---- */

#define EVAL_RULES                                                                                 \
    "{'regime':'ev','version':'7','title':{'en':'Eval','nl':'Evaluatie'},'source':'art. 9',"       \
    "'applies':{'op':'==','left':{'profile':'sector'},'right':'energy'},"                          \
    "'significant':{'any':["                                                                       \
    " {'id':'c-users','text':{'en':'many users','nl':'veel gebruikers'},'source':'art. 3(1)(a)',"  \
    "  'op':'>=','left':{'fact':'users_affected'},'right':1000},"                                  \
    " {'id':'c-loss','all':["                                                                      \
    "  {'op':'>','left':{'fact':'financial_loss_eur'},'right':500000},"                            \
    "  {'op':'==','left':{'fact':'scheduled_maintenance','default':false},'right':false}]},"       \
    " {'id':'c-two','at_least':2,'of':["                                                           \
    "  {'op':'==','left':{'fact':'suspected_malicious'},'right':true},"                            \
    "  {'op':'==','left':{'fact':'cross_border'},'right':true},"                                   \
    "  {'op':'==','left':{'fact':'physical_damage'},'right':true}]},"                              \
    " {'not':{'op':'<','left':{'fact':'deaths','default':0},'right':1}}]},"                        \
    "'stages':["                                                                                   \
    " {'id':'early_warning','name':{'en':'Early warning','nl':'Vroegtijdige waarschuwing'},"       \
    "  'recipient':'csirt','due':[{'after':'aware_at','within':'PT24H'}],'asap':true,"             \
    "  'contents':[]},"                                                                            \
    " {'id':'notification','name':{'en':'N','nl':'M'},'recipient':['csirt','supervisor'],"         \
    "  'due':[{'after':'aware_at','within':'PT72H'},{'after':'detected_at','within':'P1D'}],"      \
    "  'contents':[]},"                                                                            \
    " {'id':'trust','name':{'en':'T','nl':'V'},'recipient':'supervisor',"                          \
    "  'when':{'op':'==','left':{'profile':'subsector'},'right':'trust'},"                         \
    "  'due':[{'after':'aware_at','within':'PT24H'}],'contents':[]},"                              \
    " {'id':'final','name':{'en':'F','nl':'E'},'recipient':'csirt',"                               \
    "  'due':[{'after':'stage:notification','within':'P1M'}],'contents':[]},"                      \
    " {'id':'progress','name':{'en':'P','nl':'V'},'recipient':'csirt','on_request':true,"          \
    "  'contents':[]}]}"

static struct rules *eval_rules;

static void
setup_eval(void)
{
    struct mp_error err = {0};
    char path[PATH_MAX];

    tu_mkdtemp(tmpdir);
    write_rule("ev.json", EVAL_RULES, path);
    ck_assert_msg(rules_load(tmpdir, &eval_rules, &err) == 0, "%s", err.message);
}

static void
teardown_eval(void)
{
    rules_release(eval_rules);
    eval_rules = NULL;
    tu_rmrf(tmpdir);
}

/* Evaluates the test rule set on single-quoted facts and profile. */
static json_t *
evaluate(const char *facts, const char *profile)
{
    const struct ruleset *rs = rules_find(eval_rules, "ev");
    json_t *f = J(facts), *p = J(profile), *res;

    ck_assert_ptr_nonnull(rs);
    res = rules_evaluate(rs, f, p);
    ck_assert_ptr_nonnull(res);
    json_decref(f);
    json_decref(p);
    return res;
}

static const char *
sget(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    ck_assert_msg(s != NULL, "no string %s", key);
    return s;
}

/* The missing facts, compared as a set with a single-quoted list. */
static void
assert_missing(const json_t *res, const char *want_text)
{
    json_t *got = json_object_get(res, "missing"), *want = J(want_text), *x;
    char *dump = json_dumps(got, JSON_COMPACT);
    size_t i;

    ck_assert_msg(json_is_array(got), "missing is not a list");
    ck_assert_msg(json_array_size(got) == json_array_size(want), "missing %s, want %s", dump,
                  want_text);
    json_array_foreach(want, i, x)
    {
        bool found = false;
        size_t k;
        json_t *y;

        json_array_foreach(got, k, y) found = found || json_equal(x, y);
        ck_assert_msg(found, "missing %s, want %s", dump, want_text);
    }
    free(dump);
    json_decref(want);
}

static json_t *
criterion(const json_t *res, const char *id)
{
    json_t *x;
    size_t i;

    json_array_foreach(json_object_get(res, "criteria"), i, x)
    {
        if (strcmp(sget(x, "id"), id) == 0)
            return x;
    }
    return NULL;
}

static json_t *
stage(const json_t *res, const char *id)
{
    json_t *x;
    size_t i;

    json_array_foreach(json_object_get(res, "stages"), i, x)
    {
        if (strcmp(sget(x, "id"), id) == 0)
            return x;
    }
    return NULL;
}

#define ENERGY "{'sector':'energy'}"

START_TEST(test_eval_header)
{
    json_t *res = evaluate("{}", ENERGY), *want;

    ck_assert_str_eq(sget(res, "regime"), "ev");
    ck_assert_str_eq(sget(res, "version"), "7");
    ck_assert_str_eq(sget(res, "source"), "art. 9");
    want = J("{'en':'Eval','nl':'Evaluatie'}");
    ck_assert(json_equal(json_object_get(res, "title"), want));
    json_decref(want);
    ck_assert_str_eq(sget(res, "applies"), "yes");
    json_decref(res);
}
END_TEST

START_TEST(test_eval_applies_no)
{
    /* everything would be significant, but the regime does not apply */
    json_t *res = evaluate("{'users_affected':5000,'deaths':3}", "{'sector':'health'}");

    ck_assert_str_eq(sget(res, "applies"), "no");
    ck_assert_str_eq(sget(res, "significant"), "no");
    ck_assert_uint_eq(json_array_size(json_object_get(res, "criteria")), 0);
    assert_missing(res, "[]");
    json_decref(res);

    /* ... nor are facts asked for */
    res = evaluate("{}", "{'sector':'health'}");
    ck_assert_str_eq(sget(res, "significant"), "no");
    ck_assert_uint_eq(json_array_size(json_object_get(res, "criteria")), 0);
    assert_missing(res, "[]");
    json_decref(res);
}
END_TEST

START_TEST(test_eval_applies_unknown)
{
    json_t *res = evaluate("{'users_affected':10,'financial_loss_eur':0,'suspected_malicious':"
                           "false,'cross_border':false}",
                           "{}");

    ck_assert_str_eq(sget(res, "applies"), "undetermined");
    ck_assert_str_eq(sget(res, "significant"), "no");
    /* the profile value that decides whether it applies is asked for */
    assert_missing(res, "['profile.sector']");
    json_decref(res);
}
END_TEST

START_TEST(test_eval_nothing_known)
{
    json_t *res = evaluate("{}", ENERGY);

    ck_assert_str_eq(sget(res, "significant"), "undetermined");
    /* every fact that could decide it, but not those with a default */
    assert_missing(res, "['users_affected','financial_loss_eur','suspected_malicious',"
                        "'cross_border','physical_damage']");
    ck_assert_uint_eq(json_array_size(json_object_get(res, "criteria")), 3);
    ck_assert_str_eq(sget(criterion(res, "c-users"), "result"), "undetermined");
    ck_assert_str_eq(sget(criterion(res, "c-loss"), "result"), "undetermined");
    ck_assert_str_eq(sget(criterion(res, "c-two"), "result"), "undetermined");
    json_decref(res);
}
END_TEST

/* any(yes, unknown, ...) is yes, and asks for nothing. */
START_TEST(test_eval_yes_asks_nothing)
{
    json_t *res = evaluate("{'users_affected':5000}", ENERGY), *c, *cond, *want;

    ck_assert_str_eq(sget(res, "significant"), "yes");
    assert_missing(res, "[]");
    c = criterion(res, "c-users");
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(sget(c, "result"), "yes");
    want = J("{'en':'many users','nl':'veel gebruikers'}");
    ck_assert(json_equal(json_object_get(c, "text"), want));
    json_decref(want);
    ck_assert_str_eq(sget(c, "source"), "art. 3(1)(a)");
    ck_assert_uint_eq(json_array_size(json_object_get(c, "conditions")), 1);
    cond = json_array_get(json_object_get(c, "conditions"), 0);
    want = J("{'left':'users_affected','op':'>=','threshold':1000,'actual':5000,'result':'yes'}");
    ck_assert_msg(json_equal(cond, want), "condition %s", json_dumps(cond, JSON_COMPACT));
    json_decref(want);
    /* the others were still evaluated and reported as they are */
    ck_assert_str_eq(sget(criterion(res, "c-loss"), "result"), "undetermined");
    ck_assert_str_eq(sget(criterion(res, "c-two"), "result"), "undetermined");
    json_decref(res);
}
END_TEST

/* Only the facts of branches still open are missing. */
START_TEST(test_eval_missing_only_deciding)
{
    /* c-users no, c-loss no (all with a no), c-two: one yes, two unknown */
    json_t *res = evaluate("{'users_affected':10,'financial_loss_eur':100,"
                           "'suspected_malicious':true}",
                           ENERGY),
           *c;

    ck_assert_str_eq(sget(res, "significant"), "undetermined");
    assert_missing(res, "['cross_border','physical_damage']");
    ck_assert_str_eq(sget(criterion(res, "c-users"), "result"), "no");
    ck_assert_str_eq(sget(criterion(res, "c-loss"), "result"), "no");
    ck_assert_str_eq(sget(criterion(res, "c-two"), "result"), "undetermined");
    json_decref(res);

    /* all(unknown, no) is no: financial_loss_eur is not asked for */
    res = evaluate("{'users_affected':10,'scheduled_maintenance':true,"
                   "'suspected_malicious':false,'cross_border':true}",
                   ENERGY);
    ck_assert_str_eq(sget(res, "significant"), "undetermined");
    assert_missing(res, "['physical_damage']");
    c = criterion(res, "c-loss");
    ck_assert_str_eq(sget(c, "result"), "no");
    json_decref(res);

    /* at_least 2 with no yes and one unknown can no longer hold */
    res = evaluate("{'users_affected':10,'financial_loss_eur':100,"
                   "'suspected_malicious':false,'cross_border':false}",
                   ENERGY);
    ck_assert_str_eq(sget(res, "significant"), "no");
    assert_missing(res, "[]");
    ck_assert_str_eq(sget(criterion(res, "c-two"), "result"), "no");
    json_decref(res);

    /* at_least 2 reached with a fact still unknown */
    res = evaluate("{'users_affected':10,'financial_loss_eur':100,"
                   "'suspected_malicious':true,'physical_damage':true}",
                   ENERGY);
    ck_assert_str_eq(sget(res, "significant"), "yes");
    assert_missing(res, "[]");
    ck_assert_str_eq(sget(criterion(res, "c-two"), "result"), "yes");
    json_decref(res);

    /* the default makes the last branch yes on its own */
    res = evaluate("{'deaths':1}", ENERGY);
    ck_assert_str_eq(sget(res, "significant"), "yes");
    assert_missing(res, "[]");
    json_decref(res);
}
END_TEST

START_TEST(test_eval_conditions)
{
    json_t *res = evaluate("{'users_affected':10,'financial_loss_eur':600000}", ENERGY), *c, *conds,
           *want;

    ck_assert_str_eq(sget(res, "significant"), "yes");
    assert_missing(res, "[]");
    c = criterion(res, "c-loss");
    ck_assert_str_eq(sget(c, "result"), "yes");
    ck_assert_ptr_null(json_object_get(c, "text"));
    conds = json_object_get(c, "conditions");
    want = J("[{'left':'financial_loss_eur','op':'>','threshold':500000,'actual':600000,"
             "'result':'yes'},"
             "{'left':'scheduled_maintenance','op':'==','threshold':false,'actual':false,"
             "'result':'yes'}]");
    ck_assert_msg(json_equal(conds, want), "conditions %s", json_dumps(conds, JSON_COMPACT));
    json_decref(want);
    c = criterion(res, "c-users");
    want = J("[{'left':'users_affected','op':'>=','threshold':1000,'actual':10,'result':'no'}]");
    ck_assert(json_equal(json_object_get(c, "conditions"), want));
    json_decref(want);
    /* an unknown actual value */
    c = criterion(res, "c-two");
    conds = json_object_get(c, "conditions");
    ck_assert_uint_eq(json_array_size(conds), 3);
    want = J("{'left':'suspected_malicious','op':'==','threshold':true,'actual':null,"
             "'result':'undetermined'}");
    ck_assert_msg(json_equal(json_array_get(conds, 0), want), "condition %s",
                  json_dumps(json_array_get(conds, 0), JSON_COMPACT));
    json_decref(want);
    json_decref(res);
}
END_TEST

START_TEST(test_eval_stages)
{
    json_t *res, *s, *want;

    /* subsector unknown: the trust stage is conditional */
    res = evaluate("{}", ENERGY);
    ck_assert_uint_eq(json_array_size(json_object_get(res, "stages")), 5);
    s = stage(res, "early_warning");
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(sget(s, "recipient"), "csirt");
    ck_assert(json_is_true(json_object_get(s, "asap")));
    ck_assert(json_is_false(json_object_get(s, "on_request")));
    ck_assert(json_is_false(json_object_get(s, "conditional")));
    want = J("{'en':'Early warning','nl':'Vroegtijdige waarschuwing'}");
    ck_assert(json_equal(json_object_get(s, "name"), want));
    json_decref(want);
    want = J("[{'after':'aware_at','within':'PT24H'}]");
    ck_assert(json_equal(json_object_get(s, "due"), want));
    json_decref(want);
    want = J("['csirt']");
    ck_assert(json_equal(json_object_get(s, "recipients"), want));
    json_decref(want);
    s = stage(res, "notification");
    /* a list of recipients: the first is whom a draft addresses */
    ck_assert_str_eq(sget(s, "recipient"), "csirt");
    want = J("['csirt','supervisor']");
    ck_assert(json_equal(json_object_get(s, "recipients"), want));
    json_decref(want);
    want = J("[{'after':'aware_at','within':'PT72H'},{'after':'detected_at','within':'P1D'}]");
    ck_assert(json_equal(json_object_get(s, "due"), want));
    json_decref(want);
    ck_assert(json_is_false(json_object_get(s, "asap")));
    s = stage(res, "trust");
    ck_assert_ptr_nonnull(s);
    ck_assert(json_is_true(json_object_get(s, "conditional")));
    ck_assert_str_eq(sget(s, "recipient"), "supervisor");
    s = stage(res, "final");
    want = J("[{'after':'stage:notification','within':'P1M'}]");
    ck_assert(json_equal(json_object_get(s, "due"), want));
    json_decref(want);
    s = stage(res, "progress");
    ck_assert(json_is_true(json_object_get(s, "on_request")));
    ck_assert_uint_eq(json_array_size(json_object_get(s, "due")), 0);
    /* in file order */
    ck_assert_str_eq(sget(json_array_get(json_object_get(res, "stages"), 0), "id"),
                     "early_warning");
    ck_assert_str_eq(sget(json_array_get(json_object_get(res, "stages"), 4), "id"), "progress");
    json_decref(res);

    /* when yes: present, not conditional */
    res = evaluate("{}", "{'sector':'energy','subsector':'trust'}");
    s = stage(res, "trust");
    ck_assert_ptr_nonnull(s);
    ck_assert(json_is_false(json_object_get(s, "conditional")));
    ck_assert_uint_eq(json_array_size(json_object_get(res, "stages")), 5);
    json_decref(res);
}
END_TEST

/* A stage whose `when` is no is left out (and leaves nothing behind: under
 * ASan a leak fails the test). */
START_TEST(test_eval_stage_when_no)
{
    json_t *res = evaluate("{}", "{'sector':'energy','subsector':'bank'}");

    ck_assert_ptr_null(stage(res, "trust"));
    ck_assert_uint_eq(json_array_size(json_object_get(res, "stages")), 4);
    ck_assert_str_eq(sget(json_array_get(json_object_get(res, "stages"), 2), "id"), "final");
    json_decref(res);
}
END_TEST

/* "Whichever is lower" with the turnover unknown: a loss of 0 is no and asks
 * for nothing; the condition shows what is known of the threshold. */
START_TEST(test_eval_lower_of_bounds)
{
    struct rules *r = NULL;
    struct mp_error err = {0};
    char path[PATH_MAX], dir[PATH_MAX];
    json_t *res, *facts, *c, *want;

    tu_path(dir, tmpdir, "lower");
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    write_rule_in(dir, "l.json",
                  "{'regime':'l','version':'1','title':{'en':'T','nl':'T'},'source':'s',"
                  "'applies':true,'significant':{'id':'loss','op':'>',"
                  " 'left':{'fact':'financial_loss_eur'},'right':{'min':[500000,"
                  " {'mul':[0.05,{'profile':'annual_turnover_eur'}]}]}},'stages':[]}",
                  path);
    ck_assert_msg(rules_load(dir, &r, &err) == 0, "%s", err.message);

    facts = J("{'financial_loss_eur':0}");
    res = rules_evaluate(rules_find(r, "l"), facts, NULL);
    ck_assert_str_eq(sget(res, "significant"), "no");
    assert_missing(res, "[]");
    c = criterion(res, "loss");
    ck_assert_ptr_nonnull(c);
    want = J("[{'left':'financial_loss_eur','op':'>','threshold':null,"
             "'threshold_range':[0.0,500000.0],'actual':0,'result':'no'}]");
    ck_assert_msg(json_equal(json_object_get(c, "conditions"), want), "conditions %s",
                  json_dumps(json_object_get(c, "conditions"), JSON_COMPACT));
    json_decref(want);
    json_decref(res);
    json_decref(facts);

    facts = J("{'financial_loss_eur':600000}");
    res = rules_evaluate(rules_find(r, "l"), facts, NULL);
    ck_assert_str_eq(sget(res, "significant"), "yes");
    assert_missing(res, "[]");
    json_decref(res);
    json_decref(facts);

    /* undecided: the turnover is asked for */
    facts = J("{'financial_loss_eur':300000}");
    res = rules_evaluate(rules_find(r, "l"), facts, NULL);
    ck_assert_str_eq(sget(res, "significant"), "undetermined");
    assert_missing(res, "['profile.annual_turnover_eur']");
    json_decref(res);
    json_decref(facts);
    rules_release(r);
}
END_TEST

/* lifted_by: reported as "lifted" (only by rule sets that have it), with
 * its criterion; its facts are never "missing" (the duty runs meanwhile),
 * and a regime that is not significant is not asked whether it is lifted. */
START_TEST(test_eval_lifted_by)
{
    struct rules *r = NULL;
    struct mp_error err = {0};
    char path[PATH_MAX], dir[PATH_MAX];
    static const struct {
        const char *facts, *significant, *lifted, *missing;
    } rows[] = {
        {"{'personal_data_breach':true}", "yes", "undetermined", "[]"},
        {"{'personal_data_breach':true,'breach_risk_unlikely':false}", "yes", "no", "[]"},
        {"{'personal_data_breach':true,'breach_risk_unlikely':true}", "yes", "yes", "[]"},
        {"{'personal_data_breach':false,'breach_risk_unlikely':true}", "no", "no", "[]"},
        {"{'breach_risk_unlikely':true}", "undetermined", "yes", "['personal_data_breach']"},
        {"{}", "undetermined", "undetermined", "['personal_data_breach']"},
    };

    tu_path(dir, tmpdir, "lifted");
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    write_rule_in(dir, "g.json",
                  "{'regime':'g','version':'1','title':{'en':'T','nl':'T'},'source':'s',"
                  "'applies':true,'significant':{'id':'breach','op':'==',"
                  " 'left':{'fact':'personal_data_breach'},'right':true},"
                  "'lifted_by':{'id':'unlikely','op':'==','left':{'fact':'breach_risk_unlikely'},"
                  " 'right':true},'stages':[]}",
                  path);
    write_rule_in(dir, "h.json",
                  "{'regime':'h','version':'1','title':{'en':'T','nl':'T'},'source':'s',"
                  "'applies':true,'significant':true,'stages':[]}",
                  path);
    ck_assert_msg(rules_load(dir, &r, &err) == 0, "%s", err.message);
    for (size_t i = 0; i < N(rows); i++) {
        json_t *facts = J(rows[i].facts), *res = rules_evaluate(rules_find(r, "g"), facts, NULL);
        json_t *c = criterion(res, "unlikely");

        ck_assert_msg(strcmp(sget(res, "significant"), rows[i].significant) == 0,
                      "%s: significant %s", rows[i].facts, sget(res, "significant"));
        ck_assert_msg(strcmp(sget(res, "lifted"), rows[i].lifted) == 0, "%s: lifted %s",
                      rows[i].facts, sget(res, "lifted"));
        assert_missing(res, rows[i].missing);
        if (strcmp(rows[i].significant, "no") != 0) {
            ck_assert_ptr_nonnull(c);
            ck_assert_str_eq(sget(c, "result"), rows[i].lifted);
        }
        json_decref(res);
        json_decref(facts);
    }
    /* a rule set without lifted_by says nothing about lifting */
    {
        json_t *res = rules_evaluate(rules_find(r, "h"), NULL, NULL);
        ck_assert_ptr_null(json_object_get(res, "lifted"));
        json_decref(res);
    }
    rules_release(r);
}
END_TEST

/* A criterion nested in a criterion: each keeps its own comparisons. */
START_TEST(test_eval_nested_criteria)
{
    struct rules *r = NULL;
    struct mp_error err = {0};
    char path[PATH_MAX], dir[PATH_MAX];
    json_t *res, *facts, *outer, *inner, *want;

    tu_path(dir, tmpdir, "nested");
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    write_rule_in(dir, "n.json",
                  "{'regime':'n','version':'1','title':{'en':'T','nl':'T'},'source':'s',"
                  "'applies':true,'significant':{'id':'outer','all':["
                  " {'op':'>','left':{'fact':'deaths'},'right':0},"
                  " {'id':'inner','op':'<','left':{'div':[{'fact':'users_affected'},"
                  "  {'fact':'users_total'}]},'right':0.5}]},'stages':[]}",
                  path);
    ck_assert_msg(rules_load(dir, &r, &err) == 0, "%s", err.message);
    facts = J("{'deaths':1,'users_affected':1,'users_total':4}");
    res = rules_evaluate(rules_find(r, "n"), facts, NULL);
    ck_assert_str_eq(sget(res, "significant"), "yes");
    outer = criterion(res, "outer");
    inner = criterion(res, "inner");
    ck_assert_ptr_nonnull(outer);
    ck_assert_ptr_nonnull(inner);
    want = J("[{'left':'deaths','op':'>','threshold':0,'actual':1,'result':'yes'}]");
    ck_assert_msg(json_equal(json_object_get(outer, "conditions"), want), "outer %s",
                  json_dumps(json_object_get(outer, "conditions"), JSON_COMPACT));
    json_decref(want);
    want = J("[{'left':{'div':[{'fact':'users_affected'},{'fact':'users_total'}]},'op':'<',"
             "'threshold':0.5,'actual':0.25,'result':'yes'}]");
    ck_assert_msg(json_equal(json_object_get(inner, "conditions"), want), "inner %s",
                  json_dumps(json_object_get(inner, "conditions"), JSON_COMPACT));
    json_decref(want);
    json_decref(res);
    json_decref(facts);
    rules_release(r);
}
END_TEST

static Suite *
rules_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *tc;

    tc = tcase_create("load");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
    tcase_add_loop_test(tc, test_load_rejects, 0, N(bad_cases));
    tcase_add_test(tc, test_load_names_the_broken_file);
    tcase_add_test(tc, test_load_duplicate_regime);
    tcase_add_test(tc, test_load_empty_dir);
    tcase_add_test(tc, test_load_missing_dir);
    tcase_add_test(tc, test_load_valid_and_summary);
    tcase_add_loop_test(tc, test_load_accepts, 0, N(good_texts));
    tcase_add_loop_test(tc, test_calendars_load, 0, N(calendar_cases));
    tcase_add_test(tc, test_builtin);
    tcase_add_test(tc, test_install_acquire);
    suite_add_tcase(s, tc);

    tc = tcase_create("expr");
    tcase_add_loop_test(tc, test_expr, 0, N(expr_cases));
    tcase_add_test(tc, test_compare_numbers);
    tcase_add_test(tc, test_kleene_all_any);
    tcase_add_test(tc, test_kleene_not);
    tcase_add_test(tc, test_kleene_at_least);
    tcase_add_test(tc, test_tri_name);
    suite_add_tcase(s, tc);

    tc = tcase_create("evaluate");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup_eval, teardown_eval);
    tcase_add_test(tc, test_eval_header);
    tcase_add_test(tc, test_eval_applies_no);
    tcase_add_test(tc, test_eval_applies_unknown);
    tcase_add_test(tc, test_eval_nothing_known);
    tcase_add_test(tc, test_eval_yes_asks_nothing);
    tcase_add_test(tc, test_eval_missing_only_deciding);
    tcase_add_test(tc, test_eval_conditions);
    tcase_add_test(tc, test_eval_stages);
    tcase_add_test(tc, test_eval_stage_when_no);
    tcase_add_test(tc, test_eval_nested_criteria);
    tcase_add_test(tc, test_eval_lower_of_bounds);
    tcase_add_test(tc, test_eval_lifted_by);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(rules_suite());
}
