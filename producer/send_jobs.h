/* send_jobs.h - the job messages leave the producer: to the jobs topic, or
 * (--dry-run) to stdout, one JSON object per line. */
#ifndef VS_PRODUCE_SEND_JOBS_H
#define VS_PRODUCE_SEND_JOBS_H
#include <stdio.h>
#include <librdkafka/rdkafka.h>

#include "batch.h"
#include "workers.h"

/* Writes the job of every queued file to f, one compact JSON object per
 * line, nothing else. Returns 0, or -1 when a job could not be serialised
 * or written (logged). */
int vs_publish_print(const vs_batch *b, FILE *f);

/* Publishes the job of every queued file to TOPIC through producer rk
 * (created with vs_kafka_conf_build(.., VS_KAFKA_PRODUCER, ..); its
 * delivery-report callback must be vs_publish_dr_cb). Each job's partition
 * is chosen explicitly, never by key hash: in the order
 * vs_workers_partition_order gives for the live workers w knows of (one
 * partition of each worker in turn), else round-robin from a random start,
 * so the jobs of one session reach different workers. With b->part_budget
 * set (the embedded broker), a partition takes no more unread job bytes
 * than that: the rest wait for a later call (vs_batch_unpublished), made
 * as workers read jobs (vs_batch_note_read). Waits up to timeout_ms for every
 * delivery; a job not delivered is marked failed with the reason. Returns
 * the number of jobs delivered, or -1 with errstr when nothing could be
 * sent (no such topic, no metadata). */
int vs_publish_jobs(rd_kafka_t *rk, const char *topic, vs_batch *b, const vs_workers *w,
                    int timeout_ms, char *errstr, size_t errsz);

/* Delivery-report callback to install with rd_kafka_conf_set_dr_msg_cb. */
void vs_publish_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);

#endif
