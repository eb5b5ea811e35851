/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * log.h - operational log lines to standard error.
 *
 * One line per event in logfmt (`time=… level=… msg=… key=value …`), written
 * with a single write(2) so lines from different threads never interleave.
 * The level can change at run time (SIGHUP re-reads it from the config).
 * Nothing secret is ever passed here: callers log token *names*, never
 * tokens, and paths without query strings.
 */
#ifndef MP_LOG_H
#define MP_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* notice: lifecycle (start, stop, reload, migrations) - shown by default;
 * info: one line per request; debug: details. */
enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_enabled(enum log_level level);
/* Parses "error", "warn", "notice", "info", "debug"; returns -1 for anything else. */
int log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level level);

/* Writes s into out as a double-quoted logfmt value: `"`, `\\` and every
 * byte outside printable ASCII are escaped, so text from a request (a path)
 * cannot forge a log line.  Truncates to fit. */
void log_quote(char *out, size_t size, const char *s);

/* fmt is the rest of the line after `msg=`, already in key=value form. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...)  log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
