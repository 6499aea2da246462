/* kafka/broker.h - the embedded broker: the API for producer, worker and vs-broker.
 *
 * A wrapper around librdkafka's mock cluster, so one machine can run the
 * whole farm without Apache Kafka. It listens on 127.0.0.1 (a random port),
 * keeps nothing on disk, holds only about 5 MiB per partition (older data
 * is dropped silently) and has no CreateTopics, so the jobs and status
 * topics are created here. It is for one machine; a farm uses Apache
 * Kafka. set_down/set_up exist for failure tests. */
#ifndef VS_KAFKA_BROKER_H
#define VS_KAFKA_BROKER_H
#include <stddef.h>

/* Unread job data a producer keeps per partition of the embedded broker:
 * below the ~5 MiB it holds, so nothing unread is ever dropped. */
#define VS_BROKER_PARTITION_BUDGET (4 * 1024 * 1024)

typedef struct vs_broker vs_broker;

typedef struct vs_broker_opts {
    int brokers;            /* mock brokers, ids 1..n; 0 = 1 */
    const char *jobs_topic; /* NULL = VS_KAFKA_JOBS_TOPIC */
    const char *status_topic; /* NULL = VS_KAFKA_STATUS_TOPIC */
    int jobs_partitions;    /* 0 = VS_KAFKA_JOBS_PARTITIONS */
    int status_partitions;  /* 0 = VS_KAFKA_STATUS_PARTITIONS */
} vs_broker_opts;

/* Starts the mock cluster (its own threads) and creates both topics.
 * opts may be NULL for the defaults. Returns 0 and a new broker, or -1 with
 * errstr. */
int vs_broker_start(const vs_broker_opts *opts, vs_broker **out,
                    char *errstr, size_t errsz);
/* Bootstrap address list, "127.0.0.1:PORT[,...]"; owned by the broker,
 * valid until vs_broker_stop. */
const char *vs_broker_bootstrap(const vs_broker *b);
/* Creates one more topic (idempotent: an existing topic is not an error). */
int vs_broker_create_topic(vs_broker *b, const char *topic, int partitions,
                           char *errstr, size_t errsz);
/* Failure injection: broker_id 1..n stops / resumes answering. 0 or -1. */
int vs_broker_set_down(vs_broker *b, int broker_id);
int vs_broker_set_up(vs_broker *b, int broker_id);
/* Stops the cluster and frees it. Clients still connected see the broker
 * go away. Accepts NULL and clears the pointer. */
void vs_broker_stop(vs_broker **b);

#endif
