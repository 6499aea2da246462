/* metrics.h - `vs-worker --metrics [ADDR:]PORT`: the worker's counters in
 * Prometheus' text exposition format on http://ADDR:PORT/metrics. */
#ifndef VS_WORKER_METRICS_H
#define VS_WORKER_METRICS_H
#include <stddef.h>

#include "worker.h"

typedef struct vs_metrics_server vs_metrics_server;

/* Writes the metrics of worker id with stats st into a new string (owned
 * by the caller, free()). NULL on OOM. */
char *vs_metrics_render(const char *id, const vs_worker_stats *st);
/* Listens on addr ("PORT" = 127.0.0.1:PORT, "ADDR:PORT", "[V6ADDR]:PORT";
 * PORT 0 picks a free one) from a thread of its own, and logs the URL;
 * /metrics answers 503 until a worker is attached. Called before the
 * worker starts, so a bad address stops vs-worker before it takes a job.
 * Returns 0, or -1 with errstr. */
int vs_metrics_start(const char *addr, vs_metrics_server **out, char *errstr, size_t errsz);
/* Serves s's metrics from now on. Borrows s: stop the server before
 * freeing it. */
void vs_metrics_attach(vs_metrics_server *ms, vs_worker *s);
/* Stops serving and frees. Accepts NULL, clears the pointer. */
void vs_metrics_stop(vs_metrics_server **ms);

#endif
