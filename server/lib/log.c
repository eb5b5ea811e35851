/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * log.c - see log.h.
 */
#include "log.h"
#include "buf.h"
#include "clock.h"
#include "timeutil.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static _Atomic int current_level = LOG_NOTICE;

static const char *const level_names[] = {"error", "warn", "notice", "info", "debug"};

void
log_set_level(enum log_level level)
{
    atomic_store(&current_level, (int)level);
}

enum log_level
log_get_level(void)
{
    return (enum log_level)atomic_load(&current_level);
}

bool
log_enabled(enum log_level level)
{
    return (int)level <= atomic_load(&current_level);
}

int
log_level_parse(const char *s, enum log_level *out)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

const char *
log_level_name(enum log_level level)
{
    if ((int)level < 0 || (size_t)level >= sizeof(level_names) / sizeof(level_names[0]))
        return "?";
    return level_names[level];
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
    char ts[40], line[2048];
    va_list ap;
    int n, m;

    if (!log_enabled(level))
        return;
    time_format_rfc3339_ms(clock_now_us(), ts, sizeof(ts));
    n = snprintf(line, sizeof(line), "time=%s level=%s msg=", ts, log_level_name(level));
    if (n < 0)
        return;
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    n += m;
    if ((size_t)n > sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, (size_t)n) < 0)
        return;
}

void
log_quote(char *out, size_t size, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;

    if (size < 3) {
        if (size)
            out[0] = '\0';
        return;
    }
    out[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[5];
        size_t k = 0;

        if (*p == '"' || *p == '\\') {
            esc[k++] = '\\';
            esc[k++] = (char)*p;
        } else if (*p < 0x20 || *p >= 0x7f) {
            esc[k++] = '\\';
            esc[k++] = 'x';
            esc[k++] = hex[*p >> 4];
            esc[k++] = hex[*p & 0xf];
        } else {
            esc[k++] = (char)*p;
        }
        if (n + k + 2 > size)
            break;
        for (size_t i = 0; i < k; i++)
            out[n++] = esc[i];
    }
    out[n++] = '"';
    out[n] = '\0';
}
