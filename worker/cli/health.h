/* health.h - a health check that means something: the worker touches a
 * file each time it sends a heartbeat (--health-file), and
 * `vs-worker --health-check FILE` says whether that happened recently.
 * Docker's HEALTHCHECK and a Kubernetes liveness probe run the latter
 * (the image has no curl); a worker stuck away from its broker, or whose
 * service thread hangs, stops touching the file and is restarted. */
#ifndef VS_WORKER_HEALTH_H
#define VS_WORKER_HEALTH_H

#define VS_HEALTH_MAX_AGE_S 30.0  /* default --max-age: 6 default heartbeats */

/* Writes the heartbeat's Unix time into path (a temporary file renamed
 * over it, so a reader never sees half a file). Returns 0 or -1 (errno). */
int vs_health_touch(const char *path, double unix_s);

/* 0 when path was written less than max_age_s seconds ago, else 1 with a
 * line on stderr saying why (missing, stale). */
int vs_health_check(const char *path, double max_age_s);

#endif
