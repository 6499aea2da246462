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
        if (file->state != VS_FILE_QUEUED)
            continue;
        for (int k = 0; k < file->n_tasks; k++) { /* a split video's join too */
            char *json = vs_job_to_json(file->tasks[k].job);
            if (!json) {
                vs_log(VS_LOG_ERROR, "%s: cannot serialise the job (out of memory)", file->name);
                rc = -1;
                continue;
            }
            if (fprintf(f, "%s\n", json) < 0)
                rc = -1;
            free(json);
        }
    }
    if (fflush(f) != 0)
        rc = -1;
    if (rc < 0)
        vs_log(VS_LOG_ERROR, "could not write every job to stdout");
    return rc;
}

void vs_publish_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    vs_task *t = m->_private;
    if (!t)
        return;
    vs_file *f = t->file;
    if (m->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
        vs_task_fail(t, "job not delivered: its %zu bytes are larger than "
                     "the broker accepts on %s (raise message.max.bytes on the broker or "
                     "max.message.bytes on the topic)", m->len, rd_kafka_topic_name(m->rkt));
        vs_log(VS_LOG_ERROR, "%s: %s", f->name, f->error);
    } else if (m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
        vs_task_fail(t, "job not delivered: not allowed to write to %s "
                     "(Kafka ACL: this user needs Write on the topic)", rd_kafka_topic_name(m->rkt));
        vs_log(VS_LOG_ERROR, "%s: %s", f->name, f->error);
    } else if (m->err) {
        vs_task_fail(t, "job not delivered to the broker: %s", rd_kafka_err2str(m->err));
        vs_log(VS_LOG_ERROR, "failed: %s: %s", f->name, f->error);
    } else {
        t->delivered = 1;
        vs_log(VS_LOG_DEBUG, "%s: job %s published to %s [%d] at offset %lld", f->name,
               t->job->job_id, rd_kafka_topic_name(m->rkt), (int)m->partition,
               (long long)m->offset);
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

/* Produces t's job to the next partition with room. Returns 0 when sent,
 * 1 when every partition is full (later), -1 when t failed. */
static int publish_one(rd_kafka_t *rk, rd_kafka_topic_t *rkt, vs_batch *b, vs_task *t,
                       const int32_t *order, size_t n_order, size_t *k)
{
    vs_file *f = t->file;
    char *json = vs_job_to_json(t->job);
    if (!json) {
        vs_task_fail(t, "cannot serialise the job (out of memory)");
        return -1;
    }
    size_t sz = strlen(json);
    int32_t part = pick_partition(b, order, n_order, k, sz);
    if (part < 0) { /* every partition holds its budget of unread jobs: later */
        free(json);
        return 1;
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(part),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(json, sz),
        RD_KAFKA_V_KEY(t->job->job_id, strlen(t->job->job_id)),
        RD_KAFKA_V_OPAQUE(t), RD_KAFKA_V_END);
    free(json);
    if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
        vs_task_fail(t, "job not published: its %zu bytes are larger "
                     "than this client sends (pass -X message.max.bytes=2097152, and raise "
                     "message.max.bytes on the broker)", sz);
        vs_log(VS_LOG_ERROR, "failed: %s: %s", f->name, f->error);
        return -1;
    }
    if (err) {
        vs_task_fail(t, "job not published: %s", rd_kafka_err2str(err));
        vs_log(VS_LOG_ERROR, "failed: %s: %s", f->name, f->error);
        return -1;
    }
    t->published = 1;
    t->partition = part;
    t->bytes = sz;
    if (b->part_bytes)
        b->part_bytes[part] += sz;
    rd_kafka_poll(rk, 0);
    return 0;
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
    int full = 0;
    for (size_t i = 0; i < b->n && !full; i++) {
        vs_file *f = &b->files[i];
        if (f->state != VS_FILE_QUEUED && f->state != VS_FILE_RUNNING)
            continue;
        for (int j = 0; j < f->n_tasks && !full; j++) {
            vs_task *t = &f->tasks[j];
            if (t->state != VS_FILE_QUEUED || !t->ready || t->published)
                continue;
            int rc = publish_one(rk, rkt, b, t, order, n_order, &k);
            full = rc == 1;
            sent += rc == 0;
        }
    }
    rd_kafka_flush(rk, timeout_ms);
    rd_kafka_topic_destroy(rkt);
    free(order);

    int delivered = 0;
    for (size_t i = 0; i < b->n; i++) {
        vs_file *f = &b->files[i];
        for (int j = 0; j < f->n_tasks; j++) {
            vs_task *t = &f->tasks[j];
            if (t->state != VS_FILE_QUEUED || !t->published)
                continue;
            if (t->delivered) {
                delivered++;
            } else if (f->state == VS_FILE_QUEUED || f->state == VS_FILE_RUNNING) {
                /* Still in librdkafka's queue: not known to have arrived. */
                vs_task_fail(t, "job not delivered to the broker within %d s", timeout_ms / 1000);
                vs_log(VS_LOG_ERROR, "failed: %s: %s", f->name, f->error);
            }
        }
    }
    vs_log(VS_LOG_DEBUG, "%d of %zu jobs delivered to %s (%d partitions)", delivered, sent,
           topic, parts);
    return delivered;
}
