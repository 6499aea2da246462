/* broker.c - the embedded broker: librdkafka's mock cluster, wrapped.
 *
 * rd_kafka_mock_cluster_new needs a client handle to live in; a producer
 * handle that never produces is created for it. The mock has no
 * CreateTopics, so both farm topics are made here with
 * rd_kafka_mock_topic_create. Its limits are in broker.h: data is in
 * memory only and a partition keeps about 5 MiB. */
#include "kafka/broker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "errstr.h"
#include "kafka/client.h"
#include "log.h"

struct vs_broker {
    rd_kafka_t *rk;                 /* host handle of the mock cluster */
    rd_kafka_mock_cluster_t *mc;
    char *bootstrap;
    int n_brokers;
};

static void host_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    vs_log(level <= 3 ? VS_LOG_WARN : VS_LOG_DEBUG, "broker: %s: %s", fac, buf);
}

int vs_broker_create_topic(vs_broker *b, const char *topic, int partitions,
                           char *errstr, size_t errsz)
{
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(b->mc, topic, partitions, 1);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        vs_set_err(errstr, errsz, "creating topic %s: %s", topic, rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

int vs_broker_start(const vs_broker_opts *opts, vs_broker **out,
                    char *errstr, size_t errsz)
{
    vs_broker_opts o = {0};
    if (opts)
        o = *opts;
    if (o.brokers <= 0)
        o.brokers = 1;
    if (!o.jobs_topic)
        o.jobs_topic = VS_KAFKA_JOBS_TOPIC;
    if (!o.status_topic)
        o.status_topic = VS_KAFKA_STATUS_TOPIC;
    if (o.jobs_partitions <= 0)
        o.jobs_partitions = VS_KAFKA_JOBS_PARTITIONS;
    if (o.status_partitions <= 0)
        o.status_partitions = VS_KAFKA_STATUS_PARTITIONS;

    *out = NULL;
    vs_broker *b = calloc(1, sizeof(*b));
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char why[512];
    if (!b || !conf) {
        vs_set_err(errstr, errsz, "out of memory");
        goto fail;
    }
    b->n_brokers = o.brokers;
    rd_kafka_conf_set_log_cb(conf, host_log_cb);
    /* The host handle only carries the cluster; keep it from looking for
     * a real broker. */
    if (rd_kafka_conf_set(conf, "client.id", "vs-broker", why, sizeof(why)) != RD_KAFKA_CONF_OK) {
        vs_set_err(errstr, errsz, "client.id: %s", why);
        goto fail;
    }
    b->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!b->rk) {
        vs_set_err(errstr, errsz, "cannot create the broker's host handle: %s", why);
        goto fail;
    }
    conf = NULL; /* owned by b->rk */
    b->mc = rd_kafka_mock_cluster_new(b->rk, o.brokers);
    if (!b->mc) {
        vs_set_err(errstr, errsz, "cannot start the embedded broker (mock cluster)");
        goto fail;
    }
    const char *bs = rd_kafka_mock_cluster_bootstraps(b->mc);
    if (!bs || !(b->bootstrap = strdup(bs))) {
        vs_set_err(errstr, errsz, "embedded broker has no address");
        goto fail;
    }
    if (vs_broker_create_topic(b, o.jobs_topic, o.jobs_partitions, errstr, errsz) < 0 ||
        vs_broker_create_topic(b, o.status_topic, o.status_partitions, errstr, errsz) < 0)
        goto fail;
    vs_log(VS_LOG_DEBUG, "embedded broker at %s (%s: %d partitions, %s: %d)", b->bootstrap,
           o.jobs_topic, o.jobs_partitions, o.status_topic, o.status_partitions);
    *out = b;
    return 0;
fail:
    if (conf)
        rd_kafka_conf_destroy(conf);
    vs_broker_stop(&b);
    return -1;
}

const char *vs_broker_bootstrap(const vs_broker *b)
{
    return b->bootstrap;
}

int vs_broker_set_down(vs_broker *b, int broker_id)
{
    if (broker_id < 1 || broker_id > b->n_brokers)
        return -1;
    return rd_kafka_mock_broker_set_down(b->mc, broker_id) ? -1 : 0;
}

int vs_broker_set_up(vs_broker *b, int broker_id)
{
    if (broker_id < 1 || broker_id > b->n_brokers)
        return -1;
    return rd_kafka_mock_broker_set_up(b->mc, broker_id) ? -1 : 0;
}

void vs_broker_stop(vs_broker **bp)
{
    vs_broker *b = bp ? *bp : NULL;
    if (!b)
        return;
    if (b->mc)
        rd_kafka_mock_cluster_destroy(b->mc);
    if (b->rk)
        rd_kafka_destroy(b->rk);
    free(b->bootstrap);
    free(b);
    *bp = NULL;
}
