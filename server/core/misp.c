/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * misp.c - an incident as a MISP event, and its push.  See misp.h.
 *
 * The mapping follows the MISP core format (draft-dulaunoy-misp-core-
 * format, section 2): threat_level_id from the severity (1 high .. 3 low),
 * analysis from the state (0 initial, 1 ongoing, 2 complete),
 * distribution from the TLP (clear: all communities, green: this
 * community, amber and above: your organisation only), each attribute
 * inheriting it (5).  The attribute types and categories are those of the
 * format's table (2.3.2.4): addresses, domains and URLs are network
 * activity, hashes, senders and file names payload delivery.  Values the
 * format counts as text are strings ("1", a Unix time as text).
 *
 * The tags: "tlp:<level>" on the event and on each attribute, and the NIS
 * taxonomy (MISP taxonomies, namespace "nis": the EU blueprint's nature of
 * the incident) for the root cause and the severity.
 */
#include "misp.h"
#include "core/audit.h"
#include "core/ioc.h"
#include "lib/buf.h"
#include "lib/deliver.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"
#include "store/writer.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per indicator type: the MISP attribute type, its category, and whether
 * it is for detection (to_ids). */
static const struct {
    const char *type, *category;
    bool to_ids;
} attribute_types[IOC_TYPE_COUNT] = {
    [IOC_IPV4] = {"ip-dst", "Network activity", true},
    [IOC_IPV6] = {"ip-dst", "Network activity", true},
    [IOC_DOMAIN] = {"domain", "Network activity", true},
    [IOC_URL] = {"url", "Network activity", true},
    [IOC_MD5] = {"md5", "Payload delivery", true},
    [IOC_SHA1] = {"sha1", "Payload delivery", true},
    [IOC_SHA256] = {"sha256", "Payload delivery", true},
    [IOC_SHA512] = {"sha512", "Payload delivery", true},
    [IOC_EMAIL] = {"email-src", "Payload delivery", true},
    [IOC_FILENAME] = {"filename", "Payload delivery", false},
};

/* The nis taxonomy's nature-root-cause value per root-cause category (a
 * process failure is among its "system failures": "a flaw in a
 * procedure"); NULL: none fits. */
static const char *const nis_root_cause[ROOT_CAUSE_COUNT] = {
    [ROOT_CAUSE_MALICIOUS_ACTION] = "malicious-actions",
    [ROOT_CAUSE_HUMAN_ERROR] = "human-errors",
    [ROOT_CAUSE_SYSTEM_FAILURE] = "system-failures",
    [ROOT_CAUSE_PROCESS_FAILURE] = "system-failures",
    [ROOT_CAUSE_THIRD_PARTY_FAILURE] = "third-party-failures",
    [ROOT_CAUSE_NATURAL_PHENOMENON] = "natural-phenomena",
    [ROOT_CAUSE_OTHER] = NULL,
};
static const char *const nis_severity[SEVERITY_COUNT] = {"low", "medium", "high", "high"};
static const char *const threat_level[SEVERITY_COUNT] = {"3", "2", "1", "1"};
static const char *const analysis[STATE_COUNT] = {
    [STATE_DETECTED] = "0", [STATE_TRIAGE] = "0", [STATE_CONFIRMED] = "1", [STATE_CONTAINED] = "1",
    [STATE_RESOLVED] = "2", [STATE_CLOSED] = "2", [STATE_DISMISSED] = "2",
};
static const char *const distribution[TLP_COUNT] = {"3", "1", "0", "0", "0"};

static json_t *
tag(const char *fmt, const char *a)
{
    char name[160];

    snprintf(name, sizeof(name), fmt, a);
    return json_pack("{s:s}", "name", name);
}

static json_t *
unix_text(int64_t t)
{
    char s[24];

    snprintf(s, sizeof(s), "%lld", (long long)t);
    return json_string(s);
}

static json_t *
attribute(json_t *row)
{
    const char *type = json_string_value(json_object_get(row, "type"));
    const char *id = json_string_value(json_object_get(row, "id"));
    const char *at = json_string_value(json_object_get(row, "created_at"));
    int t = incident_enum_parse(ioc_type_names, IOC_TYPE_COUNT, type);
    char uuid[UUID_TEXT_LEN + 1], name[80];
    int64_t when = 0;

    if (t < 0)
        return NULL;
    snprintf(name, sizeof(name), "misp-attribute:%s", id);
    uuid5_generate(IOC_EXPORT_NAMESPACE, name, strlen(name), uuid);
    time_parse_rfc3339(at, &when);
    return json_pack("{s:s, s:s, s:s, s:O, s:b, s:s, s:o, s:O, s:[o]}", "uuid", uuid, "type",
                     attribute_types[t].type, "category", attribute_types[t].category, "value",
                     json_object_get(row, "value"), "to_ids", attribute_types[t].to_ids,
                     "distribution", "5", "timestamp", unix_text(when), "comment",
                     json_object_get(row, "comment"), "Tag",
                     tag("tlp:%s", json_string_value(json_object_get(row, "tlp"))));
}

json_t *
misp_event(const struct incident *inc, json_t *iocs, const char *org)
{
    char uuid[UUID_TEXT_LEN + 1], org_uuid[UUID_TEXT_LEN + 1], name[80], date[TIME_RFC3339_LEN];
    char info[600];
    json_t *attrs = json_array(), *tags = json_array(), *row, *a;
    size_t i;

    snprintf(name, sizeof(name), "misp-event:%s", inc->id);
    uuid5_generate(IOC_EXPORT_NAMESPACE, name, strlen(name), uuid);
    uuid5_generate(IOC_EXPORT_NAMESPACE, org, strlen(org), org_uuid);
    time_format_rfc3339(inc->detected_at != TIME_UNSET ? inc->detected_at : inc->created_at, date,
                        sizeof(date));
    date[10] = '\0';
    snprintf(info, sizeof(info), "%s: %.500s", inc->ref, inc->title);
    json_array_foreach(iocs, i, row)
    {
        if ((a = attribute(row)) != NULL)
            json_array_append_new(attrs, a);
    }
    json_array_append_new(tags, tag("tlp:%s", incident_tlp_names[inc->tlp]));
    if (inc->root_cause_category >= 0 && inc->root_cause_category < ROOT_CAUSE_COUNT &&
        nis_root_cause[inc->root_cause_category])
        json_array_append_new(
            tags, tag("nis:nature-root-cause=\"%s\"", nis_root_cause[inc->root_cause_category]));
    json_array_append_new(tags, tag("nis:nature-severity=\"%s\"", nis_severity[inc->severity]));
    snprintf(name, sizeof(name), "%zu", json_array_size(attrs));
    return json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:s, s:{s:s, s:s}, s:o, s:o}}",
                     "Event", "uuid", uuid, "info", info, "date", date, "threat_level_id",
                     threat_level[inc->severity], "analysis", analysis[inc->state], "distribution",
                     distribution[inc->tlp], "published", false, "timestamp",
                     unix_text(inc->updated_at), "attribute_count", name, "Orgc", "name", org,
                     "uuid", org_uuid, "Tag", tags, "Attribute", attrs);
}

static int export(const struct principal *p, const char *incident, json_t **out, char id[40],
                  struct mp_error *err)
{
    struct incident inc;
    char org[256];
    json_t *iocs;

    *out = NULL;
    if (ioc_visible(p, incident, &inc, &iocs, err) != 0)
        return -1;
    ioc_organisation_name(org, sizeof(org));
    *out = misp_event(&inc, iocs, org);
    if (id)
        snprintf(id, 40, "%s", inc.id);
    json_decref(iocs);
    incident_free(&inc);
    return *out ? 0 : mp_error_set(err, 500, "", "the MISP event could not be made");
}

int
misp_export(const struct principal *p, const char *incident, json_t **out, struct mp_error *err)
{
    return export(p, incident, out, NULL, err);
}

/* ---- the push ---- */

static struct {
    char url[512];
    char key[256];
    char ca_file[4096];
} conf;

bool
misp_configured(void)
{
    return conf.url[0] != '\0';
}

static bool
url_acceptable(const char *url)
{
    if (strncmp(url, "https://", 8) == 0)
        return true;
    /* plain http only to this machine (a local instance, the tests) */
    return strncmp(url, "http://127.0.0.1", 16) == 0 || strncmp(url, "http://[::1]", 12) == 0 ||
           strncmp(url, "http://localhost", 16) == 0;
}

int
misp_configure(const struct misp_settings *s, const char *data_dir, struct mp_error *err)
{
    char path[4096];
    char *text;
    size_t len;

    sodium_memzero(&conf, sizeof(conf));
    if (s->url == NULL || s->url[0] == '\0')
        return 0;
    if (!url_acceptable(s->url) || strlen(s->url) >= sizeof(conf.url) - 16)
        return mp_error_set(err, 0, "url",
                            "[misp] url: must be an https:// address (http:// only on loopback)");
    if (s->key_file == NULL || s->key_file[0] == '\0')
        return mp_error_set(err, 0, "key_file", "[misp] key_file: required");
    if (s->key_file[0] == '/')
        snprintf(path, sizeof(path), "%s", s->key_file);
    else
        snprintf(path, sizeof(path), "%s/%s", data_dir, s->key_file);
    text = file_read(path, sizeof(conf.key), &len, err);
    if (text == NULL)
        return mp_error_set(err, 0, "key_file", "[misp] key_file: cannot read %s", path);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    if (len == 0 || len >= sizeof(conf.key) || strpbrk(text, "\r\n") != NULL) {
        sodium_memzero(text, len);
        free(text);
        return mp_error_set(err, 0, "key_file", "[misp] key_file: %s is empty or not one line",
                            path);
    }
    memcpy(conf.key, text, len + 1);
    sodium_memzero(text, len);
    free(text);
    snprintf(conf.url, sizeof(conf.url), "%s", s->url);
    while (strlen(conf.url) > 0 && conf.url[strlen(conf.url) - 1] == '/')
        conf.url[strlen(conf.url) - 1] = '\0';
    snprintf(conf.ca_file, sizeof(conf.ca_file), "%s", s->ca_file ? s->ca_file : "");
    log_notice("misp configured url=%s", conf.url);
    return 0;
}

struct push_record {
    const struct principal *p;
    int64_t now;
    const char *incident_id;
    json_t *payload;
};

static int
push_audit(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct push_record *r = arg;

    return audit_append_json(db, store_change_time(r->now), r->p->name, "incident.misp.push",
                             r->incident_id, json_deep_copy(r->payload), err);
}

/* What the instance answered: its event's id and uuid when it gave them. */
static json_t *
answer_event(const struct buf *answer)
{
    json_t *j = json_loadb(answer->data ? answer->data : "", answer->len, 0, NULL);
    json_t *ev =
        json_object_get(json_object_get(j, "Event"), "id") ? json_object_get(j, "Event") : NULL;
    json_t *out = json_object();

    if (ev) {
        json_t *id = json_object_get(ev, "id"), *uuid = json_object_get(ev, "uuid");
        if (json_is_string(id) || json_is_integer(id))
            json_object_set(out, "id", id);
        if (json_is_string(uuid))
            json_object_set(out, "uuid", uuid);
    }
    json_decref(j);
    return out;
}

int
misp_push(const struct principal *p, int64_t now, const char *incident, json_t **out,
          struct mp_error *err)
{
    char url[600], auth[300], id[40], reason[DELIVER_REASON_LEN] = "";
    const char *headers[] = {auth, "Content-Type: application/json", NULL};
    struct buf answer = {0};
    struct push_record rec = {.p = p, .now = now, .incident_id = id};
    json_t *event;
    char *body;
    long status = 0;
    int rc;

    *out = NULL;
    if (!misp_configured())
        return mp_error_set(err, 409, "", "no MISP instance is configured ([misp] url)");
    if (export(p, incident, &event, id, err) != 0)
        return -1;
    body = json_dumps(event, JSON_COMPACT | JSON_ENSURE_ASCII);
    snprintf(url, sizeof(url), "%s/events/add", conf.url);
    snprintf(auth, sizeof(auth), "Authorization: %s", conf.key);
    rc = body ? deliver_http_fetch(url, conf.ca_file, body, headers, &answer, &status, reason,
                                   sizeof(reason))
              : -1;
    sodium_memzero(auth, sizeof(auth));
    free(body);
    rec.payload = json_pack("{s:s, s:I, s:O, s:o}", "url", url, "status", (json_int_t)status,
                            "event_uuid", json_object_get(json_object_get(event, "Event"), "uuid"),
                            "answer", answer_event(&answer));
    if (reason[0])
        json_object_set_new(rec.payload, "reason", json_string(reason));
    json_decref(event);
    buf_free(&answer);
    if (store_write(push_audit, &rec, err) != 0) {
        json_decref(rec.payload);
        return -1;
    }
    if (rc != 0 || status < 200 || status > 299) {
        if (rc != 0)
            mp_error_set(err, 502, "", "the MISP instance could not be reached: %s", reason);
        else
            mp_error_set(err, 502, "", "the MISP instance answered %ld", status);
        json_decref(rec.payload);
        return -1;
    }
    *out = rec.payload;
    return 0;
}
