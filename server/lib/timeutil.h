/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * timeutil.h - RFC 3339 time in UTC.
 *
 * Every time the server stores or shows is UTC in RFC 3339 form
 * (`2026-11-29T02:30:00Z`); the browser renders local time.  Times are
 * carried internally as Unix seconds (int64_t) or microseconds.
 */
#ifndef MP_TIMEUTIL_H
#define MP_TIMEUTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define TIME_RFC3339_LEN 32

/* A time that is not known (JSON null, SQL NULL): the one name for it. */
#define TIME_UNSET INT64_MIN

/* The clock itself is read in one place only: lib/clock.h. */

/* `2026-11-29T02:30:00Z`; returns the length or -1. */
int time_format_rfc3339(int64_t unix_seconds, char *out, size_t size);
/* t as a JSON string in RFC 3339 form; JSON null for TIME_UNSET (or a time
 * the format cannot hold).  A new reference. */
json_t *time_format_json(int64_t unix_seconds);
/* `2026-11-29T02:30:00.123Z` from Unix microseconds, for log lines. */
int time_format_rfc3339_ms(int64_t unix_us, char *out, size_t size);
/* Parses a full RFC 3339 date-time (any offset, optional fraction, which is
 * dropped) into Unix seconds.  Returns 0, or -1 when the text is not one. */
int time_parse_rfc3339(const char *s, int64_t *out);
/* A calendar date, exactly "YYYY-MM-DD" and a day that exists: the days
 * since 1970-01-01 in *days (and the year in *year when not NULL).  0, or
 * -1 when s is not such a date. */
int time_parse_date(const char *s, int64_t *days, int *year);

/* a / b rounded down (towards minus infinity), b > 0: the day or second a
 * time before 1970 falls in. */
int64_t time_floor_div(int64_t a, int64_t b);

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil); m 1-12, d 1-31. */
int64_t time_days_from_civil(int64_t y, int m, int d);

/* An ISO 8601 duration: PnYnMnWnDTnHnMnS (each part optional, whole
 * numbers).  Years and months are calendar units, the rest fixed. */
struct duration {
    int years, months, days;
    int64_t seconds; /* weeks, days' fractions are not used: W = 7 days */
};

/* Parses "PT24H", "P1M", "P1DT12H", "P2W"; 0 or -1. */
int duration_parse(const char *s, struct duration *out);
/* t + d in UTC: months and years by the calendar, the day clamped to the
 * month's last day (31 January + P1M = 28 or 29 February), then days and
 * seconds. */
int64_t time_add_duration(int64_t t, const struct duration *d);

/* t as "2026-12-03 17:00 CET" in the time zone zone (an IANA name such as
 * Europe/Amsterdam; NULL or unknown: UTC).  Serialised: the C library
 * knows one zone at a time (TZ). */
void time_format_zone(int64_t t, const char *zone, char *out, size_t size);

#endif
