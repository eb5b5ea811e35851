/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_formats.c - the authorities' formats (core/formats.c, formats_fill.c,
 * formats_export.c's CSV): the shipped format files pass the check; a file
 * with one mistake is refused with the file, the JSON path and the reason
 * (table-driven: each row changes one member of the shipped DORA format);
 * the mapping engine fills every type from its sources, falls back through
 * a list of sources, and leaves a value that does not fit empty with the
 * reason; the CSV is quoted as RFC 4180 says and disarms formulas.
 */
#include "core/formats.h"
#include "core/rules.h"
#include "lib/embed.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <string.h>

static struct rules *R;

static void
setup(void)
{
    struct mp_error err;

    ck_assert_msg(rules_load_builtin(&R, &err) == 0, "%s", err.message);
}

static void
teardown(void)
{
    rules_release(R);
}

/* JSON with ' for " so the tables stay readable. */
static json_t *
sq(const char *text)
{
    char buf[4096];
    json_error_t je;
    json_t *v;

    snprintf(buf, sizeof(buf), "%s", text);
    for (char *p = buf; *p; p++)
        *p = *p == '\'' ? '"' : *p;
    v = json_loads(buf, JSON_DECODE_ANY, &je);
    ck_assert_msg(v != NULL, "bad test JSON %s: %s", text, je.text);
    return v;
}

static json_t *
shipped(const char *name)
{
    for (size_t i = 0; i < formats_files_count; i++) {
        if (strcmp(formats_files[i].name, name) == 0)
            return json_loadb((const char *)formats_files[i].data, formats_files[i].len, 0, NULL);
    }
    ck_abort_msg("no shipped format %s", name);
    return NULL;
}

START_TEST(test_shipped_formats_pass)
{
    struct mp_error err;
    json_t *list;

    ck_assert_msg(formats_load(NULL, R, &list, &err) == 0, "%s", err.message);
    ck_assert_int_eq((int)json_array_size(list), 3);
    ck_assert_ptr_nonnull(formats_find(list, "gdpr-33-ap-nl"));
    ck_assert_ptr_nonnull(formats_find(list, "dora-its-2025-302"));
    ck_assert_ptr_nonnull(formats_find(list, "nis2-23-4-nl"));
    ck_assert_ptr_null(formats_find(list, "gdpr"));
    json_decref(list);
}
END_TEST

/* One change to the shipped DORA format: member of field index (-1: the
 * document itself) set to value (NULL: removed). */
static const struct {
    const char *name;
    int field;
    const char *member;
    const char *value;
    const char *says;
} bad[] = {
    {"unknown incident path", 1, "from", "'incident.nope'",
     "$.fields[1]: unknown source 'incident.nope'"},
    {"unknown source kind", 1, "from", "'ledger.x'", "unknown source 'ledger.x'"},
    {"draft content the regime lacks", 1, "from", "'draft.summary'",
     "unknown source 'draft.summary'"},
    {"unknown fact", 1, "from", "'facts.mood'", "unknown source 'facts.mood'"},
    {"empty source list", 1, "from", "[]", "list of 1 to 8"},
    {"map to a code not in the list", 0, "map", "{'initial':'first report'}",
     "map gives 'first report', which is not in its code list"},
    {"code type without a list", 1, "type", "'code'", "type code needs a code_list"},
    {"unknown code list", 0, "code_list", "'stages'", "type code needs a code_list"},
    {"code list on text", 1, "code_list", "'submission_type'", "are for the types code and codes"},
    {"duplicate field id", 1, "id", "'1.1'", "$.fields[1]: duplicate field id '1.1'"},
    {"required field without mapping", 1, "from", NULL, "is required but has no mapping"},
    {"optional field without mapping", 14, "from", NULL, "has no mapping: give 'from'"},
    {"both mapped and unfillable", 1, "unfillable", "{'en':'x','nl':'y'}",
     "both from and unfillable"},
    {"reason in one language", 9, "unfillable", "{'en':'x'}", "unfillable must be the reason"},
    {"required in an unknown stage", 1, "required", "['later']", "required names 'later'"},
    {"unknown member", 1, "colour", "'red'", "unknown member 'colour'"},
    {"name in one language", 1, "name", "{'en':'Name'}", "name must be"},
    {"unknown type", 1, "type", "'money'", "type must be text"},
    {"max_length on a number", 1, "max_length", "0", "max_length is for text"},
    {"id outside its section", 1, "section", "'2'", "id must start with its section"},
    {"unknown status", -1, "status", "'maybe'", "$.status: must be UNCONFIRMED or confirmed"},
    {"unknown regime", -1, "regime", "'sox'", "$.regime: 'sox' is not a regime"},
    {"unknown stage", -1, "stages", "['initial','later']", "'later' is not a stage"},
    {"duplicate code", -1, "code_lists", "{'submission_type':['a','a']}", "duplicate code 'a'"},
    {"unknown top-level member", -1, "owner", "'me'", "unknown member 'owner'"},
    {"no version", -1, "version", NULL, "format, version and source are required"},
};

START_TEST(test_bad_format_refused)
{
    json_t *doc = shipped("dora-its-2025-302.json");
    json_t *target = bad[_i].field < 0
                         ? doc
                         : json_array_get(json_object_get(doc, "fields"), (size_t)bad[_i].field);
    struct mp_error err = {0};

    ck_assert_ptr_nonnull(target);
    if (bad[_i].value)
        json_object_set_new(target, bad[_i].member, sq(bad[_i].value));
    else
        json_object_del(target, bad[_i].member);
    ck_assert_msg(!formats_check(doc, "x.json", R, &err), "%s: accepted", bad[_i].name);
    ck_assert_msg(strncmp(err.message, "x.json: $", 9) == 0, "%s: '%s' names no file and path",
                  bad[_i].name, err.message);
    ck_assert_msg(strstr(err.message, bad[_i].says) != NULL, "%s: '%s' does not say '%s'",
                  bad[_i].name, err.message, bad[_i].says);
    json_decref(doc);
}
END_TEST

static void
write_shipped(const char *path, const char *name)
{
    json_t *doc = shipped(name);
    ck_assert_int_eq(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
}

START_TEST(test_load_names_the_file)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    struct mp_error err;
    json_t *list = NULL;
    FILE *f;

    tu_mkdtemp(dir);
    snprintf(path, sizeof(path), "%s/a.json", dir);
    f = fopen(path, "w");
    fputs("{\"format\": \n", f);
    fclose(f);
    ck_assert_int_eq(formats_load(dir, R, &list, &err), -1);
    ck_assert_msg(strstr(err.message, "a.json: line") != NULL, "%s", err.message);
    /* the same format twice */
    write_shipped(path, "nis2-23-4-nl.json");
    snprintf(path, sizeof(path), "%s/b.json", dir);
    write_shipped(path, "nis2-23-4-nl.json");
    ck_assert_int_eq(formats_load(dir, R, &list, &err), -1);
    ck_assert_msg(strstr(err.message, "b.json: $.format: 'nis2-23-4-nl' is also") != NULL, "%s",
                  err.message);
    tu_rmrf(dir);
}
END_TEST

/* A small format of every type, by sections, for the engine. */
#define SMALL                                                                                      \
    "{'format':'t','version':'1','regime':'nis2','layout':'sections','status':'confirmed',"        \
    "'title':{'en':'T','nl':'T'},'source':'s','stages':['early_warning','final'],"                 \
    "'code_lists':{'c':['one','two'],'k':['x','y']},'fields':["                                    \
    "{'id':'a.text','section':'a','name':{'en':'Text','nl':'Tekst'},'type':'text',"                \
    " 'from':['draft.summary','incident.title'],'max_length':10,'required':['final']},"            \
    "{'id':'a.time','section':'a','name':{'en':'T','nl':'T'},'type':'datetime','from':'draft."     \
    "when'},"                                                                                      \
    "{'id':'a.code','section':'a','name':{'en':'C','nl':'C'},'type':'code','code_list':'c',"       \
    " 'from':'incident.cause','map':{'malicious':'one','natural':null}},"                          \
    "{'id':'a.codes','section':'a','name':{'en':'Cs','nl':'Cs'},'type':'codes','code_list':'k',"   \
    " 'from':'draft.crit','map':{'r1':'x','r2':'x','r3':'y','r0':null}},"                          \
    "{'id':'b.num','section':'b','name':{'en':'N','nl':'N'},'type':'number','from':'draft.n'},"    \
    "{'id':'b.dur','section':'b','name':{'en':'D','nl':'D'},'type':'duration','from':'facts.m'},"  \
    "{'id':'b.yes','section':'b','name':{'en':'Y','nl':'J'},'type':'boolean','from':'draft.y'},"   \
    "{'id':'b.list','section':'b','name':{'en':'L','nl':'L'},'type':'list','from':'facts.ms'},"    \
    "{'id':'b.none','section':'b','name':{'en':'No','nl':'Nee'},'unfillable':{'en':'never "        \
    "held','nl':'nooit'},'type':'text'},"                                                          \
    "{'id':'b.late','section':'b','name':{'en':'L','nl':'L'},'type':'text','from':'draft.x',"      \
    " 'stages':['final']}]}"

static const char *
reason(const json_t *filled, const char *id)
{
    size_t i;
    json_t *u;

    json_array_foreach(json_object_get(filled, "unfilled"), i, u)
    {
        if (strcmp(json_string_value(json_object_get(u, "id")), id) == 0)
            return json_string_value(json_object_get(u, "reason_code"));
    }
    return NULL;
}

START_TEST(test_fill_every_type)
{
    json_t *fmt = sq(SMALL);
    json_t *src = sq("{'incident':{'title':'Long title here','cause':'malicious'},"
                     "'facts':{'m':1565,'ms':['NL','BE']},"
                     "'draft':{'summary':' ','when':'2031-03-14T10:00:00+01:00',"
                     "'crit':['r1','r0','r2','r3'],'n':'12.5','y':'ja'},'notification':{}}");
    json_t *out = formats_fill(fmt, src, "early_warning", false), *a, *b;

    ck_assert_ptr_nonnull(out);
    a = json_object_get(json_object_get(out, "fields"), "a");
    b = json_object_get(json_object_get(out, "fields"), "b");
    /* the blank summary falls back to the title, which is too long */
    ck_assert(json_is_null(json_object_get(a, "text")));
    ck_assert_str_eq(reason(out, "a.text"), "too_long");
    ck_assert_str_eq(json_string_value(json_object_get(a, "time")), "2031-03-14T09:00:00Z");
    ck_assert_str_eq(json_string_value(json_object_get(a, "code")), "one");
    /* r0 has no code of its own, r1 and r2 the same one: once */
    ck_assert_int_eq((int)json_array_size(json_object_get(a, "codes")), 2);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "codes"), 0)), "x");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "codes"), 1)), "y");
    ck_assert(json_real_value(json_object_get(b, "num")) == 12.5);
    ck_assert_str_eq(json_string_value(json_object_get(b, "dur")), "01:02:05");
    ck_assert(json_is_true(json_object_get(b, "yes")));
    ck_assert_int_eq((int)json_array_size(json_object_get(b, "list")), 2);
    ck_assert_str_eq(reason(out, "b.none"), "not_held");
    /* a field of the final report only is not in the early warning */
    ck_assert_ptr_null(json_object_get(b, "late"));
    ck_assert_ptr_null(formats_fill(fmt, src, "progress", false));
    json_decref(out);
    json_decref(src);
    json_decref(fmt);
}
END_TEST

START_TEST(test_fill_reasons)
{
    json_t *fmt = sq(SMALL);
    json_t *src = sq("{'incident':{'title':'','cause':'natural'},'facts':{},"
                     "'draft':{'when':'yesterday','crit':['r9'],'n':'1.000,5','y':'perhaps'},"
                     "'notification':{}}");
    json_t *out = formats_fill(fmt, src, "final", true), *u;

    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(reason(out, "a.text"), "not_in_draft"); /* the first source's reason */
    ck_assert_str_eq(reason(out, "a.time"), "not_a_time");
    ck_assert_str_eq(reason(out, "a.code"), "no_code");
    ck_assert_str_eq(reason(out, "a.codes"), "no_code");
    ck_assert_str_eq(reason(out, "b.num"), "not_a_number");
    ck_assert_str_eq(reason(out, "b.yes"), "not_a_boolean");
    ck_assert_str_eq(reason(out, "b.dur"), "unknown");
    ck_assert_str_eq(reason(out, "b.late"), "not_in_draft");
    u = json_array_get(json_object_get(out, "unfilled"), 0);
    ck_assert(json_is_true(json_object_get(u, "required")));
    ck_assert_str_eq(json_string_value(json_object_get(u, "name")), "Tekst");
    ck_assert_msg(strstr(json_string_value(json_object_get(u, "reason")), "concept") != NULL,
                  "in Dutch: %s", json_string_value(json_object_get(u, "reason")));
    json_decref(out);
    json_decref(src);
    json_decref(fmt);
}
END_TEST

START_TEST(test_csv_quoted)
{
    json_t *fmt = sq(SMALL);
    json_t *src = sq("{'incident':{'title':'t','cause':'malicious'},'facts':{'ms':[]},"
                     "'draft':{'summary':'=1+1','n':7},'notification':{}}");
    json_t *out = formats_fill(fmt, src, "early_warning", false);
    struct buf b = BUF_INIT;

    json_object_set_new(out, "tlp", json_string("amber"));
    formats_csv(fmt, out, &b);
    ck_assert(!buf_failed(&b));
    buf_append(&b, "", 1);
    ck_assert_msg(strncmp(b.data, "field,section,name,value,required,note\r\n", 40) == 0, "%s",
                  b.data);
    ck_assert_msg(strstr(b.data, "tlp,meta,tlp,amber,no,\r\n") != NULL, "%s", b.data);
    /* the summary is a formula: disarmed; the number stays a number */
    ck_assert_msg(strstr(b.data, "a.text,a,Text,'=1+1,no,\r\n") != NULL, "%s", b.data);
    ck_assert_msg(strstr(b.data, "b.num,b,N,7,no,\r\n") != NULL, "%s", b.data);
    ck_assert_msg(strstr(b.data, "b.none,b,No,,no,never held\r\n") != NULL, "%s", b.data);
    buf_free(&b);
    /* a value with a comma, quotes and a line break is quoted, quotes doubled */
    json_object_set_new(json_object_get(src, "draft"), "summary", json_string("x, \"y\"\nz"));
    json_decref(out);
    out = formats_fill(fmt, src, "early_warning", false);
    formats_csv(fmt, out, &b);
    buf_append(&b, "", 1);
    ck_assert_msg(strstr(b.data, "a.text,a,Text,\"x, \"\"y\"\"\nz\",no,\r\n") != NULL, "%s",
                  b.data);
    buf_free(&b);
    json_decref(out);
    json_decref(src);
    json_decref(fmt);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("formats");
    TCase *tc = tcase_create("check");
    TCase *fill = tcase_create("fill");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_shipped_formats_pass);
    tcase_add_loop_test(tc, test_bad_format_refused, 0, (int)(sizeof(bad) / sizeof(bad[0])));
    tcase_add_test(tc, test_load_names_the_file);
    suite_add_tcase(s, tc);
    tcase_add_test(fill, test_fill_every_type);
    tcase_add_test(fill, test_fill_reasons);
    tcase_add_test(fill, test_csv_quoted);
    suite_add_tcase(s, fill);
    return tu_run(s);
}
