/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * timeutil.c - see timeutil.h.
 *
 * Parsing is strict on purpose: RFC 3339 section 5.6 `date-time` only
 * (`T` or `t` separator, `Z`/`z` or a numeric offset), ranges checked, and no
 * locale or timezone database involved, so the same text always gives the
 * same instant.
 */
#include "timeutil.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
time_format_rfc3339(int64_t unix_seconds, char *out, size_t size)
{
    time_t t = (time_t)unix_seconds;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL)
        return -1;
    if (tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
        return -1;
    return snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

json_t *
time_format_json(int64_t unix_seconds)
{
    char buf[TIME_RFC3339_LEN];

    if (unix_seconds == TIME_UNSET || time_format_rfc3339(unix_seconds, buf, sizeof(buf)) < 0)
        return json_null();
    return json_string(buf);
}

int
time_format_rfc3339_ms(int64_t unix_us, char *out, size_t size)
{
    int64_t secs = time_floor_div(unix_us, 1000000);
    int ms = (int)((unix_us - secs * 1000000) / 1000);
    char base[TIME_RFC3339_LEN];
    int n = time_format_rfc3339(secs, base, sizeof(base));

    if (n < 0)
        return -1;
    base[n - 1] = '\0'; /* drop the Z */
    return snprintf(out, size, "%s.%03dZ", base, ms);
}

static bool
digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int64_t
time_floor_div(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

int64_t
time_days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int
days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dim[m - 1];
}

int
time_parse_date(const char *s, int64_t *days, int *year)
{
    int y, m, d;

    if (s == NULL || strlen(s) != 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    *days = time_days_from_civil(y, m, d);
    if (year != NULL)
        *year = y;
    return 0;
}

int
time_parse_rfc3339(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
    const char *p;

    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) ||
        s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec))
        return -1;
    p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '+' ? 1 : -1;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om))
            return -1;
        if (oh > 23 || om > 59)
            return -1;
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
        return -1;
    if (sec == 60)
        sec = 59; /* a leap second is read as the second before it */
    *out = time_days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec -
           (int64_t)sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
    return 0;
}

int
duration_parse(const char *s, struct duration *out)
{
    /* Designators in the only order ISO 8601 allows, each at most once,
     * with a ceiling that keeps every sum far from overflow. */
    static const struct {
        char c;
        bool time;
        long long max;
    } parts[] = {{'Y', false, 1000},        {'M', false, 12000},  {'W', false, 52000},
                 {'D', false, 366000},      {'H', true, 8784000}, {'M', true, 527040000},
                 {'S', true, 31622400000LL}};
    bool time_part = false;
    size_t next = 0;
    int any = 0;
    const char *p = s;

    memset(out, 0, sizeof(*out));
    if (*p++ != 'P')
        return -1;
    while (*p) {
        long long v = 0;
        int digits = 0;
        size_t k;

        if (*p == 'T') {
            if (time_part || p[1] == '\0')
                return -1;
            time_part = true;
            p++;
            continue;
        }
        while (isdigit((unsigned char)*p)) {
            v = v * 10 + (*p++ - '0');
            if (++digits > 11)
                return -1;
        }
        if (digits == 0)
            return -1;
        for (k = next; k < sizeof(parts) / sizeof(parts[0]); k++) {
            if (parts[k].c == *p && parts[k].time == time_part)
                break;
        }
        if (k == sizeof(parts) / sizeof(parts[0]) || v > parts[k].max)
            return -1; /* unknown, repeated, out of order, or too large */
        switch (k) {
        case 0:
            out->years = (int)v;
            break;
        case 1:
            out->months = (int)v;
            break;
        case 2:
            out->days += (int)v * 7;
            break;
        case 3:
            out->days += (int)v;
            break;
        case 4:
            out->seconds += v * 3600;
            break;
        case 5:
            out->seconds += v * 60;
            break;
        default:
            out->seconds += v;
            break;
        }
        next = k + 1;
        p++;
        any++;
    }
    return any ? 0 : -1;
}

int64_t
time_add_duration(int64_t t, const struct duration *d)
{
    int64_t days = time_floor_div(t, 86400);
    int64_t secs = t - days * 86400;
    int64_t z, era, doe, yoe, y, doy, mp, dd, m;

    /* civil_from_days (Howard Hinnant) */
    z = days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    dd = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;

    if (d->years || d->months) {
        int64_t total = y * 12 + (m - 1) + (int64_t)d->years * 12 + d->months;
        int last;
        y = total >= 0 ? total / 12 : (total - 11) / 12;
        m = total - y * 12 + 1;
        last = days_in_month((int)y, (int)m);
        if (dd > last)
            dd = last;
    }
    return time_days_from_civil(y, (int)m, (int)dd) * 86400 + secs + (int64_t)d->days * 86400 +
           d->seconds;
}

void
time_format_zone(int64_t t, const char *zone, char *out, size_t size)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    time_t tt = (time_t)t;
    struct tm tm;
    char path[128];

    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", zone ? zone : "");
    if (zone == NULL || zone[0] == '\0' || strstr(zone, "..") || access(path, R_OK) != 0) {
        gmtime_r(&tt, &tm);
        strftime(out, size, "%Y-%m-%d %H:%M UTC", &tm);
        return;
    }
    pthread_mutex_lock(&lock);
    setenv("TZ", zone, 1);
    tzset();
    localtime_r(&tt, &tm);
    strftime(out, size, "%Y-%m-%d %H:%M %Z", &tm);
    unsetenv("TZ");
    tzset();
    pthread_mutex_unlock(&lock);
}
