/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * embed.h - files compiled into the binary.
 *
 * tools/embed.c turns a list of files (the SQL migrations, the rule files,
 * the detection rules, the assessment data, the OpenAPI document, the web
 * front end) into a C source holding one `struct embedded_file` table per
 * set, sorted by name, each with a strong ETag computed at build time (a
 * quoted FNV-1a 64-bit hash of the bytes: for caching, not for security).
 */
#ifndef MP_EMBED_H
#define MP_EMBED_H

#include <stddef.h>

struct embedded_file {
    const char *name;
    const unsigned char *data;
    size_t len;
    const char *etag;
};

extern const struct embedded_file schema_files[];
extern const size_t schema_files_count;
extern const struct embedded_file rules_files[];
extern const size_t rules_files_count;
extern const struct embedded_file calendar_files[]; /* config/calendars/ */
extern const size_t calendar_files_count;
extern const struct embedded_file reminders_files[]; /* config/reminders.json */
extern const size_t reminders_files_count;
extern const struct embedded_file openapi_files[]; /* openapi.json */
extern const size_t openapi_files_count;
extern const struct embedded_file detection_files[];
extern const size_t detection_files_count;
extern const struct embedded_file assessment_files[];
extern const size_t assessment_files_count;
extern const struct embedded_file formats_files[]; /* config/formats/ */
extern const size_t formats_files_count;
extern const struct embedded_file exercises_files[]; /* config/exercises/ (issue 22) */
extern const size_t exercises_files_count;
extern const struct embedded_file web_files[];
extern const size_t web_files_count;

#endif
