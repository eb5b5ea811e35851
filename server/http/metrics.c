/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * metrics.c - see metrics.h.
 */
#include "metrics.h"
#include "guard.h"
#include "router.h"
#include "core/checkpoint.h"
#include "core/exercise.h"
#include "core/alert.h"
#include "core/incident.h"
#include "core/readiness.h"
#include "core/reminders.h"
#include "store/writer.h"
#include "lib/admit.h"
#include "lib/clock.h"
#include "lib/timeutil.h"

#include <stdatomic.h>
#include <stdlib.h>

#define STATUS_MAX 600

/* Upper bounds in seconds of the latency histogram's buckets. */
static const double bucket_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                   0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

struct slot {
    _Atomic uint64_t by_status[STATUS_MAX];
    _Atomic uint64_t buckets[NBUCKETS + 1]; /* last: +Inf */
    _Atomic uint64_t sum_us;
    _Atomic uint64_t count;
};

static struct slot *slots;
static size_t nslots, nroutes_known;
static int64_t start_time;

int
metrics_init(size_t nroutes)
{
    nroutes_known = nroutes;
    nslots = nroutes + 2;
    slots = calloc(nslots, sizeof(*slots));
    start_time = clock_now();
    return slots ? 0 : -1;
}

void
metrics_free(void)
{
    free(slots);
    slots = NULL;
    nslots = 0;
}

void
metrics_observe(size_t slot, int status, int64_t micros)
{
    struct slot *s;
    size_t b = 0;

    if (slots == NULL || slot >= nslots)
        return;
    s = &slots[slot];
    if (status >= 100 && status < STATUS_MAX)
        atomic_fetch_add_explicit(&s->by_status[status], 1, memory_order_relaxed);
    while (b < NBUCKETS && (double)micros / 1e6 > bucket_le[b])
        b++;
    atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->sum_us, (uint64_t)(micros > 0 ? micros : 0),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
}

static void
slot_labels(size_t i, const char **method, const char **route)
{
    if (i < nroutes_known) {
        *method = http_routes[i].method;
        *route = http_routes[i].pattern;
    } else if (i == METRICS_SLOT_STATIC(nroutes_known)) {
        *method = "GET";
        *route = "static";
    } else {
        *method = "any";
        *route = "unmatched";
    }
}

/* Requests answered, by route and status code. */
static void
render_requests(struct buf *out)
{
    buf_puts(out, "# HELP meldpunt_http_requests_total HTTP requests answered, by route and "
                  "status code.\n# TYPE meldpunt_http_requests_total counter\n");
    for (size_t i = 0; i < nslots; i++) {
        const char *method, *route;
        slot_labels(i, &method, &route);
        for (int st = 100; st < STATUS_MAX; st++) {
            uint64_t v = atomic_load_explicit(&slots[i].by_status[st], memory_order_relaxed);
            if (v)
                buf_printf(out,
                           "meldpunt_http_requests_total{method=\"%s\",route=\"%s\",code=\"%d\"} "
                           "%llu\n",
                           method, route, st, (unsigned long long)v);
        }
    }
}

/* Answer times, by route: a histogram. */
static void
render_durations(struct buf *out)
{
    buf_puts(out, "# HELP meldpunt_http_request_duration_seconds Time from the first byte of "
                  "a request to its answer being queued, by route.\n"
                  "# TYPE meldpunt_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < nslots; i++) {
        const char *method, *route;
        uint64_t cum = 0, count = atomic_load(&slots[i].count);

        if (count == 0)
            continue;
        slot_labels(i, &method, &route);
        for (size_t b = 0; b <= NBUCKETS; b++) {
            cum += atomic_load_explicit(&slots[i].buckets[b], memory_order_relaxed);
            if (b < NBUCKETS)
                buf_printf(out,
                           "meldpunt_http_request_duration_seconds_bucket{method=\"%s\","
                           "route=\"%s\",le=\"%g\"} %llu\n",
                           method, route, bucket_le[b], (unsigned long long)cum);
            else
                buf_printf(out,
                           "meldpunt_http_request_duration_seconds_bucket{method=\"%s\","
                           "route=\"%s\",le=\"+Inf\"} %llu\n",
                           method, route, (unsigned long long)cum);
        }
        buf_printf(out,
                   "meldpunt_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} "
                   "%.6f\n",
                   method, route, (double)atomic_load(&slots[i].sum_us) / 1e6);
        buf_printf(out,
                   "meldpunt_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} "
                   "%llu\n",
                   method, route, (unsigned long long)cum);
    }
}

/* What the data holds: incidents by state (within tlp_max), the audit
 * chain and its newest checkpoint, alerts received. */
static void
render_data(struct buf *out, int tlp_max)
{
    {
        int64_t counts[STATE_COUNT];
        struct mp_error err;

        if (incident_count_by_state(tlp_max, counts, &err) == 0) {
            buf_puts(out, "# HELP meldpunt_incidents Incidents by state (exercises not "
                          "counted).\n"
                          "# TYPE meldpunt_incidents gauge\n");
            for (int st = 0; st < STATE_COUNT; st++)
                buf_printf(out, "meldpunt_incidents{state=\"%s\"} %lld\n", incident_state_names[st],
                           (long long)counts[st]);
        }
    }
    {
        /* issue 22: exercises apart, never with the real incidents */
        int64_t n;
        struct mp_error err;

        if (exercise_incident_count(&n, &err) == 0) {
            buf_puts(out, "# HELP meldpunt_exercise_incidents Exercise incidents (tabletop "
                          "mode), counted apart from meldpunt_incidents.\n"
                          "# TYPE meldpunt_exercise_incidents gauge\n");
            buf_printf(out, "meldpunt_exercise_incidents %lld\n", (long long)n);
        }
    }

    buf_puts(out,
             "# HELP meldpunt_audit_chain_ok 1 when the audit chain verified at its last walk "
             "(start, reload, background check); 0: it is broken and the server is read-only.\n"
             "# TYPE meldpunt_audit_chain_ok gauge\n");
    buf_printf(out, "meldpunt_audit_chain_ok %d\n", readiness_audit_ok() ? 1 : 0);

    {
        struct readiness_integrity ic = readiness_integrity_last();

        /* only once a check ran: no value is not a pass */
        if (ic.checked) {
            buf_puts(out, "# HELP meldpunt_db_integrity_ok 1 when the last background "
                          "integrity check (PRAGMA quick_check) found the database sound.\n"
                          "# TYPE meldpunt_db_integrity_ok gauge\n");
            buf_printf(out, "meldpunt_db_integrity_ok %d\n", ic.ok ? 1 : 0);
            buf_puts(out, "# HELP meldpunt_db_integrity_check_timestamp_seconds When the last "
                          "integrity check ran.\n"
                          "# TYPE meldpunt_db_integrity_check_timestamp_seconds gauge\n");
            buf_printf(out, "meldpunt_db_integrity_check_timestamp_seconds %lld\n",
                       (long long)ic.at);
            buf_puts(out, "# HELP meldpunt_db_integrity_check_duration_seconds How long the "
                          "last integrity check took.\n"
                          "# TYPE meldpunt_db_integrity_check_duration_seconds gauge\n");
            buf_printf(out, "meldpunt_db_integrity_check_duration_seconds %.6f\n", ic.seconds);
        }
    }

    {
        int64_t id, seq, at;
        struct mp_error err;

        /* alert when this stops moving: checkpoints are the outside copy */
        if (checkpoint_last(&id, &seq, &at, &err) == 1) {
            buf_puts(out, "# HELP meldpunt_audit_checkpoint_timestamp_seconds When the newest "
                          "signed audit checkpoint was made.\n"
                          "# TYPE meldpunt_audit_checkpoint_timestamp_seconds gauge\n");
            buf_printf(out, "meldpunt_audit_checkpoint_timestamp_seconds %lld\n", (long long)at);
            buf_puts(out, "# HELP meldpunt_audit_checkpoint_seq The audit entry the newest "
                          "checkpoint signed.\n"
                          "# TYPE meldpunt_audit_checkpoint_seq gauge\n");
            buf_printf(out, "meldpunt_audit_checkpoint_seq %lld\n", (long long)seq);
        }
    }

    {
        uint64_t counts[ALERT_RESULTS];

        alert_result_counts(counts);
        buf_puts(out, "# HELP meldpunt_alerts_received_total Alerts received since start, by "
                      "what became of them.\n# TYPE meldpunt_alerts_received_total counter\n");
        for (int k = 0; k < ALERT_RESULTS; k++)
            buf_printf(out, "meldpunt_alerts_received_total{result=\"%s\"} %llu\n",
                       alert_result_names[k], (unsigned long long)counts[k]);
    }
    {
        json_t *st = reminders_channel_status();
        buf_puts(out, "# HELP meldpunt_reminder_delivery_failures_total Reminder messages not "
                      "delivered since start.\n"
                      "# TYPE meldpunt_reminder_delivery_failures_total counter\n");
        buf_printf(out, "meldpunt_reminder_delivery_failures_total %ld\n",
                   reminders_failures_total());
        buf_puts(out, "# HELP meldpunt_reminder_channels_failing Channels whose last delivery "
                      "failed.\n# TYPE meldpunt_reminder_channels_failing gauge\n");
        buf_printf(out, "meldpunt_reminder_channels_failing %zu\n",
                   json_object_size(json_object_get(st, "failing")));
        json_decref(st);
    }
}

/* The writer: commits, changes, failures. */
static void
render_writer(struct buf *out)
{
    struct store_writer_stats ws;

    store_writer_stats(&ws);
    buf_puts(out, "# HELP meldpunt_db_commits_total Write transactions committed (each may "
                  "hold several changes: group commit).\n"
                  "# TYPE meldpunt_db_commits_total counter\n");
    buf_printf(out, "meldpunt_db_commits_total %llu\n", (unsigned long long)ws.commits);
    buf_puts(out, "# HELP meldpunt_db_changes_total Changes submitted to the writer.\n"
                  "# TYPE meldpunt_db_changes_total counter\n");
    buf_printf(out, "meldpunt_db_changes_total %llu\n", (unsigned long long)ws.changes);
    buf_puts(out, "# HELP meldpunt_db_change_failures_total Changes that failed and were "
                  "rolled back.\n# TYPE meldpunt_db_change_failures_total counter\n");
    buf_printf(out, "meldpunt_db_change_failures_total %llu\n", (unsigned long long)ws.failures);
}

/* The slots of lib/admit.h. */
static void
render_admit(struct buf *out)
{
    buf_puts(out, "# HELP meldpunt_http_large_bodies_in_flight Slots taken: request bodies "
                  "over 64 KiB being read or answered (read), bodies whose values take over "
                  "1 MiB being decoded and handled (decode).\n"
                  "# TYPE meldpunt_http_large_bodies_in_flight gauge\n");
    buf_printf(out, "meldpunt_http_large_bodies_in_flight{stage=\"read\"} %u\n",
               atomic_load(&admit_bodies.taken));
    buf_printf(out, "meldpunt_http_large_bodies_in_flight{stage=\"decode\"} %u\n",
               atomic_load(&admit_decodes.taken));
    buf_puts(out, "# HELP meldpunt_http_large_bodies_refused_total Requests answered 503 because "
                  "every slot was taken.\n"
                  "# TYPE meldpunt_http_large_bodies_refused_total counter\n");
    buf_printf(out, "meldpunt_http_large_bodies_refused_total{stage=\"read\"} %llu\n",
               atomic_load(&admit_bodies.refused));
    buf_printf(out, "meldpunt_http_large_bodies_refused_total{stage=\"decode\"} %llu\n",
               atomic_load(&admit_decodes.refused));
}

void
metrics_render(struct buf *out, int in_flight, int tlp_max)
{
    buf_puts(out, "# HELP meldpunt_build_info Version of the running meldpunt.\n"
                  "# TYPE meldpunt_build_info gauge\n");
    buf_printf(out, "meldpunt_build_info{version=\"%s\"} 1\n", MP_VERSION);
    buf_puts(out, "# HELP process_start_time_seconds Start time of the process since the epoch.\n"
                  "# TYPE process_start_time_seconds gauge\n");
    buf_printf(out, "process_start_time_seconds %lld\n", (long long)start_time);

    render_requests(out);
    render_durations(out);
    buf_puts(out, "# HELP meldpunt_http_requests_in_flight Requests being answered now.\n"
                  "# TYPE meldpunt_http_requests_in_flight gauge\n");
    buf_printf(out, "meldpunt_http_requests_in_flight %d\n", in_flight);
    buf_puts(out, "# HELP meldpunt_http_slow_connections_closed_total Connections closed for "
                  "sending headers or a body too slowly.\n"
                  "# TYPE meldpunt_http_slow_connections_closed_total counter\n");
    buf_printf(out, "meldpunt_http_slow_connections_closed_total %llu\n",
               (unsigned long long)guard_closed_count());
    render_admit(out);

    render_data(out, tlp_max);
    render_writer(out);
}
