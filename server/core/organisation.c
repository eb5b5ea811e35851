/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * organisation.c - see organisation.h.
 */
#include "organisation.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/organisation.h"
#include "store/db.h"
#include "store/writer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static organisation_hook change_hook;

/* NIS2 Annex I and II sectors (Directive (EU) 2022/2555), plus "other". */
static const char *const sectors[] = {"energy",
                                      "transport",
                                      "banking",
                                      "financial_market_infrastructure",
                                      "health",
                                      "drinking_water",
                                      "waste_water",
                                      "digital_infrastructure",
                                      "ict_service_management",
                                      "public_administration",
                                      "space",
                                      "postal_courier",
                                      "waste_management",
                                      "chemicals",
                                      "food",
                                      "manufacturing",
                                      "digital_providers",
                                      "research",
                                      "other",
                                      NULL};
/* The entity types with their own thresholds in Reg. (EU) 2024/2690. */
static const char *const entity_types[] = {"dns",
                                           "tld",
                                           "cloud",
                                           "data_centre",
                                           "cdn",
                                           "msp",
                                           "mssp",
                                           "marketplace",
                                           "search_engine",
                                           "social_network",
                                           "trust_service",
                                           "qualified_trust_service",
                                           NULL};
static const char *const classes[] = {"essential", "important", "none", NULL};
static const char *const recipient_roles[] = {
    "csirt", "supervisor", "dpa", "cer_authority", "financial_supervisor", "trust_supervisor",
    NULL};

static bool
in_list(const char *const list[], const char *s)
{
    for (int i = 0; s && list[i]; i++) {
        if (strcmp(list[i], s) == 0)
            return true;
    }
    return false;
}

static bool
short_text(json_t *v, size_t max)
{
    return json_is_string(v) && json_string_length(v) <= max &&
           strlen(json_string_value(v)) == json_string_length(v);
}

/* entity_types: a list of the CIR 2024/2690 types (absent: left to the
 * "is required" check). */
static void
check_entity_types(json_t *v, struct field_errors *errs)
{
    size_t i;
    json_t *x;

    if (v == NULL)
        return;
    if (!json_is_array(v)) {
        field_error(errs, "entity_types", "must be a list");
        return;
    }
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x) || !in_list(entity_types, json_string_value(x))) {
            field_error(errs, "entity_types",
                        "item %zu must be one of dns, tld, cloud, data_centre, cdn, msp, "
                        "mssp, marketplace, search_engine, social_network, "
                        "trust_service, qualified_trust_service",
                        i);
            return;
        }
    }
}

/* recipients: {ROLE: {name, contact}} for the roles the rules address. */
static void
check_recipients(json_t *v, struct field_errors *errs)
{
    const char *key;
    json_t *x;

    if (v == NULL)
        return;
    if (!json_is_object(v)) {
        field_error(errs, "recipients", "must be an object of recipients");
        return;
    }
    json_object_foreach(v, key, x)
    {
        char field[96];
        snprintf(field, sizeof(field), "recipients.%s", key);
        if (!in_list(recipient_roles, key))
            field_error(errs, field,
                        "unknown recipient (csirt, supervisor, dpa, cer_authority, "
                        "financial_supervisor, trust_supervisor)");
        else if (!json_is_object(x) || json_object_size(x) != 2 ||
                 !short_text(json_object_get(x, "name"), 200) ||
                 !short_text(json_object_get(x, "contact"), 500))
            field_error(errs, field, "must be {\"name\": text, \"contact\": text}");
    }
}

bool
organisation_validate(json_t *doc, struct field_errors *errs)
{
    static const char *const members[] = {"name",
                                          "country",
                                          "sector",
                                          "subsector",
                                          "nis2_class",
                                          "entity_types",
                                          "cer_critical",
                                          "dora_financial",
                                          "annual_turnover_eur",
                                          "microenterprise",
                                          "recipients",
                                          NULL};
    /* for the letterhead of a signed notification; may be absent */
    static const char *const optional[] = {"kvk_number", "address", NULL};
    int before = errs->count;
    const char *key;
    json_t *v;
    size_t i;

    if (!json_is_object(doc)) {
        field_error(errs, "", "the profile is a JSON object");
        return false;
    }
    json_object_foreach(doc, key, v)
    {
        if (!in_list(members, key) && !in_list(optional, key))
            field_error(errs, key, "unknown field");
    }
    for (i = 0; members[i]; i++) {
        if (json_object_get(doc, members[i]) == NULL)
            field_error(errs, members[i], "is required");
    }
    v = json_object_get(doc, "name");
    if (v && !short_text(v, 200))
        field_error(errs, "name", "must be text of at most 200 characters");
    v = json_object_get(doc, "country");
    if (v && (!json_is_string(v) || json_string_length(v) != 2 ||
              strspn(json_string_value(v), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 2))
        field_error(errs, "country", "must be an ISO 3166-1 alpha-2 code such as NL");
    v = json_object_get(doc, "sector");
    if (v && !json_is_null(v) && !(json_is_string(v) && in_list(sectors, json_string_value(v))))
        field_error(errs, "sector",
                    "must be null or a NIS2 Annex I/II sector: energy, transport, banking, "
                    "financial_market_infrastructure, health, drinking_water, waste_water, "
                    "digital_infrastructure, ict_service_management, public_administration, "
                    "space, postal_courier, waste_management, chemicals, food, manufacturing, "
                    "digital_providers, research, other");
    v = json_object_get(doc, "kvk_number");
    if (v && !json_is_null(v) &&
        !(json_is_string(v) && json_string_length(v) == 8 &&
          strspn(json_string_value(v), "0123456789") == 8))
        field_error(errs, "kvk_number",
                    "must be null or the 8 digits of the Kamer van Koophandel number");
    v = json_object_get(doc, "address");
    if (v && !json_is_null(v) && !short_text(v, 300))
        field_error(errs, "address", "must be null or text of at most 300 characters");
    v = json_object_get(doc, "subsector");
    if (v && !json_is_null(v) && !short_text(v, 100))
        field_error(errs, "subsector", "must be null or text of at most 100 characters");
    /* null: not determined yet (the questionnaire or the admin has not said);
     * the rules keep it apart from "none", so nothing is dropped for it */
    v = json_object_get(doc, "nis2_class");
    if (v && !json_is_null(v) && !(json_is_string(v) && in_list(classes, json_string_value(v))))
        field_error(errs, "nis2_class",
                    "must be essential, important, none or null (not determined yet)");
    check_entity_types(json_object_get(doc, "entity_types"), errs);
    for (const char *const *b =
             (const char *const[]){"cer_critical", "dora_financial", "microenterprise", NULL};
         *b; b++) {
        /* null is "unknown", a third answer the rules keep apart from
         * false: an unknown CER designation is not a "no" */
        v = json_object_get(doc, *b);
        if (v && !json_is_boolean(v) && !json_is_null(v))
            field_error(errs, *b, "must be true, false or null (unknown)");
    }
    /* NIS2 art. 2(3) and 3(1)(f): a critical entity under the CER directive
     * (Wwke) is an essential entity under NIS2 (Cbw), whatever its size.  A
     * profile saying otherwise would silently drop the Cbw duties. */
    v = json_object_get(doc, "nis2_class");
    if (json_is_true(json_object_get(doc, "cer_critical")) &&
        (json_is_null(v) || (json_is_string(v) && in_list(classes, json_string_value(v)) &&
                             strcmp(json_string_value(v), "essential") != 0)))
        field_error(errs, "nis2_class",
                    "must be essential: a critical entity under the Wwke (cer_critical: true) is "
                    "an essential entity under the Cbw (Directive (EU) 2022/2555 arts. 2(3) and "
                    "3(1)(f)), not %s",
                    json_is_null(v) ? "undetermined" : json_string_value(v));
    v = json_object_get(doc, "annual_turnover_eur");
    if (v && !json_is_null(v) && !(json_is_number(v) && json_number_value(v) >= 0))
        field_error(errs, "annual_turnover_eur", "must be null or an amount in euros, 0 or more");
    check_recipients(json_object_get(doc, "recipients"), errs);
    return errs->count == before;
}

int
organisation_get(json_t **doc, int64_t *version, char updated_at[32], struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    *doc = NULL;
    if (db == NULL)
        return -1;
    return organisation_load(db, doc, version, updated_at, err);
}

/* The parsed profile of the last version read: most changes read the same
 * version, and parsing it for each would cost more than the rest. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *cache_doc;
static int64_t cache_version = -1;
static char cache_updated_at[32];
static char cache_file[4096]; /* the database it came from */

int
organisation_load(sqlite3 *db, json_t **doc, int64_t *version, char updated_at[32],
                  struct mp_error *err)
{
    const char *file = sqlite3_db_filename(db, "main") ? sqlite3_db_filename(db, "main") : "";
    char at[32], *text;
    int64_t v;

    *doc = NULL;
    if (store_organisation_version(db, &v, err) != 0)
        return -1;
    pthread_mutex_lock(&cache_lock);
    if (cache_doc != NULL && cache_version == v && strcmp(cache_file, file) == 0) {
        *doc = json_deep_copy(cache_doc);
        *version = v;
        if (updated_at)
            snprintf(updated_at, 32, "%s", cache_updated_at);
        pthread_mutex_unlock(&cache_lock);
        return *doc ? 0 : mp_error_set(err, 500, "", "out of memory");
    }
    pthread_mutex_unlock(&cache_lock);
    if (store_organisation_read(db, &text, version, at, err) != 0)
        return -1;
    *doc = json_loads(text, 0, NULL);
    free(text);
    if (*doc == NULL)
        return mp_error_set(err, 500, "", "the stored profile is not JSON");
    if (updated_at)
        snprintf(updated_at, 32, "%s", at);
    /* Only what is committed goes into the cache: inside a write the profile
     * may be a version that is then rolled back. */
    if (sqlite3_get_autocommit(db)) {
        pthread_mutex_lock(&cache_lock);
        json_decref(cache_doc);
        cache_doc = json_deep_copy(*doc);
        cache_version = *version;
        snprintf(cache_file, sizeof(cache_file), "%s", file);
        snprintf(cache_updated_at, sizeof(cache_updated_at), "%s", at);
        pthread_mutex_unlock(&cache_lock);
    }
    return 0;
}

int
organisation_replace(sqlite3 *db, const struct principal *p, int64_t now, const char *text,
                     int64_t if_match, int64_t *version, struct mp_error *err)
{
    char at[TIME_RFC3339_LEN], payload[64];
    int64_t cur = 0;

    if (store_organisation_version(db, &cur, err) != 0)
        return -1;
    if (if_match >= 0 && if_match != cur)
        return mp_error_set(err, 412, "If-Match", "the profile is at version %lld, not %lld",
                            (long long)cur, (long long)if_match);
    time_format_rfc3339(now, at, sizeof(at));
    if (store_organisation_write(db, text, at, p->name, err) != 0)
        return -1;
    *version = cur + 1;
    snprintf(payload, sizeof(payload), "{\"version\":%lld}", (long long)*version);
    /* the profile itself is in the row; the chain records who changed it */
    if (store_audit_append(db, now, p->name, "organisation.update", "organisation", payload, err))
        return -1;
    return change_hook ? change_hook(db, p->name, now, err) : 0;
}

void
organisation_on_change(organisation_hook fn)
{
    change_hook = fn;
}

struct put_change {
    const struct principal *p;
    int64_t now;
    const char *text;
    int64_t if_match;
    int64_t version;
};

static int
put_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct put_change *c = arg;

    return organisation_replace(db, c->p, c->now, c->text, c->if_match, &c->version, err);
}

int
organisation_put(const struct principal *p, int64_t now, json_t *doc, int64_t if_match,
                 int64_t *version, struct field_errors *errs)
{
    struct put_change c = {.p = p, .now = now, .if_match = if_match};
    struct mp_error err;
    char *text;
    int rc;

    if (!organisation_validate(doc, errs))
        return -1;
    text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL) {
        field_error(errs, "", "out of memory");
        return -1;
    }
    c.text = text;
    rc = store_write(put_apply, &c, &err);
    free(text);
    if (rc != 0)
        return field_errors_fail(errs, &err);
    *version = c.version;
    return 0;
}
