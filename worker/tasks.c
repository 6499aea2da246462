/* tasks.c - the worker's job messages, from queued to final; see tasks.h.
 *
 * Outcomes (rules.h, vs_rule_outcome): done (also "already done": the
 * output carries this job's id, a redelivery after a lost commit), skipped
 * and failed are final (offset stored); bad input fails at once. An I/O
 * error, an internal error, a busy GPU or an attempt whose worker went
 * silent counts as a failed attempt: the job goes back (to another worker
 * when one is free, else here after a pause) until max_attempts attempts
 * failed, counted per job id from the status topic and the vs-attempts
 * header, then it fails with the last reason. A busy GPU also lowers the
 * slot count for a while. A job cancelled because the worker stops is
 * handed back uncommitted. */
#include "tasks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "nvenc_lock.h"

/* Level of per-job event lines: the embedded producer shows them itself. */
#define JOB_LOG(s) ((s)->o.quiet_jobs ? VS_LOG_DEBUG : VS_LOG_INFO)

/* ---- the list ---- */

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
    vs_nvenc_lock_release(&t->nvenc_fd);
    free(t);
    *tp = NULL;
}

void vs_task_unlink(vs_worker *s, task *t)
{
    for (task **pp = &s->tasks; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            return;
        }
    }
}

void vs_task_append(vs_worker *s, task *t)
{
    task **pp = &s->tasks;
    while (*pp)
        pp = &(*pp)->next;
    *pp = t;
}

task *vs_task_find(vs_worker *s, const char *job_id, const task *except)
{
    for (task *t = s->tasks; t; t = t->next)
        if (t != except && !strcmp(t->job->job_id, job_id))
            return t;
    return NULL;
}

int vs_tasks_count(const vs_worker *s, enum vs_task_state st)
{
    int n = 0;
    for (const task *t = s->tasks; t; t = t->next)
        n += t->state == st;
    return n;
}

void vs_task_commit(vs_worker *s, task *t)
{
    for (int i = 0; i < t->n_src; i++)
        if (vs_ledger_close(s->ledger, t->src[i].partition, t->src[i].gen, t->src[i].offset))
            vs_worker_store(s, t->src[i].partition);
}

void vs_task_forget(vs_worker *s, task *t, int commit)
{
    vs_task_unlink(s, t);
    if (commit)
        vs_task_commit(s, t);
    vs_task_free(&t);
}

void vs_task_publish(vs_worker *s, enum vs_status_kind kind, const task *t, const char *error,
                     int attempts)
{
    vs_status st;
    vs_worker_fill_status(s, &st, kind, t);
    if (error)
        snprintf(st.error, sizeof st.error, "%.*s", (int)sizeof st.error - 1, error);
    st.attempts = attempts;
    vs_sender_status(s->pub, &st);
}

enum vs_seen vs_task_seen(vs_worker *s, const task *t, char *who, size_t whosz)
{
    switch (vs_board_job_state(s->board, t->job->job_id, VS_LIVE_S, who, whosz)) {
    case VS_BOARD_FINAL:
        return VS_SEEN_FINAL;
    case VS_BOARD_RUNNING:
        return VS_SEEN_RUNNING;
    default:
        return VS_SEEN_NOTHING;
    }
}

/* ---- held jobs ---- */

void vs_tasks_recheck_held(vs_worker *s)
{
    for (task *t = s->tasks, *next; t; t = next) {
        next = t->next;
        if (t->state != VS_TASK_HELD)
            continue;
        int self = !strcmp(t->holder, s->id);
        char who[128];
        enum vs_seen seen = vs_task_seen(s, t, who, sizeof who);
        switch (vs_rule_held(seen, self, self && vs_task_find(s, t->job->job_id, t))) {
        case VS_RULE_COMMIT:
            vs_log(JOB_LOG(s), "%s (%s): finished by %s", t->job->job_id, t->name, who);
            vs_task_forget(s, t, 1);
            break;
        case VS_RULE_TAKE:
            vs_log(JOB_LOG(s), "%s (%s): no longer running on %s; taking it", t->job->job_id,
                   t->name, t->holder);
            t->state = VS_TASK_PENDING;
            break;
        default:
            break;
        }
    }
}

/* ---- running ---- */

/* A final failure: reported once here (the producer shows it to the user),
 * offsets stored, task freed. */
static void fail_task(vs_worker *s, task *t, const char *why, int attempts,
                      enum vs_worker_reason r)
{
    vs_task_publish(s, VS_ST_FAILED, t, why, attempts);
    vs_log(s->o.quiet_jobs ? VS_LOG_DEBUG : VS_LOG_ERROR, "%s (%s): failed: %s",
           t->job->job_id, t->name, why);
    vs_worker_count(s, &s->stats.failed);
    vs_worker_count(s, &s->stats.failed_by[r]);
    vs_task_forget(s, t, 1);
}

/* Starts t in a slot. Returns 0 when it runs, 1 when the task is gone
 * (out of attempts), -1 when it cannot start now. */
static int start_task(vs_worker *s, task *t)
{
    char why[512], last[256];
    int n = vs_board_job_attempts(s->board, t->job->job_id, VS_LIVE_S, last, sizeof last);
    if (n > t->prior)
        t->prior = n;
    else if (t->last_err[0])
        snprintf(last, sizeof last, "%s", t->last_err);
    int nvenc_free = 0;
    why[0] = 0;
    if (s->use_gpu && t->prior < s->o.max_attempts) {
        t->nvenc_session = vs_nvenc_lock_acquire(s->lock_dir, s->o.gpu_sessions, &t->nvenc_fd,
                                                 why, sizeof why);
        nvenc_free = t->nvenc_session >= 0;
    }
    switch (vs_rule_start(t->prior, s->o.max_attempts, s->use_gpu, nvenc_free)) {
    case VS_RULE_FAIL:
        snprintf(why, sizeof why, "gave up after %d failed attempt%s: %s", t->prior,
                 t->prior == 1 ? "" : "s", last[0] ? last : "no reason known");
        fail_task(s, t, why, t->prior, VS_REASON_ATTEMPTS);
        return 1;
    case VS_RULE_WAIT: {
        double now = vs_clock_mono();
        if (!s->gpu_full && now - s->gpu_full_logged > 60.0) {
            vs_log(VS_LOG_INFO, "all %d NVENC sessions of this machine are taken%s%s; "
                   "waiting", s->o.gpu_sessions, why[0] ? ": " : "", why);
            s->gpu_full_logged = now;
        }
        s->gpu_full = 1;
        return -1;
    }
    default:
        break;
    }
    s->gpu_full = 0;
    /* The fault point fires on a job's very first attempt only, so a test
     * sees the busy GPU and then the recovery. */
    const char *fault = t->runs == 0 && t->prior == 0 ? s->pipe_fault : NULL;
    t->run = vs_runner_start(t->job, s->enc, t->nvenc_session, fault, s->slow_s, &s->io, why,
                             sizeof why);
    if (!t->run) {
        vs_log(VS_LOG_ERROR, "%s: %s", t->job->job_id, why);
        vs_nvenc_lock_release(&t->nvenc_fd);
        t->not_before = vs_clock_mono() + VS_RETRY_DELAY_S;
        return -1;
    }
    t->state = VS_TASK_RUNNING;
    t->runs++;
    t->elsewhere = 0;
    t->started = vs_clock_mono();
    t->next_progress = t->started + 1.0;
    s->running++;
    s->hb_dirty = 1;
    vs_worker_count(s, &s->stats.started);
    vs_task_publish(s, VS_ST_STARTED, t, NULL, t->prior);
    char att[48] = "";
    if (t->prior > 0)
        snprintf(att, sizeof att, "attempt %d of %d", t->prior + 1, s->o.max_attempts);
    if (t->nvenc_session >= 0)
        vs_log(JOB_LOG(s), "%s (%s): started (NVENC session slot %d%s%s)", t->job->job_id,
               t->name, t->nvenc_session, att[0] ? ", " : "", att);
    else
        vs_log(JOB_LOG(s), "%s (%s): started%s%s%s", t->job->job_id, t->name,
               att[0] ? " (" : "", att, att[0] ? ")" : "");
    return 0;
}

void vs_tasks_schedule(vs_worker *s)
{
    if (s->stopping)
        return;
    double now = vs_clock_mono();
    for (task *t = s->tasks, *next; t && s->running < vs_worker_slot_limit(s); t = next) {
        next = t->next;
        if (t->state != VS_TASK_PENDING || t->not_before > now)
            continue;
        int rc = start_task(s, t);
        if (rc < 0)
            break;
        if (rc > 0)
            next = s->tasks; /* the list changed: look again from the start */
    }
}

void vs_tasks_progress(vs_worker *s)
{
    double now = vs_clock_mono();
    for (task *t = s->tasks; t; t = t->next) {
        if (t->state != VS_TASK_RUNNING || now < t->next_progress)
            continue;
        vs_progress p;
        vs_runner_progress(t->run, &p);
        vs_status st;
        vs_worker_fill_status(s, &st, VS_ST_PROGRESS, t);
        if (p.frames_total > 0)
            st.fraction = (double)p.frames_done / (double)p.frames_total;
        if (st.fraction > 1)
            st.fraction = 1;
        if (st.fraction < 0)
            st.fraction = 0;
        st.fps = p.fps;
        vs_sender_status(s->pub, &st);
        t->next_progress = now + 1.0;
    }
    if (now >= s->next_gauges) {
        vs_worker_update_gauges(s);
        s->next_gauges = now + 1.0;
    }
}

static enum vs_outcome outcome_of(int rc)
{
    switch (rc) {
    case VS_PIPE_OK:            return VS_OUT_DONE;
    case VS_PIPE_ALREADY_DONE:  return VS_OUT_ALREADY_DONE;
    case VS_PIPE_SKIPPED:       return VS_OUT_SKIPPED;
    case VS_PIPE_ERR_CANCELLED: return VS_OUT_CANCELLED;
    case VS_PIPE_ERR_INPUT:     return VS_OUT_BAD_INPUT;
    case VS_PIPE_ERR_OUTPUT:    return VS_OUT_BAD_OUTPUT;
    case VS_PIPE_ERR_GPU_BUSY:  return VS_OUT_GPU_BUSY;
    case VS_PIPE_ERR_IO:        return VS_OUT_IO;
    default:                    return VS_OUT_INTERNAL;
    }
}

static void report_done(vs_worker *s, task *t, int rc, const vs_pipeline_result *res,
                        const char *url)
{
    vs_status st;
    vs_worker_fill_status(s, &st, VS_ST_DONE, t);
    st.out_duration = res->out_duration;
    st.frames = res->frames;
    st.bytes = res->bytes;
    snprintf(st.encoder, sizeof st.encoder, "%s", res->encoder);
    st.seconds = res->seconds;
    snprintf(st.url, sizeof st.url, "%s", url ? url : "");
    vs_sender_status(s->pub, &st);
    if (rc == VS_PIPE_ALREADY_DONE)
        vs_log(JOB_LOG(s), "%s (%s): already done: the output carries this job's id "
               "(a redelivery); not encoded again", t->job->job_id, t->name);
    else
        vs_log(JOB_LOG(s), "%s (%s): done, %.3f s of video, %lld frames, %s, in %.1f s",
               t->job->job_id, t->name, res->out_duration, (long long)res->frames,
               res->encoder, res->seconds);
    if (url && *url)
        vs_log(JOB_LOG(s), "%s (%s): uploaded to %s", t->job->job_id, t->name, url);
}

/* The metric label of a failed attempt's outcome. */
static enum vs_worker_reason reason_of(enum vs_outcome o)
{
    switch (o) {
    case VS_OUT_BAD_INPUT:  return VS_REASON_BAD_INPUT;
    case VS_OUT_BAD_OUTPUT: return VS_REASON_BAD_OUTPUT;
    case VS_OUT_IO:         return VS_REASON_IO;
    case VS_OUT_GPU_BUSY:   return VS_REASON_GPU_BUSY;
    case VS_OUT_CANCELLED:  return VS_REASON_STOPPING;
    default:                return VS_REASON_INTERNAL;
    }
}

/* The attempt of t ended with pipeline code rc: the rules say what next. */
static void finish(vs_worker *s, task *t, int rc, const vs_pipeline_result *res,
                   const char *url, const char *err)
{
    char reason[600], why[700];
    /* A bare class name ("bad input") says too little: name the file. */
    if (err && *err && strcmp(err, vs_pipeline_rc_str(rc)))
        snprintf(reason, sizeof reason, "%s", err);
    else
        snprintf(reason, sizeof reason, "%s: %s", t->name, vs_pipeline_rc_str(rc));
    enum vs_outcome o = outcome_of(rc);
    double now = vs_clock_mono();
    vs_after a = vs_rule_outcome(o, t->prior, s->o.max_attempts, s->stopping,
                                 s->o.gpu_backoff_s);
    if (o >= VS_OUT_IO) {
        t->prior = a.attempts;
        snprintf(t->last_err, sizeof t->last_err, "%.*s", (int)sizeof t->last_err - 1, reason);
    }
    if (a.backoff) {
        /* Not this job's nor this worker's fault: it waits (here or on an
         * idle worker) and this worker takes fewer jobs for a while. */
        s->backoff_limit = vs_rule_backoff_limit(s->running, vs_worker_slot_limit(s),
                                                 s->backoff_until > now, s->backoff_limit);
        s->backoff_until = now + s->o.gpu_backoff_s;
        s->hb_dirty = 1;
        vs_worker_count(s, &s->stats.busy_gpu);
    }
    switch (a.rule) {
    case VS_RULE_DONE:
        report_done(s, t, rc, res, url);
        vs_worker_count(s, &s->stats.done);
        vs_worker_count_seconds(s, res->seconds);
        vs_task_forget(s, t, 1);
        break;
    case VS_RULE_SKIPPED:
        vs_task_publish(s, VS_ST_SKIPPED, t, err && *err ? err : NULL, 0);
        vs_log(JOB_LOG(s), "%s (%s): output exists, skipped%s%s", t->job->job_id, t->name,
               err && *err ? ": " : "", err && *err ? err : "");
        vs_worker_count(s, &s->stats.skipped);
        vs_task_forget(s, t, 1);
        break;
    case VS_RULE_HAND_BACK:
        if (o == VS_OUT_CANCELLED) {
            vs_task_publish(s, VS_ST_RETRY, t, "handed back: the worker is stopping", t->prior);
            vs_log(JOB_LOG(s), "%s (%s): handed back uncommitted", t->job->job_id, t->name);
            vs_worker_count(s, &s->stats.handed_back);
            vs_worker_count(s, &s->stats.retried_by[VS_REASON_STOPPING]);
        } else {
            snprintf(why, sizeof why, "%s; handed back: the worker is stopping", reason);
            vs_task_publish(s, VS_ST_RETRY, t, why, a.attempts);
            vs_log(VS_LOG_WARN, "%s (%s): %s", t->job->job_id, t->name, why);
        }
        vs_task_forget(s, t, 0);
        break;
    case VS_RULE_FAIL:
        if (o == VS_OUT_BAD_INPUT || o == VS_OUT_BAD_OUTPUT)
            snprintf(why, sizeof why, "%s", reason);
        else
            snprintf(why, sizeof why, "%s (attempt %d of %d; giving up)", reason, a.attempts,
                     s->o.max_attempts);
        fail_task(s, t, why, a.attempts, reason_of(o));
        break;
    default: /* VS_RULE_RETRY */
        if (o == VS_OUT_GPU_BUSY) {
            snprintf(why, sizeof why, "GPU busy (NVENC session limit); retrying in %.0f s "
                     "(attempt %d of %d failed)", a.delay_s, a.attempts, s->o.max_attempts);
            vs_log(VS_LOG_WARN, "%s (%s): %s; %d slot(s) for the next %.0f s", t->job->job_id,
                   t->name, why, s->backoff_limit, s->o.gpu_backoff_s);
        } else {
            snprintf(why, sizeof why, "%s; attempt %d of %d failed, retrying", reason,
                     a.attempts, s->o.max_attempts);
            vs_log(VS_LOG_WARN, "%s (%s): %s", t->job->job_id, t->name, why);
        }
        t->elsewhere = a.elsewhere;
        vs_task_publish(s, VS_ST_RETRY, t, why, a.attempts);
        vs_worker_count(s, &s->stats.retried);
        vs_worker_count(s, &s->stats.retried_by[reason_of(o)]);
        t->state = VS_TASK_PENDING;
        t->not_before = now + a.delay_s;
        break;
    }
    if (a.streak)
        vs_worker_note_outcome(s, a.streak > 0, reason);
}

void vs_tasks_reap(vs_worker *s)
{
    for (task *t = s->tasks, *next; t; t = next) {
        next = t->next;
        if (t->state != VS_TASK_RUNNING || !vs_runner_finished(t->run))
            continue;
        vs_pipeline_result res = {0};
        char err[512], url[1024];
        int rc = vs_runner_join(&t->run, &res, url, sizeof url, err, sizeof err);
        vs_nvenc_lock_release(&t->nvenc_fd);
        t->nvenc_session = -1;
        s->running--;
        s->hb_dirty = 1;
        finish(s, t, rc, &res, url, err);
    }
}

void vs_tasks_cancel_running(vs_worker *s)
{
    for (task *t = s->tasks; t; t = t->next)
        if (t->state == VS_TASK_RUNNING)
            vs_runner_cancel(t->run);
}

/* ---- leaving ---- */

void vs_tasks_drop_partition(vs_worker *s, int32_t partition)
{
    for (task *t = s->tasks, *next; t; t = next) {
        next = t->next;
        if (t->src[0].partition == partition && vs_rule_on_leave(t->state) == VS_RULE_DROP)
            vs_task_forget(s, t, 0);
    }
}

void vs_tasks_drop_waiting(vs_worker *s)
{
    for (task *t = s->tasks, *next; t; t = next) {
        next = t->next;
        if (vs_rule_on_leave(t->state) == VS_RULE_DROP)
            vs_task_forget(s, t, 0);
    }
}
