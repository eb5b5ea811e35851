/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * formats.h - reports in the authorities' own formats (issue 22).
 *
 * A format is data (one JSON file each in config/formats/, docs/FORMATS.md): the target's
 * fields in order, each with where its value comes from in what meldpunt
 * knows (the incident, its impact facts, the organisation profile, the
 * draft's contents, the notification itself), its type, code list and
 * length limit, and in which of the regime's stages it is required; or,
 * for a field meldpunt cannot fill, the reason in both languages.  The
 * mapping engine fills a format from a notification and names every field
 * it left empty, with the reason, so the reader sees what to add by hand.
 */
#ifndef MP_FORMATS_H
#define MP_FORMATS_H

#include "core/rules.h"
#include "lib/buf.h"
#include "lib/error.h"

#include <jansson.h>
#include <stdbool.h>

/* Checks one format document: its members, the stages against the regime
 * in r (NULL: not checked), every source path, code list, map value and
 * limit, duplicate field ids, and that every field is mapped or says why
 * not.  false with err ("FILE: PATH: reason") at the first problem. */
bool formats_check(const json_t *doc, const char *file, const struct rules *r,
                   struct mp_error *err);

/* Every format in dir (NULL: the copy built into the binary), each
 * checked: a JSON array of the documents (*out, new reference). */
int formats_load(const char *dir, const struct rules *r, json_t **out, struct mp_error *err);

/* The format named id in the list (borrowed), or NULL. */
const json_t *formats_find(const json_t *list, const char *id);

/* The formats for people: [{format, version, regime, title, status,
 * stages}] (new reference). */
json_t *formats_summary(const json_t *list);

/*
 * The mapping engine: fmt filled from src, an object {incident, facts,
 * profile, draft, notification}, for stage in language nl or en.  The
 * answer holds the format's name, version and status, the stage, every
 * field's value (null when not filled) and "unfilled": [{id, name,
 * required, reason_code, reason}].  NULL when stage is not one of the
 * format's.
 */
json_t *formats_fill(const json_t *fmt, const json_t *src, const char *stage, bool nl);

/* A value as its reader reads it (malloc'd): text as it is, a list joined
 * by "; ", anything else as JSON; "" for null. */
char *formats_text(const json_t *v);

/* A filled format (formats_fill of fmt) as CSV (RFC 4180): a header, the
 * report's identity (format, stage, incident, TLP) as rows of section
 * "meta", then one row per field with its number or id, section, name,
 * value, whether required and, when empty, why. */
void formats_csv(const json_t *fmt, const json_t *filled, struct buf *out);

/* Notification nid in format id as "json" or "csv" (malloc'd text and
 * its length), the incident's running duration counted to now; 404 when
 * there is no such notification, 422 (field "format") when the format is
 * unknown or not for its regime or stage. */
int formats_export(const char *nid, const char *format, const char *type, int64_t now, char **text,
                   size_t *len, struct mp_error *err);

#endif
