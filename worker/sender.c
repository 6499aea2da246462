/* sender.c - the worker's Kafka producer: status messages and handed-over jobs.
 *
 * Every send serves librdkafka's queue at once (rd_kafka_poll(rk, 0)), but
 * the reports of copied messages are only queued there and handed to the
 * callback by vs_sender_poll: the service sends status messages while
 * it walks its task list, and a report that freed a task in the middle of
 * that walk would pull the list from under it. */
#include "sender.h"
#include "errstr.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

typedef struct report {
    uint64_t id;
    rd_kafka_resp_err_t err;
} report;

struct vs_sender {
    rd_kafka_t *rk;
    char *status_topic, *jobs_topic;
    vs_sender_job_cb job_cb;
    void *ctx;
    atomic_long failed;
    report *reports;      /* delivery reports of copies, not yet handed on */
    size_t n_reports, cap_reports;
};

/* Status messages carry opaque NULL; jobs carry their id + 1. */
static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    vs_sender *p = opaque;
    uintptr_t tag = (uintptr_t)m->_private;
    if (m->err) {
        atomic_fetch_add(&p->failed, 1);
        vs_log(VS_LOG_WARN, "not delivered to %s: %s", rd_kafka_topic_name(m->rkt),
               rd_kafka_err2str(m->err));
    }
    if (!tag || !p->job_cb)
        return;
    if (p->n_reports == p->cap_reports) {
        size_t cap = p->cap_reports ? p->cap_reports * 2 : 16;
        report *grown = realloc(p->reports, cap * sizeof(*grown));
        if (!grown) {
            vs_log(VS_LOG_WARN, "out of memory: a delivery report is lost");
            return;
        }
        p->reports = grown;
        p->cap_reports = cap;
    }
    p->reports[p->n_reports++] = (report){(uint64_t)(tag - 1), m->err};
}

int vs_sender_new(const vs_kafka_conf *c, const char *client_id,
                     vs_sender_job_cb job_cb, void *ctx,
                     vs_sender **out, char *errstr, size_t errsz)
{
    *out = NULL;
    vs_sender *p = calloc(1, sizeof(*p));
    if (!p || !(p->status_topic = strdup(c->status_topic)) ||
        !(p->jobs_topic = strdup(c->jobs_topic))) {
        vs_set_err(errstr, errsz, "out of memory");
        vs_sender_free(&p, 0);
        return -1;
    }
    p->job_cb = job_cb;
    p->ctx = ctx;
    rd_kafka_conf_t *conf = vs_kafka_conf_build(c, VS_KAFKA_PRODUCER, client_id, errstr, errsz);
    if (!conf) {
        vs_sender_free(&p, 0);
        return -1;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, p);
    char why[512];
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (!p->rk) {
        vs_set_err(errstr, errsz, "status producer: %s", why);
        rd_kafka_conf_destroy(conf);
        vs_sender_free(&p, 0);
        return -1;
    }
    *out = p;
    return 0;
}

int vs_sender_status(vs_sender *p, const vs_status *st)
{
    char *json = vs_status_to_json(st);
    if (!json) {
        atomic_fetch_add(&p->failed, 1);
        return -1;
    }
    const char *key = st->kind == VS_ST_HEARTBEAT ? st->worker : st->job_id;
    rd_kafka_resp_err_t e = rd_kafka_producev(
        p->rk, RD_KAFKA_V_TOPIC(p->status_topic),
        RD_KAFKA_V_KEY(key, strlen(key)),
        RD_KAFKA_V_VALUE(json, strlen(json)),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_FREE), RD_KAFKA_V_OPAQUE(NULL), RD_KAFKA_V_END);
    if (e) {
        free(json);
        atomic_fetch_add(&p->failed, 1);
        vs_log(VS_LOG_WARN, "cannot queue a status message: %s", rd_kafka_err2str(e));
        return -1;
    }
    rd_kafka_poll(p->rk, 0);
    return 0;
}

int vs_sender_send(vs_sender *p, const char *topic, int32_t partition,
                      const void *key, size_t keylen, const void *payload, size_t len,
                      const rd_kafka_headers_t *hdrs, uint64_t id)
{
    rd_kafka_headers_t *h = hdrs ? rd_kafka_headers_copy(hdrs) : NULL;
    rd_kafka_resp_err_t e = rd_kafka_producev(
        p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key, keylen), RD_KAFKA_V_VALUE((void *)payload, len),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(h),
        RD_KAFKA_V_OPAQUE((void *)(uintptr_t)(id + 1)), RD_KAFKA_V_END);
    if (e) {
        if (h)
            rd_kafka_headers_destroy(h);
        vs_log(VS_LOG_WARN, "cannot queue a message for %s: %s", topic, rd_kafka_err2str(e));
        return -1;
    }
    rd_kafka_poll(p->rk, 0);
    return 0;
}

int vs_sender_job(vs_sender *p, int32_t partition, const void *key, size_t keylen,
                     const void *payload, size_t len, const rd_kafka_headers_t *hdrs,
                     uint64_t id)
{
    return vs_sender_send(p, p->jobs_topic, partition, key, keylen, payload, len, hdrs, id);
}

rd_kafka_t *vs_sender_rk(vs_sender *p)
{
    return p->rk;
}

void vs_sender_poll(vs_sender *p, int timeout_ms)
{
    rd_kafka_poll(p->rk, timeout_ms);
    /* The callback may send (and so queue more reports): take them first. */
    while (p->n_reports > 0) {
        report *r = p->reports;
        size_t n = p->n_reports;
        p->reports = NULL;
        p->n_reports = p->cap_reports = 0;
        for (size_t i = 0; i < n; i++)
            p->job_cb(p->ctx, r[i].id, r[i].err);
        free(r);
    }
}

long vs_sender_failed(const vs_sender *p)
{
    return atomic_load(&((vs_sender *)p)->failed);
}

int vs_sender_free(vs_sender **pp, int timeout_ms)
{
    vs_sender *p = pp ? *pp : NULL;
    int rc = 0;
    if (!p)
        return 0;
    if (p->rk) {
        rd_kafka_flush(p->rk, timeout_ms);
        int left = rd_kafka_outq_len(p->rk);
        if (left > 0) {
            vs_log(VS_LOG_WARN, "%d status message(s) not delivered", left);
            rc = -1;
        }
        rd_kafka_destroy(p->rk);
    }
    if (atomic_load(&p->failed) > 0)
        rc = -1;
    free(p->reports);
    free(p->status_topic);
    free(p->jobs_topic);
    free(p);
    *pp = NULL;
    return rc;
}
