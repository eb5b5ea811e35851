/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * oidc.c - OpenID Connect: the settings, the ID token's checks and the
 * mapping of its claims onto a user (see oidc.h).  The exchanges with the
 * provider and the users they create are in oidc_flow.c, sharing
 * oidc_int.h.
 *
 * The checks follow OpenID Connect Core 1.0, section 3.1.3.7: the issuer
 * is exactly the configured one; aud holds our client_id, and when it holds
 * more than one audience azp must be our client_id (an azp present is
 * always checked); exp, iat and nbf allow OIDC_LEEWAY seconds of clock
 * difference; the nonce is the one sent with this sign-in.
 */
#include "oidc.h"
#include "oidc_int.h"

#include "core/incident_types.h"
#include "core/token.h"
#include "lib/file.h"
#include "lib/jws.h"
#include "lib/log.h"
#include "lib/text.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct oidc_conf oidc_conf;

static const char *const failure_words[OIDC_FAIL_COUNT] = {
    [OIDC_FAIL_NONE] = "none",       [OIDC_FAIL_UNAVAILABLE] = "unavailable",
    [OIDC_FAIL_STATE] = "state",     [OIDC_FAIL_REFUSED] = "refused",
    [OIDC_FAIL_NO_ROLE] = "no_role", [OIDC_FAIL_DISABLED] = "disabled",
    [OIDC_FAIL_NAME] = "name",
};

const char *
oidc_failure_word(enum oidc_failure f)
{
    return f >= 0 && f < OIDC_FAIL_COUNT ? failure_words[f] : "refused";
}

bool
oidc_enabled(void)
{
    return oidc_conf.issuer[0] != '\0';
}

const char *
oidc_label(void)
{
    return oidc_conf.label;
}

void
oidc_reset(void)
{
    sodium_memzero(oidc_conf.client_secret, sizeof(oidc_conf.client_secret));
    memset(&oidc_conf, 0, sizeof(oidc_conf));
    oidc_flow_reset();
}

/* "group=value, group=value" into map; value checked by parse (-1: bad). */
static int
parse_map(const char *text, const char *key, int (*parse)(const char *), struct oidc_map_entry *map,
          int *count, struct mp_error *err)
{
    char copy[1024], *save = NULL, *item;

    *count = 0;
    snprintf(copy, sizeof(copy), "%s", text);
    for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strrchr(item, '='), *g = item, *v;
        if (eq == NULL)
            return mp_error_set(err, 0, key, "[oidc] %s: '%s' is not group=value", key, item);
        *eq = '\0';
        v = eq + 1;
        while (*g == ' ' || *g == '\t')
            g++;
        for (char *e = eq - 1; e >= g && (*e == ' ' || *e == '\t'); e--)
            *e = '\0';
        while (*v == ' ' || *v == '\t')
            v++;
        for (char *e = v + strlen(v) - 1; e >= v && (*e == ' ' || *e == '\t'); e--)
            *e = '\0';
        if (*g == '\0' || strlen(g) >= sizeof(map[0].group) || parse(v) < 0)
            return mp_error_set(err, 0, key, "[oidc] %s: '%s=%s' has no group or a bad value", key,
                                g, v);
        if (*count == OIDC_MAP_MAX)
            return mp_error_set(err, 0, key, "[oidc] %s: more than %d groups", key, OIDC_MAP_MAX);
        snprintf(map[*count].group, sizeof(map[0].group), "%s", g);
        map[(*count)++].value = parse(v);
    }
    return 0;
}

static int
role_value(const char *s)
{
    enum role r;

    return role_parse(s, &r) == 0 && r != ROLE_INGEST ? (int)r : -1;
}

/* http only for a provider on this machine (tests, a local proxy). */
static bool
url_acceptable(const char *u)
{
    return strncmp(u, "https://", 8) == 0 || strncmp(u, "http://127.0.0.1", 16) == 0 ||
           strncmp(u, "http://[::1]", 12) == 0 || strncmp(u, "http://localhost", 16) == 0;
}

static int
read_secret(const char *file, const char *data_dir, struct mp_error *err)
{
    char path[4096];
    const char *creds = getenv("CREDENTIALS_DIRECTORY");
    char *text;
    size_t len;

    if (file[0] == '/')
        snprintf(path, sizeof(path), "%s", file);
    else if (file[0] != '\0')
        snprintf(path, sizeof(path), "%s/%s", data_dir, file);
    else if (creds != NULL)
        snprintf(path, sizeof(path), "%s/oidc-client-secret", creds);
    else
        return mp_error_set(err, 0, "client_secret_file",
                            "[oidc] client_secret_file: required (or the systemd credential "
                            "oidc-client-secret)");
    text = file_read(path, 4096, &len, err);
    if (text == NULL)
        return mp_error_set(err, 0, "client_secret_file",
                            "[oidc] client_secret_file: cannot read %s", path);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    if (len == 0 || len >= sizeof(oidc_conf.client_secret)) {
        sodium_memzero(text, len);
        free(text);
        return mp_error_set(err, 0, "client_secret_file",
                            "[oidc] client_secret_file: %s is empty or too long", path);
    }
    memcpy(oidc_conf.client_secret, text, len + 1);
    sodium_memzero(text, len);
    free(text);
    return 0;
}

#define COPY(member, value) snprintf(oidc_conf.member, sizeof(oidc_conf.member), "%s", value)

int
oidc_configure(const struct oidc_settings *s, const char *data_dir, struct mp_error *err)
{
    oidc_reset();
    if (s->issuer == NULL || s->issuer[0] == '\0')
        return 0;
    if (!url_acceptable(s->issuer))
        return mp_error_set(err, 0, "issuer", "[oidc] issuer: must be an https:// address");
    if (s->client_id[0] == '\0')
        return mp_error_set(err, 0, "client_id", "[oidc] client_id: required");
    if (!url_acceptable(s->redirect_uri))
        return mp_error_set(err, 0, "redirect_uri",
                            "[oidc] redirect_uri: must be an https:// address ending in "
                            "/api/v1/auth/oidc/callback");
    if (strstr(s->scopes, "openid") == NULL)
        return mp_error_set(err, 0, "scopes", "[oidc] scopes: must include openid");
    if (parse_map(s->role_map, "role_map", role_value, oidc_conf.roles, &oidc_conf.nroles, err) !=
            0 ||
        parse_map(s->tlp_map, "tlp_map", tlp_parse, oidc_conf.tlps, &oidc_conf.ntlps, err) != 0)
        return -1;
    if (oidc_conf.nroles == 0)
        return mp_error_set(err, 0, "role_map", "[oidc] role_map: at least one group=role");
    if (read_secret(s->client_secret_file, data_dir, err) != 0)
        return -1;
    COPY(issuer, s->issuer);
    COPY(client_id, s->client_id);
    COPY(redirect_uri, s->redirect_uri);
    COPY(scopes, s->scopes);
    COPY(label, s->label);
    COPY(username_claim, s->username_claim);
    COPY(name_claim, s->name_claim);
    COPY(groups_claim, s->groups_claim);
    COPY(disabled_group, s->disabled_group);
    COPY(ca_file, s->ca_file);
    log_notice("oidc configured issuer=%s client_id=%s groups=%d", oidc_conf.issuer,
               oidc_conf.client_id, oidc_conf.nroles);
    return 0;
}

static bool
audience_ok(const json_t *claims, const char *client_id, struct mp_error *err)
{
    const json_t *aud = json_object_get(claims, "aud"), *a;
    const char *azp = json_string_value(json_object_get(claims, "azp"));
    bool found = false;
    size_t i;

    if (json_is_string(aud)) {
        found = strcmp(json_string_value(aud), client_id) == 0;
    } else if (json_is_array(aud)) {
        json_array_foreach(aud, i, a) found |=
            json_is_string(a) && strcmp(json_string_value(a), client_id) == 0;
        if (json_array_size(aud) > 1 && azp == NULL) {
            mp_error_set(err, 401, "azp", "the ID token has several audiences and no azp");
            return false;
        }
    }
    if (!found) {
        mp_error_set(err, 401, "aud", "the ID token is not meant for this client (aud)");
        return false;
    }
    if (azp != NULL && strcmp(azp, client_id) != 0) {
        mp_error_set(err, 401, "azp", "the ID token was issued to another party (azp)");
        return false;
    }
    return true;
}

static bool
time_claim(const json_t *claims, const char *name, bool required, int64_t *out)
{
    const json_t *v = json_object_get(claims, name);

    if (v == NULL)
        return !required;
    if (!json_is_integer(v) && !json_is_real(v))
        return false;
    *out = json_is_integer(v) ? (int64_t)json_integer_value(v) : (int64_t)json_real_value(v);
    return true;
}

int
oidc_check_claims(const json_t *claims, const char *issuer, const char *client_id,
                  const char *nonce, int64_t now, struct mp_error *err)
{
    const char *iss = json_string_value(json_object_get(claims, "iss"));
    const char *sub = json_string_value(json_object_get(claims, "sub"));
    const char *got_nonce = json_string_value(json_object_get(claims, "nonce"));
    int64_t exp = 0, iat = 0, nbf = 0;

    if (iss == NULL || strcmp(iss, issuer) != 0)
        return mp_error_set(err, 401, "iss", "the ID token comes from another issuer");
    if (!audience_ok(claims, client_id, err))
        return -1;
    if (!time_claim(claims, "exp", true, &exp) || !time_claim(claims, "iat", true, &iat) ||
        !time_claim(claims, "nbf", false, &nbf))
        return mp_error_set(err, 401, "exp", "the ID token's exp, iat or nbf is missing or bad");
    if (exp + OIDC_LEEWAY <= now)
        return mp_error_set(err, 401, "exp", "the ID token has expired");
    if (iat - OIDC_LEEWAY > now || nbf - OIDC_LEEWAY > now)
        return mp_error_set(err, 401, "iat", "the ID token is not valid yet");
    if (got_nonce == NULL || nonce == NULL || sodium_memcmp(got_nonce, nonce, strlen(nonce)) != 0 ||
        strlen(got_nonce) != strlen(nonce))
        return mp_error_set(err, 401, "nonce", "the ID token's nonce is not this sign-in's");
    if (sub == NULL || sub[0] == '\0' || strlen(sub) > 255)
        return mp_error_set(err, 401, "sub", "the ID token has no usable subject");
    return 0;
}

static bool
in_groups(const json_t *groups, const char *g)
{
    const json_t *v;
    size_t i;

    if (json_is_string(groups))
        return strcmp(json_string_value(groups), g) == 0;
    json_array_foreach(groups, i, v) if (json_is_string(v) &&
                                         strcmp(json_string_value(v), g) == 0) return true;
    return false;
}

void
oidc_map_claims(const json_t *claims, struct oidc_identity *id)
{
    const json_t *groups = json_object_get(claims, oidc_conf.groups_claim);
    const char *v;
    int role = -1, tlp = -1;

    memset(id, 0, sizeof(*id));
    snprintf(id->issuer, sizeof(id->issuer), "%s",
             json_string_value(json_object_get(claims, "iss")));
    snprintf(id->subject, sizeof(id->subject), "%s",
             json_string_value(json_object_get(claims, "sub")));
    v = json_string_value(json_object_get(claims, oidc_conf.username_claim));
    snprintf(id->name, sizeof(id->name), "%s", v ? v : "");
    v = json_string_value(json_object_get(claims, oidc_conf.name_claim));
    if (v != NULL && text_valid_utf8(v, true) && text_chars(v) <= 100)
        snprintf(id->full_name, sizeof(id->full_name), "%s", v);
    for (int i = 0; i < oidc_conf.nroles; i++)
        if (in_groups(groups, oidc_conf.roles[i].group) && oidc_conf.roles[i].value > role)
            role = oidc_conf.roles[i].value;
    for (int i = 0; i < oidc_conf.ntlps; i++)
        if (in_groups(groups, oidc_conf.tlps[i].group) && oidc_conf.tlps[i].value > tlp)
            tlp = oidc_conf.tlps[i].value;
    if (role >= 0)
        snprintf(id->role, sizeof(id->role), "%s", role_name((enum role)role));
    if (oidc_conf.ntlps > 0)
        snprintf(id->tlp_max, sizeof(id->tlp_max), "%s", incident_tlp_names[tlp < 0 ? 0 : tlp]);
    id->disabled = oidc_conf.disabled_group[0] && in_groups(groups, oidc_conf.disabled_group);
}

int
oidc_verify_id_token(const char *token, const json_t *jwks, const char *nonce, int64_t now,
                     json_t **claims, struct mp_error *err)
{
    char why[160], kid[128];
    enum jws_result r = jws_verify(token, jwks, claims, kid, why, sizeof(why));

    if (r == JWS_NO_KEY) {
        mp_error_set(err, 401, "kid", "%s", why);
        return 1;
    }
    if (r != JWS_OK)
        return mp_error_set(err, 401, r == JWS_ALG ? "alg" : "signature", "%s", why);
    if (oidc_check_claims(*claims, oidc_conf.issuer, oidc_conf.client_id, nonce, now, err) != 0) {
        json_decref(*claims);
        *claims = NULL;
        return -1;
    }
    return 0;
}
