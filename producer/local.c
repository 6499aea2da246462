/* local.c - embedded mode: broker and workers inside vs-produce.
 *
 * With no --brokers and no VS_BROKERS, a person with one machine still
 * gets the whole job done by one command. The embedded broker is
 * librdkafka's mock cluster (helper API in kafka/broker.h): in memory,
 * nothing on disk, reachable on 127.0.0.1 only, so it is for one machine;
 * a farm uses Apache Kafka. The local workers are the same service that
 * vs-worker runs (kafka/service.h), so the jobs travel exactly the same
 * way as on a farm. The local workers read and write only the run's
 * input and output folders (their roots). */
#include "local.h"

#include <stdio.h>
#include <stdlib.h>

#include "errstr.h"
#include "kafka/broker.h"
#include "worker.h"
#include "log.h"

struct vs_local {
    vs_broker *broker;
    vs_worker *service;
};

int vs_local_start(vs_kafka_conf *c, const vs_produce_opts *o, vs_local **out,
                   char *errstr, size_t errsz)
{
    vs_local *l = calloc(1, sizeof *l);
    *out = NULL;
    if (!l) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    vs_broker_opts bo = {
        .jobs_topic = c->jobs_topic,
        .status_topic = c->status_topic,
        .jobs_partitions = c->jobs_partitions,
        .status_partitions = c->status_partitions,
    };
    if (vs_broker_start(&bo, &l->broker, errstr, errsz) < 0)
        goto fail;
    const char *addr = vs_broker_bootstrap(l->broker);
    if (vs_kafka_conf_set_brokers(c, addr, errstr, errsz) < 0)
        goto fail;
    vs_log(VS_LOG_INFO, "no broker named: embedded broker on %s (in memory, nothing on "
           "disk, this machine only; a farm uses Apache Kafka, see --brokers)", addr);
    if (o->parallel == 0) {
        vs_log(VS_LOG_INFO, "no local workers (--parallel 0): start them with "
               "vs-worker --brokers %s", addr);
    } else {
        /* The output folder exists by now: the batch created it. */
        const char *roots[] = {o->folder, o->output};
        vs_worker_opts so = {
            .kafka = c,
            .parallel = o->parallel > 0 ? o->parallel : 0,
            .encoder = o->encoder,
            .grace_s = 0, /* the broker goes away with this process anyway */
            .roots = roots,
            .n_roots = 2,
            .quiet_jobs = 1, /* this process's progress lines already say it */
            .upload = o->upload,
            .upload_remove = o->upload_remove,
        };
        const char *bearer = getenv("VS_HTTP_BEARER");
        so.http.bearer = bearer && *bearer ? bearer : NULL;
        if (vs_worker_start(&so, &l->service, errstr, errsz) < 0)
            goto fail;
        vs_log(VS_LOG_INFO, "local worker %s started", vs_worker_worker_id(l->service));
    }
    *out = l;
    return 0;
fail:
    vs_local_free(&l);
    return -1;
}

void vs_local_stop_workers(vs_local *l)
{
    if (!l || !l->service)
        return;
    vs_worker_stop(l->service);
    if (vs_worker_free(&l->service) < 0)
        vs_log(VS_LOG_DEBUG, "local worker: some status messages were not delivered");
}

void vs_local_free(vs_local **lp)
{
    if (!lp || !*lp)
        return;
    vs_local_stop_workers(*lp);
    vs_broker_stop(&(*lp)->broker);
    free(*lp);
    *lp = NULL;
}
