/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * statistics.c - GET /api/v1/statistics?from=YYYY-MM-DD&to=YYYY-MM-DD
 * [&format=json|csv][&lang=en|nl]: timeliness and recurrence per regime
 * and quarter (core/statistics.h).  Counts only the incidents the caller
 * may see (its TLP limit).
 */
#include "api.h"
#include "core/statistics.h"

#include <stdlib.h>
#include <string.h>

void
api_statistics(const struct api_request *rq, struct api_response *rs)
{
    const char *format = rq->query(rq->ctx, "format"), *lang = rq->query(rq->ctx, "lang");
    struct mp_error err;
    json_t *rep;

    if (format == NULL)
        format = "json";
    if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
        api_fail(rs, 422, "format", "must be json or csv");
        return;
    }
    if (lang != NULL && strcmp(lang, "en") != 0 && strcmp(lang, "nl") != 0) {
        api_fail(rs, 422, "lang", "must be en or nl");
        return;
    }
    if (statistics_report(rq->query(rq->ctx, "from"), rq->query(rq->ctx, "to"),
                          rq->principal->tlp_max, rq->now, &rep, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    if (strcmp(format, "csv") == 0) {
        rs->status = 200;
        rs->raw = statistics_csv(rep, lang, &rs->raw_len);
        rs->content_type = "text/csv; charset=utf-8";
        snprintf(rs->disposition, sizeof(rs->disposition),
                 "attachment; filename=\"meldpunt-statistics.csv\"");
        json_decref(rep);
        return;
    }
    api_ok(rs, 200, rep);
}
