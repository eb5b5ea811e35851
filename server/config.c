/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * config.c - see config.h.  Parsing is done by inih (libinih, Debian);
 * this file only knows the keys and their types.
 */
#include "config.h"
#include "core/mfa.h"
#include "http/server.h"

#include <errno.h>
#include <stddef.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->listen, sizeof(cfg->listen), "127.0.0.1:8080");
    cfg->threads = 4;
    cfg->workers = 64;
    cfg->connection_limit = 4096;
    cfg->per_ip_connection_limit = 64;
    cfg->connection_timeout = 30;
    cfg->header_timeout = 10;
    cfg->body_min_rate = 1024;
    cfg->connection_memory_limit = (size_t)64 * 1024;
    cfg->body_limit = (size_t)1024 * 1024;
    cfg->large_bodies = 8;
    cfg->shutdown_timeout = 10;
    cfg->bench_endpoints = false;
    cfg->rate_limit = 500;
    cfg->rate_burst = 1000;
    cfg->session_idle = 1800;
    cfg->session_max = 43200;
    cfg->password_min_length = 12;
    cfg->lockout_after = 10;
    cfg->lockout_time = 900;
    cfg->require_mfa[0] = '\0';
    cfg->step_up_window = 600;
    snprintf(cfg->local_passwords, sizeof(cfg->local_passwords), "all");
    snprintf(cfg->data_dir, sizeof(cfg->data_dir), "./var");
    cfg->write_batch = 64;
    cfg->min_free_space = 100u << 20;
    cfg->checkpoint_interval = 3600;
    cfg->integrity_interval = 86400;
    cfg->sweep_interval = 30;
    cfg->reminder_interval = 15;
    cfg->alert_batch_max = 100;
    cfg->alert_payload_limit = (size_t)64 * 1024;
    cfg->log_level = LOG_NOTICE;
    snprintf(cfg->oidc_scopes, sizeof(cfg->oidc_scopes), "openid profile email");
    snprintf(cfg->oidc_label, sizeof(cfg->oidc_label), "OpenID Connect");
    snprintf(cfg->oidc_username_claim, sizeof(cfg->oidc_username_claim), "preferred_username");
    snprintf(cfg->oidc_name_claim, sizeof(cfg->oidc_name_claim), "name");
    snprintf(cfg->oidc_groups_claim, sizeof(cfg->oidc_groups_claim), "groups");
}

int
config_parse_size(const char *s, size_t *out)
{
    unsigned long long v;
    unsigned shift;
    char *end;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0)
        return -1;
    switch (*end) {
    case '\0':
        shift = 0;
        break;
    case 'K':
        shift = 10;
        end++;
        break;
    case 'M':
        shift = 20;
        end++;
        break;
    case 'G':
        shift = 30;
        end++;
        break;
    default:
        return -1;
    }
    /* Compare before shifting: a shift must never wrap around. */
    if (*end != '\0' || v > (1ULL << 40) >> shift)
        return -1;
    *out = (size_t)(v << shift);
    return 0;
}

static int
parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
    unsigned long v;
    char *end;

    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int
parse_bool(const char *s, bool *out)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "1") == 0)
        *out = true;
    else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 || strcmp(s, "0") == 0)
        *out = false;
    else
        return -1;
    return 0;
}

struct load_ctx {
    struct config *cfg;
    FILE *f;
    int line;          /* lines read so far: the line being handled */
    int error_line;    /* line of message, 0 when none */
    char message[160]; /* the first error from a key or section */
};

/* inih reads through this, one line per call, so ctx->line is the line the
 * handler is looking at. */
static char *
read_line(char *str, int num, void *stream)
{
    struct load_ctx *ctx = stream;
    char *r = fgets(str, num, ctx->f);

    if (r != NULL && strchr(r, '\n') != NULL)
        ctx->line++;
    else if (r != NULL && feof(ctx->f))
        ctx->line++;
    return r;
}

/* Every key: where it goes, what kind of value it takes, its bounds, and
 * the reason given when a value does not fit.  Adding a key is one line. */
enum key_type {
    K_UINT,      /* unsigned, min..max */
    K_SIZE,      /* size_t with K/M/G, min..max bytes */
    K_BOOL,      /* true/false, yes/no, 1/0 */
    K_TEXT,      /* a path or other text, shorter than the member */
    K_DIR,       /* K_TEXT, not empty */
    K_LISTEN,    /* ADDRESS:PORT */
    K_PROXIES,   /* a list of numeric addresses */
    K_LOG_LEVEL, /* a log level's name */
    K_ROLES,     /* a list of people's roles */
    K_PASSWORDS, /* all, break-glass-only */
};

#define AT(member) offsetof(struct config, member), sizeof(((struct config *)0)->member)

static const struct key {
    const char *section, *key;
    enum key_type type;
    size_t offset, size;
    unsigned long long min, max;
    const char *why;
} keys[] = {
    {"server", "listen", K_LISTEN, AT(listen), 0, 0,
     "must be ADDRESS:PORT with a numeric IPv4 address or [IPv6]:PORT"},
    {"server", "web_root", K_TEXT, AT(web_root), 0, 0, "path too long"},
    {"server", "threads", K_UINT, AT(threads), 1, 256, "must be a whole number from 1 to 256"},
    {"server", "workers", K_UINT, AT(workers), 1, 1024, "must be a whole number from 1 to 1024"},
    {"server", "connection_limit", K_UINT, AT(connection_limit), 1, 100000,
     "must be a whole number from 1 to 100000"},
    {"server", "per_ip_connection_limit", K_UINT, AT(per_ip_connection_limit), 0, 100000,
     "must be a whole number from 0 (no limit) to 100000"},
    {"server", "connection_timeout", K_UINT, AT(connection_timeout), 1, 3600,
     "must be seconds from 1 to 3600"},
    {"server", "header_timeout", K_UINT, AT(header_timeout), 1, 3600,
     "must be seconds from 1 to 3600"},
    {"server", "body_min_rate", K_UINT, AT(body_min_rate), 0, 1u << 30,
     "must be bytes per second from 0 (no bound) to 1073741824"},
    {"server", "connection_memory_limit", K_SIZE, AT(connection_memory_limit), 8192, 16u << 20,
     "must be a size from 8K to 16M"},
    {"server", "body_limit", K_SIZE, AT(body_limit), 1024, 1u << 30,
     "must be a size from 1K to 1G"},
    {"server", "large_bodies", K_UINT, AT(large_bodies), 1, 4096,
     "must be a number of bodies from 1 to 4096"},
    {"server", "shutdown_timeout", K_UINT, AT(shutdown_timeout), 0, 3600,
     "must be seconds from 0 to 3600"},
    {"server", "bench_endpoints", K_BOOL, AT(bench_endpoints), 0, 0, "must be true or false"},
    {"server", "tls_cert", K_TEXT, AT(tls_cert), 0, 0, "path too long"},
    {"server", "tls_key", K_TEXT, AT(tls_key), 0, 0, "path too long"},
    {"server", "trusted_proxies", K_PROXIES, AT(trusted_proxies), 0, 0,
     "must be a list of at most 16 numeric IPv4 or IPv6 addresses"},
    {"server", "rate_limit", K_UINT, AT(rate_limit), 0, 1000000,
     "must be requests per second from 0 (no limit) to 1000000"},
    {"server", "rate_burst", K_UINT, AT(rate_burst), 1, 1000000,
     "must be a whole number from 1 to 1000000"},
    {"auth", "session_idle", K_UINT, AT(session_idle), 60, 86400ULL * 7,
     "must be seconds from 60 to 604800"},
    {"auth", "session_max", K_UINT, AT(session_max), 60, 86400ULL * 30,
     "must be seconds from 60 to 2592000"},
    {"auth", "password_min_length", K_UINT, AT(password_min_length), 8, 256,
     "must be a whole number from 8 to 256"},
    {"auth", "lockout_after", K_UINT, AT(lockout_after), 3, 1000,
     "must be a whole number from 3 to 1000"},
    {"auth", "lockout_time", K_UINT, AT(lockout_time), 1, 86400, "must be seconds from 1 to 86400"},
    {"auth", "require_mfa", K_ROLES, AT(require_mfa), 0, 0,
     "must be a list of roles: viewer, analyst, manager, admin"},
    {"auth", "step_up_window", K_UINT, AT(step_up_window), 30, 86400,
     "must be seconds from 30 to 86400"},
    {"auth", "local_passwords", K_PASSWORDS, AT(local_passwords), 0, 0,
     "must be all or break-glass-only"},
    {"auth", "webauthn_rp_id", K_TEXT, AT(webauthn_rp_id), 0, 0, "too long"},
    {"auth", "webauthn_origin", K_TEXT, AT(webauthn_origin), 0, 0, "too long"},
    {"storage", "data_dir", K_DIR, AT(data_dir), 0, 0, "must be a directory path"},
    {"storage", "min_free_space", K_SIZE, AT(min_free_space), 0, 1ULL << 40,
     "must be a size such as 100M"},
    {"storage", "write_batch", K_UINT, AT(write_batch), 1, 10000,
     "must be a whole number from 1 to 10000"},
    {"storage", "integrity_interval", K_UINT, AT(integrity_interval), 0, 30ULL * 86400,
     "must be seconds from 0 (only before a backup) to 2592000"},
    {"audit", "checkpoint_interval", K_UINT, AT(checkpoint_interval), 0, 7ULL * 86400,
     "must be seconds from 0 (only on demand) to 604800"},
    {"rules", "dir", K_TEXT, AT(rules_dir), 0, 0, "path too long"},
    {"rules", "sweep_interval", K_UINT, AT(sweep_interval), 1, 3600,
     "must be seconds from 1 to 3600"},
    {"detection", "dir", K_TEXT, AT(detection_dir), 0, 0, "path too long"},
    {"alerts", "batch_max", K_UINT, AT(alert_batch_max), 1, 10000,
     "must be a whole number from 1 to 10000"},
    {"alerts", "payload_limit", K_SIZE, AT(alert_payload_limit), 1024, 16u << 20,
     "must be a size from 1K to 16M"},
    {"assessment", "dir", K_TEXT, AT(assessment_dir), 0, 0, "path too long"},
    {"reminders", "file", K_TEXT, AT(reminders_file), 0, 0, "path too long"},
    {"reminders", "ca_file", K_TEXT, AT(reminders_ca_file), 0, 0, "path too long"},
    {"reminders", "send_interval", K_UINT, AT(reminder_interval), 1, 3600,
     "must be seconds from 1 to 3600"},
    {"log", "level", K_LOG_LEVEL, AT(log_level), 0, 0,
     "must be error, warn, notice, info or debug"},
    /* [oidc] OpenID Connect sign-in: checked as a whole by oidc_configure() */
    {"oidc", "issuer", K_TEXT, AT(oidc_issuer), 0, 0, "too long"},
    {"oidc", "client_id", K_TEXT, AT(oidc_client_id), 0, 0, "too long"},
    {"oidc", "client_secret_file", K_TEXT, AT(oidc_client_secret_file), 0, 0, "too long"},
    {"oidc", "redirect_uri", K_TEXT, AT(oidc_redirect_uri), 0, 0, "too long"},
    {"oidc", "scopes", K_TEXT, AT(oidc_scopes), 0, 0, "too long"},
    {"oidc", "label", K_TEXT, AT(oidc_label), 0, 0, "too long"},
    {"oidc", "username_claim", K_TEXT, AT(oidc_username_claim), 0, 0, "too long"},
    {"oidc", "name_claim", K_TEXT, AT(oidc_name_claim), 0, 0, "too long"},
    {"oidc", "groups_claim", K_TEXT, AT(oidc_groups_claim), 0, 0, "too long"},
    {"oidc", "role_map", K_TEXT, AT(oidc_role_map), 0, 0, "too long"},
    {"oidc", "tlp_map", K_TEXT, AT(oidc_tlp_map), 0, 0, "too long"},
    {"oidc", "disabled_group", K_TEXT, AT(oidc_disabled_group), 0, 0, "too long"},
    {"oidc", "ca_file", K_TEXT, AT(oidc_ca_file), 0, 0, "too long"},
    /* [misp] the instance events are pushed to: checked by misp_configure() */
    {"misp", "url", K_TEXT, AT(misp_url), 0, 0, "too long"},
    {"misp", "key_file", K_TEXT, AT(misp_key_file), 0, 0, "too long"},
    {"misp", "ca_file", K_TEXT, AT(misp_ca_file), 0, 0, "too long"},
};

/* value into the member k describes; false when it does not fit. */
static bool
set_value(struct config *c, const struct key *k, const char *value)
{
    void *dst = (char *)c + k->offset;
    char host[64];
    uint16_t port;
    bool v6;
    size_t size;
    int n;

    switch (k->type) {
    case K_UINT:
        return parse_uint(value, (unsigned)k->min, (unsigned)k->max, dst) == 0;
    case K_SIZE:
        if (config_parse_size(value, &size) != 0 || size < k->min || size > k->max)
            return false;
        *(size_t *)dst = size;
        return true;
    case K_BOOL:
        return parse_bool(value, dst) == 0;
    case K_LISTEN:
        if (http_parse_listen(value, host, &port, &v6) != 0)
            return false;
        break;
    case K_PROXIES:
        if (http_parse_proxies(value, &n) != 0)
            return false;
        break;
    case K_LOG_LEVEL:
        return log_level_parse(value, dst) == 0;
    case K_ROLES: {
        unsigned mask;
        if (mfa_parse_roles(value, &mask) != 0)
            return false;
        break;
    }
    case K_PASSWORDS:
        if (strcmp(value, "all") != 0 && strcmp(value, "break-glass-only") != 0)
            return false;
        break;
    case K_DIR:
        if (value[0] == '\0')
            return false;
        break;
    case K_TEXT:
        break;
    }
    /* text kinds: stored as given, when it fits */
    if (strlen(value) >= k->size)
        return false;
    memcpy(dst, value, strlen(value) + 1);
    return true;
}

/* Returns NULL when value is fine for key, else the reason. */
static const char *
set_key(struct config *c, const char *section, const char *key, const char *value)
{
    bool known_section = false;

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(keys[i].section, section) != 0)
            continue;
        known_section = true;
        if (strcmp(keys[i].key, key) == 0)
            return set_value(c, &keys[i], value) ? NULL : keys[i].why;
    }
    return known_section ? "unknown key" : "unknown section";
}

static int
on_entry(void *user, const char *section, const char *key, const char *value)
{
    struct load_ctx *ctx = user;
    const char *why = set_key(ctx->cfg, section, key, value);

    if (why == NULL)
        return 1;
    if (ctx->message[0] == '\0') {
        snprintf(ctx->message, sizeof(ctx->message), "[%s] %s = %s: %s", section, key, value, why);
        ctx->error_line = ctx->line;
    }
    return 0;
}

int
config_load(const char *path, struct config *cfg, struct mp_error *err)
{
    struct load_ctx ctx = {.cfg = cfg};
    int line;

    ctx.f = fopen(path, "r");
    if (ctx.f == NULL)
        return mp_error_set(err, 0, "", "%s: %s", path, strerror(errno));
    line = ini_parse_stream(read_line, &ctx, on_entry, &ctx);
    fclose(ctx.f);
    if (line == 0)
        return 0;
    if (line < 0)
        return mp_error_set(err, 0, "", "%s: cannot read", path);
    /* inih reports the first bad line of any kind; our message belongs to
     * it only when it came from that same line. */
    if (ctx.error_line == line)
        return mp_error_set(err, 0, "", "%s:%d: %s", path, line, ctx.message);
    return mp_error_set(err, 0, "", "%s:%d: syntax error (expected [section] or key = value)", path,
                        line);
}
