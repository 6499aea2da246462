/* send_jobs.c - job messages out: printed (--dry-run) or produced to Kafka.
 *
 * Kafka: the partition of each job is chosen explicitly rather than by key
 * hash (by hash, two jobs of a session can share a partition and queue
 * behind each other on one worker while another idles). When the workers'
 * heartbeats said which partitions each holds, the jobs take one partition
 * of each worker in turn; otherwise round-robin over all partitions from a
 * random start, which workers of one group share out. The job id is the key,
 * for people reading the topic. Every message carries its file as the
 * delivery opaque; the delivery report marks it delivered or failed. */
#include "send_jobs.h"
#include "kafka/since.h"
#include "clock.h"
#include "errstr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "log.h"

int vs_publish_print(const vs_batch *b, FILE *f)
{
    int rc = 0;
    for (size_t i = 0; i < b->n; i++) {
        const vs_file *file = &b->files[i];
        if (file->state != VS_FILE_QUEUED || !file->job)
            continue;
        char *json = vs_job_to_json(file->job);
        if (!json) {
            vs_log(VS_LOG_ERROR, "%s: cannot serialise the job (out of memory)", file->name);
            rc = -1;
            continue;
        }
        if (fprintf(f, "%s\n", json) < 0)
            rc = -1;
        free(json);
    }
    if (fflush(f) != 0)
        rc = -1;
    if (rc < 0)
        vs_log(VS_LOG_ERROR, "could not write every job to stdout");
    return rc;
}

void vs_publish_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    vs_file *f = m->_private;
    if (!f)
        return;
    if (m->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
        snprintf(f->error, sizeof f->error, "job not delivered: its %zu bytes are larger than "
                 "the broker accepts on %s (raise message.max.bytes on the broker or "
                 "max.message.bytes on the topic)", m->len, rd_kafka_topic_name(m->rkt));
        f->state = VS_FILE_FAILED;
        vs_log(VS_LOG_ERROR, "%s: %s", f->name, f->error);
    } else if (m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
        snprintf(f->error, sizeof f->error, "job not delivered: not allowed to write to %s "
                 "(Kafka ACL: this user needs Write on the topic)", rd_kafka_topic_name(m->rkt));
        f->state = VS_FILE_FAILED;
        vs_log(VS_LOG_ERROR, "%s: %s", f->name, f->error);
    } else if (m->err) {
        snprintf(f->error, sizeof f->error, "job not delivered to the broker: %s",
                 rd_kafka_err2str(m->err));
        f->state = VS_FILE_FAILED;
        vs_log(VS_LOG_ERROR, "failed: %s: %s", f->name, f->error);
    } else {
        f->delivered = 1;
        vs_log(VS_LOG_DEBUG, "%s: job published to %s [%d] at offset %lld", f->name,
               rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset);
    }
}

/* The next partition in order whose unread jobs leave room for sz more
 * bytes (an empty one takes any job), or -1 when none does. */
static int32_t pick_partition(const vs_batch *b, const int32_t *order, size_t n_order,
                              size_t *k, size_t sz)
{
    for (size_t tries = 0; tries < n_order; tries++) {
        int32_t part = order[(*k)++ % n_order];
        if (!b->part_bytes || part >= b->n_parts || b->part_bytes[part] == 0 ||
            b->part_bytes[part] + sz <= b->part_budget)
            return part;
    }
    return -1;
}

int vs_publish_jobs(rd_kafka_t *rk, const char *topic, vs_batch *b, const vs_workers *w,
                    int timeout_ms, char *errstr, size_t errsz)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (!rkt) {
        vs_set_err(errstr, errsz, "topic %s: %s", topic,
                rd_kafka_err2str(rd_kafka_last_error()));
        return -1;
    }
    rd_kafka_resp_err_t why_not = 0;
    int parts = vs_kafka_partition_count(rk, topic, timeout_ms, &why_not, errstr, errsz);
    if (parts < 0 && why_not == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
        vs_set_err(errstr, errsz, "not allowed to write to %s (Kafka ACL: this user needs "
                   "Describe and Write on the topic)", topic);
    if (parts < 0) {
        rd_kafka_topic_destroy(rkt);
        return -1;
    }
    if (b->part_budget && b->n_parts != parts) {
        free(b->part_bytes);
        if (!(b->part_bytes = calloc((size_t)parts, sizeof *b->part_bytes))) {
            rd_kafka_topic_destroy(rkt);
            vs_set_err(errstr, errsz, "out of memory");
            return -1;
        }
        b->n_parts = parts;
    }
    int32_t *order = malloc((size_t)parts * sizeof *order);
    if (!order) {
        rd_kafka_topic_destroy(rkt);
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    size_t n_order = vs_workers_partition_order(w, vs_clock_wall(), parts, order, (size_t)parts);
    uint32_t next = 0;
    if (n_order == 0) { /* no worker told its partitions: round-robin */
        if (getrandom(&next, sizeof next, 0) != (ssize_t)sizeof next)
            next = 0;
        for (int p = 0; p < parts; p++)
            order[p] = (int32_t)((next + (uint32_t)p) % (uint32_t)parts);
        n_order = (size_t)parts;
    }
    vs_log(VS_LOG_DEBUG, "jobs go to %s partitions in the order of %s", topic,
           n_order && vs_workers_alive(w, vs_clock_wall()) ? "the live workers" : "round-robin");
    size_t k = 0;

    size_t sent = 0;
    for (size_t i = 0; i < b->n; i++) {
        vs_file *f = &b->files[i];
        if (f->state != VS_FILE_QUEUED || !f->job || f->published)
            continue;
        char *json = vs_job_to_json(f->job);
        if (!json) {
            snprintf(f->error, sizeof f->error, "cannot serialise the job (out of memory)");
            f->state = VS_FILE_FAILED;
            continue;
        }
        size_t sz = strlen(json);
        int32_t part = pick_partition(b, order, n_order, &k, sz);
        if (part < 0) { /* every partition holds its budget of unread jobs: later */
            free(json);
            break;
        }
        rd_kafka_resp_err_t err = rd_kafka_producev(
            rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(part),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_VALUE(json, strlen(json)),
            RD_KAFKA_V_KEY(f->job->job_id, strlen(f->job->job_id)),
            RD_KAFKA_V_OPAQUE(f), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
            snprintf(f->error, sizeof f->error, "job not published: its %zu bytes are larger "
                     "than this client sends (pass -X message.max.bytes=2097152, and raise "
                     "message.max.bytes on the broker)", strlen(json));
            free(json);
            f->state = VS_FILE_FAILED;
            vs_log(VS_LOG_ERROR, "failed: %s: %s", f->name, f->error);
            continue;
        }
        free(json);
        if (!err) {
            f->published = 1;
            f->partition = part;
            f->bytes = sz;
            if (b->part_bytes)
                b->part_bytes[part] += sz;
        }
        if (err) {
            snprintf(f->error, sizeof f->error, "job not published: %s", rd_kafka_err2str(err));
            f->state = VS_FILE_FAILED;
            vs_log(VS_LOG_ERROR, "failed: %s: %s", f->name, f->error);
            continue;
        }
        sent++;
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, timeout_ms);
    rd_kafka_topic_destroy(rkt);
    free(order);

    int delivered = 0;
    for (size_t i = 0; i < b->n; i++) {
        vs_file *f = &b->files[i];
        if (f->state != VS_FILE_QUEUED || !f->job || !f->published)
            continue;
        if (f->delivered) {
            delivered++;
        } else {
            /* Still in librdkafka's queue: not known to have arrived. */
            snprintf(f->error, sizeof f->error,
                     "job not delivered to the broker within %d s", timeout_ms / 1000);
            f->state = VS_FILE_FAILED;
            vs_log(VS_LOG_ERROR, "failed: %s: %s", f->name, f->error);
        }
    }
    vs_log(VS_LOG_DEBUG, "%d of %zu jobs delivered to %s (%d partitions)", delivered, sent,
           topic, parts);
    return delivered;
}
