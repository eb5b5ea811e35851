/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * notify_export.c - the signed document for people and for the file: a
 * printable HTML page in the draft's language, and a ZIP bundle (written
 * with libarchive) holding everything needed to check it later.
 */
#include "core/incident.h"
#include "core/notify.h"
#include "core/signing.h"
#include "lib/buf.h"
#include "lib/embed.h"
#include "lib/html.h"
#include "lib/timeutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
html_value(struct buf *out, const json_t *v, bool nl)
{
    char *t;

    if (v == NULL || json_is_null(v)) {
        buf_puts(out, nl ? "<em>onbekend</em>" : "<em>unknown</em>");
    } else if (json_is_string(v)) {
        buf_puts_html(out, json_string_value(v));
    } else if (json_is_boolean(v)) {
        buf_puts(out, json_is_true(v) ? (nl ? "ja" : "yes") : (nl ? "nee" : "no"));
    } else {
        t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        buf_puts_html(out, t);
        free(t);
    }
}

static const char *
get(const json_t *doc, const char *object, const char *key)
{
    return json_string_value(json_object_get(json_object_get(doc, object), key));
}

/* A labelled field's display value; a document signed before fields had
 * one shows its machine value. */
static void
html_cell(struct buf *out, const json_t *item, bool nl)
{
    const char *display = json_string_value(json_object_get(item, "display"));

    if (display != NULL)
        html_printf(out, "%s", display);
    else
        html_value(out, json_object_get(item, "value"), nl);
}

/* The display value of the summary field id ("" when absent). */
static const char *
summary_display(const json_t *doc, const char *id)
{
    const json_t *item;
    size_t i;

    json_array_foreach(json_object_get(doc, "summary"), i, item)
    {
        if (strcmp(json_string_value(json_object_get(item, "id")), id) == 0)
            return json_string_value(json_object_get(item, "display"));
    }
    return NULL;
}

/* The stylesheet: linked from the server (its Content-Security-Policy
 * allows no inline style), written into the page itself in the bundle, so
 * that the page prints as well from a disk. */
static void
html_style(struct buf *out, bool standalone)
{
    if (!standalone) {
        buf_puts(out, "<link rel=\"stylesheet\" href=\"/print.css\">\n");
        return;
    }
    for (size_t i = 0; i < web_files_count; i++) {
        if (strcmp(web_files[i].name, "print.css") == 0) {
            buf_puts(out, "<style>\n");
            buf_append(out, web_files[i].data, web_files[i].len);
            buf_puts(out, "</style>\n");
        }
    }
}

static void
html_letterhead(struct buf *out, const json_t *doc, bool nl)
{
    const json_t *org = json_object_get(doc, "organisation");
    const char *kvk = json_string_value(json_object_get(org, "kvk_number"));
    const char *address = json_string_value(json_object_get(org, "address"));
    const char *signed_at = summary_display(doc, "signed_at");

    html_printf(out,
                "<header class=\"letterhead\">\n<div class=\"org\"><p class=\"org-name\">%s</p>\n",
                get(doc, "organisation", "name"));
    if (address)
        html_printf(out, "<p class=\"address\">%s</p>\n", address);
    if (kvk)
        html_printf(out, "<p class=\"kvk\">%s %s</p>\n",
                    nl ? "KvK-nummer" : "Chamber of Commerce (KvK) no.", kvk);
    html_printf(out,
                "</div>\n<div class=\"ref\"><p>%s <strong>%s</strong></p>\n<p>%s</p></div>\n"
                "</header>\n",
                nl ? "Ons kenmerk" : "Our reference", get(doc, "incident", "ref"),
                signed_at ? signed_at : get(doc, "signature", "signed_at"));
    html_printf(out,
                "<section class=\"recipient\" aria-label=\"%s\"><p class=\"to\">%s</p>\n"
                "<p><strong>%s</strong><br>%s",
                nl ? "Ontvanger" : "Recipient", nl ? "Aan" : "To",
                get(doc, "recipient", "name") ? get(doc, "recipient", "name") : "",
                get(doc, "recipient", "role_label") ? get(doc, "recipient", "role_label")
                                                    : get(doc, "recipient", "role"));
    if (get(doc, "recipient", "contact") && get(doc, "recipient", "contact")[0])
        html_printf(out, "<br>%s", get(doc, "recipient", "contact"));
    buf_puts(out, "</p></section>\n");
}

static void
html_signature(struct buf *out, const json_t *doc, bool nl)
{
    const json_t *signer = json_object_get(json_object_get(doc, "signature"), "signer");
    const char *signed_at = summary_display(doc, "signed_at");
    const char *title = json_string_value(json_object_get(signer, "job_title"));

    html_printf(out, "<section class=\"signature\">\n<h2>%s</h2>\n<p>%s <strong>%s</strong>",
                nl ? "Ondertekening" : "Signature", nl ? "Ondertekend door" : "Signed by",
                signer ? json_string_value(json_object_get(signer, "name"))
                       : get(doc, "signature", "signed_by"));
    if (title)
        html_printf(out, ", %s", title);
    if (signer)
        html_printf(out, " (%s %s)", nl ? "in meldpunt:" : "in meldpunt:",
                    json_string_value(json_object_get(signer, "role_label")));
    html_printf(out, ", %s %s.", nl ? "op" : "on",
                signed_at ? signed_at : get(doc, "signature", "signed_at"));
    if (json_is_string(json_object_get(doc, "due_at"))) {
        /* RFC 3339 times in UTC sort as text */
        bool met = strcmp(get(doc, "signature", "signed_at"),
                          json_string_value(json_object_get(doc, "due_at"))) <= 0;
        html_printf(out, " %s",
                    met ? (nl ? "Ondertekend binnen de termijn." : "Signed within the deadline.")
                        : (nl ? "Ondertekend na de termijn." : "Signed after the deadline."));
    }
    html_printf(
        out,
        "</p>\n<div class=\"signature-box\"><div class=\"line\"></div><p>%s</p></div>\n"
        "<h3>%s</h3>\n<ol class=\"verify\">\n<li>%s</li>\n<li><code>minisign -V -m "
        "document.json -p meldpunt.pub</code> %s <code>meldpunt verify document.json "
        "--pubkey meldpunt.pub</code></li>\n<li>%s <code>%s</code> (Ed25519, %s).</li>\n"
        "</ol>\n<p class=\"small\">%s <code>%s</code>. %s</p>\n</section>\n",
        nl ? "Handtekening" : "Signature",
        nl ? "Zo controleert u deze melding" : "How to verify this notification",
        nl ? "Vraag de bundel op (document.json, document.json.minisig en meldpunt.pub); "
             "het elektronisch ondertekende bestand is document.json, deze pagina is "
             "daarvan een leesbare weergave."
           : "Ask for the bundle (document.json, document.json.minisig and meldpunt.pub); "
             "the electronically signed file is document.json, this page is a readable "
             "rendering of it.",
        nl ? "of" : "or", nl ? "De sleutel die ondertekende heeft id" : "The signing key's id is",
        get(doc, "signature", "key_id"), nl ? "minisign-formaat" : "minisign format",
        nl ? "Melding" : "Notification", json_string_value(json_object_get(doc, "notification")),
        nl ? "Dit is geen gekwalificeerde elektronische handtekening (eIDAS)."
           : "This is not a qualified electronic signature (eIDAS).");
}

int
notify_html(const char *nid, bool standalone, char **html, struct mp_error *err)
{
    struct buf out = BUF_INIT;
    char *text, *sig;
    json_t *doc, *c;
    size_t i;
    bool nl;

    *html = NULL;
    if (notify_document(nid, &text, &sig, err) != 0)
        return -1;
    doc = json_loads(text, 0, NULL);
    free(text);
    free(sig);
    if (doc == NULL)
        return mp_error_set(err, 500, "", "the stored document is not JSON");
    nl = strcmp(json_string_value(json_object_get(doc, "language")), "nl") == 0;
    html_printf(&out,
                "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<title>%s &middot; %s</title>\n",
                nl ? "nl" : "en", get(doc, "stage", "name"), get(doc, "incident", "ref"));
    html_style(&out, standalone);
    /* issue 22: an exercise's letter is watermarked (print.css) and says so */
    if (json_object_get(doc, "exercise"))
        html_printf(
            &out,
            "</head><body class=\"document exercise\" data-watermark=\"%s\">\n"
            "<p class=\"exercise-statement\" role=\"note\">%s</p>\n",
            nl ? "OEFENING" : "EXERCISE",
            json_string_value(json_object_get(json_object_get(doc, "exercise"), "display")));
    else
        buf_puts(&out, "</head><body class=\"document\">\n");
    html_letterhead(&out, doc, nl);
    html_printf(&out, "<main>\n<h1>%s</h1>\n<p class=\"regime\">%s</p>\n",
                get(doc, "stage", "name"), get(doc, "regime", "title"));
    buf_puts(&out, "<table class=\"summary\">\n");
    json_array_foreach(json_object_get(doc, "summary"), i, c)
    {
        const char *id = json_string_value(json_object_get(c, "id"));
        /* said in the letterhead already */
        if (strcmp(id, "recipient") == 0 || strcmp(id, "stage") == 0 || strcmp(id, "regime") == 0)
            continue;
        html_printf(&out, "<tr><th scope=\"row\">%s</th><td>",
                    json_string_value(json_object_get(c, "label")));
        html_cell(&out, c, nl);
        buf_puts(&out, "</td></tr>\n");
    }
    if (!json_is_array(json_object_get(doc, "summary"))) {
        /* a document signed before it had a summary */
        html_printf(&out, "<tr><th scope=\"row\">Incident</th><td>%s: %s</td></tr>\n",
                    get(doc, "incident", "ref"), get(doc, "incident", "title"));
        html_printf(&out, "<tr><th scope=\"row\">%s</th><td>", nl ? "Uiterlijk" : "Due");
        html_value(&out, json_object_get(doc, "due_at"), nl);
        buf_puts(&out, "</td></tr>\n");
    }
    html_printf(&out, "</table>\n<h2>%s</h2>\n<table class=\"contents\">\n",
                nl ? "Inhoud van de melding" : "Contents of the report");
    json_array_foreach(json_object_get(doc, "contents"), i, c)
    {
        html_printf(&out, "<tr><th scope=\"row\">%s</th><td>",
                    json_string_value(json_object_get(c, "label")));
        html_cell(&out, c, nl);
        buf_puts(&out, "</td></tr>\n");
    }
    buf_puts(&out, "</table>\n");
    html_signature(&out, doc, nl);
    html_printf(
        &out, "</main>\n<footer class=\"print-footer\">%s &middot; %s &middot; %s</footer>\n",
        get(doc, "organisation", "name"), get(doc, "incident", "ref"), get(doc, "stage", "name"));
    buf_puts(&out, "</body></html>\n");
    json_decref(doc);
    if (buf_failed(&out)) {
        buf_free(&out);
        return mp_error_set(err, 500, "", "out of memory");
    }
    *html = buf_detach(&out, NULL);
    return 0;
}

static la_ssize_t
to_buf(struct archive *a, void *client, const void *data, size_t len)
{
    (void)a;
    buf_append(client, data, len);
    return buf_failed(client) ? -1 : (la_ssize_t)len;
}

/* Every entry carries the signing time, never the time the bundle was
 * made: the same signed notification gives the same bytes. */
static int
add(struct archive *a, int64_t mtime, const char *name, const void *data, size_t len)
{
    struct archive_entry *e = archive_entry_new();
    int rc;

    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, (time_t)mtime, 0);
    rc = archive_write_header(a, e) == ARCHIVE_OK &&
                 archive_write_data(a, data, len) == (la_ssize_t)len
             ? 0
             : -1;
    archive_entry_free(e);
    return rc;
}

/* The public key (minisign text) with this id: the current one or one
 * rotated out (signing_public_json's "previous"); NULL when none. */
static const char *
signer_key(json_t *keys, const char *key_id)
{
    json_t *k;
    size_t i;

    if (key_id == NULL)
        return NULL;
    if (strcmp(json_string_value(json_object_get(keys, "key_id")), key_id) == 0)
        return json_string_value(json_object_get(keys, "public_key"));
    json_array_foreach(json_object_get(keys, "previous"), i, k)
    {
        if (json_is_string(json_object_get(k, "key_id")) &&
            strcmp(json_string_value(json_object_get(k, "key_id")), key_id) == 0)
            return json_string_value(json_object_get(k, "public_key"));
    }
    return NULL;
}

int
notify_bundle(const char *nid, char **zip, size_t *len, struct mp_error *err)
{
    static const char readme[] =
        "This archive holds a notification signed by meldpunt.\n\n"
        "  document.json          the signed document (RFC 8785 canonical JSON)\n"
        "  document.json.minisig  its signature (minisign format, Ed25519)\n"
        "  meldpunt.pub           the public key that signed it (after a key\n"
        "                         rotation, the key kept from before)\n"
        "  document.html          the same document as a printable page\n"
        "  timeline.json          the incident's timeline up to the signing\n\n"
        "Check it with the standard tool:\n"
        "  minisign -V -m document.json -p meldpunt.pub\n"
        "or with meldpunt:\n"
        "  meldpunt verify document.json --pubkey meldpunt.pub\n\n"
        "document.json records the audit chain's head (audit_head) when it was\n"
        "signed: any later copy of meldpunt's audit chain must contain that entry.\n";
    struct buf out = BUF_INIT;
    struct timeline_entry *tl = NULL;
    char *doc = NULL, *sig = NULL, *html = NULL, *tl_text = NULL;
    json_t *key = signing_public_json(), *docj = NULL, *items = NULL;
    struct archive *a = NULL;
    const char *signed_at, *pub;
    int64_t mtime;
    int n = 0, rc = -1;

    *zip = NULL;
    if (notify_document(nid, &doc, &sig, err) != 0 || notify_html(nid, true, &html, err) != 0)
        goto out;
    docj = json_loads(doc, 0, NULL);
    signed_at = json_string_value(json_object_get(json_object_get(docj, "signature"), "signed_at"));
    if (docj == NULL || key == NULL || signed_at == NULL ||
        time_parse_rfc3339(signed_at, &mtime) != 0) {
        mp_error_set(err, 500, "", "the document or the key is not available");
        goto out;
    }
    /* the key that signed it, which after a rotation is a kept one */
    pub = signer_key(
        key, json_string_value(json_object_get(json_object_get(docj, "signature"), "key_id")));
    if (pub == NULL) {
        mp_error_set(err, 500, "", "the key that signed the document is not kept here");
        goto out;
    }
    if (incident_timeline(
            json_string_value(json_object_get(json_object_get(docj, "incident"), "id")), &tl, &n,
            err) != 0)
        goto out;
    items = json_array();
    for (int i = 0; i < n; i++) {
        /* what happened after the signing is not part of what was signed */
        int64_t at;
        if (time_parse_rfc3339(tl[i].at, &at) == 0 && at > mtime)
            continue;
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "at", tl[i].at,
                                               "principal", tl[i].principal, "kind", tl[i].kind,
                                               "field", tl[i].field, "note", tl[i].note));
    }
    tl_text = json_dumps(items, JSON_INDENT(2));
    if (tl_text == NULL || html == NULL) {
        mp_error_set(err, 500, "", "out of memory");
        goto out;
    }
    a = archive_write_new();
    if (a == NULL || archive_write_set_format_zip(a) != ARCHIVE_OK ||
        archive_write_open(a, &out, NULL, to_buf, NULL) != ARCHIVE_OK ||
        add(a, mtime, "document.json", doc, strlen(doc)) != 0 ||
        add(a, mtime, "document.json.minisig", sig, strlen(sig)) != 0 ||
        add(a, mtime, "meldpunt.pub", pub, strlen(pub)) != 0 ||
        add(a, mtime, "document.html", html, strlen(html)) != 0 ||
        add(a, mtime, "timeline.json", tl_text, strlen(tl_text)) != 0 ||
        add(a, mtime, "README.txt", readme, strlen(readme)) != 0 ||
        archive_write_close(a) != ARCHIVE_OK) {
        mp_error_set(err, 500, "", "writing the bundle failed: %s",
                     a ? archive_error_string(a) ? archive_error_string(a) : "?" : "no memory");
        goto out;
    }
    *zip = buf_detach(&out, len);
    rc = 0;
out:
    if (a != NULL)
        archive_write_free(a);
    buf_free(&out);
    if (tl != NULL)
        incident_timeline_free(tl, n);
    json_decref(items);
    json_decref(docj);
    json_decref(key);
    free(tl_text);
    free(doc);
    free(sig);
    free(html);
    return rc;
}
