/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * assessment_int.h - shared between assessment.c (loading, storage) and
 * assessment_decide.c (evaluation).  Not for other modules.
 */
#ifndef MP_ASSESSMENT_INT_H
#define MP_ASSESSMENT_INT_H

#include "lib/error.h"

#include <jansson.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The index of size class id in law.json's size_classes; -1 when none. */
int assessment_size_index(json_t *law, const char *id);

/* Checks law.json's nis2_decision against the rules and questions: every
 * condition in the rule language over known facts, every reason a known
 * rule, the last step unconditional with an outcome.  0, or -1 with err
 * naming the step. */
int assessment_decision_check(json_t *law, json_t *questions, struct mp_error *err);

#endif
