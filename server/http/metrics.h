/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * metrics.h - Prometheus text exposition (format 0.0.4) for GET /metrics.
 *
 * Debian has no C Prometheus client; the format is simple enough to write.
 * Counters are lock-free atomics indexed by route slot: one slot per entry
 * of http_routes[], then one for static files and one for requests that
 * matched nothing.
 */
#ifndef MP_METRICS_H
#define MP_METRICS_H

#include "lib/buf.h"

#include <stddef.h>
#include <stdint.h>

#define METRICS_SLOT_STATIC(nroutes)    (nroutes)
#define METRICS_SLOT_UNMATCHED(nroutes) ((nroutes) + 1)

int metrics_init(size_t nroutes);
void metrics_free(void);
void metrics_observe(size_t slot, int status, int64_t micros);
/* Renders everything; in_flight is the number of requests being answered. */
/* tlp_max: incident counts include only incidents up to this TLP level
 * (the caller's limit). */
void metrics_render(struct buf *out, int in_flight, int tlp_max);

#endif
