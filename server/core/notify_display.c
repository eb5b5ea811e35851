/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * notify_display.c - the words of a signed notification: each value of the
 * document as its reader reads it, in the draft's language.
 *
 * A signed document keeps every field's machine value (what a tool reads)
 * and gains a display value (what the authority's officer reads): times in
 * the organisation's own clock with UTC beside them, countries by name,
 * the criteria that were met by their sentence and article, yes / no /
 * unknown in words, numbers grouped the way the language writes them.  The
 * printable page is drawn from these display values, so the page and the
 * signed JSON say the same thing.
 *
 * The organisation's clock is the working-day calendar of its country
 * (config/calendars/, rules.h: UTC offset and EU summer time); a country
 * without one is shown in UTC only.
 */
#include "core/notify.h"
#include "lib/buf.h"
#include "lib/timeutil.h"

#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The EU and EEA member states (ISO 3166-1 alpha-2; Greece is EL in EU
 * usage and GR in ISO: both are named). */
static const struct {
    const char *code, *en, *nl;
} countries[] = {
    {"AT", "Austria", "Oostenrijk"},   {"BE", "Belgium", "België"},
    {"BG", "Bulgaria", "Bulgarije"},   {"CY", "Cyprus", "Cyprus"},
    {"CZ", "Czechia", "Tsjechië"},     {"DE", "Germany", "Duitsland"},
    {"DK", "Denmark", "Denemarken"},   {"EE", "Estonia", "Estland"},
    {"EL", "Greece", "Griekenland"},   {"GR", "Greece", "Griekenland"},
    {"ES", "Spain", "Spanje"},         {"FI", "Finland", "Finland"},
    {"FR", "France", "Frankrijk"},     {"HR", "Croatia", "Kroatië"},
    {"HU", "Hungary", "Hongarije"},    {"IE", "Ireland", "Ierland"},
    {"IT", "Italy", "Italië"},         {"LT", "Lithuania", "Litouwen"},
    {"LU", "Luxembourg", "Luxemburg"}, {"LV", "Latvia", "Letland"},
    {"MT", "Malta", "Malta"},          {"NL", "the Netherlands", "Nederland"},
    {"PL", "Poland", "Polen"},         {"PT", "Portugal", "Portugal"},
    {"RO", "Romania", "Roemenië"},     {"SE", "Sweden", "Zweden"},
    {"SI", "Slovenia", "Slovenië"},    {"SK", "Slovakia", "Slowakije"},
    {"IS", "Iceland", "IJsland"},      {"LI", "Liechtenstein", "Liechtenstein"},
    {"NO", "Norway", "Noorwegen"},
};

/* [0] English, [1] Dutch */
static const char *const months[2][12] = {
    {"January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"},
    {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
     "oktober", "november", "december"},
};

static const struct {
    const char *id, *en, *nl;
} words[] = {
    /* recipients (rules_recipients) */
    {"csirt", "CSIRT", "CSIRT"},
    {"supervisor", "competent authority", "bevoegde autoriteit"},
    {"dpa", "data protection authority", "toezichthouder gegevensbescherming"},
    {"cer_authority", "competent authority (CER)", "bevoegde autoriteit (Wwke)"},
    {"financial_supervisor", "financial supervisor", "financieel toezichthouder"},
    {"data_subjects", "data subjects", "betrokkenen"},
    {"clients", "clients", "cliënten"},
    /* severities and meldpunt's roles */
    {"low", "low", "laag"},
    {"medium", "medium", "gemiddeld"},
    {"high", "high", "hoog"},
    {"critical", "critical", "kritiek"},
    {"manager", "manager", "manager"},
    {"admin", "administrator", "beheerder"},
    {"analyst", "analyst", "analist"},
    {"viewer", "reader", "lezer"},
};

const char *
notify_word(const char *id, bool nl)
{
    for (size_t i = 0; id && i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(words[i].id, id) == 0)
            return nl ? words[i].nl : words[i].en;
    }
    return id;
}

void
notify_words_init(struct notify_words *w, const struct rules *r, const char *regime,
                  const char *lang, const char *country)
{
    memset(w, 0, sizeof(*w));
    w->nl = lang && strcmp(lang, "nl") == 0;
    w->rules = r;
    w->rs = r ? rules_find(r, regime) : NULL;
    for (int i = 0; r && country && i < r->ncalendars; i++) {
        if (strcasecmp(r->calendars[i].id, country) == 0)
            w->cal = &r->calendars[i];
    }
}

/* Two digits at p as a number. */
static int
two_digits(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/* "4 December 2026, 08:17 (07:17 UTC)" / "4 december 2026, 08:17 (07:17 UTC)" */
void
notify_display_time(const struct notify_words *w, int64_t t, struct buf *out)
{
    char local[TIME_RFC3339_LEN], utc[TIME_RFC3339_LEN];
    int y, m, d, hh, mm;

    /* the calendar's arithmetic once, in timeutil: read back from its
     * fixed-width text, "YYYY-MM-DDTHH:MM:SSZ" */
    time_format_rfc3339(t + (w->cal ? calendar_offset(w->cal, t) : 0), local, sizeof(local));
    time_format_rfc3339(t, utc, sizeof(utc));
    if (strlen(local) != 20 || strspn(local, "0123456789") != 4) {
        buf_puts(out, utc);
        return;
    }
    y = (int)strtol(local, NULL, 10);
    m = two_digits(local + 5);
    d = two_digits(local + 8);
    hh = two_digits(local + 11);
    mm = two_digits(local + 14);
    if (m < 1 || m > 12) {
        buf_puts(out, utc);
        return;
    }
    buf_printf(out, "%d %s %d, %02d:%02d", d, months[w->nl ? 1 : 0][m - 1], y, hh, mm);
    /* UTC beside it: "(07:17 UTC)" */
    if (w->cal)
        buf_printf(out, " (%.5s UTC)", utc + 11);
    else
        buf_puts(out, " UTC");
}

static const char *
country_name(const char *code, bool nl)
{
    for (size_t i = 0; code && i < sizeof(countries) / sizeof(countries[0]); i++) {
        if (strcmp(countries[i].code, code) == 0)
            return nl ? countries[i].nl : countries[i].en;
    }
    return NULL;
}

/* The criterion with this id anywhere in a rule file: its object. */
static const json_t *
find_criterion(const json_t *j, const char *id)
{
    const char *key;
    const json_t *v, *hit;
    size_t i;

    if (json_is_object(j)) {
        if (json_is_string(json_object_get(j, "id")) &&
            strcmp(json_string_value(json_object_get(j, "id")), id) == 0 &&
            json_is_object(json_object_get(j, "text")))
            return j;
        json_object_foreach((json_t *)j, key, v)
        {
            if ((hit = find_criterion(v, id)) != NULL)
                return hit;
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v)
        {
            if ((hit = find_criterion(v, id)) != NULL)
                return hit;
        }
    }
    return NULL;
}

/* 5000 → "5.000" (nl) or "5,000" (en); 2.5 → "2,5" / "2.5". */
static void
display_number(const struct notify_words *w, const json_t *v, struct buf *out)
{
    char text[64], *dot;
    size_t whole, start = 0;

    if (json_is_integer(v))
        snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(v));
    else
        snprintf(text, sizeof(text), "%.15g", json_real_value(v));
    if (strchr(text, 'e') != NULL) { /* too large or small to group */
        buf_puts(out, text);
        return;
    }
    dot = strchr(text, '.');
    whole = dot ? (size_t)(dot - text) : strlen(text);
    if (text[0] == '-') {
        buf_puts(out, "-");
        start = 1;
    }
    for (size_t i = start; i < whole; i++) {
        if (i > start && (whole - i) % 3 == 0)
            buf_puts(out, w->nl ? "." : ",");
        buf_append(out, &text[i], 1);
    }
    if (dot) {
        buf_puts(out, w->nl ? "," : ".");
        buf_puts(out, dot + 1);
    }
}

/* The law's names and words in Dutch, for a source the rule file gives in
 * English (the terms of docs/TERMINOLOGY.md). */
static const struct {
    const char *en, *nl;
} law_words[] = {
    {"Commission Implementing Regulation (EU)", "Uitvoeringsverordening (EU)"},
    {"Implementing Regulation (EU)", "Uitvoeringsverordening (EU)"},
    {"Commission Delegated Regulation (EU)", "Gedelegeerde Verordening (EU)"},
    {"Delegated Regulation (EU)", "Gedelegeerde Verordening (EU)"},
    {"Delegated Reg. (EU)", "Gedelegeerde Verordening (EU)"},
    {"Regulation (EU)", "Verordening (EU)"},
    {"Directive (EU)", "Richtlijn (EU)"},
    {"Recommendation", "Aanbeveling"},
    {"as amended by", "zoals gewijzigd bij"},
    {"last subparagraph", "laatste alinea"},
    {"derogation from point", "afwijking van punt"},
    {"arts. ", "art. "},
    {"No ", "nr. "},
    {" and ", " en "},
    {"Annexes", "bijlagen"},
    {"Annex", "bijlage"},
    {"recital", "overweging"},
};

/* The length of an operator's note at s that the authority does not read:
 * " [secondary sources ...]" (how sure the rule's author was of a source) or
 * a parenthesis marked UNCONFIRMED; 0 when s starts none. */
static size_t
internal_note(const char *s)
{
    const char *end;

    if (strncmp(s, " [secondary", 11) == 0 && (end = strchr(s, ']')) != NULL)
        return ((size_t)(end - s) + 1);
    if (strncmp(s, " (", 2) == 0 && (end = strchr(s, ')')) != NULL) {
        const char *u = strstr(s, "UNCONFIRMED");
        if (u != NULL && u < end && memchr(s + 2, '(', (size_t)(end - s - 2)) == NULL)
            return ((size_t)(end - s) + 1);
    }
    if (strncmp(s, " UNCONFIRMED", 12) == 0)
        return (12);
    return (0);
}

static void
put_source(const struct notify_words *w, const char *s, struct buf *out)
{
    while (*s) {
        size_t k, n = sizeof(law_words) / sizeof(law_words[0]), note = internal_note(s);

        if (note > 0) {
            s += note;
            continue;
        }
        for (k = 0; w->nl && k < n; k++) {
            size_t len = strlen(law_words[k].en);
            if (strncmp(s, law_words[k].en, len) == 0) {
                buf_puts(out, law_words[k].nl);
                s += len;
                break;
            }
        }
        if (!w->nl || k == n)
            buf_append(out, s++, 1);
    }
}

/* A criterion that concludes from others ("significant: all of ...") is
 * not itself one the authority looks for; its parts are listed. */
static bool
is_conclusion(const json_t *c)
{
    return c && (json_object_get(c, "all") || json_object_get(c, "any"));
}

static bool
is_country_list(const char *id)
{
    return id && (strstr(id, "member_states") != NULL || strstr(id, "countries") != NULL);
}

/* One item of a list, as text. */
static void
display_item(const struct notify_words *w, const char *id, const json_t *v, struct buf *out)
{
    const char *s = json_string_value(v), *name;
    const json_t *c;
    int64_t t;

    if (s && is_country_list(id) && (name = country_name(s, w->nl)) != NULL) {
        buf_puts(out, name);
    } else if (s && id && strcmp(id, "criteria_met") == 0 && w->rs &&
               (c = find_criterion(w->rs->doc, s)) != NULL) {
        const char *text =
            json_string_value(json_object_get(json_object_get(c, "text"), w->nl ? "nl" : "en"));
        const char *source = json_string_value(json_object_get(c, "source"));
        buf_puts(out, text ? text : s);
        if (source) {
            buf_puts(out, " (");
            put_source(w, source, out);
            buf_puts(out, ")");
        }
    } else if (s && time_parse_rfc3339(s, &t) == 0) {
        notify_display_time(w, t, out);
    } else if (s) {
        buf_puts(out, s);
    } else if (json_is_boolean(v)) {
        buf_puts(out, json_is_true(v) ? (w->nl ? "ja" : "yes") : (w->nl ? "nee" : "no"));
    } else if (json_is_number(v)) {
        display_number(w, v, out);
    } else if (json_is_null(v) || v == NULL) {
        buf_puts(out, w->nl ? "onbekend" : "unknown");
    } else {
        char *j = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        buf_puts(out, j ? j : "");
        free(j);
    }
}

char *
notify_display(const struct notify_words *w, const char *id, const json_t *v)
{
    struct buf out = BUF_INIT;
    const json_t *x;
    size_t i;

    if (json_array_size(v) > 0 && id && strcmp(id, "criteria_met") == 0) {
        /* criteria are sentences, one a line; conclusions only when
         * nothing else met */
        size_t shown = 0;
        for (int pass = 0; pass < 2 && shown == 0; pass++) {
            json_array_foreach(v, i, x)
            {
                const json_t *c = w->rs && json_is_string(x)
                                      ? find_criterion(w->rs->doc, json_string_value(x))
                                      : NULL;
                if (pass == 0 && is_conclusion(c))
                    continue;
                if (shown++ > 0)
                    buf_puts(&out, "\n");
                display_item(w, id, x, &out);
            }
        }
    } else if (json_is_array(v)) {
        if (json_array_size(v) == 0)
            buf_puts(&out, w->nl ? "geen" : "none");
        json_array_foreach(v, i, x)
        {
            if (i > 0)
                buf_puts(&out, ", ");
            display_item(w, id, x, &out);
        }
    } else if (json_is_string(v) && id && strcmp(id, "severity") == 0) {
        buf_puts(&out, notify_word(json_string_value(v), w->nl));
    } else {
        display_item(w, id, v, &out);
    }
    if (buf_failed(&out)) {
        buf_free(&out);
        return NULL;
    }
    return buf_detach(&out, NULL);
}

/* A labelled field of the document: its machine value, its label and its
 * display value in the draft's language ({id, label, value, display}). */
json_t *
notify_labelled(const struct notify_words *w, const char *id, const char *label, json_t *value)
{
    char *display = notify_display(w, id, value);
    json_t *out = json_pack("{s:s, s:s, s:O, s:s}", "id", id, "label", label, "value",
                            value ? value : json_null(), "display", display ? display : "");

    free(display);
    return out;
}

/* The same for a time (unix seconds; TIME_UNSET: unknown). */
json_t *
notify_labelled_time(const struct notify_words *w, const char *id, const char *label, int64_t t)
{
    char text[TIME_RFC3339_LEN];
    json_t *v, *out;

    if (t == TIME_UNSET)
        return notify_labelled(w, id, label, json_null());
    time_format_rfc3339(t, text, sizeof(text));
    v = json_string(text);
    out = notify_labelled(w, id, label, v);
    json_decref(v);
    return out;
}

json_t *
notify_summary(const struct notify_words *w, const struct notify_summary_in *in)
{
    bool nl = w->nl;
    const struct {
        const char *id, *en, *nl, *text;
    } texts[] = {
        {"recipient", "To", "Aan", in->recipient},
        {"regime", "Regime", "Regeling", in->regime},
        {"stage", "Report", "Soort melding", in->stage},
        {"incident", "Incident", "Incident", in->incident},
        {"severity", "Severity", "Ernst", in->severity},
    };
    const struct {
        const char *id, *en, *nl;
        int64_t t;
    } times[] = {
        {"detected_at", "Detected", "Ontdekt", in->detected_at},
        {"aware_at", "Aware of its significance", "Bewust van significantie", in->aware_at},
        {"due_at", "Due", "Uiterlijk", in->due_at},
        {"signed_at", "Signed", "Ondertekend", in->signed_at},
    };
    json_t *summary = json_array();

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        json_t *v = texts[i].text ? json_string(texts[i].text) : NULL;
        json_array_append_new(summary,
                              notify_labelled(w, texts[i].id, nl ? texts[i].nl : texts[i].en, v));
        json_decref(v);
    }
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
        json_array_append_new(
            summary,
            notify_labelled_time(w, times[i].id, nl ? times[i].nl : times[i].en, times[i].t));
    return summary;
}

/* ---- issue 22, exercises ---- */

json_t *
notify_exercise_statement(bool nl)
{
    static const char *en = "EXERCISE: this document belongs to an exercise and does not report "
                            "a real incident.",
                      *nl_text = "OEFENING: dit document hoort bij een oefening en meldt geen "
                                 "echt incident.";

    return json_pack("{s:b, s:s, s:{s:s, s:s}}", "exercise", 1, "display", nl ? nl_text : en,
                     "statement", "nl", nl_text, "en", en);
}
