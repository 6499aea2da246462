/* kafka/client.h - shared Kafka configuration: the API for producer and worker.
 *
 * Both programs accept the same farm options (--brokers / VS_BROKERS, topic
 * and group names, -X key=value, --path-map FROM=TO, see roots.h); this module holds
 * them in one struct, turns them into an rd_kafka_conf_t (every
 * rd_kafka_conf_set checked, librdkafka's log routed to vs_log, -X applied
 * last so a user can override anything) and creates missing topics. */
#ifndef VS_KAFKA_CLIENT_H
#define VS_KAFKA_CLIENT_H
#include <stddef.h>
#include <librdkafka/rdkafka.h>

#include "roots.h"

#define VS_KAFKA_JOBS_TOPIC      "vs.jobs"
#define VS_KAFKA_STATUS_TOPIC    "vs.status"
#define VS_KAFKA_GROUP           "vs-workers"
#define VS_KAFKA_DEAD_SUFFIX     ".dead"  /* dead-letter topic: the jobs topic + this */
#define VS_KAFKA_JOBS_PARTITIONS 16  /* enough for a farm of 16 busy slots */
#define VS_KAFKA_STATUS_PARTITIONS 1

/* The farm configuration. Every string is owned by the struct. */
typedef struct vs_kafka_conf {
    char *brokers;          /* bootstrap list; NULL = none named (embedded) */
    char *jobs_topic;       /* default VS_KAFKA_JOBS_TOPIC */
    char *status_topic;     /* default VS_KAFKA_STATUS_TOPIC */
    char *group;            /* worker consumer group, default VS_KAFKA_GROUP */
    char *dead_topic;       /* refused job messages; NULL = jobs_topic + ".dead" */
    char **props;           /* -X "key=value" strings, in command-line order */
    size_t n_props;
    vs_path_maps maps;      /* --path-map rules (roots.h), first match wins */
    int jobs_partitions;    /* used when the jobs topic is created */
    int status_partitions;  /* used when the status topic is created */
} vs_kafka_conf;

/* Fills defaults; brokers come from the VS_BROKERS environment variable
 * when it is set and not empty. Returns 0 or -1 on OOM. */
int vs_kafka_conf_init(vs_kafka_conf *c);
/* Frees everything the struct owns and zeroes it. Accepts NULL. */
void vs_kafka_conf_release(vs_kafka_conf *c);
/* Deep copy (dst is overwritten, not released). Returns 0 or -1 on OOM. */
int vs_kafka_conf_copy(vs_kafka_conf *dst, const vs_kafka_conf *src);

/* Setters copy their argument; 0 or -1 with a reason in errstr. */
int vs_kafka_conf_set_brokers(vs_kafka_conf *c, const char *brokers,
                              char *errstr, size_t errsz);
/* Which topic vs_kafka_conf_set_topic names (0 and 1 as before). */
enum vs_kafka_topic { VS_TOPIC_JOBS = 0, VS_TOPIC_STATUS = 1, VS_TOPIC_DEAD = 2 };
int vs_kafka_conf_set_topic(vs_kafka_conf *c, int which, const char *name,
                            char *errstr, size_t errsz);
/* The dead-letter topic: dead_topic, or the jobs topic + ".dead". Writes
 * into buf (at least 256 bytes) and returns it. */
const char *vs_kafka_dead_topic(const vs_kafka_conf *c, char *buf, size_t sz);
int vs_kafka_conf_set_group(vs_kafka_conf *c, const char *group,
                            char *errstr, size_t errsz);
/* "key=value" from -X. Refused when there is no '=' or the key is empty,
 * or when the key names a file librdkafka will read (ssl.ca.location,
 * ssl.certificate.location, ssl.key.location, ...) that cannot be read:
 * the program then stops at its command line with one clear line instead
 * of failing later inside the TLS setup. The value itself is otherwise
 * checked by librdkafka in vs_kafka_conf_build(). */
int vs_kafka_conf_add_prop(vs_kafka_conf *c, const char *kv,
                           char *errstr, size_t errsz);

/* What a client is for; decides the defaults vs_kafka_conf_build sets. */
enum vs_kafka_role {
    VS_KAFKA_PRODUCER = 0,  /* idempotent-safe acks=all, delivery reports */
    VS_KAFKA_CONSUMER,      /* member of c->group: cooperative-sticky, earliest,
                             * offsets stored and committed by the application */
    VS_KAFKA_READER,        /* plain consumer for assign() (e.g. status): never joins or commits */
};

/* Builds a librdkafka configuration for ROLE: bootstrap.servers, client.id,
 * log and error callbacks routed to vs_log, role defaults, then every -X
 * property. Returns a new conf (the caller owns it and passes it to
 * rd_kafka_new, which takes it over) or NULL with errstr. */
rd_kafka_conf_t *vs_kafka_conf_build(const vs_kafka_conf *c, enum vs_kafka_role role,
                                     const char *client_id, char *errstr, size_t errsz);

/* A VS_KAFKA_READER consumer (for assign(): never joins a group, never
 * commits) named client_id. group (NULL: the role's) is the group.id that
 * assign() wants and ACLs name; offset_reset (NULL: "earliest") its
 * auto.offset.reset. Returns the handle, or NULL with errstr. */
rd_kafka_t *vs_kafka_reader_new(const vs_kafka_conf *c, const char *client_id,
                                const char *group, const char *offset_reset,
                                char *errstr, size_t errsz);

/* Creates the jobs and status topics when missing, through the Admin API
 * with a timeout. A refusal (no permission, timeout, ...) is logged as a
 * warning and is not an error: the topics may exist or be auto-created.
 * Returns the number of topics created, or 0; -1 when the brokers refused
 * this client itself (vs_kafka_refused: the reason is logged once). */
int vs_kafka_ensure_topics(rd_kafka_t *rk, const vs_kafka_conf *c, int timeout_ms);

/* 1 when a broker refused a client of this process for good (SASL
 * authentication failed, TLS handshake failed: a wrong password, a
 * certificate the other side does not trust), with the reason in buf;
 * else 0. Set by the error callback of clients made by vs_kafka_conf_build,
 * which logs it once as an error. */
int vs_kafka_refused(char *buf, size_t sz);

#endif
