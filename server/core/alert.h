/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * alert.h - alerts from SOC tooling: decoding (the generic format and
 * Prometheus Alertmanager's webhook), ingestion with de-duplication,
 * suppression and detection, and the inbox (list, acknowledge, dismiss,
 * promote, attach).  See docs/ALERTS.md.
 *
 * Ingestion runs as one change through the writer: for each alert, in
 * order, the open alert with the same (source, fingerprint) is updated
 * (count, last_seen, status) instead of adding a row; otherwise the
 * suppressions in force may drop or mute it; otherwise it is stored and
 * the detection rules decide (core/detect.h): open an incident, attach to
 * a correlated one, or only record.  Incidents stay in step: one opened by
 * an alert takes started_at from it, an attached alert that started
 * earlier moves started_at back, and when every alert of an incident has
 * resolved, the latest end is proposed as ended_at on its timeline.
 */
#ifndef MP_ALERT_H
#define MP_ALERT_H

#include "core/incident.h"
#include "core/token.h"
#include "lib/error.h"
#include "store/alerts.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define ALERT_SOURCE_MAX      100
#define ALERT_FINGERPRINT_MAX 128
#define ALERT_TITLE_MAX       500
#define ALERT_SERVICE_MAX     100
#define ALERT_LABELS_MAX      64
#define ALERT_LABEL_NAME_MAX  100
#define ALERT_LABEL_VALUE_MAX 1000
#define ALERT_ANNOTATION_MAX  10000
#define ALERT_REASON_MAX      2000

/* [alerts] settings: the most alerts in one batch, the largest payload. */
void alert_configure(unsigned batch_max, size_t payload_limit);
unsigned alert_batch_max(void);

/* Decodes one alert of the generic format into a (alert_free it either
 * way).  Field errors name the member. */
bool alert_from_json(json_t *obj, struct alert *a, int64_t now, struct field_errors *errs);
/* Decodes one alert of an Alertmanager webhook (version 4) body. */
bool alert_from_alertmanager(json_t *obj, struct alert *a, int64_t now, struct field_errors *errs);

/* One alert of a request, and what became of it. */
struct alert_item {
    struct alert a;
    bool valid;
    json_t *errors; /* [{field, message}] when not valid, owned */
    /* filled by alert_ingest: */
    int status;         /* 201 created, 200 updated, 202 dropped */
    const char *result; /* created, updated, reopened, resolved, muted, dropped */
    const char *action; /* the detection rule's: opened, attached, recorded */
    char incident_id[40];
    char incident_ref[24];
};

/* Ingests the valid items in one change.  The answer (what the API sends,
 * also kept with an Idempotency-Key) is a single item's result, or with
 * batch the list of every item's: *answer is malloc'd JSON text and
 * *status its HTTP status.  A retry with the same key gets the first
 * answer back and changes nothing. */
int alert_ingest(const struct principal *p, int64_t now, struct alert_item *items, int n,
                 bool batch, const struct idempotency *idem, char **answer, int *status,
                 struct mp_error *err);

json_t *alert_to_json(const struct alert *a);
/* The alert's vocabulary for clients: {states, severities}. */
json_t *alert_schema_json(void);

/* What ingestion did since start, by result (for /metrics): the names and
 * a count for each, NULL-terminated. */
#define ALERT_RESULTS 7
extern const char *const alert_result_names[ALERT_RESULTS + 1];
void alert_result_counts(uint64_t out[ALERT_RESULTS]);

struct alert_filter {
    int state, status, severity; /* -1: any */
    const char *source, *service;
    const char *incident; /* id or ref; NULL: any */
    int64_t before_seq;
    int limit;
    const struct principal *p; /* who asks: a TLP limit hides alerts of incidents above it */
};
int alert_list(const struct alert_filter *f, struct alert **items, int *count, int64_t *next_seq,
               struct mp_error *err);
void alert_list_free(struct alert *items, int count);
int alert_get(const char *id, struct alert *out, struct mp_error *err);
/* 0 when p may see the alert (or it does not exist: the route answers
 * 404 then), -1 with err 404 when it is on an incident above p's TLP
 * limit. */
int alert_check_visible(const struct principal *p, const char *id, struct mp_error *err);

/* The inbox.  Each answers the alert as it is after the change. */
int alert_acknowledge(const struct principal *p, int64_t now, const char *id, struct alert *out,
                      struct mp_error *err);
int alert_dismiss(const struct principal *p, int64_t now, const char *id, const char *reason,
                  struct alert *out, struct mp_error *err);
/* Opens an incident from the alert; overrides (title, severity, category)
 * may be NULL/-1.  *inc is the new incident. */
int alert_promote(const struct principal *p, int64_t now, const char *id, const char *title,
                  int severity, int category, struct alert *out, struct incident *inc,
                  struct mp_error *err);
int alert_attach(const struct principal *p, int64_t now, const char *id, const char *incident,
                 struct alert *out, struct mp_error *err);

/* ---- suppressions ---- */

/* Validates body {match, action?, reason, starts_at?, expires_at} and
 * stores it.  Field errors name the member. */
int suppression_create(const struct principal *p, int64_t now, json_t *body,
                       struct suppression *out, struct field_errors *errs);
int suppression_list(struct suppression **items, int *count, struct mp_error *err);
void suppression_list_free(struct suppression *items, int count);
int suppression_get(const char *id, struct suppression *out, struct mp_error *err);
/* Ends it now (404 when unknown, 409 when already ended). */
int suppression_delete(const struct principal *p, int64_t now, const char *id,
                       struct mp_error *err);
json_t *suppression_to_json(const struct suppression *s, int64_t now);

#endif
