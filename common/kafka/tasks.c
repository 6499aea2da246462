/* tasks.c - what the worker service does with each job message.
 *
 * A message becomes a task. Before anything runs, the status topic is
 * asked about the job: finished somewhere -> its offset is stored and it
 * is not run again; running on another live worker (the partition moved
 * during a rebalance, or a hand-over raced) -> held until its final state
 * shows up; otherwise it waits for a free slot here. A task that waits
 * while every slot is busy is handed to a worker whose heartbeat shows a
 * free slot, by re-publishing it to a partition that worker holds; the
 * original offset is stored once the copy is delivered.
 *
 * Outcomes: done, skipped and failed are final (offset stored); a busy
 * GPU puts the job back to wait here (or go elsewhere) and lowers the
 * slot count for a while; an I/O error is retried a few times; a job
 * cancelled because the worker stops is handed back uncommitted. */
#include "kafka/worker_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/gpu.h"
#include "log.h"

void vs_task_free(task **tp)
{
    task *t = tp ? *tp : NULL;
    if (!t)
        return;
    vs_job_free(&t->job);
    free(t->payload);
    free(t->key);
    if (t->hdrs)
        rd_kafka_headers_destroy(t->hdrs);
    vs_gpu_slot_release(&t->gpu_fd);
    free(t);
    *tp = NULL;
}

static void unlink_task(vs_service *s, task *t)
{
    for (task **pp = &s->tasks; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            return;
        }
    }
}

static void append_task(vs_service *s, task *t)
{
    task **pp = &s->tasks;
    while (*pp)
        pp = &(*pp)->next;
    *pp = t;
}

int vs_tasks_count(const vs_service *s, enum task_state st)
{
    int n = 0;
    for (const task *t = s->tasks; t; t = t->next)
        n += t->state == st;
    return n;
}

static const char *task_file(const task *t)
{
    const char *slash = strrchr(t->job->input, '/');
    return slash ? slash + 1 : t->job->input;
}

/* The job reached a final state: every offset it came from may be stored. */
static void close_offsets(vs_service *s, task *t)
{
    for (int i = 0; i < t->n_src; i++)
        if (vs_ledger_close(s->ledger, t->src[i].partition, t->src[i].gen, t->src[i].offset))
            vs_service_store(s, t->src[i].partition);
}

static void publish(vs_service *s, enum vs_status_kind kind, const task *t, const char *error)
{
    vs_status st;
    vs_service_fill_status(s, &st, kind, t);
    if (error)
        snprintf(st.error, sizeof st.error, "%s", error);
    vs_publisher_status(s->pub, &st);
}

/* ---- intake ---- */

static int header_hops(const rd_kafka_message_t *m)
{
    rd_kafka_headers_t *h = NULL;
    const void *val;
    size_t sz;
    if (rd_kafka_message_headers(m, &h) || !h ||
        rd_kafka_header_get_last(h, VS_HOPS_HEADER, &val, &sz) || sz == 0 || sz > 8)
        return 0;
    char buf[9];
    memcpy(buf, val, sz);
    buf[sz] = 0;
    return atoi(buf);
}

static int map_path(vs_service *s, char **path, char *errstr, size_t errsz)
{
    char buf[VS_JOB_MAX_PATH + 1];
    if (!vs_path_map_apply(&s->kc, *path, buf, sizeof buf)) {
        snprintf(errstr, errsz, "path too long after --path-map: %s", *path);
        return -1;
    }
    if (strcmp(buf, *path)) {
        char *m = strdup(buf);
        if (!m) {
            snprintf(errstr, errsz, "out of memory");
            return -1;
        }
        free(*path);
        *path = m;
    }
    return 0;
}

/* A message that is not a job: reported as failed under a made-up id
 * (the topic position), and never run. */
static void refuse_message(vs_service *s, const rd_kafka_message_t *m, unsigned gen,
                           const char *why)
{
    vs_status st;
    vs_service_fill_status(s, &st, VS_ST_FAILED, NULL);
    snprintf(st.job_id, sizeof st.job_id, "%s/%d@%lld", s->kc.jobs_topic, (int)m->partition,
             (long long)m->offset);
    snprintf(st.error, sizeof st.error, "%s", why);
    vs_publisher_status(s->pub, &st);
    vs_log(VS_LOG_ERROR, "%s: not a job: %s", st.job_id, why);
    vs_service_count(s, &s->stats.failed);
    if (vs_ledger_close(s->ledger, m->partition, gen, m->offset))
        vs_service_store(s, m->partition);
}

static task *find_job(vs_service *s, const char *job_id, const task *except)
{
    for (task *t = s->tasks; t; t = t->next)
        if (t != except && !strcmp(t->job->job_id, job_id))
            return t;
    return NULL;
}

/* Decides what a new task does; may free it. */
static void decide(vs_service *s, task *t)
{
    task *same = find_job(s, t->job->job_id, t);
    if (same && same->state == T_RUNNING && same->n_src < 4) {
        /* Our own running job came back (its partition left and returned):
         * its offset is stored when the run ends. */
        same->src[same->n_src++] = t->src[0];
        vs_log(VS_LOG_DEBUG, "%s: redelivered while running here", t->job->job_id);
        vs_task_free(&t);
        return;
    }
    char who[128];
    enum vs_farm_job st = vs_farm_job_state(s->farm, t->job->job_id, VS_LIVE_S, who, sizeof who);
    if (st == VS_FARM_FINAL) {
        vs_log(VS_LOG_INFO, "%s (%s): already finished by %s; not run again", t->job->job_id,
               task_file(t), who);
        close_offsets(s, t);
        vs_task_free(&t);
        return;
    }
    if (same || (st == VS_FARM_RUNNING && strcmp(who, s->id))) {
        t->state = T_HELD;
        snprintf(t->holder, sizeof t->holder, "%s", same ? s->id : who);
        vs_log(VS_LOG_INFO, "%s (%s): running on %s; waiting for its result", t->job->job_id,
               task_file(t), t->holder);
    } else {
        t->state = T_PENDING;
    }
    append_task(s, t);
}

void vs_tasks_intake(vs_service *s, rd_kafka_message_t *m)
{
    unsigned gen = vs_ledger_gen(s->ledger, m->partition);
    if (!gen || s->stopping)
        return; /* not ours (any more): not opened, so never stored */
    vs_ledger_open(s->ledger, m->partition, m->offset);

    char why[512];
    vs_job *job = NULL;
    if (vs_job_parse(m->payload, m->len, &job, why, sizeof why) < 0) {
        refuse_message(s, m, gen, why);
        return;
    }
    if (map_path(s, &job->input, why, sizeof why) < 0 ||
        map_path(s, &job->output, why, sizeof why) < 0) {
        vs_job_free(&job);
        refuse_message(s, m, gen, why);
        return;
    }
    task *t = calloc(1, sizeof(*t));
    if (!t || !(t->payload = malloc(m->len ? m->len : 1)) ||
        (m->key_len && !(t->key = malloc(m->key_len)))) {
        if (t)
            free(t->payload);
        free(t);
        vs_job_free(&job);
        refuse_message(s, m, gen, "out of memory");
        return;
    }
    t->job = job;
    memcpy(t->payload, m->payload, m->len);
    t->len = m->len;
    if (m->key_len)
        memcpy(t->key, m->key, m->key_len);
    t->keylen = m->key_len;
    rd_kafka_headers_t *h = NULL;
    if (!rd_kafka_message_headers(m, &h) && h)
        t->hdrs = rd_kafka_headers_copy(h);
    t->hops = header_hops(m);
    t->src[0] = (task_src){m->partition, m->offset, gen};
    t->n_src = 1;
    t->gpu_fd = -1;
    t->gpu_slot = -1;
    t->queued = vs_mono();
    decide(s, t);
}

/* ---- held jobs ---- */

void vs_tasks_recheck_held(vs_service *s)
{
    for (task *t = s->tasks, *next; t; t = next) {
        next = t->next;
        if (t->state != T_HELD)
            continue;
        if (!strcmp(t->holder, s->id)) {
            task *same = find_job(s, t->job->job_id, t);
            if (same)
                continue; /* a copy is still here; wait for it */
        }
        char who[128];
        enum vs_farm_job st = vs_farm_job_state(s->farm, t->job->job_id, VS_LIVE_S,
                                                who, sizeof who);
        if (st == VS_FARM_FINAL) {
            vs_log(VS_LOG_INFO, "%s (%s): finished by %s", t->job->job_id, task_file(t), who);
            unlink_task(s, t);
            close_offsets(s, t);
            vs_task_free(&t);
        } else if (st == VS_FARM_UNKNOWN) {
            vs_log(VS_LOG_INFO, "%s (%s): no longer running on %s; taking it", t->job->job_id,
                   task_file(t), t->holder);
            t->state = T_PENDING;
        }
    }
}

/* ---- running ---- */

static int start_task(vs_service *s, task *t)
{
    char why[512];
    if (s->use_gpu) {
        t->gpu_slot = vs_gpu_slot_acquire(s->lock_dir, s->o.gpu_sessions, &t->gpu_fd,
                                          why, sizeof why);
        if (t->gpu_slot < 0) {
            double now = vs_mono();
            if (!s->gpu_full && now - s->gpu_full_logged > 60.0) {
                vs_log(VS_LOG_INFO, "all %d NVENC sessions of this machine are taken%s%s; "
                       "waiting", s->o.gpu_sessions, why[0] ? ": " : "", why);
                s->gpu_full_logged = now;
            }
            s->gpu_full = 1;
            return -1;
        }
        s->gpu_full = 0;
    }
    /* The fault point fires on a job's first attempt here only, so a
     * test sees the busy GPU and then the recovery. */
    const char *fault = t->attempts == 0 ? s->pipe_fault : NULL;
    t->slot = vs_slot_start(t->job, s->enc, t->gpu_slot, fault, s->slow_s, why, sizeof why);
    if (!t->slot) {
        vs_log(VS_LOG_ERROR, "%s: %s", t->job->job_id, why);
        vs_gpu_slot_release(&t->gpu_fd);
        t->not_before = vs_mono() + 5.0;
        return -1;
    }
    t->state = T_RUNNING;
    t->attempts++;
    t->started = vs_mono();
    t->next_progress = t->started + 1.0;
    s->running++;
    s->hb_dirty = 1;
    publish(s, VS_ST_STARTED, t, NULL);
    if (t->gpu_slot >= 0)
        vs_log(VS_LOG_INFO, "%s (%s): started (NVENC session slot %d)", t->job->job_id,
               task_file(t), t->gpu_slot);
    else
        vs_log(VS_LOG_INFO, "%s (%s): started", t->job->job_id, task_file(t));
    return 0;
}

void vs_tasks_schedule(vs_service *s)
{
    if (s->stopping)
        return;
    double now = vs_mono();
    for (task *t = s->tasks; t && s->running < vs_service_slot_limit(s); t = t->next) {
        if (t->state != T_PENDING || t->not_before > now)
            continue;
        if (start_task(s, t) < 0)
            break;
    }
}

void vs_tasks_progress(vs_service *s)
{
    double now = vs_mono();
    for (task *t = s->tasks; t; t = t->next) {
        if (t->state != T_RUNNING || now < t->next_progress)
            continue;
        vs_progress p;
        vs_slot_progress(t->slot, &p);
        vs_status st;
        vs_service_fill_status(s, &st, VS_ST_PROGRESS, t);
        if (p.frames_total > 0)
            st.fraction = (double)p.frames_done / (double)p.frames_total;
        if (st.fraction > 1)
            st.fraction = 1;
        if (st.fraction < 0)
            st.fraction = 0;
        st.fps = p.fps;
        vs_publisher_status(s->pub, &st);
        t->next_progress = now + 1.0;
    }
}

static void finish(vs_service *s, task *t, int rc, const vs_pipeline_result *res,
                   const char *err)
{
    vs_status st;
    double now = vs_mono();
    switch (rc) {
    case VS_PIPE_OK:
        vs_service_fill_status(s, &st, VS_ST_DONE, t);
        st.out_duration = res->out_duration;
        st.frames = res->frames;
        st.bytes = res->bytes;
        snprintf(st.encoder, sizeof st.encoder, "%s", res->encoder);
        st.seconds = res->seconds;
        vs_publisher_status(s->pub, &st);
        vs_log(VS_LOG_INFO, "%s (%s): done, %.3f s of video, %lld frames, %s, in %.1f s",
               t->job->job_id, task_file(t), res->out_duration, (long long)res->frames,
               res->encoder, res->seconds);
        vs_service_count(s, &s->stats.done);
        break;
    case VS_PIPE_SKIPPED:
        publish(s, VS_ST_SKIPPED, t, NULL);
        vs_log(VS_LOG_INFO, "%s (%s): output exists, skipped", t->job->job_id, task_file(t));
        vs_service_count(s, &s->stats.skipped);
        break;
    case VS_PIPE_ERR_GPU_BUSY: {
        /* Not the job's fault: it waits (here or on an idle worker) and
         * this worker takes fewer jobs for a while. */
        int limit = s->running > 0 ? s->running : 1;
        if (limit < vs_service_slot_limit(s) || s->backoff_until <= now)
            s->backoff_limit = limit;
        s->backoff_until = now + s->o.gpu_backoff_s;
        double wait = s->o.gpu_backoff_s < 5.0 ? s->o.gpu_backoff_s : 5.0;
        char why[200];
        snprintf(why, sizeof why, "GPU busy (NVENC session limit); retrying in %.0f s", wait);
        publish(s, VS_ST_RETRY, t, why);
        vs_log(VS_LOG_WARN, "%s (%s): %s; %d slot(s) for the next %.0f s", t->job->job_id,
               task_file(t), why, s->backoff_limit, s->o.gpu_backoff_s);
        vs_service_count(s, &s->stats.busy_gpu);
        t->state = T_PENDING;
        t->not_before = now + wait;
        s->hb_dirty = 1;
        return;
    }
    case VS_PIPE_ERR_CANCELLED:
        publish(s, VS_ST_RETRY, t, "handed back: the worker is stopping");
        vs_log(VS_LOG_INFO, "%s (%s): handed back uncommitted", t->job->job_id, task_file(t));
        vs_service_count(s, &s->stats.handed_back);
        unlink_task(s, t);
        vs_task_free(&t);
        return;
    case VS_PIPE_ERR_IO:
        if (t->attempts < VS_MAX_ATTEMPTS && !s->stopping) {
            publish(s, VS_ST_RETRY, t, err);
            vs_log(VS_LOG_WARN, "%s (%s): %s; trying again", t->job->job_id, task_file(t), err);
            t->state = T_PENDING;
            t->not_before = now + 5.0;
            return;
        }
        /* out of attempts */
        /* fall through */
    default:
        publish(s, VS_ST_FAILED, t, err && *err ? err : vs_pipeline_rc_str(rc));
        vs_log(VS_LOG_ERROR, "%s (%s): failed: %s", t->job->job_id, task_file(t),
               err && *err ? err : vs_pipeline_rc_str(rc));
        vs_service_count(s, &s->stats.failed);
        break;
    }
    unlink_task(s, t);
    close_offsets(s, t);
    vs_task_free(&t);
}

void vs_tasks_reap(vs_service *s)
{
    for (task *t = s->tasks, *next; t; t = next) {
        next = t->next;
        if (t->state != T_RUNNING || !vs_slot_finished(t->slot))
            continue;
        vs_pipeline_result res = {0};
        char err[512];
        int rc = vs_slot_join(&t->slot, &res, err, sizeof err);
        vs_gpu_slot_release(&t->gpu_fd);
        t->gpu_slot = -1;
        s->running--;
        s->hb_dirty = 1;
        finish(s, t, rc, &res, err);
    }
}

void vs_tasks_cancel_running(vs_service *s)
{
    for (task *t = s->tasks; t; t = t->next)
        if (t->state == T_RUNNING)
            vs_slot_cancel(t->slot);
}

/* ---- hand-over ---- */

void vs_tasks_forward(vs_service *s)
{
    if (s->stopping || !s->subscribed)
        return;
    double now = vs_mono();
    int can_start = s->running < vs_service_slot_limit(s);
    /* Waiting for NVENC (every session of the machine taken, or the
     * driver said busy): a worker on this machine would wait as well. */
    int gpu_blocked = s->use_gpu && (s->gpu_full || s->backoff_until > now);
    for (task *t = s->tasks; t; t = t->next) {
        if (t->state != T_PENDING || t->hops >= VS_MAX_HOPS)
            continue;
        if (can_start && t->not_before <= now && !s->gpu_full)
            continue; /* it starts here on the next round */
        char peer[128];
        int32_t part = vs_farm_pick_peer(s->farm, s->kc.group, 3 * s->o.heartbeat_s + 1.0,
                                         gpu_blocked ? s->host : NULL, peer, sizeof peer);
        if (part < 0)
            return;
        rd_kafka_headers_t *h = t->hdrs ? rd_kafka_headers_copy(t->hdrs) : rd_kafka_headers_new(1);
        char hops[16];
        snprintf(hops, sizeof hops, "%d", t->hops + 1);
        rd_kafka_header_remove(h, VS_HOPS_HEADER);
        rd_kafka_header_add(h, VS_HOPS_HEADER, -1, hops, -1);
        t->fwd_id = ++s->next_fwd;
        int rc = vs_publisher_job(s->pub, part, t->key, t->keylen, t->payload, t->len, h,
                                  t->fwd_id);
        rd_kafka_headers_destroy(h);
        if (rc < 0)
            return;
        t->state = T_FORWARDING;
        vs_farm_note_handoff(s->farm, peer);
        vs_log(VS_LOG_INFO, "%s (%s): all slots busy here; handing it to %s", t->job->job_id,
               task_file(t), peer);
        return; /* one per round: the next pick sees this one counted */
    }
}

void vs_tasks_on_forwarded(void *ctx, uint64_t id, rd_kafka_resp_err_t err)
{
    vs_service *s = ctx;
    for (task *t = s->tasks; t; t = t->next) {
        if (t->state != T_FORWARDING || t->fwd_id != id)
            continue;
        if (err) {
            t->state = T_PENDING; /* keep it; the warning was logged */
            if (s->stopping) {
                unlink_task(s, t);
                vs_task_free(&t);
            }
            return;
        }
        vs_service_count(s, &s->stats.handed_over);
        /* Copies of the same job held here (a redelivery) went with it. */
        for (task *d = s->tasks, *next; d; d = next) {
            next = d->next;
            if (d != t && d->state == T_HELD && !strcmp(d->holder, s->id) &&
                !strcmp(d->job->job_id, t->job->job_id)) {
                unlink_task(s, d);
                close_offsets(s, d);
                vs_task_free(&d);
            }
        }
        unlink_task(s, t);
        close_offsets(s, t);
        vs_task_free(&t);
        return;
    }
}

/* ---- dropping ---- */

void vs_tasks_drop_partition(vs_service *s, int32_t partition)
{
    for (task *t = s->tasks, *next; t; t = next) {
        next = t->next;
        if (t->state == T_RUNNING || t->state == T_FORWARDING || t->src[0].partition != partition)
            continue;
        unlink_task(s, t);
        vs_task_free(&t);
    }
}

void vs_tasks_drop_waiting(vs_service *s)
{
    for (task *t = s->tasks, *next; t; t = next) {
        next = t->next;
        if (t->state == T_PENDING || t->state == T_HELD) {
            unlink_task(s, t);
            vs_task_free(&t);
        }
    }
}
