/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * rules_calendar.c - working-day calendars (config/calendars/): the public
 * holidays a deadline moves past (a DORA report due on a weekend or holiday
 * moves to 12:00 the next working day).  See rules.h and docs/RULES.md.
 */
#include "rules.h"
#include "rules_int.h"
#include "lib/timeutil.h"
#include "core/incident.h"
#include "lib/embed.h"
#include "lib/file.h"
#include <dirent.h>
#include <sys/stat.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- calendars (config/calendars/) ---- */

/* The year of a day number. */
static int64_t
year_of_day(int64_t z)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    return yoe + era * 400 + (mp >= 10);
}

/* 0 Sunday .. 6 Saturday (1970-01-01 was a Thursday). */
static int
weekday(int64_t day)
{
    return (int)(((day % 7) + 11) % 7);
}

/* 01:00 UTC on the last Sunday of month m of year y. */
static int64_t
last_sunday_0100(int64_t y, int m)
{
    int64_t last = time_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;

    return (last - weekday(last)) * 86400 + 3600;
}

/* Local time minus UTC at UTC time t, in seconds. */
static int64_t
calendar_offset(const struct calendar *cal, int64_t t)
{
    int64_t off = (int64_t)cal->offset_minutes * 60, y;

    if (!cal->eu_summer_time)
        return off;
    y = year_of_day(time_floor_div(t, 86400));
    if (t >= last_sunday_0100(y, 3) && t < last_sunday_0100(y, 10))
        off += 3600;
    return off;
}

static bool
calendar_holiday(const struct calendar *cal, int64_t day)
{
    int lo = 0, hi = cal->nholidays - 1;

    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (cal->holidays[mid] == day)
            return true;
        if (cal->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return false;
}

int64_t
calendar_next_working(const struct calendar *cal, int64_t t, int at_minutes, bool *gap)
{
    int64_t day = time_floor_div(t + calendar_offset(cal, t), 86400), target, y;

    *gap = false;
    for (int i = 0; i < 32; i++, day++) {
        y = year_of_day(day);
        if (y < cal->first_year || y > cal->last_year) {
            *gap = true; /* holidays unknown: the time stands */
            return t;
        }
        if (weekday(day) != 0 && weekday(day) != 6 && !calendar_holiday(cal, day))
            break;
    }
    if (day == time_floor_div(t + calendar_offset(cal, t), 86400))
        return t; /* a working day: nothing moves */
    /* HH:MM local: standard time first, then the summer hour if it is one */
    target = day * 86400 + (int64_t)at_minutes * 60 - (int64_t)cal->offset_minutes * 60;
    if (calendar_offset(cal, target) != (int64_t)cal->offset_minutes * 60)
        target -= 3600;
    return target;
}

static int
cmp_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* Loads and validates one calendar file's text. */
static int
calendar_load_text(const char *path, const char *text, size_t len, struct calendar *cal,
                   struct mp_error *err)
{
    static const char *const allowed[] = {"calendar",   "version",     "title", "source",   "notes",
                                          "utc_offset", "summer_time", "years", "holidays", NULL};
    struct vctx v = {.file = path, .err = err};
    json_error_t jerr;
    const char *key, *id, *off;
    json_t *val, *x;
    size_t i;
    int hh, mm;

    memset(cal, 0, sizeof(*cal));
    snprintf(cal->file, sizeof(cal->file), "%s", path);
    cal->doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (cal->doc == NULL)
        return mp_error_set(err, 0, "", "%s: line %d: %s", path, jerr.line, jerr.text);
    if (!json_is_object(cal->doc))
        return rules_vfail(&v, "$", "a calendar is an object", NULL) ? 0 : -1;
    json_object_foreach(cal->doc, key, val)
    {
        if (!rules_in_list(allowed, key))
            return rules_vfail(&v, "$", "unknown member '%s'", key) ? 0 : -1;
    }
    id = json_string_value(json_object_get(cal->doc, "calendar"));
    if (id == NULL || strlen(id) == 0 || strlen(id) >= sizeof(cal->id) ||
        strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(id))
        return rules_vfail(&v, "$.calendar", "must be an id of [a-z0-9-], at most 15", NULL) ? 0
                                                                                             : -1;
    snprintf(cal->id, sizeof(cal->id), "%s", id);
    if (!rules_check_text(&v, json_object_get(cal->doc, "title"), "$.title") ||
        !json_is_string(json_object_get(cal->doc, "source")))
        return rules_vfail(&v, "$", "needs title {en, nl} and source", NULL) ? 0 : -1;
    off = json_string_value(json_object_get(cal->doc, "utc_offset"));
    if (off == NULL || (off[0] != '+' && off[0] != '-') || !rules_parse_hhmm(off + 1, &hh, &mm) ||
        hh > 14 || mm > 59)
        return rules_vfail(&v, "$.utc_offset", "must be +HH:MM or -HH:MM", NULL) ? 0 : -1;
    cal->offset_minutes = (off[0] == '-' ? -1 : 1) * (hh * 60 + mm);
    x = json_object_get(cal->doc, "summer_time");
    if (x != NULL && !(json_is_string(x) && (strcmp(json_string_value(x), "eu") == 0 ||
                                             strcmp(json_string_value(x), "none") == 0)))
        return rules_vfail(&v, "$.summer_time", "must be \"eu\" or \"none\"", NULL) ? 0 : -1;
    cal->eu_summer_time = x != NULL && strcmp(json_string_value(x), "eu") == 0;
    x = json_object_get(cal->doc, "years");
    if (!json_is_array(x) || json_array_size(x) != 2 || !json_is_integer(json_array_get(x, 0)) ||
        !json_is_integer(json_array_get(x, 1)) ||
        json_integer_value(json_array_get(x, 0)) > json_integer_value(json_array_get(x, 1)) ||
        json_integer_value(json_array_get(x, 0)) < 1970 ||
        json_integer_value(json_array_get(x, 1)) > 9999)
        return rules_vfail(&v, "$.years", "must be [first, last], the years the holidays cover",
                           NULL)
                   ? 0
                   : -1;
    cal->first_year = (int)json_integer_value(json_array_get(x, 0));
    cal->last_year = (int)json_integer_value(json_array_get(x, 1));
    x = json_object_get(cal->doc, "holidays");
    if (!json_is_array(x) || json_array_size(x) > CALENDAR_HOLIDAYS_MAX)
        return rules_vfail(&v, "$.holidays", "must be a list of at most 400 {date, name}", NULL)
                   ? 0
                   : -1;
    json_array_foreach(x, i, val)
    {
        const char *date = json_string_value(json_object_get(val, "date"));
        char sub[64];
        int64_t days;
        int y;

        snprintf(sub, sizeof(sub), "$.holidays[%zu]", i);
        if (time_parse_date(date, &days, &y) != 0)
            return rules_vfail(&v, sub, "date must be YYYY-MM-DD", NULL) ? 0 : -1;
        if (y < cal->first_year || y > cal->last_year)
            return rules_vfail(&v, sub, "date %s lies outside the years", date) ? 0 : -1;
        snprintf(sub, sizeof(sub), "$.holidays[%zu].name", i);
        if (!rules_check_text(&v, json_object_get(val, "name"), sub))
            return -1;
        cal->holidays[cal->nholidays++] = days;
    }
    qsort(cal->holidays, (size_t)cal->nholidays, sizeof(cal->holidays[0]), cmp_day);
    return 0;
}

/* One calendar file of the set (file_load_set). */
static int
add_calendar(void *arg, int i, int n, const char *path, const char *text, size_t len,
             struct mp_error *err)
{
    struct rules *r = arg;

    if (i == 0 && (r->calendars = calloc((size_t)n + 1, sizeof(*r->calendars))) == NULL)
        return mp_error_set(err, 0, "", "out of memory");
    r->ncalendars = i + 1;
    if (calendar_load_text(path, text, len, &r->calendars[i], err) != 0)
        return -1;
    for (int k = 0; k < i; k++) {
        if (strcmp(r->calendars[k].id, r->calendars[i].id) == 0)
            return mp_error_set(err, 0, "", "%s: $.calendar: '%s' is also the calendar of %s", path,
                                r->calendars[i].id, r->calendars[k].file);
    }
    return 0;
}

/* The calendars: the built-in copy of config/calendars/, or (dir not NULL)
 * every *.json in dir. */
static int
calendars_load(const char *dir, struct rules *r, struct mp_error *err)
{
    return file_load_set(dir, ".json", 64, calendar_files, calendar_files_count,
                         "(built in)/calendars", add_calendar, r, err);
}

/* Every next_working_day names a calendar that is loaded. */
static int
calendars_resolve(struct rules *r, struct mp_error *err)
{
    for (int i = 0; i < r->nsets; i++) {
        for (int k = 0; k < r->sets[i].nstages; k++) {
            struct rule_stage *st = &r->sets[i].stages[k];
            if (st->wd_calendar[0] == '\0')
                continue;
            for (int c = 0; c < r->ncalendars && st->wd_cal == NULL; c++) {
                if (strcmp(r->calendars[c].id, st->wd_calendar) == 0)
                    st->wd_cal = &r->calendars[c];
            }
            if (st->wd_cal == NULL)
                return mp_error_set(err, 0, "",
                                    "%s: $.stages[%d].next_working_day.calendar: no calendar "
                                    "'%s' (config/calendars/)",
                                    r->sets[i].file, k, st->wd_calendar);
        }
    }
    return 0;
}

/* The calendars that go with the rules in dir: DIR/../calendars when it
 * exists (config/rules and config/calendars; /etc/meldpunt/rules and
 * /etc/meldpunt/calendars), else the built-in ones. */
int
rules_calendars_for(const char *dir, struct rules *r, struct mp_error *err)
{
    char cdir[PATH_MAX];
    struct stat sb;

    if (dir != NULL) {
        /* the parent of dir (trailing slashes aside), then calendars */
        size_t len = strlen(dir);
        while (len > 1 && dir[len - 1] == '/')
            len--;
        while (len > 0 && dir[len - 1] != '/')
            len--;
        while (len > 1 && dir[len - 1] == '/')
            len--;
        if (len == 0)
            snprintf(cdir, sizeof(cdir), "calendars"); /* dir is relative, one level */
        else
            snprintf(cdir, sizeof(cdir), "%.*s/calendars", (int)len, dir);
        if (stat(cdir, &sb) != 0 || !S_ISDIR(sb.st_mode))
            dir = NULL;
    }
    if (calendars_load(dir ? cdir : NULL, r, err) != 0 || calendars_resolve(r, err) != 0)
        return -1;
    return 0;
}

void
rules_calendars_free(struct rules *r)
{
    for (int i = 0; i < r->ncalendars; i++)
        json_decref(r->calendars[i].doc);
    free(r->calendars);
}
