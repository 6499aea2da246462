/* local.h - the farm on one machine: the embedded broker and local workers
 * in the producer's own process, used when no broker is named. */
#ifndef VS_PRODUCE_LOCAL_H
#define VS_PRODUCE_LOCAL_H
#include <stddef.h>

#include "kafka/client.h"
#include "options.h"

typedef struct vs_local vs_local;

/* Starts the embedded broker (topics c->jobs_topic / c->status_topic),
 * points c->brokers at it, then starts the local worker service with
 * o->parallel slots (none when o->parallel is 0). Returns 0 and a new
 * handle, or -1 with errstr. */
int vs_local_start(vs_kafka_conf *c, const vs_produce_opts *o, vs_local **out,
                   char *errstr, size_t errsz);
/* Stops the local workers (running jobs are handed back at once) and
 * waits for them. Call before closing the clients that use the broker. */
void vs_local_stop_workers(vs_local *l);
/* Stops the workers if still running, then the broker, and frees. Accepts
 * NULL and clears the pointer. */
void vs_local_free(vs_local **l);

#endif
