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
 * A message is refused (reject.c) when it is not a valid job, is not
 * signed with the job key the worker has, or names paths outside the
 * worker's roots; the paths of an accepted job are replaced by their
 * resolved form, which is what the pipeline opens.
 *
 * Outcomes: done (also "already done": the output carries this job's id,
 * a redelivery after a lost commit), skipped and failed are final (offset
 * stored); bad input fails at once. An I/O error, an internal error, a
 * busy GPU or an attempt whose worker went silent counts as a failed
 * attempt: the job goes back (to another worker when one is free, else
 * here after a pause) until max_attempts attempts failed, counted per job
 * id from the status topic and the vs-attempts header, then it fails with
 * the last reason. A busy GPU also lowers the slot count for a while. A
 * job cancelled because the worker stops is handed back uncommitted. */
#include "kafka/worker_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/gpu.h"
#include "log.h"
#include "sign.h"

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

/* Level of per-job event lines: the embedded producer shows them itself. */
#define JOB_LOG(s) ((s)->o.quiet_jobs ? VS_LOG_DEBUG : VS_LOG_INFO)

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
    return t->name;
}

/* The job reached a final state: every offset it came from may be stored. */
static void close_offsets(vs_service *s, task *t)
{
    for (int i = 0; i < t->n_src; i++)
        if (vs_ledger_close(s->ledger, t->src[i].partition, t->src[i].gen, t->src[i].offset))
            vs_service_store(s, t->src[i].partition);
}

static void publish(vs_service *s, enum vs_status_kind kind, const task *t, const char *error,
                    int attempts)
{
    vs_status st;
    vs_service_fill_status(s, &st, kind, t);
    if (error)
        snprintf(st.error, sizeof st.error, "%.*s", (int)sizeof st.error - 1, error);
    st.attempts = attempts;
    vs_publisher_status(s->pub, &st);
}

/* ---- intake ---- */

/* A small number in header NAME (0 when absent or not a number 0..999). */
static int header_int(const rd_kafka_message_t *m, const char *name)
{
    rd_kafka_headers_t *h = NULL;
    const void *val;
    size_t sz;
    if (rd_kafka_message_headers(m, &h) || !h ||
        rd_kafka_header_get_last(h, name, &val, &sz) || !val || sz == 0 || sz > 3)
        return 0;
    int n = 0;
    for (size_t i = 0; i < sz; i++) {
        char c = ((const char *)val)[i];
        if (c < '0' || c > '9')
            return 0;
        n = n * 10 + (c - '0');
    }
    return n;
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

/* Keeps a job's paths inside the worker's roots: both are replaced by
 * their resolved form, which is what the pipeline opens. */
static int confine(vs_service *s, vs_job *job, char *errstr, size_t errsz)
{
    char *in = NULL, *out = NULL;
    if (vs_roots_resolve_input(s->roots, job->input, &in, errstr, errsz) < 0)
        return -1;
    if (vs_roots_resolve_output(s->roots, job->output, &out, errstr, errsz) < 0) {
        free(in);
        return -1;
    }
    free(job->input);
    job->input = in;
    free(job->output);
    job->output = out;
    return 0;
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
        vs_log(JOB_LOG(s), "%s (%s): already finished by %s; not run again", t->job->job_id,
               task_file(t), who);
        close_offsets(s, t);
        vs_task_free(&t);
        return;
    }
    if (same || (st == VS_FARM_RUNNING && strcmp(who, s->id))) {
        t->state = T_HELD;
        snprintf(t->holder, sizeof t->holder, "%s", same ? s->id : who);
        vs_log(JOB_LOG(s), "%s (%s): running on %s; waiting for its result", t->job->job_id,
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

    /* The reader bounds the size (VS_JOB_MAX_BYTES) before parsing. */
    char why[512], name[256];
    vs_job *job = NULL;
    if (vs_job_parse(m->payload, m->len, &job, why, sizeof why) < 0) {
        vs_reject(s, m, gen, NULL, why);
        return;
    }
    /* The signature covers the job as published, before any path map. */
    if (s->job_key && vs_sign_verify(s->job_key, strlen(s->job_key), job, why, sizeof why) < 0) {
        char r[600];
        snprintf(r, sizeof r, "%s (this worker takes only jobs signed with its VS_JOB_KEY)", why);
        vs_reject(s, m, gen, job, r);
        vs_job_free(&job);
        return;
    }
    if (map_path(s, &job->input, why, sizeof why) < 0 ||
        map_path(s, &job->output, why, sizeof why) < 0) {
        vs_reject(s, m, gen, job, why);
        vs_job_free(&job);
        return;
    }
    const char *slash = strrchr(job->input, '/');
    snprintf(name, sizeof name, "%s", slash ? slash + 1 : job->input);
    if (confine(s, job, why, sizeof why) < 0) {
        vs_reject(s, m, gen, job, why);
        vs_job_free(&job);
        return;
    }
    task *t = calloc(1, sizeof(*t));
    if (!t || !(t->payload = malloc(m->len ? m->len : 1)) ||
        (m->key_len && !(t->key = malloc(m->key_len)))) {
        if (t)
            free(t->payload);
        free(t);
        vs_reject(s, m, gen, job, "out of memory");
        vs_job_free(&job);
        return;
    }
    t->job = job;
    snprintf(t->name, sizeof t->name, "%s", name);
    memcpy(t->payload, m->payload, m->len);
    t->len = m->len;
    if (m->key_len)
        memcpy(t->key, m->key, m->key_len);
    t->keylen = m->key_len;
    rd_kafka_headers_t *h = NULL;
    if (!rd_kafka_message_headers(m, &h) && h)
        t->hdrs = rd_kafka_headers_copy(h);
    t->hops = header_int(m, VS_HOPS_HEADER);
    t->prior = header_int(m, VS_ATTEMPTS_HEADER);
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
            vs_log(JOB_LOG(s), "%s (%s): finished by %s", t->job->job_id, task_file(t), who);
            unlink_task(s, t);
            close_offsets(s, t);
            vs_task_free(&t);
        } else if (st == VS_FARM_UNKNOWN) {
            vs_log(JOB_LOG(s), "%s (%s): no longer running on %s; taking it", t->job->job_id,
                   task_file(t), t->holder);
            t->state = T_PENDING;
        }
    }
}

/* ---- running ---- */

/* A final failure: reported, offsets stored, task freed. */
static void fail_task(vs_service *s, task *t, const char *why, int attempts)
{
    publish(s, VS_ST_FAILED, t, why, attempts);
    vs_log(VS_LOG_ERROR, "%s (%s): failed: %s", t->job->job_id, task_file(t), why);
    vs_service_count(s, &s->stats.failed);
    unlink_task(s, t);
    close_offsets(s, t);
    vs_task_free(&t);
}

/* Starts t in a slot. Returns 0 when it runs, 1 when the task is gone
 * (out of attempts), -1 when it cannot start now. */
static int start_task(vs_service *s, task *t)
{
    char why[512], last[256];
    int n = vs_farm_job_attempts(s->farm, t->job->job_id, VS_LIVE_S, last, sizeof last);
    if (n > t->prior)
        t->prior = n;
    else if (t->last_err[0])
        snprintf(last, sizeof last, "%s", t->last_err);
    if (t->prior >= s->o.max_attempts) {
        snprintf(why, sizeof why, "gave up after %d failed attempt%s: %s", t->prior,
                 t->prior == 1 ? "" : "s", last[0] ? last : "no reason known");
        fail_task(s, t, why, t->prior);
        return 1;
    }
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
    /* The fault point fires on a job's very first attempt only, so a test
     * sees the busy GPU and then the recovery. */
    const char *fault = t->runs == 0 && t->prior == 0 ? s->pipe_fault : NULL;
    t->slot = vs_slot_start(t->job, s->enc, t->gpu_slot, fault, s->slow_s, why, sizeof why);
    if (!t->slot) {
        vs_log(VS_LOG_ERROR, "%s: %s", t->job->job_id, why);
        vs_gpu_slot_release(&t->gpu_fd);
        t->not_before = vs_mono() + VS_RETRY_DELAY_S;
        return -1;
    }
    t->state = T_RUNNING;
    t->runs++;
    t->elsewhere = 0;
    t->started = vs_mono();
    t->next_progress = t->started + 1.0;
    s->running++;
    s->hb_dirty = 1;
    publish(s, VS_ST_STARTED, t, NULL, t->prior);
    char att[48] = "";
    if (t->prior > 0)
        snprintf(att, sizeof att, "attempt %d of %d", t->prior + 1, s->o.max_attempts);
    if (t->gpu_slot >= 0)
        vs_log(JOB_LOG(s), "%s (%s): started (NVENC session slot %d%s%s)", t->job->job_id,
               task_file(t), t->gpu_slot, att[0] ? ", " : "", att);
    else
        vs_log(JOB_LOG(s), "%s (%s): started%s%s%s", t->job->job_id, task_file(t),
               att[0] ? " (" : "", att, att[0] ? ")" : "");
    return 0;
}

void vs_tasks_schedule(vs_service *s)
{
    if (s->stopping)
        return;
    double now = vs_mono();
    for (task *t = s->tasks, *next; t && s->running < vs_service_slot_limit(s); t = next) {
        next = t->next;
        if (t->state != T_PENDING || t->not_before > now)
            continue;
        int rc = start_task(s, t);
        if (rc < 0)
            break;
        if (rc > 0)
            next = s->tasks; /* the list changed: look again from the start */
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

/* An attempt ended without a result, not through the input's fault: the
 * job goes back (preferably to another worker) or, out of attempts, fails
 * with this reason. */
static void failed_attempt(vs_service *s, task *t, int rc, const char *err)
{
    double now = vs_mono();
    int n = ++t->prior;
    char why[700];
    snprintf(t->last_err, sizeof t->last_err, "%.*s", (int)sizeof t->last_err - 1, err);
    if (rc == VS_PIPE_ERR_GPU_BUSY) {
        /* Not this job's nor this worker's fault: it waits (here or on an
         * idle worker) and this worker takes fewer jobs for a while. */
        int limit = s->running > 0 ? s->running : 1;
        if (limit < vs_service_slot_limit(s) || s->backoff_until <= now)
            s->backoff_limit = limit;
        s->backoff_until = now + s->o.gpu_backoff_s;
        s->hb_dirty = 1;
        vs_service_count(s, &s->stats.busy_gpu);
    }
    /* A busy GPU says nothing about this worker's health; the rest does. */
    int streak = rc != VS_PIPE_ERR_GPU_BUSY;
    if (n >= s->o.max_attempts) {
        snprintf(why, sizeof why, "%s (attempt %d of %d; giving up)", err, n, s->o.max_attempts);
        fail_task(s, t, why, n);
        if (streak)
            vs_service_note_outcome(s, 1, err);
        return;
    }
    if (s->stopping) {
        snprintf(why, sizeof why, "%s; handed back: the worker is stopping", err);
        publish(s, VS_ST_RETRY, t, why, n);
        vs_log(VS_LOG_WARN, "%s (%s): %s", t->job->job_id, task_file(t), why);
        unlink_task(s, t);
        vs_task_free(&t);
        return;
    }
    double wait = VS_RETRY_DELAY_S;
    if (rc == VS_PIPE_ERR_GPU_BUSY) {
        wait = s->o.gpu_backoff_s < VS_RETRY_DELAY_S ? s->o.gpu_backoff_s : VS_RETRY_DELAY_S;
        snprintf(why, sizeof why, "GPU busy (NVENC session limit); retrying in %.0f s "
                 "(attempt %d of %d failed)", wait, n, s->o.max_attempts);
        vs_log(VS_LOG_WARN, "%s (%s): %s; %d slot(s) for the next %.0f s", t->job->job_id,
               task_file(t), why, s->backoff_limit, s->o.gpu_backoff_s);
    } else {
        snprintf(why, sizeof why, "%s; attempt %d of %d failed, retrying", err, n,
                 s->o.max_attempts);
        vs_log(VS_LOG_WARN, "%s (%s): %s", t->job->job_id, task_file(t), why);
        t->elsewhere = 1;
    }
    publish(s, VS_ST_RETRY, t, why, n);
    vs_service_count(s, &s->stats.retried);
    t->state = T_PENDING;
    t->not_before = now + wait;
    if (streak)
        vs_service_note_outcome(s, 1, err);
}

static void finish(vs_service *s, task *t, int rc, const vs_pipeline_result *res,
                   const char *err)
{
    vs_status st;
    char reason[600];
    /* A bare class name ("bad input") says too little: name the file. */
    if (err && *err && strcmp(err, vs_pipeline_rc_str(rc)))
        snprintf(reason, sizeof reason, "%s", err);
    else
        snprintf(reason, sizeof reason, "%s: %s", task_file(t), vs_pipeline_rc_str(rc));
    switch (rc) {
    case VS_PIPE_OK:
    case VS_PIPE_ALREADY_DONE:
        vs_service_fill_status(s, &st, VS_ST_DONE, t);
        st.out_duration = res->out_duration;
        st.frames = res->frames;
        st.bytes = res->bytes;
        snprintf(st.encoder, sizeof st.encoder, "%s", res->encoder);
        st.seconds = res->seconds;
        vs_publisher_status(s->pub, &st);
        if (rc == VS_PIPE_ALREADY_DONE)
            vs_log(JOB_LOG(s), "%s (%s): already done: the output carries this job's id "
                   "(a redelivery); not encoded again", t->job->job_id, task_file(t));
        else
            vs_log(JOB_LOG(s), "%s (%s): done, %.3f s of video, %lld frames, %s, in %.1f s",
                   t->job->job_id, task_file(t), res->out_duration, (long long)res->frames,
                   res->encoder, res->seconds);
        vs_service_count(s, &s->stats.done);
        vs_service_note_outcome(s, 0, NULL);
        break;
    case VS_PIPE_SKIPPED:
        publish(s, VS_ST_SKIPPED, t, NULL, 0);
        vs_log(JOB_LOG(s), "%s (%s): output exists, skipped", t->job->job_id, task_file(t));
        vs_service_count(s, &s->stats.skipped);
        break;
    case VS_PIPE_ERR_CANCELLED:
        publish(s, VS_ST_RETRY, t, "handed back: the worker is stopping", t->prior);
        vs_log(JOB_LOG(s), "%s (%s): handed back uncommitted", t->job->job_id, task_file(t));
        vs_service_count(s, &s->stats.handed_back);
        unlink_task(s, t);
        vs_task_free(&t);
        return;
    case VS_PIPE_ERR_INPUT:
        /* The input cannot be processed: no other attempt would do better,
         * and it says nothing about this worker. */
        fail_task(s, t, reason, t->prior + 1);
        return;
    default: /* I/O, internal, busy GPU */
        failed_attempt(s, t, rc, reason);
        return;
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

/* Re-publishes t to partition part (held by peer), counting a hop or
 * carrying its failed attempts. Returns 0 when queued. */
static int pass_on(vs_service *s, task *t, int32_t part, const char *peer, int hop)
{
    rd_kafka_headers_t *h = t->hdrs ? rd_kafka_headers_copy(t->hdrs) : rd_kafka_headers_new(2);
    char num[16];
    if (hop) {
        snprintf(num, sizeof num, "%d", t->hops + 1);
        rd_kafka_header_remove(h, VS_HOPS_HEADER);
        rd_kafka_header_add(h, VS_HOPS_HEADER, -1, num, -1);
    }
    snprintf(num, sizeof num, "%d", t->prior);
    rd_kafka_header_remove(h, VS_ATTEMPTS_HEADER);
    rd_kafka_header_add(h, VS_ATTEMPTS_HEADER, -1, num, -1);
    t->fwd_id = ++s->next_fwd;
    int rc = vs_publisher_job(s->pub, part, t->key, t->keylen, t->payload, t->len, h, t->fwd_id);
    rd_kafka_headers_destroy(h);
    if (rc < 0)
        return -1;
    t->state = T_FORWARDING;
    vs_farm_note_handoff(s->farm, peer);
    return 0;
}

void vs_tasks_forward(vs_service *s)
{
    if (s->stopping || !s->subscribed)
        return;
    double now = vs_mono();
    double fresh = 3 * s->o.heartbeat_s + 1.0;
    int can_start = s->running < vs_service_slot_limit(s);
    /* Waiting for NVENC (every session of the machine taken, or the
     * driver said busy): a worker on this machine would wait as well. */
    int gpu_blocked = s->use_gpu && (s->gpu_full || s->backoff_until > now);
    for (task *t = s->tasks; t; t = t->next) {
        if (t->state != T_PENDING)
            continue;
        char peer[128];
        if (t->elsewhere) {
            /* An attempt failed here: another worker gets the next one,
             * an idle one if there is one, else any that takes jobs. */
            int32_t part = vs_farm_pick_peer(s->farm, s->kc.group, fresh, NULL, 1,
                                             peer, sizeof peer);
            if (part < 0)
                part = vs_farm_pick_peer(s->farm, s->kc.group, fresh, NULL, 0, peer, sizeof peer);
            if (part < 0) {
                t->elsewhere = 0; /* nobody else: it runs here again after a pause */
                continue;
            }
            if (pass_on(s, t, part, peer, 0) < 0)
                return;
            vs_log(JOB_LOG(s), "%s (%s): %d failed attempt%s; passing it to %s",
                   t->job->job_id, task_file(t), t->prior, t->prior == 1 ? "" : "s", peer);
            return; /* one per round: the next pick sees this one counted */
        }
        if (t->hops >= VS_MAX_HOPS)
            continue;
        if (can_start && t->not_before <= now && !s->gpu_full)
            continue; /* it starts here on the next round */
        int32_t part = vs_farm_pick_peer(s->farm, s->kc.group, fresh,
                                         gpu_blocked ? s->host : NULL, 1, peer, sizeof peer);
        if (part < 0)
            return;
        if (pass_on(s, t, part, peer, 1) < 0)
            return;
        vs_log(JOB_LOG(s), "%s (%s): %s; handing it to %s", t->job->job_id, task_file(t),
               s->pause_until > now ? "paused after failures here" :
               can_start ? "waiting here" : "all slots busy here", peer);
        return; /* one per round: the next pick sees this one counted */
    }
}

void vs_tasks_on_forwarded(void *ctx, uint64_t id, rd_kafka_resp_err_t err)
{
    vs_service *s = ctx;
    if (vs_reject_delivered(s, id, err))
        return;
    for (task *t = s->tasks; t; t = t->next) {
        if (t->state != T_FORWARDING || t->fwd_id != id)
            continue;
        if (err) {
            t->state = T_PENDING; /* keep it; the warning was logged */
            t->elsewhere = 0;
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
