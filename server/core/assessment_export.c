/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * assessment_export.c - one stored applicability assessment as JSON, as CSV
 * (answers, outcomes, reasons) or as a printable page in its language.
 * See assessment.h.
 */
#include "assessment.h"
#include "lib/buf.h"
#include "lib/html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const regimes[][3] = {
    /* result member, the outcome member, title */
    {"nis2", "outcome", "NIS2 / Cbw"},
    {"cer", "critical_entity", "CER / Wwke"},
    {"dora", "applies", "DORA"},
};

static const char *
outcome_text(json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    return json_is_true(v) ? "yes" : "no";
}

static void
csv_reasons(struct buf *b, const char *regime, const char *what, json_t *list)
{
    json_t *r;
    size_t i;

    json_array_foreach(list, i, r)
    {
        buf_csv_field(b, regime, false);
        buf_puts(b, ",");
        buf_csv_field(b, what, false);
        buf_puts(b, ",");
        buf_csv_field(b, json_string_value(json_object_get(r, "rule")), false);
        buf_puts(b, ",");
        buf_csv_field(b, json_string_value(json_object_get(r, "article")), false);
        buf_puts(b, ",");
        buf_csv_field(b, json_string_value(json_object_get(r, "text")), false);
        buf_puts(b, "\r\n");
    }
}

static void
export_csv(struct buf *b, json_t *a)
{
    json_t *result = json_object_get(a, "result"), *v;
    const char *key;

    buf_puts(b, "section,item,value,article,text\r\n");
    json_object_foreach(json_object_get(a, "answers"), key, v)
    {
        char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        buf_puts(b, "answer,");
        buf_csv_field(b, key, false);
        buf_puts(b, ",");
        buf_csv_field(b, json_is_string(v) ? json_string_value(v) : t, json_is_number(v));
        buf_puts(b, ",,\r\n");
        free(t);
    }
    for (size_t i = 0; i < N(regimes); i++) {
        json_t *r = json_object_get(result, regimes[i][0]);
        buf_csv_field(b, regimes[i][0], false);
        buf_puts(b, ",outcome,");
        buf_csv_field(b, outcome_text(json_object_get(r, regimes[i][1])), false);
        buf_puts(b, ",,\r\n");
        csv_reasons(b, regimes[i][0], "reason", json_object_get(r, "reasons"));
        csv_reasons(b, regimes[i][0], "uncertain", json_object_get(r, "uncertain"));
    }
    csv_reasons(b, "all", "caveat", json_object_get(result, "caveats"));
}

static void
html_reasons(struct buf *b, json_t *list)
{
    json_t *r;
    size_t i;

    buf_puts(b, "<ul>\n");
    json_array_foreach(list, i, r)
    {
        buf_puts(b, "<li>");
        buf_puts_html(b, json_string_value(json_object_get(r, "text")));
        buf_puts(b, " <cite>");
        buf_puts_html(b, json_string_value(json_object_get(r, "article")));
        buf_puts(b, "</cite></li>\n");
    }
    buf_puts(b, "</ul>\n");
}

static void
export_html(struct buf *b, json_t *a, json_t *set)
{
    const char *lang = json_string_value(json_object_get(a, "language"));
    bool nl = strcmp(lang, "nl") == 0;
    json_t *result = json_object_get(a, "result"), *q, *v;
    json_t *questions = json_object_get(json_object_get(set, "questions"), "questions");
    const char *key;

    html_printf(b, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
                lang);
    buf_puts_html(b, json_string_value(json_object_get(
                         json_object_get(json_object_get(set, "questions"), "title"), lang)));
    buf_puts(b, "</title></head><body>\n<h1>");
    buf_puts_html(b, json_string_value(json_object_get(
                         json_object_get(json_object_get(set, "questions"), "title"), lang)));
    html_printf(b, "</h1>\n<p>%s ", nl ? "Zelfbeoordeling van" : "Self-assessment of");
    buf_puts_html(b, json_string_value(json_object_get(a, "created_at")));
    buf_puts(b, nl ? " door " : " by ");
    buf_puts_html(b, json_string_value(json_object_get(a, "created_by")));
    buf_puts(b, nl ? "; wetsgegevens " : "; law data ");
    buf_puts_html(b, json_string_value(json_object_get(a, "law_version")));
    buf_puts(b, "</p>\n");
    for (size_t i = 0; i < N(regimes); i++) {
        json_t *r = json_object_get(result, regimes[i][0]);
        html_printf(b, "<h2>%s: ", regimes[i][2]);
        buf_puts_html(b, outcome_text(json_object_get(r, regimes[i][1])));
        buf_puts(b, "</h2>\n");
        html_reasons(b, json_object_get(r, "reasons"));
        if (json_array_size(json_object_get(r, "uncertain")) > 0) {
            html_printf(b, "<h3>%s</h3>\n", nl ? "Onzeker" : "Uncertain");
            html_reasons(b, json_object_get(r, "uncertain"));
        }
    }
    html_printf(b, "<h2>%s</h2>\n", nl ? "Kanttekeningen" : "Caveats");
    html_reasons(b, json_object_get(result, "caveats"));
    html_printf(b, "<h2>%s</h2>\n<table>\n", nl ? "Antwoorden" : "Answers");
    json_object_foreach(json_object_get(a, "answers"), key, v)
    {
        char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        q = assessment_find_id(questions, key);
        buf_puts(b, "<tr><th scope=\"row\">");
        buf_puts_html(b, q ? json_string_value(json_object_get(json_object_get(q, "text"), lang))
                           : key);
        buf_puts(b, "</th><td>");
        buf_puts_html(b, json_is_string(v) ? json_string_value(v) : t);
        buf_puts(b, "</td></tr>\n");
        free(t);
    }
    buf_puts(b, "</table>\n</body></html>\n");
}

int
assessment_export(const char *id, const char *format, char **text, size_t *len,
                  struct mp_error *err)
{
    struct buf b = BUF_INIT;
    json_t *a, *set;

    *text = NULL;
    if (assessment_get(id, &a, err) != 0)
        return -1;
    if (strcmp(format, "json") == 0) {
        *text = json_dumps(a, JSON_INDENT(2) | JSON_SORT_KEYS);
        json_decref(a);
        if (*text == NULL)
            return mp_error_set(err, 500, "", "out of memory");
        *len = strlen(*text);
        return 0;
    }
    if (strcmp(format, "csv") == 0) {
        export_csv(&b, a);
    } else {
        set = assessment_acquire();
        if (set == NULL) {
            json_decref(a);
            return mp_error_set(err, 503, "", "assessment data not loaded");
        }
        export_html(&b, a, set);
        json_decref(set);
    }
    json_decref(a);
    if (buf_failed(&b)) {
        buf_free(&b);
        return mp_error_set(err, 500, "", "out of memory");
    }
    *text = buf_detach(&b, len);
    return 0;
}
