/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * notify.c - see notify.h.
 *
 * The signed document is the draft's content in RFC 8785 canonical form
 * (lib/jcs.c), signed in minisign's format (core/signing.c) with a trusted
 * comment naming the incident, regime, stage, notification and time, so
 * `minisign -V` and `meldpunt verify` check it against the served key.
 */
#include "notify.h"
#include "core/classify.h"
#include "core/organisation.h"
#include "core/rules.h"
#include "core/signing.h"
#include "lib/jcs.h"
#include "lib/text.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"
#include "store/audit.h"
#include "store/classification.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/notifications.h"
#include "store/users.h"
#include "store/writer.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_TEXT_MAX 20000

/* The stage's contents as the rules in force give them, for the editor:
 * [{id, label, hint?, required}] (an empty list when the rules no longer
 * hold the stage), and the stage's name {en, nl}. */
static void
stage_words(const struct notification *n, json_t **contents, json_t **name)
{
    struct rules *rules = rules_acquire();
    const struct rule_stage *st = rules_find_stage(rules_find(rules, n->regime), n->stage);

    *contents = st ? json_deep_copy(json_object_get(st->def, "contents")) : NULL;
    *name = st ? json_deep_copy(json_object_get(st->def, "name")) : NULL;
    rules_release(rules);
    if (*contents == NULL)
        *contents = json_array();
    if (*name == NULL)
        *name = json_null();
}

static json_t *
notification_json(const struct notification *n)
{
    json_t *fields = json_loads(n->fields ? n->fields : "{}", 0, NULL), *contents, *name;

    stage_words(n, &contents, &name);
#define OPT(s) ((s)[0] ? (s) : NULL)
    return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:I, s:s?, s:o, s:b, s:s?, "
                     "s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:s, s:s, s:o, s:o}",
                     "id", n->id, "incident", n->incident_id, "obligation", OPT(n->obligation_id),
                     "regime", n->regime, "stage", n->stage, "recipient", n->recipient, "language",
                     n->language, "state", n->state, "version", (json_int_t)n->version,
                     "supersedes", OPT(n->supersedes), "fields", fields ? fields : json_object(),
                     "signed", n->document != NULL, "key_id", OPT(n->key_id), "signed_at",
                     OPT(n->signed_at), "signed_by", OPT(n->signed_by), "submitted_at",
                     OPT(n->submitted_at), "channel", OPT(n->channel), "authority_reference",
                     OPT(n->authority_ref), "submitted_by", OPT(n->submitted_by), "created_at",
                     n->created_at, "created_by", n->created_by, "updated_at", n->updated_at,
                     "contents", contents, "stage_name", name);
#undef OPT
}

/* A content item's value from what meldpunt knows: an impact fact or
 * incident field of that name, or one of a few well-known items. */
static json_t *
prefill(const char *id, const struct incident *inc, const json_t *facts)
{
    json_t *v = json_object_get(facts, id);

    if (v != NULL)
        return json_incref(v);
    if (strcmp(id, "summary") == 0 || strcmp(id, "nature") == 0 || strcmp(id, "description") == 0)
        return inc->description && inc->description[0] ? json_string(inc->description)
                                                       : json_null();
    if (strcmp(id, "affected_services") == 0)
        return json_incref(inc->services);
    if (strcmp(id, "severity") == 0)
        return json_string(incident_severity_names[inc->severity]);
    return json_null();
}

/*
 * A content item's template (rule file: "template": {"en", "nl"}): the
 * plain words a draft starts with in its language, such as the message to
 * the recipients of the service (NIS2 art. 23(1)), with {organisation},
 * {ref}, {title} and {services} filled in from what meldpunt knows.  NULL
 * when the item has none.
 */
static json_t *
from_template(const json_t *item, const char *lang, const struct incident *inc,
              const json_t *profile)
{
    const char *tpl = json_string_value(json_object_get(json_object_get(item, "template"), lang));
    const char *name = json_string_value(json_object_get(profile, "name"));
    struct buf out = BUF_INIT;
    json_t *v;

    if (tpl == NULL)
        return NULL;
    while (*tpl) {
        const char *end = *tpl == '{' ? strchr(tpl, '}') : NULL;
        size_t n = end ? (size_t)(end - tpl + 1) : 1;

        if (end && strncmp(tpl, "{organisation}", n) == 0) {
            buf_puts(&out, name && !text_blank(name) ? name : "");
        } else if (end && strncmp(tpl, "{ref}", n) == 0) {
            buf_puts(&out, inc->ref);
        } else if (end && strncmp(tpl, "{title}", n) == 0) {
            buf_puts(&out, inc->title);
        } else if (end && strncmp(tpl, "{services}", n) == 0) {
            size_t i;
            json_t *s;
            json_array_foreach(inc->services, i, s)
                buf_printf(&out, "%s%s", i ? ", " : "", json_string_value(s));
        } else {
            n = 1;
            buf_append(&out, tpl, 1);
        }
        tpl += n;
    }
    v = buf_failed(&out) ? NULL : json_stringn(out.data ? out.data : "", out.len);
    buf_free(&out);
    return v;
}

static bool
empty(const json_t *v)
{
    return v == NULL || json_is_null(v) ||
           (json_is_string(v) && text_blank(json_string_value(v))) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

/* A yes/no question (an impact fact of kind true/false, such as "could it
 * have a cross-border impact? yes/no/unknown") has a third answer: unknown,
 * null.  A required one answered "unknown" is answered, not empty. */
static bool
three_valued(const char *id)
{
    for (size_t i = 0; i < impact_facts_count; i++) {
        if (strcmp(impact_facts[i].name, id) == 0)
            return impact_facts[i].type == FACT_BOOL;
    }
    return false;
}

/* ---- create ---- */

struct create_change {
    const struct principal *p;
    const char *incident;
    const char *regime;
    const char *stage;
    const char *language;
    const char *supersedes; /* a correction */
    int64_t now;
    struct notification n;
    struct field_errors *errs;
};

static int
create_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct create_change *c = arg;
    struct rules *rules = rules_acquire();
    const struct ruleset *rs = rules_find(rules, c->regime);
    const struct rule_stage *st = rules_find_stage(rs, c->stage);
    struct incident inc;
    struct obligation o;
    char at[TIME_RFC3339_LEN], note[200], payload[200];
    json_t *facts = NULL, *fields = NULL, *profile = NULL;
    int64_t pversion;
    int found, rc = -1;
    size_t i;
    json_t *item;

    found = store_incident_load(db, c->incident, &inc, err);
    if (found <= 0) {
        rules_release(rules);
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no incident '%s'", c->incident);
    }
    if (rs == NULL || st == NULL) {
        mp_error_set(err, 422, rs ? "stage" : "regime", "no %s '%s' in the rules in force",
                     rs ? "stage" : "regime", rs ? c->stage : c->regime);
        goto out;
    }
    found = store_obligation_find(db, inc.id, c->regime, c->stage, &o, err);
    if (found < 0)
        goto out;
    if (!found && !st->on_request && !st->voluntary) {
        mp_error_set(err, 409, "stage",
                     "nothing is owed for %s %s on this incident (it is not significant under "
                     "that regime, or the stage does not apply)",
                     c->regime, c->stage);
        goto out;
    }
    time_format_rfc3339(c->now, at, sizeof(at));
    {
        char *given = c->n.fields; /* a correction starts from its original */
        memset(&c->n, 0, sizeof(c->n));
        c->n.fields = given;
    }
    uuid7_generate(c->n.id);
    snprintf(c->n.incident_id, sizeof(c->n.incident_id), "%s", inc.id);
    if (found)
        snprintf(c->n.obligation_id, sizeof(c->n.obligation_id), "%s", o.id);
    snprintf(c->n.regime, sizeof(c->n.regime), "%s", c->regime);
    snprintf(c->n.stage, sizeof(c->n.stage), "%s", c->stage);
    snprintf(c->n.recipient, sizeof(c->n.recipient), "%s", st->recipient);
    snprintf(c->n.language, sizeof(c->n.language), "%s", c->language);
    snprintf(c->n.state, sizeof(c->n.state), "draft");
    c->n.version = 1;
    if (c->supersedes)
        snprintf(c->n.supersedes, sizeof(c->n.supersedes), "%s", c->supersedes);
    snprintf(c->n.created_at, sizeof(c->n.created_at), "%s", at);
    snprintf(c->n.created_by, sizeof(c->n.created_by), "%s", c->p->name);
    snprintf(c->n.updated_at, sizeof(c->n.updated_at), "%s", at);
    if (c->n.fields == NULL) {
        char *last = NULL, last_at[32];
        json_t *fired = json_array();

        /* what the classification found: the criteria that fired */
        if (store_classification_latest(db, inc.id, &last, last_at, err) == 0 && last) {
            json_t *regimes = json_loads(last, 0, NULL), *r, *crit;
            size_t k, m;
            json_array_foreach(regimes, k, r)
            {
                if (strcmp(json_string_value(json_object_get(r, "regime")), c->regime) != 0)
                    continue;
                json_array_foreach(json_object_get(r, "criteria"), m, crit)
                {
                    if (strcmp(json_string_value(json_object_get(crit, "result")), "yes") == 0)
                        json_array_append(fired, json_object_get(crit, "id"));
                }
            }
            json_decref(regimes);
        }
        free(last);
        facts = classify_facts(db, &inc, c->now);
        json_object_set_new(facts, "criteria_met", fired);
        if (organisation_load(db, &profile, &pversion, NULL, err) != 0)
            goto out;
        fields = json_object();
        json_array_foreach(json_object_get(st->def, "contents"), i, item)
        {
            const char *id = json_string_value(json_object_get(item, "id"));
            json_t *v = prefill(id, &inc, facts);
            if (json_is_null(v)) {
                json_t *words = from_template(item, c->language, &inc, profile);
                if (words != NULL) {
                    json_decref(v);
                    v = words;
                }
            }
            json_object_set_new(fields, id, v);
        }
        c->n.fields = json_dumps(fields, JSON_COMPACT);
    }
    snprintf(note, sizeof(note), "draft of %s %s created%s", c->regime, c->stage,
             st->voluntary ? " (a voluntary notification)" : "");
    snprintf(payload, sizeof(payload), "{\"regime\":\"%s\",\"stage\":\"%s\"}", c->regime, c->stage);
    if (c->n.fields == NULL || store_notification_insert(db, &c->n, err) != 0 ||
        store_timeline_append(db, inc.id, at, c->p->name, "obligation", c->stage, NULL, NULL, note,
                              err) != 0 ||
        store_audit_append(db, c->now, c->p->name, "notification.create", c->n.id, payload, err) !=
            0)
        goto out;
    rc = 0;
out:
    json_decref(facts);
    json_decref(fields);
    json_decref(profile);
    incident_free(&inc);
    rules_release(rules);
    return rc;
}

int
notify_create(const struct principal *p, int64_t now, const char *incident, json_t *body,
              json_t **out, struct field_errors *errs)
{
    struct create_change c = {.p = p, .incident = incident, .errs = errs, .now = now};
    const char *key;
    json_t *v;
    struct mp_error err;

    *out = NULL;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "regime") != 0 && strcmp(key, "stage") != 0 && strcmp(key, "language") != 0)
            field_error(errs, key, "unknown field");
    }
    c.regime = json_string_value(json_object_get(body, "regime"));
    c.stage = json_string_value(json_object_get(body, "stage"));
    c.language = json_object_get(body, "language")
                     ? json_string_value(json_object_get(body, "language"))
                     : "nl";
    if (c.regime == NULL || strlen(c.regime) > 40)
        field_error(errs, "regime", "is required: a regime of the rules in force");
    if (c.stage == NULL || strlen(c.stage) > 40)
        field_error(errs, "stage", "is required: a stage of that regime");
    if (c.language == NULL || (strcmp(c.language, "nl") != 0 && strcmp(c.language, "en") != 0))
        field_error(errs, "language", "must be nl or en");
    if (errs->count > 0)
        return -1;
    if (store_write(create_apply, &c, &err) != 0) {
        notification_free(&c.n);
        return field_errors_fail(errs, &err);
    }
    *out = notification_json(&c.n);
    notification_free(&c.n);
    return 0;
}

/* ---- change a notification ---- */

enum action { PATCH, APPROVE, SUBMIT, CORRECT };

struct change {
    const struct principal *p;
    int64_t now;
    const char *nid;
    int64_t if_match;
    enum action action;
    json_t *body;
    struct notification n;
    struct field_errors *errs;
    struct create_change correction;
    char note[600];    /* the timeline's words for this step; empty: the default */
    char payload[400]; /* the audit payload; empty: the default */
};

static int
load(sqlite3 *db, struct change *c, struct mp_error *err)
{
    int found = store_notification_get(db, c->nid, &c->n, err);

    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no notification '%s'", c->nid);
    if (c->if_match >= 0 && c->if_match != c->n.version)
        return mp_error_set(err, 412, "If-Match", "the notification changed: it is at version %lld",
                            (long long)c->n.version);
    return 0;
}

static int
patch(sqlite3 *db, struct change *c, const char *at, struct mp_error *err)
{
    struct rules *rules = rules_acquire();
    const struct rule_stage *st = rules_find_stage(rules_find(rules, c->n.regime), c->n.stage);
    json_t *fields = json_loads(c->n.fields, 0, NULL), *patch_fields, *v, *lang;
    const char *key;
    int rc = -1;

    if (strcmp(c->n.state, "draft") != 0) {
        mp_error_set(err, 409, "", "the notification is %s and cannot change: make a correction",
                     c->n.state);
        goto out;
    }
    json_object_foreach(c->body, key, v)
    {
        if (strcmp(key, "fields") != 0 && strcmp(key, "language") != 0)
            field_error(c->errs, key, "unknown field");
    }
    lang = json_object_get(c->body, "language");
    if (lang && (!json_is_string(lang) || (strcmp(json_string_value(lang), "nl") != 0 &&
                                           strcmp(json_string_value(lang), "en") != 0)))
        field_error(c->errs, "language", "must be nl or en");
    patch_fields = json_object_get(c->body, "fields");
    if (patch_fields && !json_is_object(patch_fields))
        field_error(c->errs, "fields", "must be an object of content ids");
    json_object_foreach(patch_fields, key, v)
    {
        char field[96];
        snprintf(field, sizeof(field), "fields.%s", key);
        if (json_object_get(fields, key) == NULL && st != NULL)
            field_error(c->errs, field, "is not a content of this report");
        else if (json_is_object(v))
            field_error(c->errs, field, "must be text, a number, true/false, a list or null");
        else if (json_is_string(v) && (text_chars(json_string_value(v)) > FIELD_TEXT_MAX ||
                                       !text_valid_utf8(json_string_value(v), false)))
            field_error(c->errs, field, "must be at most 20000 characters");
        else
            json_object_set(fields, key, v);
    }
    if (c->errs->count > 0) {
        mp_error_set(err, 422, "", "the patch is not valid");
        goto out;
    }
    if (lang)
        snprintf(c->n.language, sizeof(c->n.language), "%s", json_string_value(lang));
    free(c->n.fields);
    c->n.fields = json_dumps(fields, JSON_COMPACT);
    c->n.version++;
    snprintf(c->n.updated_at, sizeof(c->n.updated_at), "%s", at);
    rc = c->n.fields ? store_notification_update(db, &c->n, err) : -1;
out:
    json_decref(fields);
    rules_release(rules);
    return rc;
}

/* The signer as the authority needs them: full name and function (from
 * the user's record; the sign-in name when none is given) and meldpunt's
 * role. */
static json_t *
signer_json(sqlite3 *db, const struct principal *p, bool nl, struct mp_error *err)
{
    struct user_row u;
    const char *login = strncmp(p->name, "user:", 5) == 0 ? p->name + 5 : NULL;
    bool found = login && store_user_find(db, login, false, &u, err) == 1;

    return json_pack("{s:s, s:s, s:s?, s:s, s:s}", "principal", p->name, "name",
                     found && u.full_name[0] ? u.full_name : (login ? login : p->name), "job_title",
                     found && u.job_title[0] ? u.job_title : NULL, "role", role_name(p->role),
                     "role_label", notify_word(role_name(p->role), nl));
}

/* The document that is signed: everything the authority needs, in the
 * draft's language.  Each field keeps its machine value; "summary" and
 * "contents" give every field with its label and its display value (times
 * in the organisation's clock with UTC beside, countries by name, criteria
 * by their sentence and article), which the printable page shows.  The
 * operator's hints of the rule files are not part of it. */
static json_t *
document(sqlite3 *db, struct change *c, const char *at, const char *key_id, struct mp_error *err)
{
    struct rules *rules = rules_acquire();
    const struct ruleset *rs = rules_find(rules, c->n.regime);
    const struct rule_stage *st = rules_find_stage(rs, c->n.stage);
    const char *lang = c->n.language;
    json_t *fields = json_loads(c->n.fields, 0, NULL), *contents = json_array(), *item, *profile,
           *doc = NULL, *recipient, *summary = NULL, *signer = NULL;
    struct notify_words w;
    struct obligation o;
    struct incident inc;
    int64_t pversion, signed_at = TIME_UNSET, due = TIME_UNSET;
    char t[2][TIME_RFC3339_LEN];
    struct buf ref = BUF_INIT; /* "INC-2026-0001: title", whole characters */
    bool nl = strcmp(lang, "nl") == 0;
    size_t i;

    if (rs == NULL || st == NULL || fields == NULL) {
        mp_error_set(err, 409, "", "the rule set of this report is no longer loaded");
        goto out;
    }
    if (store_incident_load(db, c->n.incident_id, &inc, err) <= 0)
        goto out;
    if (organisation_load(db, &profile, &pversion, NULL, err) != 0) {
        incident_free(&inc);
        goto out;
    }
    notify_words_init(&w, rules, c->n.regime, lang,
                      json_string_value(json_object_get(profile, "country")));
    json_array_foreach(json_object_get(st->def, "contents"), i, item)
    {
        const char *id = json_string_value(json_object_get(item, "id"));
        json_array_append_new(contents, notify_labelled(&w, id,
                                                        json_string_value(json_object_get(
                                                            json_object_get(item, "label"), lang)),
                                                        json_object_get(fields, id)));
    }
    recipient = json_object_get(json_object_get(profile, "recipients"), c->n.recipient);
    time_format_rfc3339(inc.detected_at, t[0], sizeof(t[0]));
    if (inc.aware_at != TIME_UNSET)
        time_format_rfc3339(inc.aware_at, t[1], sizeof(t[1]));
    else
        t[1][0] = '\0';
    o.due_at[0] = '\0';
    if (c->n.obligation_id[0])
        store_obligation_get(db, c->n.obligation_id, &o, err);
    if (o.due_at[0] && time_parse_rfc3339(o.due_at, &due) != 0)
        due = TIME_UNSET;
    time_parse_rfc3339(at, &signed_at);
    signer = signer_json(db, c->p, nl, err);
    buf_printf(&ref, "%s: %s", inc.ref, inc.title);
    summary = notify_summary(
        &w,
        &(struct notify_summary_in){
            .recipient = json_string_value(json_object_get(recipient, "name")),
            .regime = json_string_value(json_object_get(json_object_get(rs->doc, "title"), lang)),
            .stage = json_string_value(json_object_get(json_object_get(st->def, "name"), lang)),
            .incident = buf_failed(&ref) ? NULL : ref.data,
            .severity = incident_severity_names[inc.severity],
            .detected_at = inc.detected_at,
            .aware_at = inc.aware_at,
            .due_at = due,
            .signed_at = signed_at});
    doc = json_pack(
        "{s:{s:s, s:s}, s:s, s:s?, s:s, s:{s:O?, s:s, s:O?, s:O?, s:O?}, "
        "s:{s:s, s:s, s:O?, s:O?}, "
        "s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s?}, s:{s:s, s:s, s:O}, s:{s:s, s:O}, "
        "s:s?, s:o, s:o, s:{s:s, s:s, s:s, s:o}}",
        "meldpunt", "document", "notification", "version", MP_VERSION, "notification", c->n.id,
        "supersedes", c->n.supersedes[0] ? c->n.supersedes : NULL, "language", lang, "organisation",
        "name", json_object_get(profile, "name"), "country",
        json_string_value(json_object_get(profile, "country")), "nis2_class",
        json_object_get(profile, "nis2_class"), "kvk_number",
        json_object_get(profile, "kvk_number"), "address", json_object_get(profile, "address"),
        "recipient", "role", c->n.recipient, "role_label", notify_word(c->n.recipient, nl), "name",
        json_object_get(recipient, "name"), "contact", json_object_get(recipient, "contact"),
        "incident", "id", inc.id, "ref", inc.ref, "title", inc.title, "category",
        incident_category_names[inc.category], "severity", incident_severity_names[inc.severity],
        "detected_at", t[0], "aware_at", t[1][0] ? t[1] : NULL, "regime", "id", rs->regime,
        "version", rs->version, "title", json_object_get(json_object_get(rs->doc, "title"), lang),
        "stage", "id", st->id, "name", json_object_get(json_object_get(st->def, "name"), lang),
        "due_at", o.due_at[0] ? o.due_at : NULL, "summary", summary, "contents", contents,
        "signature", "signed_at", at, "signed_by", c->p->name, "key_id", key_id, "signer",
        signer ? signer : json_null());
    summary = contents = signer = NULL;
    if (doc != NULL && st->voluntary) /* NIS2 art. 30: says so to the authority */
        json_object_set_new(json_object_get(doc, "stage"), "voluntary", json_true());
    if (doc != NULL && inc.exercise) /* issue 22: says so in what is signed */
        json_object_set_new(doc, "exercise", notify_exercise_statement(nl));
    if (doc != NULL) {
        /* the audit chain's head as the document is signed: any later copy of
         * the chain must contain it (tamper evidence kept outside) */
        uint8_t hash[CHAIN_HASH_LEN];
        int64_t seq;

        if (store_audit_head(db, &seq, hash, err) == 1) {
            char hex[2 * CHAIN_HASH_LEN + 1];
            sodium_bin2hex(hex, sizeof(hex), hash, CHAIN_HASH_LEN);
            json_object_set_new(doc, "audit_head",
                                json_pack("{s:I, s:s}", "seq", (json_int_t)seq, "hash", hex));
        }
    }
    if (doc == NULL)
        mp_error_set(err, 500, "", "out of memory");
    json_decref(profile);
    incident_free(&inc);
out:
    buf_free(&ref);
    json_decref(summary);
    json_decref(signer);
    json_decref(contents);
    json_decref(fields);
    rules_release(rules);
    return doc;
}

static int
approve(sqlite3 *db, struct change *c, const char *at, struct mp_error *err)
{
    struct rules *rules = rules_acquire();
    const struct rule_stage *st = rules_find_stage(rules_find(rules, c->n.regime), c->n.stage);
    json_t *fields = json_loads(c->n.fields, 0, NULL), *item, *doc = NULL, *key;
    struct buf text = BUF_INIT, sig = BUF_INIT;
    char trusted[400], inc_ref[32] = "";
    struct incident inc;
    size_t i;
    int rc = -1;

    if (strcmp(c->n.state, "draft") != 0) {
        mp_error_set(err, 409, "", "the notification is already %s", c->n.state);
        goto out;
    }
    if (st == NULL) {
        mp_error_set(err, 409, "", "the rule set of this report is no longer loaded");
        goto out;
    }
    json_array_foreach(json_object_get(st->def, "contents"), i, item)
    {
        const char *id = json_string_value(json_object_get(item, "id"));
        char field[96];
        snprintf(field, sizeof(field), "fields.%s", id);
        if (json_is_true(json_object_get(item, "required")) && empty(json_object_get(fields, id)) &&
            !three_valued(id))
            field_error(c->errs, field, "is required before approval");
    }
    if (c->errs->count > 0) {
        mp_error_set(err, 422, "", "required contents are missing");
        goto out;
    }
    key = signing_public_json();
    if (key == NULL) {
        mp_error_set(err, 503, "", "no signing key is loaded");
        goto out;
    }
    snprintf(c->n.key_id, sizeof(c->n.key_id), "%s",
             json_string_value(json_object_get(key, "key_id")));
    json_decref(key);
    doc = document(db, c, at, c->n.key_id, err);
    if (doc == NULL)
        goto out;
    if (jcs_serialize(doc, &text) != 0 || buf_failed(&text)) {
        mp_error_set(err, 500, "", "the document cannot be put in canonical form");
        goto out;
    }
    if (store_incident_load(db, c->n.incident_id, &inc, err) == 1) {
        snprintf(inc_ref, sizeof(inc_ref), "%s", inc.ref);
        incident_free(&inc);
    }
    /* version: the notification's version once approved */
    snprintf(trusted, sizeof(trusted),
             "meldpunt incident=%s regime=%s stage=%s notification=%s version=%lld "
             "signed_at=%s by=%s key=%s",
             inc_ref, c->n.regime, c->n.stage, c->n.id, (long long)c->n.version + 1, at, c->p->name,
             c->n.key_id);
    if (signing_sign(text.data, text.len, "signed by meldpunt, verify with its public key", trusted,
                     &sig) != 0) {
        mp_error_set(err, 500, "", "signing failed");
        goto out;
    }
    c->n.document = buf_detach(&text, NULL);
    c->n.signature = buf_detach(&sig, NULL);
    snprintf(c->n.state, sizeof(c->n.state), "approved");
    snprintf(c->n.signed_at, sizeof(c->n.signed_at), "%s", at);
    snprintf(c->n.signed_by, sizeof(c->n.signed_by), "%s", c->p->name);
    c->n.version++;
    snprintf(c->n.updated_at, sizeof(c->n.updated_at), "%s", at);
    rc = store_notification_update(db, &c->n, err);
out:
    buf_free(&text);
    buf_free(&sig);
    json_decref(doc);
    json_decref(fields);
    rules_release(rules);
    return rc;
}

/* "3 h", "1 h 20 min", "2 d 4 h": how long after it was sent a report was
 * recorded, in words for the timeline. */
static void
lag_words(int64_t seconds, char *out, size_t size)
{
    int64_t m = seconds / 60, h = m / 60, d = h / 24;

    if (h == 0)
        snprintf(out, size, "%lld min", (long long)m);
    else if (d == 0 && m % 60 == 0)
        snprintf(out, size, "%lld h", (long long)h);
    else if (d == 0)
        snprintf(out, size, "%lld h %lld min", (long long)h, (long long)(m % 60));
    else if (h % 24 == 0)
        snprintf(out, size, "%lld d", (long long)d);
    else
        snprintf(out, size, "%lld d %lld h", (long long)d, (long long)(h % 24));
}

/* A sending time in the future (beyond the clock-skew allowance) or before
 * the incident was detected or known (a wrong day or year, which could make
 * a late report look in time) is refused: rules_sent_check. */
static void
submit_check_time(sqlite3 *db, struct change *c, int64_t t)
{
    struct incident inc;
    struct mp_error lerr;
    int64_t known = TIME_UNSET;
    char first[TIME_RFC3339_LEN] = "";

    if (store_incident_load(db, c->n.incident_id, &inc, &lerr) == 1) {
        known = inc.aware_at != TIME_UNSET && inc.aware_at < inc.detected_at ? inc.aware_at
                                                                             : inc.detected_at;
        incident_free(&inc);
    }
    enum rules_sent_check r = rules_sent_check(t, c->now, known);
    if (r == RULES_SENT_FUTURE)
        field_error(c->errs, "submitted_at",
                    "is in the future: give the time the report was sent (at most 5 minutes "
                    "ahead of this server's clock, for clock skew)");
    else if (r == RULES_SENT_EARLY && time_format_rfc3339(known, first, sizeof(first)) > 0)
        field_error(c->errs, "submitted_at",
                    "is before the incident was detected or known (%s): give the time the "
                    "report was sent",
                    first);
}

/*
 * Records that the report was sent.  Timeliness is judged on when it was
 * sent (`submitted_at`, by portal, e-mail or phone), not on when it is
 * recorded here: recording afterwards is allowed, and said on the timeline
 * ("recorded 3 h after submission") and in the audit chain.  A time in the
 * future is refused, beyond a 5-minute allowance for the skew between the
 * clocks of the tools involved, and so is one before the incident was
 * detected or known.
 *
 * The obligation becomes `submitted` when the report was sent by its due
 * second, `missed` (for good) when it was sent after.  A report that was
 * sent in time but recorded after its due time may find the obligation
 * already `missed` (the sweeper saw no record): that miss was the absence
 * of a record, not of a report, so it is corrected to `submitted`, with its
 * own timeline entry and an `obligation.correct` audit entry.  It is the one
 * exception to "lateness is frozen" (docs/RULES.md).  A waived obligation
 * stays waived.
 */
static int
submit(sqlite3 *db, struct change *c, const char *at, struct mp_error *err)
{
    const char *channel = json_string_value(json_object_get(c->body, "channel"));
    const char *ref = json_string_value(json_object_get(c->body, "authority_reference"));
    const char *when = json_string_value(json_object_get(c->body, "submitted_at"));
    const char *key;
    json_t *v;
    int64_t t = c->now, lag;
    struct obligation o;
    struct incident inc;
    char lag_text[40] = "";

    json_object_foreach(c->body, key, v)
    {
        if (strcmp(key, "channel") != 0 && strcmp(key, "authority_reference") != 0 &&
            strcmp(key, "submitted_at") != 0)
            field_error(c->errs, key, "unknown field");
    }
    if (channel == NULL || text_blank(channel) || text_chars(channel) > 190)
        field_error(c->errs, "channel", "is required: how it was sent (e.g. MijnNCSC, e-mail)");
    if (json_object_get(c->body, "authority_reference") && (ref == NULL || text_chars(ref) > 190))
        field_error(c->errs, "authority_reference", "must be text of at most 190 characters");
    if (json_object_get(c->body, "submitted_at") &&
        (when == NULL || time_parse_rfc3339(when, &t) != 0))
        field_error(c->errs, "submitted_at", "must be an RFC 3339 time: when the report was sent");
    else if (json_object_get(c->body, "submitted_at"))
        submit_check_time(db, c, t);
    if (c->errs->count > 0)
        return mp_error_set(err, 422, "", "not valid");
    if (strcmp(c->n.state, "approved") != 0)
        return mp_error_set(err, 409, "",
                            "only an approved (signed) notification can be "
                            "submitted; this one is %s",
                            c->n.state);
    snprintf(c->n.state, sizeof(c->n.state), "submitted");
    time_format_rfc3339(t, c->n.submitted_at, sizeof(c->n.submitted_at));
    snprintf(c->n.channel, sizeof(c->n.channel), "%s", channel);
    snprintf(c->n.authority_ref, sizeof(c->n.authority_ref), "%s", ref ? ref : "");
    snprintf(c->n.submitted_by, sizeof(c->n.submitted_by), "%s", c->p->name);
    c->n.version++;
    snprintf(c->n.updated_at, sizeof(c->n.updated_at), "%s", at);
    if (store_notification_update(db, &c->n, err) != 0)
        return -1;
    /* in words when recorded a minute or more after it was sent */
    lag = c->now - t;
    if (lag >= 60)
        lag_words(lag, lag_text, sizeof(lag_text));
    snprintf(c->note, sizeof(c->note), "%s %s: submitted at %s via %s%s%s", c->n.regime, c->n.stage,
             c->n.submitted_at, channel, lag_text[0] ? ", recorded " : "",
             lag_text[0] ? lag_text : "");
    if (lag_text[0])
        snprintf(c->note + strlen(c->note), sizeof(c->note) - strlen(c->note), " after submission");
    snprintf(c->payload, sizeof(c->payload),
             "{\"notification\":\"%s\",\"version\":%lld,\"submitted_at\":\"%s\","
             "\"recorded_after_seconds\":%lld}",
             c->n.id, (long long)c->n.version, c->n.submitted_at, (long long)(lag > 0 ? lag : 0));
    if (c->n.obligation_id[0] && store_obligation_get(db, c->n.obligation_id, &o, err) == 1 &&
        o.submitted_at[0] == '\0') {
        int64_t due = TIME_UNSET;
        bool late, was_missed = strcmp(o.status, "missed") == 0;

        if (o.due_at[0] && time_parse_rfc3339(o.due_at, &due) != 0)
            due = TIME_UNSET;
        snprintf(o.submitted_at, sizeof(o.submitted_at), "%s", c->n.submitted_at);
        /* sent late: missed for good; sent in time: submitted, even when
         * the record came after the due time; waived stays waived */
        const char *status = rules_sent_status(o.status, due, t);
        if (status != o.status)
            snprintf(o.status, sizeof(o.status), "%s", status);
        late = strcmp(o.status, "missed") == 0;
        if (late)
            snprintf(o.missed_at, sizeof(o.missed_at), "%s", o.due_at);
        else if (was_missed)
            o.missed_at[0] = '\0';
        if (store_obligation_update(db, &o, err) != 0)
            return -1;
        if (was_missed && !late) {
            char note[300], payload[300];
            snprintf(note, sizeof(note),
                     "not missed: sent at %s, by the due time %s; recorded %s after submission",
                     c->n.submitted_at, o.due_at, lag_text[0] ? lag_text : "0 min");
            snprintf(payload, sizeof(payload),
                     "{\"regime\":\"%s\",\"stage\":\"%s\",\"from\":\"missed\",\"to\":\"submitted\","
                     "\"submitted_at\":\"%s\",\"due_at\":\"%s\"}",
                     o.regime, o.stage, c->n.submitted_at, o.due_at);
            if (store_timeline_append(db, c->n.incident_id, at, c->p->name, "obligation", o.stage,
                                      "\"missed\"", "\"submitted\"", note, err) != 0 ||
                store_audit_append(db, c->now, c->p->name, "obligation.correct", o.id, payload,
                                   err) != 0)
                return -1;
        }
    }
    /* later reports count from this submission: judge again for their due times */
    if (store_incident_load(db, c->n.incident_id, &inc, err) == 1) {
        int rc = classify_refresh(db, &inc, c->p->name, c->now, err);
        incident_free(&inc);
        return rc;
    }
    return 0;
}

static int
change_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    static const char *const actions[] = {"notification.update", "notification.approve",
                                          "notification.submit", "notification.correct"};
    struct change *c = arg;
    char at[TIME_RFC3339_LEN], note[200], payload[200];
    int rc;

    time_format_rfc3339(c->now, at, sizeof(at));
    if (load(db, c, err) != 0)
        return -1;
    switch (c->action) {
    case PATCH:
        rc = patch(db, c, at, err);
        break;
    case APPROVE:
        rc = approve(db, c, at, err);
        break;
    case SUBMIT:
        rc = submit(db, c, at, err);
        break;
    default:
        if (strcmp(c->n.state, "draft") == 0)
            return mp_error_set(err, 409, "", "a draft is corrected by editing it");
        c->correction.p = c->p;
        c->correction.now = c->now;
        c->correction.incident = c->n.incident_id;
        c->correction.regime = c->n.regime;
        c->correction.stage = c->n.stage;
        c->correction.language = c->n.language;
        c->correction.supersedes = c->n.id;
        c->correction.errs = c->errs;
        c->correction.n.fields = strdup(c->n.fields);
        rc = create_apply(db, &c->correction, err);
        break;
    }
    if (rc != 0)
        return -1;
    snprintf(note, sizeof(note), "%s %s: %s", c->n.regime, c->n.stage,
             c->action == PATCH     ? "draft edited"
             : c->action == APPROVE ? "approved and signed"
             : c->action == SUBMIT  ? "submitted"
                                    : "correction started");
    snprintf(payload, sizeof(payload), "{\"notification\":\"%s\",\"version\":%lld}", c->n.id,
             (long long)c->n.version);
    if (store_timeline_append(db, c->n.incident_id, at, c->p->name, "obligation", c->n.stage, NULL,
                              NULL, c->note[0] ? c->note : note, err) != 0 ||
        store_audit_append(db, c->now, c->p->name, actions[c->action], c->n.id,
                           c->payload[0] ? c->payload : payload, err) != 0)
        return -1;
    return 0;
}

static int
run(const struct principal *p, int64_t now, const char *nid, int64_t if_match, enum action action,
    json_t *body, json_t **out, struct field_errors *errs)
{
    struct change c = {.p = p,
                       .now = now,
                       .nid = nid,
                       .if_match = if_match,
                       .action = action,
                       .body = body,
                       .errs = errs};
    struct mp_error err;
    int rc;

    *out = NULL;
    rc = store_write(change_apply, &c, &err);
    if (rc != 0)
        field_errors_fail(errs, &err);
    else
        *out = notification_json(action == CORRECT ? &c.correction.n : &c.n);
    notification_free(&c.n);
    notification_free(&c.correction.n);
    return rc;
}

int
notify_patch(const struct principal *p, int64_t now, const char *nid, int64_t if_match,
             json_t *patch_body, json_t **out, struct field_errors *errs)
{
    return run(p, now, nid, if_match, PATCH, patch_body, out, errs);
}

int
notify_approve(const struct principal *p, int64_t now, const char *nid, int64_t if_match,
               json_t **out, struct field_errors *errs)
{
    return run(p, now, nid, if_match, APPROVE, NULL, out, errs);
}

int
notify_submit(const struct principal *p, int64_t now, const char *nid, json_t *body, json_t **out,
              struct field_errors *errs)
{
    return run(p, now, nid, -1, SUBMIT, body, out, errs);
}

int
notify_correct(const struct principal *p, int64_t now, const char *nid, json_t **out,
               struct field_errors *errs)
{
    return run(p, now, nid, -1, CORRECT, NULL, out, errs);
}

/* ---- reads ---- */

int
notify_get(const char *nid, json_t **out, int64_t *version, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    struct notification n;
    int found;

    *out = NULL;
    if (db == NULL)
        return -1;
    found = store_notification_get(db, nid, &n, err);
    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no notification '%s'", nid);
    *out = notification_json(&n);
    *version = n.version;
    notification_free(&n);
    return 0;
}

int
notify_check_visible(const struct principal *p, const char *nid, struct mp_error *err)
{
    struct notification n;
    sqlite3 *db;
    int found;

    if (p->tlp_max >= TLP_RED)
        return 0;
    db = db_reader(err);
    if (db == NULL)
        return -1;
    found = store_notification_get(db, nid, &n, err);
    if (found <= 0)
        return found;
    found = incident_check_visible(p, n.incident_id, err);
    notification_free(&n);
    if (found != 0 && err->status == 404)
        return mp_error_set(err, 404, "", "no notification '%s'", nid);
    return found;
}

int
notify_list(const char *incident, json_t **out, struct mp_error *err)
{
    struct notification *v;
    struct incident inc;
    json_t *items;
    int n;

    *out = NULL;
    if (incident_get(incident, &inc, err) != 0)
        return -1;
    if (store_notification_list(db_reader(err), inc.id, &v, &n, err) != 0) {
        incident_free(&inc);
        return -1;
    }
    incident_free(&inc);
    items = json_array();
    for (int i = 0; i < n; i++) {
        json_array_append_new(items, notification_json(&v[i]));
        notification_free(&v[i]);
    }
    free(v);
    *out = json_pack("{s:o}", "items", items);
    return 0;
}

int
notify_document(const char *nid, char **doc, char **signature, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    struct notification n;
    int found;

    *doc = *signature = NULL;
    if (db == NULL)
        return -1;
    found = store_notification_get(db, nid, &n, err);
    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no notification '%s'", nid);
    if (n.document == NULL) {
        notification_free(&n);
        return mp_error_set(err, 409, "", "a draft has no signed document yet: approve it first");
    }
    *doc = n.document;
    *signature = n.signature;
    n.document = n.signature = NULL;
    notification_free(&n);
    return 0;
}
