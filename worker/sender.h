/* sender.h - the worker's Kafka producer (internal to the worker).
 *
 * Publishes status messages (keyed by job id, heartbeats by worker id) and
 * re-publishes jobs handed to another worker (and copies of refused ones to
 * the dead-letter topic). Delivery reports are served
 * by vs_sender_poll from the service thread; a handed-over job is
 * reported back through a callback with the id given at send time. */
#ifndef VS_WORKER_SENDER_H
#define VS_WORKER_SENDER_H
#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>
#include "kafka/client.h"
#include "status.h"

typedef struct vs_sender vs_sender;

/* Called from vs_sender_poll (never from a send) for every message sent
 * with vs_sender_job or vs_sender_send. */
typedef void (*vs_sender_job_cb)(void *ctx, uint64_t id, rd_kafka_resp_err_t err);

int vs_sender_new(const vs_kafka_conf *c, const char *client_id,
                     vs_sender_job_cb job_cb, void *ctx,
                     vs_sender **out, char *errstr, size_t errsz);
/* Queues one status message. Returns 0, or -1 when it could not be queued
 * (logged; counted as undelivered). */
int vs_sender_status(vs_sender *p, const vs_status *st);
/* Queues a copy of a job message for partition of the jobs topic, with
 * the given headers (copied; may be NULL). */
int vs_sender_job(vs_sender *p, int32_t partition, const void *key, size_t keylen,
                     const void *payload, size_t len, const rd_kafka_headers_t *hdrs,
                     uint64_t id);
/* Queues a copy of a message for topic (partition RD_KAFKA_PARTITION_UA:
 * any), reported through the callback like a job. */
int vs_sender_send(vs_sender *p, const char *topic, int32_t partition,
                      const void *key, size_t keylen, const void *payload, size_t len,
                      const rd_kafka_headers_t *hdrs, uint64_t id);
/* The producer handle (for admin requests); owned by the publisher. */
rd_kafka_t *vs_sender_rk(vs_sender *p);
/* Serves delivery reports, then calls the callback for the copies'. */
void vs_sender_poll(vs_sender *p, int timeout_ms);
/* Messages that were not delivered so far. */
long vs_sender_failed(const vs_sender *p);
/* Flushes for at most timeout_ms and frees. Returns 0 when everything was
 * delivered, -1 otherwise. Accepts NULL; clears the pointer. */
int vs_sender_free(vs_sender **p, int timeout_ms);

#endif
