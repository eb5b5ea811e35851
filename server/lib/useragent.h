/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * useragent.h - a browser's User-Agent header in words a person knows
 * ("Firefox", "Linux"), for the list of one's sessions.
 *
 * The raw header is long and says "Mozilla" for every browser; people
 * recognise their device by the browser and the system.  Order matters:
 * Edge and Opera also say "Chrome", Chrome also says "Safari", Android also
 * says "Linux", so the more particular names are looked for first.  What is
 * not recognised is NULL: the page says "unknown" in the reader's language.
 */
#ifndef MP_USERAGENT_H
#define MP_USERAGENT_H

/* The browser's name and the operating system's name (static text), each
 * NULL when ua (may be NULL) does not say. */
void useragent_summary(const char *ua, const char **browser, const char **os);

#endif
