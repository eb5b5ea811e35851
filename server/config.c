/*
 * config.c - see config.h.  Parsing is done by inih (libinih, Debian);
 * this file only knows the keys and their types.
 */
#include "config.h"
#include "http/server.h"

#include <errno.h>
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
    cfg->connection_limit = 512;
    cfg->per_ip_connection_limit = 64;
    cfg->connection_timeout = 30;
    cfg->connection_memory_limit = 64 * 1024;
    cfg->body_limit = 1024 * 1024;
    cfg->shutdown_timeout = 10;
    cfg->bench_endpoints = false;
    cfg->rate_limit = 500;
    cfg->rate_burst = 1000;
    cfg->session_idle = 1800;
    cfg->session_max = 43200;
    cfg->password_min_length = 12;
    cfg->lockout_after = 10;
    cfg->lockout_time = 900;
    snprintf(cfg->data_dir, sizeof(cfg->data_dir), "./var");
    cfg->write_batch = 64;
    cfg->min_free_space = 100u << 20;
    cfg->checkpoint_interval = 3600;
    cfg->sweep_interval = 30;
    cfg->alert_batch_max = 100;
    cfg->alert_payload_limit = 64 * 1024;
    cfg->log_level = LOG_NOTICE;
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

/* Returns NULL when value is fine for key, else the reason. */
static const char *
set_key(struct config *c, const char *section, const char *key, const char *value)
{
    char host[64];
    uint16_t port;
    bool v6;

#define IS(s, k) (strcmp(section, s) == 0 && strcmp(key, k) == 0)
    if (IS("server", "listen")) {
        if (http_parse_listen(value, host, &port, &v6) != 0)
            return "must be ADDRESS:PORT with a numeric IPv4 address or [IPv6]:PORT";
        snprintf(c->listen, sizeof(c->listen), "%s", value);
    } else if (IS("server", "web_root")) {
        if (strlen(value) >= sizeof(c->web_root))
            return "path too long";
        snprintf(c->web_root, sizeof(c->web_root), "%s", value);
    } else if (IS("server", "threads")) {
        if (parse_uint(value, 1, 256, &c->threads) != 0)
            return "must be a whole number from 1 to 256";
    } else if (IS("server", "workers")) {
        if (parse_uint(value, 1, 1024, &c->workers) != 0)
            return "must be a whole number from 1 to 1024";
    } else if (IS("server", "connection_limit")) {
        if (parse_uint(value, 1, 100000, &c->connection_limit) != 0)
            return "must be a whole number from 1 to 100000";
    } else if (IS("server", "per_ip_connection_limit")) {
        if (parse_uint(value, 0, 100000, &c->per_ip_connection_limit) != 0)
            return "must be a whole number from 0 (no limit) to 100000";
    } else if (IS("server", "connection_timeout")) {
        if (parse_uint(value, 1, 3600, &c->connection_timeout) != 0)
            return "must be seconds from 1 to 3600";
    } else if (IS("server", "connection_memory_limit")) {
        if (config_parse_size(value, &c->connection_memory_limit) != 0 ||
            c->connection_memory_limit < 8192 || c->connection_memory_limit > (16u << 20))
            return "must be a size from 8K to 16M";
    } else if (IS("server", "body_limit")) {
        if (config_parse_size(value, &c->body_limit) != 0 || c->body_limit < 1024 ||
            c->body_limit > (1u << 30))
            return "must be a size from 1K to 1G";
    } else if (IS("server", "shutdown_timeout")) {
        if (parse_uint(value, 0, 3600, &c->shutdown_timeout) != 0)
            return "must be seconds from 0 to 3600";
    } else if (IS("server", "bench_endpoints")) {
        if (parse_bool(value, &c->bench_endpoints) != 0)
            return "must be true or false";
    } else if (IS("server", "tls_cert") || IS("server", "tls_key")) {
        char *dst = strcmp(key, "tls_cert") == 0 ? c->tls_cert : c->tls_key;
        if (strlen(value) >= PATH_MAX)
            return "path too long";
        snprintf(dst, PATH_MAX, "%s", value);
    } else if (IS("server", "trusted_proxies")) {
        int n;
        if (strlen(value) >= sizeof(c->trusted_proxies) || http_parse_proxies(value, &n) != 0)
            return "must be a list of at most 16 numeric IPv4 or IPv6 addresses";
        snprintf(c->trusted_proxies, sizeof(c->trusted_proxies), "%s", value);
    } else if (IS("server", "rate_limit")) {
        if (parse_uint(value, 0, 1000000, &c->rate_limit) != 0)
            return "must be requests per second from 0 (no limit) to 1000000";
    } else if (IS("server", "rate_burst")) {
        if (parse_uint(value, 1, 1000000, &c->rate_burst) != 0)
            return "must be a whole number from 1 to 1000000";
    } else if (IS("auth", "session_idle")) {
        if (parse_uint(value, 60, 86400 * 7, &c->session_idle) != 0)
            return "must be seconds from 60 to 604800";
    } else if (IS("auth", "session_max")) {
        if (parse_uint(value, 60, 86400 * 30, &c->session_max) != 0)
            return "must be seconds from 60 to 2592000";
    } else if (IS("auth", "password_min_length")) {
        if (parse_uint(value, 8, 256, &c->password_min_length) != 0)
            return "must be a whole number from 8 to 256";
    } else if (IS("auth", "lockout_after")) {
        if (parse_uint(value, 3, 1000, &c->lockout_after) != 0)
            return "must be a whole number from 3 to 1000";
    } else if (IS("auth", "lockout_time")) {
        if (parse_uint(value, 1, 86400, &c->lockout_time) != 0)
            return "must be seconds from 1 to 86400";
    } else if (IS("storage", "data_dir")) {
        if (value[0] == '\0' || strlen(value) >= sizeof(c->data_dir))
            return "must be a directory path";
        snprintf(c->data_dir, sizeof(c->data_dir), "%s", value);
    } else if (IS("storage", "min_free_space")) {
        if (config_parse_size(value, &c->min_free_space) != 0)
            return "must be a size such as 100M";
    } else if (IS("storage", "write_batch")) {
        if (parse_uint(value, 1, 10000, &c->write_batch) != 0)
            return "must be a whole number from 1 to 10000";
    } else if (IS("audit", "checkpoint_interval")) {
        if (parse_uint(value, 0, 7 * 86400, &c->checkpoint_interval) != 0)
            return "must be seconds from 0 (only on demand) to 604800";
    } else if (IS("rules", "sweep_interval")) {
        if (parse_uint(value, 1, 3600, &c->sweep_interval) != 0)
            return "must be seconds from 1 to 3600";
    } else if (IS("rules", "dir")) {
        if (strlen(value) >= sizeof(c->rules_dir))
            return "path too long";
        snprintf(c->rules_dir, sizeof(c->rules_dir), "%s", value);
    } else if (IS("detection", "dir")) {
        if (strlen(value) >= sizeof(c->detection_dir))
            return "path too long";
        snprintf(c->detection_dir, sizeof(c->detection_dir), "%s", value);
    } else if (IS("alerts", "batch_max")) {
        if (parse_uint(value, 1, 10000, &c->alert_batch_max) != 0)
            return "must be a whole number from 1 to 10000";
    } else if (IS("alerts", "payload_limit")) {
        if (config_parse_size(value, &c->alert_payload_limit) != 0 ||
            c->alert_payload_limit < 1024 || c->alert_payload_limit > (16u << 20))
            return "must be a size from 1K to 16M";
    } else if (IS("assessment", "dir")) {
        if (strlen(value) >= sizeof(c->assessment_dir))
            return "path too long";
        snprintf(c->assessment_dir, sizeof(c->assessment_dir), "%s", value);
    } else if (IS("log", "level")) {
        if (log_level_parse(value, &c->log_level) != 0)
            return "must be error, warn, notice, info or debug";
    } else if (strcmp(section, "server") == 0 || strcmp(section, "storage") == 0 ||
               strcmp(section, "rules") == 0 || strcmp(section, "detection") == 0 ||
               strcmp(section, "alerts") == 0 || strcmp(section, "assessment") == 0 ||
               strcmp(section, "log") == 0 || strcmp(section, "auth") == 0 ||
               strcmp(section, "audit") == 0) {
        return "unknown key";
    } else {
        return "unknown section";
    }
#undef IS
    return NULL;
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
