/* serve.h - `vs-worker --brokers ...`: serve jobs from Kafka until a signal. */
#ifndef VS_SERVE_H
#define VS_SERVE_H
#include "worker.h"

/* Runs the worker service until SIGINT/SIGTERM (a second one cancels
 * running jobs at once). Returns the process exit code: 0 after a clean
 * stop, 1 when the service gave up or lost status messages, 2 when it
 * could not start. */
/* metrics: --metrics [ADDR:]PORT, or NULL for none. health_file:
 * --health-file, rewritten after each heartbeat, or NULL. */
int vs_serve(const vs_worker_opts *opts, const char *metrics, const char *health_file);

#endif
