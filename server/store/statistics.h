/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * statistics.h - the rows the statistics are worked out from (issue 22):
 * the incidents a principal may see, with when they became known and
 * their root cause, and their stored obligations.  core/statistics.c
 * counts them; nothing here judges.
 */
#ifndef MP_STORE_STATISTICS_H
#define MP_STORE_STATISTICS_H

#include "lib/error.h"

#include <sqlite3.h>
#include <stdint.h>

struct stats_incident {
    char id[40];
    char ref[32];
    char kind[16];
    char root_cause_category[32]; /* "" when not recorded */
    int64_t aware;                /* aware_at, else detected_at */
};

struct stats_obligation {
    char incident_id[40];
    char regime[48];
    char stage[48];
    char status[16];
    int64_t due;       /* TIME_UNSET: no due time */
    int64_t submitted; /* TIME_UNSET: not sent */
    char waived_reason[1600];
};

/* Every incident up to TLP level tlp_max (TLP_RED: all), oldest first. */
int store_statistics_incidents(sqlite3 *db, int tlp_max, struct stats_incident **out, int *count,
                               struct mp_error *err);
/* Every obligation of those incidents. */
int store_statistics_obligations(sqlite3 *db, int tlp_max, struct stats_obligation **out,
                                 int *count, struct mp_error *err);

#endif
