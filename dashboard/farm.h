/* farm.h - what vs-dash knows of the farm, built from status messages.
 *
 * Fed by the status topic (farm_feed), read by the HTTP threads as JSON
 * (/api/state, docs/protocol.md) or Prometheus text (/metrics). Bounded:
 * at most VS_FARM_MAX_WORKERS workers, VS_FARM_MAX_JOBS unfinished jobs,
 * the last VS_FARM_MAX_FAILURES failures and an hour of throughput. */
#ifndef VS_DASH_FARM_H
#define VS_DASH_FARM_H
#include "status.h"

#define VS_FARM_MAX_WORKERS  256
#define VS_FARM_MAX_JOBS     1024
#define VS_FARM_MAX_FAILURES 20
#define VS_FARM_MINUTES      60

typedef struct vs_farm vs_farm;

/* stale_s: a worker whose last heartbeat is older is shown as not alive.
 * Returns NULL on OOM. */
vs_farm *vs_farm_new(double stale_s);
void vs_farm_free(vs_farm **f);
/* One status message (thread-safe). */
void vs_farm_feed(vs_farm *f, const vs_status *st);
/* The state as JSON (see docs/protocol.md, "Dashboard state"), at wall
 * time now. Returns a new string (caller frees) or NULL on OOM. */
char *vs_farm_json(vs_farm *f, double now);
/* Farm-level metrics in Prometheus' text format. New string or NULL. */
char *vs_farm_metrics(vs_farm *f, double now);

#endif
