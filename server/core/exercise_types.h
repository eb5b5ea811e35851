/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * exercise_types.h - an exercise run, its clock's segments and its applied
 * injects as types: core/exercise*.c gives them behaviour, store/exercises.c
 * persists them (a types-only header, like incident_types.h).
 */
#ifndef MP_EXERCISE_TYPES_H
#define MP_EXERCISE_TYPES_H

#include <stdbool.h>
#include <stdint.h>

struct exercise_run {
    char id[40];
    char incident_id[40];
    char scenario[64];
    char *doc; /* the scenario as started (JSON text), malloc'd */
    bool allow_outside;
    int64_t started_at;
    char started_by[96];
    int64_t ex_start;
    int64_t ended_at; /* 0: running */
};

/* One piece of the exercise clock: from real_at on, exercise time is
 * ex_at + (real - real_at) * speed while running, ex_at while paused. */
struct exercise_segment {
    int64_t real_at, ex_at;
    double speed; /* > 0, kept while paused */
    bool running;
};

struct exercise_applied {
    int idx;
    int64_t applied_at, ex_at;
};

#endif
