/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * stix.c - an incident as a STIX 2.1 bundle.  See stix.h.
 *
 * Ids: a cyber-observable's is the version 5 UUID the specification fixes
 * (section 2.9: the namespace 00abedb4-aa42-466c-9c01-fed23315a9b7 and the
 * canonical JSON, RFC 8785, of its id-contributing properties), so another
 * producer that sees the same address names it the same; every other
 * object's is a version 5 UUID of meldpunt's export namespace and what it
 * stands for (the incident's id, the indicator's id).  Times are the
 * incident's and the indicators' own, in the STIX form with milliseconds.
 *
 * The organisation's identity is one object for every incident (its id
 * from the name alone), and STIX keeps `created` of an id unchanged: it
 * carries a fixed time, not the incident's.
 *
 * TLP: the TLP 2.0 marking definitions of the OASIS common objects (the
 * extension definition 60a3c5c5-...), one per level used; the incident and
 * the identity carry the incident's level, each indicator, observable and
 * observation its own.
 */
#include "stix.h"
#include "core/ioc.h"
#include "lib/buf.h"
#include "lib/jcs.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCO_NAMESPACE    "00abedb4-aa42-466c-9c01-fed23315a9b7"
#define TLP2_EXTENSION   "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#define IDENTITY_CREATED "2020-01-01T00:00:00.000Z"

static const struct {
    const char *id, *name;
} tlp_markings[TLP_COUNT] = {
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR"},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN"},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER"},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "TLP:AMBER+STRICT"},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED"},
};

/* Per indicator type: the observable's type, and its pattern's path. */
static const struct {
    const char *sco, *path, *hash;
} observables[IOC_TYPE_COUNT] = {
    [IOC_IPV4] = {"ipv4-addr", "value", NULL},
    [IOC_IPV6] = {"ipv6-addr", "value", NULL},
    [IOC_DOMAIN] = {"domain-name", "value", NULL},
    [IOC_URL] = {"url", "value", NULL},
    [IOC_MD5] = {"file", "hashes.MD5", "MD5"},
    [IOC_SHA1] = {"file", "hashes.'SHA-1'", "SHA-1"},
    [IOC_SHA256] = {"file", "hashes.'SHA-256'", "SHA-256"},
    [IOC_SHA512] = {"file", "hashes.'SHA-512'", "SHA-512"},
    [IOC_EMAIL] = {"email-addr", "value", NULL},
    [IOC_FILENAME] = {"file", "name", NULL},
};

/* "2031-03-14T09:00:00Z" -> "2031-03-14T09:00:00.000Z" */
static json_t *
stix_time(int64_t t)
{
    char s[TIME_RFC3339_LEN + 8];
    int n = time_format_rfc3339(t, s, sizeof(s));

    if (n < 1)
        return json_string("1970-01-01T00:00:00.000Z");
    snprintf(s + n - 1, sizeof(s) - (size_t)n + 1, ".000Z");
    return json_string(s);
}

static void
object_id(const char *type, const char *ns, const char *name, char *out, size_t size)
{
    char uuid[UUID_TEXT_LEN + 1];

    uuid5_generate(ns, name, strlen(name), uuid);
    snprintf(out, size, "%s--%s", type, uuid);
}

bool
stix_pattern(const char *type, const char *value, char *out, size_t size)
{
    int t = incident_enum_parse(ioc_type_names, IOC_TYPE_COUNT, type);
    struct buf b = {0};
    bool ok;

    if (t < 0)
        return false;
    buf_printf(&b, "[%s:%s = '", observables[t].sco, observables[t].path);
    for (const char *c = value; *c; c++) {
        if (*c == '\'' || *c == '\\')
            buf_append(&b, "\\", 1);
        buf_append(&b, c, 1);
    }
    buf_puts(&b, "']");
    ok = !buf_failed(&b) && b.len < size;
    if (ok)
        memcpy(out, b.data, b.len + 1);
    buf_free(&b);
    return ok;
}

/* The observable of one indicator: its id-contributing properties, and
 * the object with its id. */
static json_t *
observable(int t, const char *value, const char *tlp_id, char id[128])
{
    json_t *props, *obj;
    struct buf canon = {0};

    if (observables[t].hash)
        props = json_pack("{s:{s:s}}", "hashes", observables[t].hash, value);
    else if (t == IOC_FILENAME)
        props = json_pack("{s:s}", "name", value);
    else
        props = json_pack("{s:s}", "value", value);
    if (jcs_serialize(props, &canon) != 0 || buf_failed(&canon)) {
        buf_free(&canon);
        json_decref(props);
        return NULL;
    }
    buf_append(&canon, "", 1);
    object_id(observables[t].sco, SCO_NAMESPACE, canon.data, id, 128);
    buf_free(&canon);
    obj = json_pack("{s:s, s:s, s:s, s:[s]}", "type", observables[t].sco, "spec_version", "2.1",
                    "id", id, "object_marking_refs", tlp_id);
    json_object_update(obj, props);
    json_decref(props);
    return obj;
}

/* The indicator, its observable, the observation and the relationship to
 * the incident, appended to objects; the TLP level used in *tlp. */
static void
add_indicator(json_t *objects, json_t *row, const char *identity, const char *incident_id, int *tlp)
{
    const char *type = json_string_value(json_object_get(row, "type"));
    const char *value = json_string_value(json_object_get(row, "value"));
    const char *id = json_string_value(json_object_get(row, "id"));
    const char *comment = json_string_value(json_object_get(row, "comment"));
    int t = incident_enum_parse(ioc_type_names, IOC_TYPE_COUNT, type);
    char pattern[IOC_VALUE_MAX * 8 + 64], ind[128], sco[128], obs[128], rel[128], name[96];
    int64_t at = 0;
    json_t *o, *ts;

    *tlp = incident_enum_parse(incident_tlp_names, TLP_COUNT,
                               json_string_value(json_object_get(row, "tlp")));
    if (t < 0 || *tlp < 0 || !stix_pattern(type, value, pattern, sizeof(pattern)))
        return;
    time_parse_rfc3339(json_string_value(json_object_get(row, "created_at")), &at);
    ts = stix_time(at);
    o = observable(t, value, tlp_markings[*tlp].id, sco);
    if (o == NULL) {
        json_decref(ts);
        return;
    }
    snprintf(name, sizeof(name), "indicator:%s", id);
    object_id("indicator", IOC_EXPORT_NAMESPACE, name, ind, sizeof(ind));
    snprintf(name, sizeof(name), "observed-data:%s", id);
    object_id("observed-data", IOC_EXPORT_NAMESPACE, name, obs, sizeof(obs));
    snprintf(name, sizeof(name), "relationship:%s", id);
    object_id("relationship", IOC_EXPORT_NAMESPACE, name, rel, sizeof(rel));
    json_array_append_new(
        objects, json_pack("{s:s, s:s, s:s, s:O, s:O, s:s, s:s, s:s, s:s, s:O, s:[s], s:[s]}",
                           "type", "indicator", "spec_version", "2.1", "id", ind, "created", ts,
                           "modified", ts, "name", value, "pattern", pattern, "pattern_type",
                           "stix", "created_by_ref", identity, "valid_from", ts, "indicator_types",
                           "malicious-activity", "object_marking_refs", tlp_markings[*tlp].id));
    if (comment && comment[0])
        json_object_set_new(json_array_get(objects, json_array_size(objects) - 1), "description",
                            json_string(comment));
    json_array_append_new(objects, o);
    json_array_append_new(
        objects, json_pack("{s:s, s:s, s:s, s:O, s:O, s:s, s:O, s:O, s:i, s:[s], s:[s]}", "type",
                           "observed-data", "spec_version", "2.1", "id", obs, "created", ts,
                           "modified", ts, "created_by_ref", identity, "first_observed", ts,
                           "last_observed", ts, "number_observed", 1, "object_refs", sco,
                           "object_marking_refs", tlp_markings[*tlp].id));
    json_array_append_new(objects,
                          json_pack("{s:s, s:s, s:s, s:O, s:O, s:s, s:s, s:s, s:s, s:[s]}", "type",
                                    "relationship", "spec_version", "2.1", "id", rel, "created", ts,
                                    "modified", ts, "relationship_type", "related-to", "source_ref",
                                    ind, "target_ref", incident_id, "created_by_ref", identity,
                                    "object_marking_refs", tlp_markings[*tlp].id));
    json_decref(ts);
}

static json_t *
marking(int tlp)
{
    char level[16];

    snprintf(level, sizeof(level), "%s", incident_tlp_names[tlp]);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type", "marking-definition",
                     "spec_version", "2.1", "id", tlp_markings[tlp].id, "created",
                     "2022-10-01T00:00:00.000Z", "name", tlp_markings[tlp].name, "extensions",
                     TLP2_EXTENSION, "extension_type", "property-extension", "tlp_2_0", level);
}

json_t *
stix_bundle(const struct incident *inc, json_t *iocs, const char *org)
{
    char identity[128], incident_id[128], bundle[128], name[600];
    bool used[TLP_COUNT] = {false};
    json_t *objects = json_array(), *created = stix_time(inc->created_at), *row;
    size_t i;
    int tlp;

    object_id("identity", IOC_EXPORT_NAMESPACE, org, identity, sizeof(identity));
    snprintf(name, sizeof(name), "incident:%s", inc->id);
    object_id("incident", IOC_EXPORT_NAMESPACE, name, incident_id, sizeof(incident_id));
    snprintf(name, sizeof(name), "bundle:%s:%lld", inc->id, (long long)inc->version);
    object_id("bundle", IOC_EXPORT_NAMESPACE, name, bundle, sizeof(bundle));
    used[inc->tlp] = true;
    json_array_append_new(
        objects, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "type", "identity",
                           "spec_version", "2.1", "id", identity, "created", IDENTITY_CREATED,
                           "modified", IDENTITY_CREATED, "name", org, "identity_class",
                           "organization", "object_marking_refs", tlp_markings[inc->tlp].id));
    snprintf(name, sizeof(name), "%s: %.500s", inc->ref, inc->title);
    json_array_append_new(
        objects,
        json_pack("{s:s, s:s, s:s, s:O, s:o, s:s, s:s, s:s, s:[{s:s, s:s}], s:[s]}", "type",
                  "incident", "spec_version", "2.1", "id", incident_id, "created", created,
                  "modified", stix_time(inc->updated_at), "name", name, "description",
                  inc->description ? inc->description : "", "created_by_ref", identity,
                  "external_references", "source_name", "meldpunt", "external_id", inc->ref,
                  "object_marking_refs", tlp_markings[inc->tlp].id));
    json_array_foreach(iocs, i, row)
    {
        tlp = -1;
        add_indicator(objects, row, identity, incident_id, &tlp);
        if (tlp >= 0)
            used[tlp] = true;
    }
    for (tlp = 0; tlp < TLP_COUNT; tlp++) {
        if (used[tlp])
            json_array_append_new(objects, marking(tlp));
    }
    json_decref(created);
    return json_pack("{s:s, s:s, s:o}", "type", "bundle", "id", bundle, "objects", objects);
}

int
stix_export(const struct principal *p, const char *incident, json_t **out, struct mp_error *err)
{
    struct incident inc;
    char org[256];
    json_t *iocs;

    *out = NULL;
    if (ioc_visible(p, incident, &inc, &iocs, err) != 0)
        return -1;
    ioc_organisation_name(org, sizeof(org));
    *out = stix_bundle(&inc, iocs, org);
    json_decref(iocs);
    incident_free(&inc);
    return *out ? 0 : mp_error_set(err, 500, "", "the STIX bundle could not be made");
}
