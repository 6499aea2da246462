/* state.c - the helpers every part of the worker shares: counters, status
 * messages, offsets, the slot limit and the failure streak. */
#include "state.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "runner.h"

void vs_worker_count(vs_worker *s, long *field)
{
    pthread_mutex_lock(&s->mu);
    (*field)++;
    pthread_mutex_unlock(&s->mu);
}

const double vs_worker_job_seconds_le[VS_JOB_SECONDS_BUCKETS] = {
    1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600,
};

const char *vs_worker_reason_str(enum vs_worker_reason r)
{
    static const char *const names[VS_REASON_N] = {
        "bad_input", "bad_output", "io", "internal", "gpu_busy", "rejected", "attempts",
        "stopping",
    };
    return (unsigned)r < VS_REASON_N ? names[r] : "internal";
}

void vs_worker_count_seconds(vs_worker *s, double secs)
{
    size_t i = 0;
    while (i < VS_JOB_SECONDS_BUCKETS && secs > vs_worker_job_seconds_le[i])
        i++;
    pthread_mutex_lock(&s->mu);
    s->stats.job_seconds_bucket[i]++;
    s->stats.job_seconds_count++;
    s->stats.job_seconds_sum += secs;
    pthread_mutex_unlock(&s->mu);
}

void vs_worker_update_gauges(vs_worker *s)
{
    int nvenc = 0;
    double fps = 0;
    for (task *t = s->tasks; t; t = t->next) {
        if (t->state != VS_TASK_RUNNING)
            continue;
        if (t->nvenc_session >= 0)
            nvenc++;
        vs_progress p;
        vs_runner_progress(t->run, &p);
        if (p.fps > 0)
            fps += p.fps;
    }
    int slots = s->stopping ? 0 : vs_worker_slot_limit(s);
    pthread_mutex_lock(&s->mu);
    s->stats.slots = slots;
    s->stats.busy = s->running;
    s->stats.nvenc_busy = nvenc;
    s->stats.fps = fps;
    pthread_mutex_unlock(&s->mu);
}

void vs_worker_note_heartbeat(vs_worker *s)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    pthread_mutex_lock(&s->mu);
    s->stats.last_heartbeat = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    pthread_mutex_unlock(&s->mu);
}

int vs_worker_slot_limit(vs_worker *s)
{
    double now = vs_clock_mono();
    return vs_rule_slot_limit(s->slots, s->pause_until > now, s->backoff_until > now,
                              s->backoff_limit);
}

void vs_worker_note_outcome(vs_worker *s, int failed, const char *why)
{
    if (!failed) {
        s->streak = 0;
        return;
    }
    s->streak++;
    double now = vs_clock_mono();
    if (!vs_rule_streak_pauses(s->streak, s->o.fail_streak, s->pause_until > now))
        return;
    s->pause_until = now + s->o.fail_pause_s;
    s->hb_dirty = 1;
    vs_worker_count(s, &s->stats.pauses);
    vs_log(VS_LOG_WARN, "%d attempts in a row failed here (last: %s): taking no jobs for %.0f s",
           s->streak, why ? why : "?", s->o.fail_pause_s);
}

void vs_worker_fill_status(vs_worker *s, vs_status *st, enum vs_status_kind kind,
                           const task *t)
{
    memset(st, 0, sizeof(*st));
    st->kind = kind;
    snprintf(st->worker, sizeof st->worker, "%s", s->id);
    snprintf(st->host, sizeof st->host, "%s", s->host);
    st->ts = vs_clock_wall();
    if (t) {
        snprintf(st->job_id, sizeof st->job_id, "%s", t->job->job_id);
        snprintf(st->run_id, sizeof st->run_id, "%s", t->job->run_id ? t->job->run_id : "");
        snprintf(st->file, sizeof st->file, "%s", t->name);
    }
}

void vs_worker_store(vs_worker *s, int32_t partition)
{
    int64_t off = vs_ledger_storable(s->ledger, partition);
    if (off < 0)
        return;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, s->kc.jobs_topic, partition)->offset = off;
    rd_kafka_resp_err_t e = rd_kafka_offsets_store(s->consumer, l);
    if (!e)
        e = l->elems[0].err;
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        vs_log(VS_LOG_DEBUG, "offset %lld of partition %d not stored: %s", (long long)off,
               (int)partition, rd_kafka_err2str(e));
        return;
    }
    /* Commit at once: a worker that is killed should not make a finished
     * job run again. A failed commit is retried (commit_cb). */
    rd_kafka_commit(s->consumer, NULL, 1);
}
