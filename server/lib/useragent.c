/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * useragent.c - see useragent.h.
 */
#include "useragent.h"

#include <stddef.h>
#include <string.h>

struct mark {
    const char *token; /* looked for in the header */
    const char *name;  /* what a person calls it */
};

/* the first mark found names it: particular before general */
static const struct mark browsers[] = {
    {"Edg/", "Edge"},
    {"EdgA/", "Edge"},
    {"EdgiOS/", "Edge"},
    {"OPR/", "Opera"},
    {"SamsungBrowser/", "Samsung Internet"},
    {"Vivaldi/", "Vivaldi"},
    {"FxiOS/", "Firefox"},
    {"Firefox/", "Firefox"},
    {"CriOS/", "Chrome"},
    {"HeadlessChrome/", "Chrome"},
    {"Chromium/", "Chromium"},
    {"Chrome/", "Chrome"},
    {"Safari/", "Safari"},
    {"curl/", "curl"},
};

static const struct mark systems[] = {
    {"iPhone", "iOS"},      {"iPad", "iPadOS"},     {"Android", "Android"}, {"CrOS", "ChromeOS"},
    {"Windows", "Windows"}, {"Mac OS X", "macOS"},  {"Macintosh", "macOS"}, {"Linux", "Linux"},
    {"FreeBSD", "FreeBSD"}, {"OpenBSD", "OpenBSD"},
};

static const char *
first_mark(const char *ua, const struct mark *marks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strstr(ua, marks[i].token) != NULL)
            return marks[i].name;
    }
    return NULL;
}

void
useragent_summary(const char *ua, const char **browser, const char **os)
{
    *browser = NULL;
    *os = NULL;
    if (ua == NULL || ua[0] == '\0')
        return;
    *browser = first_mark(ua, browsers, sizeof(browsers) / sizeof(browsers[0]));
    *os = first_mark(ua, systems, sizeof(systems) / sizeof(systems[0]));
}
