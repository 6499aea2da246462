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
#include "media/pipeline.h"
#include "kafka/since.h"
#include "clock.h"
#include "errstr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    int said_lost;     /* "statuses were lost" said once */
};


/* Takes every partition's end offset, finds the offset VS_FOLLOW_LOOKBACK_S
 * back, and assigns from there. */
static int assign_recent(vs_follow *f, char *errstr, size_t errsz)
{
    char why[300];
    int parts = vs_kafka_partition_count(f->rk, f->topic, 10000, NULL, why, sizeof why);
    if (parts < 0) {
        vs_set_err(errstr, errsz, "status %s", why);
        return -1;
    }
    f->n_parts = parts;
    f->end = calloc((size_t)parts, sizeof *f->end);
    f->next = calloc((size_t)parts, sizeof *f->next);
    int64_t *low = calloc((size_t)parts, sizeof *low);
    int64_t *since = calloc((size_t)parts, sizeof *since);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
    rd_kafka_resp_err_t err = 0;
    if (!f->end || !f->next || !low || !since || !l) {
        vs_set_err(errstr, errsz, "out of memory");
        err = RD_KAFKA_RESP_ERR__FAIL;
        goto out;
    }
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
    }
    if (err) {
        vs_set_err(errstr, errsz, "status topic %s: end offsets: %s", f->topic,
                   rd_kafka_err2str(err));
        goto out;
    }
    /* The offset of VS_FOLLOW_LOOKBACK_S ago. Where the broker cannot tell
     * (the embedded broker), the last VS_FOLLOW_LOOKBACK_MSGS messages;
     * stale heartbeats among them are recognised by their ts. */
    int by_time = vs_kafka_offsets_since(f->rk, f->topic, parts,
                                         vs_clock_wall() - VS_FOLLOW_LOOKBACK_S, since,
                                         10000) == 1;
    for (int p = 0; p < parts; p++) {
        int64_t off = by_time ? since[p] : -1;
        if (off < 0 || off > f->end[p])
            off = f->end[p] - VS_FOLLOW_LOOKBACK_MSGS;
        if (off < low[p])
            off = low[p];
        f->next[p] = off;
        rd_kafka_topic_partition_list_add(l, f->topic, p)->offset = off;
    }
    if ((err = rd_kafka_assign(f->rk, l)))
        vs_set_err(errstr, errsz, "status topic %s: assign: %s", f->topic, rd_kafka_err2str(err));
out:
    free(low);
    free(since);
    if (l)
        rd_kafka_topic_partition_list_destroy(l);
    return err ? -1 : 0;
}

int vs_follow_open(const vs_kafka_conf *c, vs_follow **out, char *errstr, size_t errsz)
{
    vs_follow *f = calloc(1, sizeof *f);
    *out = NULL;
    if (!f || !(f->topic = strdup(c->status_topic)) || !(f->workers = vs_workers_new(c->group))) {
        vs_follow_close(&f);
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    /* auto.offset.reset=error: statuses dropped before they were read are
     * reported to us (poll_one) instead of skipped over silently. */
    if (!(f->rk = vs_kafka_reader_new(c, "vs-produce-status", "vs-produce-status", "error",
                                       errstr, errsz)))
        goto fail;
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

/* One status on its task: the life described at the top of this file. */
static void apply_task(vs_task *t, const vs_status *st, double now)
{
    if (st->worker[0])
        snprintf(t->worker, sizeof t->worker, "%s", st->worker);
    t->last_news = now;
    switch (st->kind) {
    case VS_ST_STARTED:
        t->state = VS_FILE_RUNNING;
        t->attempts++;
        t->started = now;
        t->fraction = 0;
        t->fps = 0;
        break;
    case VS_ST_PROGRESS:
        if (t->state != VS_FILE_RUNNING) { /* its "started" was missed */
            t->state = VS_FILE_RUNNING;
            if (t->attempts == 0)
                t->attempts = 1;
            if (t->started == 0)
                t->started = now;
        }
        t->fraction = st->fraction < 0 ? 0 : st->fraction > 1 ? 1 : st->fraction;
        t->fps = st->fps;
        break;
    case VS_ST_DONE:
        t->state = VS_FILE_DONE;
        t->fraction = 1;
        t->error[0] = 0;
        t->seconds = st->seconds > 0 ? st->seconds : t->started > 0 ? now - t->started : 0;
        t->out_duration = st->out_duration;
        snprintf(t->encoder, sizeof t->encoder, "%s", st->encoder);
        if (t->attempts == 0)
            t->attempts = 1;
        break;
    case VS_ST_SKIPPED:
        t->state = VS_FILE_SKIPPED;
        snprintf(t->error, sizeof t->error, "%s", st->error); /* why, when not plain "exists" */
        break;
    case VS_ST_FAILED:
        t->state = VS_FILE_FAILED;
        snprintf(t->error, sizeof t->error, "%s", st->error[0] ? st->error : "failed");
        if (t->started > 0)
            t->seconds = now - t->started;
        if (st->rejected)
            t->attempts = 0; /* refused before anything ran (docs/protocol.md) */
        else if (t->attempts == 0)
            t->attempts = 1;
        break;
    case VS_ST_RETRY:
        t->state = VS_FILE_QUEUED; /* back in the queue for another attempt */
        t->fraction = 0;
        t->fps = 0;
        t->started = 0;
        snprintf(t->error, sizeof t->error, "%s", st->error);
        break;
    case VS_ST_HEARTBEAT:
        break;
    }
}

vs_task *vs_follow_apply(vs_batch *b, const vs_status *st, double now)
{
    if (st->kind == VS_ST_HEARTBEAT || strcmp(st->run_id, b->run_id) != 0)
        return NULL;
    vs_task *t = vs_batch_find(b, st->job_id);
    if (!t)
        return NULL;
    vs_file *f = t->file;
    /* A late or duplicate status of a finished job (or video) changes
     * nothing, except that "done" replaces "failed": the output exists. */
    int done_after_failed = st->kind == VS_ST_DONE && t->state == VS_FILE_FAILED;
    if ((is_final(t->state) && !done_after_failed) ||
        (is_final(f->state) && !(st->kind == VS_ST_DONE && f->state == VS_FILE_FAILED)))
        return NULL;
    vs_batch_note_read(b, t); /* any news of the job: a worker read its message */
    apply_task(t, st, now);
    vs_file_sum_up(b, f, now);
    return t;
}

/* The notes of a split video: a line per chunk and join event at debug
 * level, the video's own start, end or failure once at info. */
static void note_part(vs_progress_view *p, const vs_task *t, const vs_status *st)
{
    const vs_file *f = t->file;
    int i = (int)(t - f->tasks);
    char part[64];
    if (i < f->n_chunks)
        snprintf(part, sizeof part, "chunk %d of %d", i + 1, f->n_chunks);
    else
        snprintf(part, sizeof part, "join");
    switch (st->kind) {
    case VS_ST_STARTED:
        vs_progress_note(p, VS_LOG_DEBUG, "%s: %s started on %s (attempt %d)", f->name, part,
                         t->worker, t->attempts);
        break;
    case VS_ST_DONE:
        if (f->state == VS_FILE_DONE)
            vs_progress_note(p, VS_LOG_INFO, "%s: done in %.1f s (%d chunks, joined on %s, %s)",
                             f->name, f->seconds, f->n_chunks, f->worker,
                             f->encoder[0] ? f->encoder : "?");
        else
            vs_progress_note(p, VS_LOG_DEBUG, "%s: %s done in %.1f s on %s", f->name, part,
                             t->seconds, t->worker);
        break;
    case VS_ST_SKIPPED:
        vs_progress_note(p, VS_LOG_INFO, "%s: skipped by %s (%s)", f->name, t->worker,
                         t->error[0] ? t->error : "output exists");
        break;
    case VS_ST_FAILED:
        vs_progress_note(p, VS_LOG_ERROR, "failed: %s on %s: %s", f->name, f->worker, f->error);
        break;
    case VS_ST_RETRY:
        vs_progress_note(p, VS_LOG_INFO, "%s: %s, attempt %d on %s handed back (%s); it will "
                         "be retried", f->name, part, t->attempts, st->worker,
                         st->error[0] ? st->error : "retry");
        break;
    default:
        break;
    }
}

/* A note per change a person wants to see. */
static void note_change(vs_progress_view *p, const vs_task *t, const vs_status *st)
{
    const vs_file *f = t->file;
    if (f->n_chunks > 0) {
        note_part(p, t, st);
        return;
    }
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
        vs_progress_note(p, VS_LOG_INFO, "%s: skipped by %s (%s)", f->name, f->worker,
                         f->error[0] ? f->error : "output exists");
        break;
    case VS_ST_FAILED:
        /* The one line of this failure on the terminal; the summary
         * repeats the reason in its table, nowhere else. */
        vs_progress_note(p, VS_LOG_ERROR, "failed: %s on %s: %s", f->name, f->worker,
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
    int lost;           /* the broker said statuses were dropped unread */
} polled;

/* Reads at most one message and applies it. */
/* Reads partition on from the oldest status the broker still has. */
static void resume_from_oldest(vs_follow *f, int32_t partition)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, f->topic, partition)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_error_t *e = rd_kafka_seek_partitions(f->rk, l, 5000);
    if (e) {
        vs_log(VS_LOG_WARN, "status topic %s: cannot read on: %s", f->topic,
               rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
    rd_kafka_topic_partition_list_destroy(l);
}

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
        if (m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE ||
            m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
            /* The broker dropped statuses before they were read (retention,
             * or the embedded broker's 5 MiB): the outputs on disk say what
             * happened to the jobs whose news was lost. */
            r.lost = 1;
            resume_from_oldest(f, m->partition);
            if (!f->said_lost)
                vs_progress_note(progress, VS_LOG_ERROR, "status topic %s: statuses were "
                                 "lost before they were read (the broker dropped them); "
                                 "checking the outputs on disk instead", f->topic);
            f->said_lost = 1;
        } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            vs_log(VS_LOG_WARN, "status topic: %s", rd_kafka_message_errstr(m));
        }
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
        if (vs_workers_heartbeat(f->workers, &st, vs_clock_wall(), from_past)) {
            r.new_worker = 1;
            snprintf(r.worker, sizeof r.worker, "%s", st.worker);
        }
    } else if (!strcmp(st.run_id, b->run_id)) {
        r.ours = 1;
        snprintf(r.worker, sizeof r.worker, "%s", st.worker);
        vs_task *task = vs_follow_apply(b, &st, vs_clock_mono());
        if (task)
            note_change(progress, task, &st);
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
    double until = vs_clock_mono() + timeout_ms / 1000.0;
    while (!caught_up(f) && vs_clock_mono() < until)
        poll_one(f, b, 100, NULL);
    if (!caught_up(f))
        vs_log(VS_LOG_DEBUG, "status topic %s: recent past not read within %d ms", f->topic,
               timeout_ms);
    size_t alive = vs_workers_alive(f->workers, vs_clock_wall());
    vs_log(VS_LOG_DEBUG, "%zu live worker%s heard of on %s", alive, alive == 1 ? "" : "s",
           f->topic);
    return alive;
}

/* Files still waiting or running whose output is on disk and carries their
 * job id: done (their final status was lost). A job with news in the last
 * VS_FOLLOW_NEWS_QUIET_S is left to its worker (its "done" follows the
 * output within a moment), unless statuses are known lost (all). */
static void check_disk(vs_batch *b, vs_progress_view *progress, int all, double start)
{
    double now = vs_clock_mono();
    for (size_t i = 0; i < b->n; i++) {
        vs_file *f = &b->files[i];
        struct stat st;
        vs_pipeline_result res;
        /* Quiet since its last news, or since the run began if none came
         * yet (statuses delayed by an outage are not lost). */
        double since = f->last_news > 0 ? f->last_news : start;
        if (!all && now - since < VS_FOLLOW_NEWS_QUIET_S)
            continue;
        if ((f->state != VS_FILE_QUEUED && f->state != VS_FILE_RUNNING) || !f->job ||
            stat(f->output, &st) < 0 || !S_ISREG(st.st_mode) ||
            !vs_pipeline_output_is_job(f->output, vs_file_output_id(f), &res))
            continue;
        for (int k = 0; k < f->n_tasks; k++)
            vs_batch_note_read(b, &f->tasks[k]);
        f->state = VS_FILE_DONE;
        f->fraction = 1;
        f->error[0] = 0;
        f->out_duration = res.out_duration;
        f->seconds = f->started > 0 ? now - f->started : 0;
        snprintf(f->encoder, sizeof f->encoder, "%s", res.encoder);
        if (f->attempts == 0)
            f->attempts = 1;
        vs_progress_note(progress, VS_LOG_INFO, "%s: done (its output on disk carries this "
                         "run's job id; its status was not seen)", f->name);
    }
}

enum vs_follow_end vs_follow_run(vs_follow *f, vs_batch *b, const vs_follow_opts *o)
{
    /* Last moment a worker was known alive (or one of ours reported). */
    double start = vs_clock_mono(), last_alive = start;
    int warned = 0;
    char why[256];
    double next_disk_check = start + VS_FOLLOW_DISK_CHECK_S;

    while (vs_batch_unfinished(b) > 0) {
        double now = vs_clock_mono();
        if (o->stop && *o->stop) {
            vs_batch_fail_unfinished(b, "interrupted");
            if (o->embedded)
                vs_progress_note(o->progress, VS_LOG_INFO, "interrupted: the embedded broker "
                                 "stops with this process, so its unfinished jobs end here; "
                                 "run vs-produce again to finish them (finished outputs are "
                                 "kept and skipped)");
            else
                vs_progress_note(o->progress, VS_LOG_INFO, "interrupted: unfinished jobs stay "
                                 "on %s for the workers", o->jobs_topic);
            return VS_FOLLOW_STOPPED;
        }
        if (o->timeout_s > 0 && now - start >= o->timeout_s) {
            check_disk(b, o->progress, 1, start); /* a lost "done" is not a failure */
            if (!vs_batch_unfinished(b))
                break;
            snprintf(why, sizeof why, "not finished within --timeout %g s", o->timeout_s);
            vs_batch_fail_unfinished(b, why);
            return VS_FOLLOW_TIMEOUT;
        }
        if (vs_workers_alive(f->workers, vs_clock_wall()) > 0)
            last_alive = now;
        if (!warned && now - last_alive >= o->worker_wait_s) {
            vs_progress_note(o->progress, VS_LOG_WARN, "no worker is consuming %s: no heartbeat "
                             "of group %s on %s for %.0f s; the jobs wait on the topic "
                             "until a vs-worker joins", o->jobs_topic, o->group, f->topic,
                             now - last_alive);
            warned = 1;
        }
        polled r = poll_one(f, b, VS_FOLLOW_POLL_MS, o->progress);
        /* The output is the source of truth: a job whose final status is
         * missing (lost, expired) but whose output carries its id is done. */
        if (r.lost || now >= next_disk_check) {
            check_disk(b, o->progress, r.lost, start);
            next_disk_check = now + VS_FOLLOW_DISK_CHECK_S;
        }
        if (r.ours)
            last_alive = vs_clock_mono();
        if (r.new_worker || (warned && r.ours)) {
            if (warned)
                vs_progress_note(o->progress, VS_LOG_INFO, "worker %s is up",
                                 r.worker[0] ? r.worker : "?");
            warned = 0;
            last_alive = vs_clock_mono();
        }
        /* Flow control: jobs held back go out as workers read others. */
        if (o->publish_more && b->room_freed && vs_batch_unpublished(b) > 0) {
            b->room_freed = 0;
            o->publish_more(o->publish_ctx);
        }
        vs_progress_tick(o->progress, vs_clock_mono());
    }
    return VS_FOLLOW_ALL_FINAL;
}
