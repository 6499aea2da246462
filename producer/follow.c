/* follow.c - status messages of this run turned into the run's table.
 *
 * Only statuses whose run id is this run's and whose job id is one of its
 * jobs change anything. A job's life: started (an attempt on a worker),
 * progress, then done / skipped / failed (final) or retry (back in the
 * queue, another attempt follows). The first final state stands, except
 * that a later "done" replaces "failed": the output exists. Heartbeats of
 * the workers' group feed the worker table (workers.h): who is alive and
 * which partitions each one holds. */
#include "follow.h"
#include "errstr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define VS_FOLLOW_POLL_MS        200
#define VS_FOLLOW_LOOKBACK_MSGS  5000 /* without offsets by time: this many back */

struct vs_follow {
    rd_kafka_t *rk;
    char *topic;
    vs_workers *workers;
    int n_parts;
    int64_t *end;      /* per partition: end offset when opened */
    int64_t *next;     /* per partition: next offset to read */
};

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int partition_count(vs_follow *f, char *errstr, size_t errsz)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(f->rk, f->topic, NULL);
    if (!rkt) {
        vs_set_err(errstr, errsz, "status topic %s: %s", f->topic,
                rd_kafka_err2str(rd_kafka_last_error()));
        return -1;
    }
    rd_kafka_resp_err_t err = rd_kafka_metadata(f->rk, 0, rkt, &md, 10000);
    rd_kafka_topic_destroy(rkt);
    int n = -1;
    if (!err && md->topic_cnt == 1 && !md->topics[0].err && md->topics[0].partition_cnt > 0)
        n = md->topics[0].partition_cnt;
    else
        vs_set_err(errstr, errsz, "status topic %s: %s", f->topic,
                err ? rd_kafka_err2str(err) :
                md->topic_cnt == 1 && md->topics[0].err ? rd_kafka_err2str(md->topics[0].err) :
                "no partitions");
    if (md)
        rd_kafka_metadata_destroy(md);
    return n;
}

/* Takes every partition's end offset, finds the offset VS_FOLLOW_LOOKBACK_S
 * back, and assigns from there. */
static int assign_recent(vs_follow *f, char *errstr, size_t errsz)
{
    int parts = partition_count(f, errstr, errsz);
    if (parts < 0)
        return -1;
    f->n_parts = parts;
    f->end = calloc((size_t)parts, sizeof *f->end);
    f->next = calloc((size_t)parts, sizeof *f->next);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
    if (!f->end || !f->next || !l) {
        vs_set_err(errstr, errsz, "out of memory");
        if (l)
            rd_kafka_topic_partition_list_destroy(l);
        return -1;
    }
    int64_t since_ms = (int64_t)((wall_now() - VS_FOLLOW_LOOKBACK_S) * 1000.0);
    int64_t *low = calloc((size_t)parts, sizeof *low);
    rd_kafka_resp_err_t err = low ? 0 : RD_KAFKA_RESP_ERR__NOENT;
    for (int p = 0; p < parts && !err; p++) {
        /* Leadership moves (a topic just created, a broker restarted)
         * answer "not leader" for a moment: ask again for up to 10 s. */
        for (int tries = 0; tries < 50; tries++) {
            err = rd_kafka_query_watermark_offsets(f->rk, f->topic, p, &low[p], &f->end[p],
                                                   10000);
            if (err != RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION &&
                err != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE &&
                err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
                break;
            usleep(200 * 1000);
        }
        rd_kafka_topic_partition_list_add(l, f->topic, p)->offset = since_ms;
    }
    if (err) {
        vs_set_err(errstr, errsz, "status topic %s: end offsets: %s", f->topic,
                rd_kafka_err2str(err));
        rd_kafka_topic_partition_list_destroy(l);
        free(low);
        return -1;
    }
    /* The offset of VS_FOLLOW_LOOKBACK_S ago. Where the broker cannot tell
     * (the embedded broker answers -1), the last VS_FOLLOW_LOOKBACK_MSGS
     * messages; stale heartbeats among them are recognised by their ts. */
    err = rd_kafka_offsets_for_times(f->rk, l, 10000);
    for (int p = 0; p < parts; p++) {
        rd_kafka_topic_partition_t *tp = &l->elems[p];
        if (err || tp->err || tp->offset < 0 || tp->offset > f->end[p])
            tp->offset = f->end[p] - VS_FOLLOW_LOOKBACK_MSGS;
        if (tp->offset < low[p])
            tp->offset = low[p];
        f->next[p] = tp->offset;
    }
    free(low);
    if ((err = rd_kafka_assign(f->rk, l)))
        vs_set_err(errstr, errsz, "status topic %s: assign: %s", f->topic, rd_kafka_err2str(err));
    rd_kafka_topic_partition_list_destroy(l);
    return err ? -1 : 0;
}

int vs_follow_open(const vs_kafka_conf *c, vs_follow **out, char *errstr, size_t errsz)
{
    char why[512];
    vs_follow *f = calloc(1, sizeof *f);
    *out = NULL;
    if (!f || !(f->topic = strdup(c->status_topic)) || !(f->workers = vs_workers_new(c->group))) {
        vs_follow_close(&f);
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    rd_kafka_conf_t *conf = vs_kafka_conf_build(c, VS_KAFKA_READER, "vs-produce-status",
                                                errstr, errsz);
    if (!conf)
        goto fail;
    /* librdkafka refuses assign() without a group.id; this one is never
     * joined (no subscribe) and never committed to. */
    if (rd_kafka_conf_set(conf, "group.id", "vs-produce-status", why, sizeof why) ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", why, sizeof why)) {
        rd_kafka_conf_destroy(conf);
        vs_set_err(errstr, errsz, "status reader: %s", why);
        goto fail;
    }
    f->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!f->rk) {
        rd_kafka_conf_destroy(conf);
        vs_set_err(errstr, errsz, "status reader: %s", why);
        goto fail;
    }
    if (assign_recent(f, errstr, errsz) < 0)
        goto fail;
    *out = f;
    return 0;
fail:
    vs_follow_close(&f);
    return -1;
}

void vs_follow_close(vs_follow **fp)
{
    if (!fp || !*fp)
        return;
    vs_follow *f = *fp;
    if (f->rk) {
        rd_kafka_consumer_close(f->rk);
        rd_kafka_destroy(f->rk);
    }
    vs_workers_free(&f->workers);
    free(f->end);
    free(f->next);
    free(f->topic);
    free(f);
    *fp = NULL;
}

const vs_workers *vs_follow_workers(const vs_follow *f)
{
    return f->workers;
}

static int is_final(enum vs_file_state s)
{
    return s == VS_FILE_DONE || s == VS_FILE_SKIPPED || s == VS_FILE_FAILED;
}

vs_file *vs_follow_apply(vs_batch *b, const vs_status *st, double now)
{
    if (st->kind == VS_ST_HEARTBEAT || strcmp(st->run_id, b->run_id) != 0)
        return NULL;
    vs_file *f = vs_batch_find(b, st->job_id);
    if (!f)
        return NULL;
    int final = is_final(f->state);
    if (final && !(st->kind == VS_ST_DONE && f->state == VS_FILE_FAILED))
        return NULL; /* a late or duplicate status of a finished job */

    if (st->worker[0])
        snprintf(f->worker, sizeof f->worker, "%s", st->worker);
    switch (st->kind) {
    case VS_ST_STARTED:
        f->state = VS_FILE_RUNNING;
        f->attempts++;
        f->started = now;
        f->fraction = 0;
        f->fps = 0;
        break;
    case VS_ST_PROGRESS:
        if (f->state != VS_FILE_RUNNING) { /* its "started" was missed */
            f->state = VS_FILE_RUNNING;
            if (f->attempts == 0)
                f->attempts = 1;
            if (f->started == 0)
                f->started = now;
        }
        f->fraction = st->fraction < 0 ? 0 : st->fraction > 1 ? 1 : st->fraction;
        f->fps = st->fps;
        break;
    case VS_ST_DONE:
        f->state = VS_FILE_DONE;
        f->fraction = 1;
        f->error[0] = 0;
        f->seconds = st->seconds > 0 ? st->seconds : f->started > 0 ? now - f->started : 0;
        f->out_duration = st->out_duration;
        snprintf(f->encoder, sizeof f->encoder, "%s", st->encoder);
        if (f->attempts == 0)
            f->attempts = 1;
        break;
    case VS_ST_SKIPPED:
        f->state = VS_FILE_SKIPPED;
        break;
    case VS_ST_FAILED:
        f->state = VS_FILE_FAILED;
        snprintf(f->error, sizeof f->error, "%s", st->error[0] ? st->error : "failed");
        if (f->started > 0)
            f->seconds = now - f->started;
        if (f->attempts == 0)
            f->attempts = 1;
        break;
    case VS_ST_RETRY:
        f->state = VS_FILE_QUEUED; /* back in the queue for another attempt */
        f->fraction = 0;
        f->fps = 0;
        f->started = 0;
        snprintf(f->error, sizeof f->error, "%s", st->error);
        break;
    case VS_ST_HEARTBEAT:
        break;
    }
    return f;
}

/* A note per change a person wants to see. */
static void note_change(vs_progress_view *p, const vs_file *f, const vs_status *st)
{
    switch (st->kind) {
    case VS_ST_STARTED:
        vs_progress_note(p, VS_LOG_INFO, "%s: started on %s (attempt %d)", f->name,
                         f->worker, f->attempts);
        break;
    case VS_ST_DONE:
        vs_progress_note(p, VS_LOG_INFO, "%s: done in %.1f s on %s (%s)", f->name,
                         f->seconds, f->worker, f->encoder[0] ? f->encoder : "?");
        break;
    case VS_ST_SKIPPED:
        vs_progress_note(p, VS_LOG_INFO, "%s: skipped by %s (output exists)", f->name,
                         f->worker);
        break;
    case VS_ST_FAILED:
        vs_progress_note(p, VS_LOG_WARN, "%s: failed on %s: %s", f->name, f->worker,
                         f->error);
        break;
    case VS_ST_RETRY:
        vs_progress_note(p, VS_LOG_INFO, "%s: attempt %d on %s handed back (%s); it will "
                         "be retried", f->name, f->attempts, st->worker,
                         st->error[0] ? st->error : "retry");
        break;
    default:
        break;
    }
}

/* What one poll brought. */
typedef struct polled {
    int got;          /* a message was read */
    int ours;         /* a status of this run */
    int new_worker;   /* a worker heard of for the first time */
    char worker[128];
} polled;

/* Reads at most one message and applies it. */
static polled poll_one(vs_follow *f, vs_batch *b, int timeout_ms, vs_progress_view *progress)
{
    polled r;
    char why[256];
    memset(&r, 0, sizeof r);
    rd_kafka_message_t *m = rd_kafka_consumer_poll(f->rk, timeout_ms);
    if (!m)
        return r;
    r.got = 1;
    if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            vs_log(VS_LOG_WARN, "status topic: %s", rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
        return r;
    }
    int from_past = 0;
    if (m->partition >= 0 && m->partition < f->n_parts) {
        from_past = m->offset < f->end[m->partition];
        f->next[m->partition] = m->offset + 1;
    }
    vs_status st;
    if (vs_status_parse(m->payload, m->len, &st, why, sizeof why) < 0) {
        vs_log(VS_LOG_DEBUG, "status topic: ignoring a message: %s", why);
    } else if (st.kind == VS_ST_HEARTBEAT) {
        if (vs_workers_heartbeat(f->workers, &st, wall_now(), from_past)) {
            r.new_worker = 1;
            snprintf(r.worker, sizeof r.worker, "%s", st.worker);
        }
    } else if (!strcmp(st.run_id, b->run_id)) {
        r.ours = 1;
        snprintf(r.worker, sizeof r.worker, "%s", st.worker);
        vs_file *file = vs_follow_apply(b, &st, vs_now());
        if (file)
            note_change(progress, file, &st);
    }
    rd_kafka_message_destroy(m);
    return r;
}

static int caught_up(const vs_follow *f)
{
    for (int p = 0; p < f->n_parts; p++)
        if (f->next[p] < f->end[p])
            return 0;
    return 1;
}

size_t vs_follow_catch_up(vs_follow *f, vs_batch *b, int timeout_ms)
{
    double until = vs_now() + timeout_ms / 1000.0;
    while (!caught_up(f) && vs_now() < until)
        poll_one(f, b, 100, NULL);
    if (!caught_up(f))
        vs_log(VS_LOG_DEBUG, "status topic %s: recent past not read within %d ms", f->topic,
               timeout_ms);
    size_t alive = vs_workers_alive(f->workers, wall_now());
    vs_log(VS_LOG_DEBUG, "%zu live worker%s heard of on %s", alive, alive == 1 ? "" : "s",
           f->topic);
    return alive;
}

enum vs_follow_end vs_follow_run(vs_follow *f, vs_batch *b, const vs_follow_opts *o)
{
    /* Last moment a worker was known alive (or one of ours reported). */
    double start = vs_now(), last_alive = start;
    int warned = 0;
    char why[256];

    while (vs_batch_unfinished(b) > 0) {
        double now = vs_now();
        if (o->stop && *o->stop) {
            vs_batch_fail_unfinished(b, "interrupted");
            vs_progress_note(o->progress, VS_LOG_INFO, "interrupted: unfinished jobs stay "
                             "on %s for the workers", o->jobs_topic);
            return VS_FOLLOW_STOPPED;
        }
        if (o->timeout_s > 0 && now - start >= o->timeout_s) {
            snprintf(why, sizeof why, "not finished within --timeout %g s", o->timeout_s);
            vs_batch_fail_unfinished(b, why);
            return VS_FOLLOW_TIMEOUT;
        }
        if (vs_workers_alive(f->workers, wall_now()) > 0)
            last_alive = now;
        if (!warned && now - last_alive >= o->worker_wait_s) {
            vs_progress_note(o->progress, VS_LOG_WARN, "no worker is consuming %s: no heartbeat "
                             "of group %s on %s for %.0f s; the jobs wait on the topic "
                             "until a vs-worker joins", o->jobs_topic, o->group, f->topic,
                             now - last_alive);
            warned = 1;
        }
        polled r = poll_one(f, b, VS_FOLLOW_POLL_MS, o->progress);
        if (r.ours)
            last_alive = vs_now();
        if (r.new_worker || (warned && r.ours)) {
            if (warned)
                vs_progress_note(o->progress, VS_LOG_INFO, "worker %s is up",
                                 r.worker[0] ? r.worker : "?");
            warned = 0;
            last_alive = vs_now();
        }
        vs_progress_tick(o->progress, vs_now());
    }
    return VS_FOLLOW_ALL_FINAL;
}
