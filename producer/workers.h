/* workers.h - the workers a producer knows of, from their heartbeats.
 *
 * Every worker publishes a heartbeat (group, free slots, the jobs-topic
 * partitions it holds) to the status topic every few seconds. The
 * producer keeps the latest one per worker to tell whether anyone consumes
 * the jobs topic, and to spread the jobs of a session over the workers:
 * the partition order it returns takes one partition of each worker in
 * turn (as many per turn as the worker has free slots), so consecutive
 * jobs land on different workers. */
#ifndef VS_PRODUCE_WORKERS_H
#define VS_PRODUCE_WORKERS_H
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define VS_WORKERS_MAX        256  /* workers remembered */
#define VS_WORKERS_FRESH_S    15.0 /* a heartbeat older than this is stale */

typedef struct vs_workers vs_workers;

/* group: only heartbeats of this consumer group count. Copied. */
vs_workers *vs_workers_new(const char *group);
void vs_workers_free(vs_workers **w);

/* Records a heartbeat (other kinds are ignored). now: wall-clock seconds.
 * A heartbeat that just arrived counts as sent now, whatever the sender's
 * clock says; one read from the topic's past (from_past) counts as sent at
 * its own ts, so only a fresh one makes its worker live. Returns 1 when
 * this worker was not known before, else 0. */
int vs_workers_heartbeat(vs_workers *w, const vs_status *st, double now, int from_past);
/* Workers of the group whose last heartbeat is fresh and not stopping. */
size_t vs_workers_alive(const vs_workers *w, double now);

/* Fills order (room for cap entries) with partitions of a topic of
 * n_parts partitions in the order jobs should use them: live workers'
 * partitions interleaved, weighted by free slots, then every partition no
 * live worker holds. Returns the number written; 0 when no live worker
 * announced its partitions (then plain round-robin is the best choice). */
size_t vs_workers_partition_order(const vs_workers *w, double now, int n_parts,
                                  int32_t *order, size_t cap);

#endif
