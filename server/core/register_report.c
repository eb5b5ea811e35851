/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * register_report.c - the risk register seen as a whole: the 5 x 5 matrix,
 * what needs attention, and the exports (JSON, CSV per kind, a printable
 * page).  See register.h.
 */
#include "register_int.h"
#include "lib/buf.h"
#include "lib/html.h"
#include "lib/timeutil.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the matrix and what needs attention ---- */

static int
cmp_residual(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    return (int)(json_integer_value(json_object_get(y, "residual_score")) -
                 json_integer_value(json_object_get(x, "residual_score")));
}

/* Scenarios whose residual score is above accepted, highest first; all of
 * them, however many. */
static json_t *
over_accepted(json_t *all, int accepted)
{
    json_t *scen = register_of_kind(all, "scenario"), *x, *out = json_array(), *over = json_array();
    json_t **v;
    size_t i, n;

    json_array_foreach(scen, i, x)
    {
        json_t *d = json_object_get(x, "derived");
        int residual = (int)json_integer_value(json_object_get(d, "residual_score"));
        if (residual > accepted) {
            json_t *b = register_brief(x);
            json_object_set(b, "residual_score", json_object_get(d, "residual_score"));
            json_object_set(b, "residual_level", json_object_get(d, "residual_level"));
            json_object_set(b, "treatment", json_object_get(x, "treatment"));
            json_array_append_new(over, b);
        }
    }
    json_decref(scen);
    n = json_array_size(over);
    /* v is an array of json_t pointers: its element is a pointer, as meant */
    v = malloc((n ? n : 1) * sizeof(v[0])); // NOLINT(bugprone-sizeof-expression)
    if (v == NULL) {
        json_decref(over);
        return out;
    }
    json_array_foreach(over, i, x)
    {
        v[i] = x;
    }
    qsort(v, n, sizeof(v[0]), cmp_residual); // NOLINT(bugprone-sizeof-expression)
    for (i = 0; i < n; i++)
        json_array_append(out, v[i]);
    free(v);
    json_decref(over);
    return out;
}

/* Scenarios per cell [likelihood-1][impact-1], inherent and residual. */
static void
matrix_counts(json_t *scen, int ci[5][5], int cr[5][5])
{
    json_t *x;
    size_t i;

    json_array_foreach(scen, i, x)
    {
        int l = (int)json_integer_value(json_object_get(x, "likelihood"));
        int m = (int)json_integer_value(json_object_get(x, "impact"));
        json_t *rl = json_object_get(x, "residual_likelihood");
        ci[l - 1][m - 1]++;
        if (json_is_null(rl))
            cr[l - 1][m - 1]++;
        else
            cr[json_integer_value(rl) - 1]
              [json_integer_value(json_object_get(x, "residual_impact")) - 1]++;
    }
}

int
register_matrix(int accepted, int64_t now, json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    json_t *all, *scen, *inh, *res;
    int ci[5][5] = {{0}}, cr[5][5] = {{0}};

    *out = NULL;
    if (db == NULL || register_load_all(db, now, &all, err) != 0)
        return -1;
    scen = register_of_kind(all, "scenario");
    matrix_counts(scen, ci, cr);
    /* rows: likelihood 5 (top) .. 1; columns: impact 1 .. 5 */
    inh = json_array();
    res = json_array();
    for (int l = 5; l >= 1; l--) {
        json_t *a = json_array(), *b = json_array();
        for (int m = 1; m <= 5; m++) {
            json_array_append_new(a, json_pack("{s:i, s:i, s:i, s:s, s:i}", "likelihood", l,
                                               "impact", m, "score", l * m, "level",
                                               register_level(l * m), "count", ci[l - 1][m - 1]));
            json_array_append_new(b, json_pack("{s:i, s:i, s:i, s:s, s:i}", "likelihood", l,
                                               "impact", m, "score", l * m, "level",
                                               register_level(l * m), "count", cr[l - 1][m - 1]));
        }
        json_array_append_new(inh, a);
        json_array_append_new(res, b);
    }
    *out = json_pack("{s:i, s:i, s:o, s:o, s:o}", "accepted", accepted, "scenarios",
                     (int)json_array_size(scen), "inherent", inh, "residual", res, "over_accepted",
                     over_accepted(all, accepted));
    json_decref(scen);
    json_decref(all);
    return 0;
}

int
register_attention(int accepted, int64_t now, json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    json_t *all, *x, *overdue, *lapsed, *noalt, *untreated;
    size_t i;

    *out = NULL;
    if (db == NULL || register_load_all(db, now, &all, err) != 0)
        return -1;
    overdue = json_array();
    lapsed = json_array();
    noalt = json_array();
    untreated = json_array();
    json_array_foreach(all, i, x)
    {
        const char *kind = json_string_value(json_object_get(x, "kind"));
        json_t *d = json_object_get(x, "derived");
        if (strcmp(kind, "measure") == 0 && json_is_true(json_object_get(d, "overdue"))) {
            json_t *b = register_brief(x);
            json_object_set(b, "due_date", json_object_get(x, "due_date"));
            json_object_set(b, "owner", json_object_get(x, "owner"));
            json_array_append_new(overdue, b);
        } else if (strcmp(kind, "function") == 0 &&
                   json_array_size(json_object_get(d, "training_lapsed")) > 0) {
            json_t *b = register_brief(x);
            json_object_set(b, "people", json_object_get(d, "training_lapsed"));
            json_array_append_new(lapsed, b);
        } else if (strcmp(kind, "supplier") == 0 &&
                   json_is_true(json_object_get(x, "no_alternative"))) {
            json_t *b = register_brief(x);
            json_object_set(b, "criticality", json_object_get(x, "criticality"));
            json_array_append_new(noalt, b);
        } else if (strcmp(kind, "scenario") == 0 && json_is_null(json_object_get(x, "treatment"))) {
            json_array_append_new(untreated, register_brief(x));
        }
    }
    *out = json_pack("{s:i, s:o, s:o, s:o, s:o, s:o}", "accepted", accepted, "overdue_measures",
                     overdue, "training_lapsed", lapsed, "suppliers_without_alternative", noalt,
                     "scenarios_over_accepted", over_accepted(all, accepted), "untreated_scenarios",
                     untreated);
    json_decref(all);
    return 0;
}

/* ---- exports ---- */

static void
csv_cell(struct buf *b, json_t *v)
{
    char *s = NULL;

    if (v == NULL || json_is_null(v))
        return;
    if (json_is_string(v)) {
        buf_csv_field(b, json_string_value(v), false);
        return;
    }
    s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    buf_csv_field(b, s, json_is_number(v));
    free(s);
}

static const char *
name_of(json_t *all, json_t *id)
{
    json_t *x = register_by_id(all, json_string_value(id));
    return x ? json_string_value(json_object_get(x, "name")) : json_string_value(id);
}

/* One cell of the printable page: references by name, lists joined. */
static void
html_cell(struct buf *b, json_t *all, const struct field *fd, json_t *v)
{
    json_t *x;
    size_t i;

    if (v == NULL || json_is_null(v))
        return;
    switch (fd->type) {
    case F_REF:
    case F_THREAT:
        buf_puts_html(b, name_of(all, v));
        break;
    case F_REFS:
        json_array_foreach(v, i, x)
        {
            buf_puts(b, i ? "; " : "");
            buf_puts_html(b, name_of(all, x));
        }
        break;
    case F_PEOPLE:
        json_array_foreach(v, i, x)
        {
            buf_puts(b, i ? "; " : "");
            buf_puts_html(b, json_string_value(json_object_get(x, "name")));
            buf_puts(b, " (");
            buf_puts_html(b, json_is_string(json_object_get(x, "trained_on"))
                                 ? json_string_value(json_object_get(x, "trained_on"))
                                 : "never trained");
            buf_puts(b, ")");
        }
        break;
    case F_RECOVERY:
        json_array_foreach(v, i, x)
        {
            buf_puts(b, i ? "; " : "");
            buf_puts_html(b, name_of(all, json_object_get(x, "service")));
            buf_puts(b, ": RTO ");
            buf_puts_html(b, json_string_value(json_object_get(x, "rto")));
            buf_puts(b, ", RPO ");
            buf_puts_html(b, json_string_value(json_object_get(x, "rpo")));
        }
        break;
    case F_BOOL:
        buf_puts(b, json_is_true(v) ? "yes" : "no");
        break;
    case F_INT:
        html_printf(b, "%lld", (long long)json_integer_value(v));
        break;
    default:
        buf_puts_html(b, json_string_value(v));
    }
}

/* What derive() found, in words. */
static void
html_derived(struct buf *b, json_t *x)
{
    json_t *d = json_object_get(x, "derived"), *v;
    size_t i;

    if (json_object_get(d, "inherent_score"))
        html_printf(b, "inherent %lld (%s), residual %lld (%s)",
                    (long long)json_integer_value(json_object_get(d, "inherent_score")),
                    json_string_value(json_object_get(d, "inherent_level")),
                    (long long)json_integer_value(json_object_get(d, "residual_score")),
                    json_string_value(json_object_get(d, "residual_level")));
    if (json_is_true(json_object_get(d, "overdue")))
        buf_puts(b, "<strong>overdue</strong>");
    if (json_is_true(json_object_get(d, "no_alternative_risk")))
        buf_puts(b, "<strong>no alternative supplier: a risk</strong>");
    if (json_array_size(json_object_get(d, "training_lapsed")) > 0) {
        buf_puts(b, "<strong>training lapsed:</strong> ");
        json_array_foreach(json_object_get(d, "training_lapsed"), i, v)
        {
            buf_puts(b, i ? ", " : "");
            buf_puts_html(b, json_string_value(v));
        }
    }
}

static const char *const titles[][2] = {
    {"asset", "Assets and crown jewels"},
    {"threat", "Threats (own)"},
    {"scenario", "Risk scenarios"},
    {"measure", "Measures and plans"},
    {"supplier", "Suppliers"},
    {"function", "Critical functions"},
};

static int
export_html(json_t *all, const struct register_kind_def *only, int64_t now, char **text,
            size_t *len, struct mp_error *err)
{
    struct buf b = BUF_INIT;
    char at[TIME_RFC3339_LEN];

    time_format_rfc3339(now, at, sizeof(at));
    html_printf(&b,
                "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<title>%s</title></head><body>\n<h1>%s</h1>\n<p>Exported %s</p>\n",
                only && strcmp(only->kind, "measure") == 0 ? "Measures plan" : "Risk register",
                only && strcmp(only->kind, "measure") == 0 ? "Measures plan" : "Risk register", at);
    if (only == NULL) {
        /* the residual heat map: likelihood 5 (top) .. 1, impact 1 .. 5 */
        json_t *scen = register_of_kind(all, "scenario");
        int ci[5][5] = {{0}}, cr[5][5] = {{0}};

        matrix_counts(scen, ci, cr);
        json_decref(scen);
        buf_puts(&b, "<h2>Residual risk matrix</h2>\n<table>\n<thead><tr><th scope=\"col\">"
                     "likelihood \\ impact</th>");
        for (int m = 1; m <= 5; m++)
            html_printf(&b, "<th scope=\"col\">%d</th>", m);
        buf_puts(&b, "</tr></thead>\n<tbody>\n");
        for (int l = 5; l >= 1; l--) {
            html_printf(&b, "<tr><th scope=\"row\">%d</th>", l);
            for (int m = 1; m <= 5; m++)
                html_printf(&b, "<td title=\"%s\">%d</td>", register_level(l * m),
                            cr[l - 1][m - 1]);
            buf_puts(&b, "</tr>\n");
        }
        buf_puts(&b, "</tbody>\n</table>\n");
    }
    for (size_t t = 0; t < N(titles); t++) {
        const struct register_kind_def *k = register_find_kind(titles[t][0]);
        json_t *items, *x;
        size_t i;

        if (only && only != k)
            continue;
        items = register_of_kind(all, k->kind);
        html_printf(&b, "<h2>%s</h2>\n<table>\n<thead><tr><th scope=\"col\">name</th>",
                    titles[t][1]);
        for (const struct field *fd = k->fields; fd->name; fd++)
            html_printf(&b, "<th scope=\"col\">%s</th>", fd->name);
        buf_puts(&b, "<th scope=\"col\">assessment</th></tr></thead>\n<tbody>\n");
        json_array_foreach(items, i, x)
        {
            buf_puts(&b, "<tr><th scope=\"row\">");
            buf_puts_html(&b, json_string_value(json_object_get(x, "name")));
            buf_puts(&b, "</th>");
            for (const struct field *fd = k->fields; fd->name; fd++) {
                buf_puts(&b, "<td>");
                html_cell(&b, all, fd, json_object_get(x, fd->name));
                buf_puts(&b, "</td>");
            }
            buf_puts(&b, "<td>");
            html_derived(&b, x);
            buf_puts(&b, "</td></tr>\n");
        }
        buf_puts(&b, "</tbody>\n</table>\n");
        json_decref(items);
    }
    buf_puts(&b, "</body></html>\n");
    if (buf_failed(&b)) {
        buf_free(&b);
        return mp_error_set(err, 500, "", "out of memory");
    }
    *text = buf_detach(&b, len);
    return 0;
}

int
register_export(const char *kind, const char *format, int64_t now, char **text, size_t *len,
                struct mp_error *err)
{
    const struct register_kind_def *k = kind ? register_find_kind(kind) : NULL;
    sqlite3 *db = db_reader(err);
    json_t *all, *items, *x;
    struct buf b = BUF_INIT;
    size_t i;

    *text = NULL;
    if (db == NULL || register_load_all(db, now, &all, err) != 0)
        return -1;
    if (strcmp(format, "json") == 0) {
        json_t *doc = json_object();
        for (i = 0; i < register_kinds_count; i++) {
            if (k == NULL || k == &register_kinds[i])
                json_object_set_new(doc, register_kinds[i].plural,
                                    register_of_kind(all, register_kinds[i].kind));
        }
        *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
        json_decref(doc);
        json_decref(all);
        if (*text == NULL)
            return mp_error_set(err, 500, "", "out of memory");
        *len = strlen(*text);
        return 0;
    }
    if (strcmp(format, "html") == 0) {
        int rc = export_html(all, k, now, text, len, err);
        json_decref(all);
        return rc;
    }
    if (k == NULL) {
        json_decref(all);
        return mp_error_set(err, 400, "kind", "CSV needs ?kind= one of the register's kinds");
    }
    buf_puts(&b, "id,name");
    for (const struct field *fd = k->fields; fd->name; fd++) {
        buf_append(&b, ",", 1);
        buf_append(&b, fd->name, strlen(fd->name));
    }
    buf_puts(&b, ",derived,version,updated_at,updated_by\r\n");
    items = register_of_kind(all, k->kind);
    json_array_foreach(items, i, x)
    {
        csv_cell(&b, json_object_get(x, "id"));
        buf_append(&b, ",", 1);
        csv_cell(&b, json_object_get(x, "name"));
        for (const struct field *fd = k->fields; fd->name; fd++) {
            buf_append(&b, ",", 1);
            csv_cell(&b, json_object_get(x, fd->name));
        }
        buf_append(&b, ",", 1);
        csv_cell(&b, json_object_get(x, "derived"));
        buf_append(&b, ",", 1);
        csv_cell(&b, json_object_get(x, "version"));
        buf_append(&b, ",", 1);
        csv_cell(&b, json_object_get(x, "updated_at"));
        buf_append(&b, ",", 1);
        csv_cell(&b, json_object_get(x, "updated_by"));
        buf_append(&b, "\r\n", 2);
    }
    json_decref(items);
    json_decref(all);
    *text = buf_detach(&b, len);
    return *text ? 0 : mp_error_set(err, 500, "", "out of memory");
}
