/* kafka/since.h - where to start reading a topic to see what happened since a time.
 *
 * Both the producer (its run's statuses) and the worker (the job board)
 * read the status topic from a little while back. Kafka looks offsets up
 * by message time (offsets-for-times); librdkafka's mock cluster, the
 * embedded broker, answers every such lookup with the end of the topic,
 * which would hide the past, so the lookup is checked first: asked for the
 * first message since 1970, a partition that holds messages must answer
 * with one of them. */
#ifndef VS_KAFKA_SINCE_H
#define VS_KAFKA_SINCE_H
#include <stdint.h>
#include <librdkafka/rdkafka.h>

#define VS_SINCE_UNKNOWN (-1001)  /* this partition's lookup failed */

/* The partitions of topic (metadata), or -1 with errstr (and the broker's
 * error in *err when err is not NULL, e.g. an ACL refusal). */
int vs_kafka_partition_count(rd_kafka_t *rk, const char *topic, int timeout_ms,
                             rd_kafka_resp_err_t *err, char *errstr, size_t errsz);

/* For partitions 0..n-1 of topic: offsets[i] = the first offset whose
 * message time is at or after since_wall (seconds since the epoch), -1
 * when none is (read from the end), VS_SINCE_UNKNOWN when that partition's
 * lookup failed. Returns 1 when the broker looked the offsets up by time,
 * 0 when it cannot (offsets untouched: read from a position of your own). */
int vs_kafka_offsets_since(rd_kafka_t *rk, const char *topic, int n, double since_wall,
                           int64_t *offsets, int timeout_ms);

#endif
