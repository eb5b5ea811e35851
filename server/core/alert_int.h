/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * alert_int.h - what alert.c (ingestion, the inbox), alert_decode.c and
 * suppression.c share: reading members of a request body into field
 * errors, and cutting text.  Not for other modules (alert.h is the
 * interface).
 */
#ifndef MP_ALERT_INT_H
#define MP_ALERT_INT_H

#include "lib/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A text member: absent or null is fine unless required; otherwise a
 * string, not blank when required, at most max characters; *out is a
 * malloc'd copy (NULL when absent).  False with a field error. */
bool alert_field_text(json_t *obj, const char *key, bool required, size_t max, char **out,
                      struct field_errors *errs);
/* An RFC 3339 member into *out (left alone when absent or null).  False
 * with a field error. */
bool alert_field_time(json_t *obj, const char *key, int64_t *out, struct field_errors *errs);
/* Cuts s after max characters (never inside one). */
void alert_cut_chars(char *s, size_t max);

#endif
