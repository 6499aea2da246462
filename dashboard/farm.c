/* farm.c - the farm as the status topic tells it (see farm.h).
 *
 * Workers are known by their heartbeats (slots, busy, encoders, paused,
 * stopping); jobs by started / progress / retry and leave the table with
 * their final status, which is counted, and failures are kept with their
 * reason. Throughput is jobs done per minute of the sender's clock over
 * the last hour. A mutex guards everything: one thread feeds, the HTTP
 * threads read. */
#include "farm.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum job_state { JOB_RUNNING = 0, JOB_WAITING };

typedef struct worker {
    vs_status hb;           /* the last heartbeat */
    double last_error_ts;
    char last_error[512];   /* its last failed attempt, to say why it pauses */
} worker;

typedef struct job {
    enum job_state state;
    char job_id[128], run_id[128], file[256], worker[128];
    double fraction, fps, started, updated;
    int attempts;
    char error[512];        /* WAITING: why the last attempt failed */
} job;

typedef struct failure {
    double ts;
    char job_id[128], file[256], worker[128], error[512];
    int rejected;
} failure;

struct vs_farm {
    pthread_mutex_t mu;
    double stale_s;
    worker workers[VS_FARM_MAX_WORKERS];
    int n_workers;
    job jobs[VS_FARM_MAX_JOBS];
    int n_jobs;
    failure failures[VS_FARM_MAX_FAILURES]; /* ring, next at n_failures % MAX */
    long n_failures;
    long started, done, failed, skipped, retried;
    long minute_of[VS_FARM_MINUTES];        /* which minute (ts / 60) each slot counts */
    long done_in[VS_FARM_MINUTES];
};

vs_farm *vs_farm_new(double stale_s)
{
    vs_farm *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    pthread_mutex_init(&f->mu, NULL);
    f->stale_s = stale_s;
    return f;
}

void vs_farm_free(vs_farm **f)
{
    if (!f || !*f)
        return;
    pthread_mutex_destroy(&(*f)->mu);
    free(*f);
    *f = NULL;
}

static void copy(char *dst, size_t sz, const char *src)
{
    snprintf(dst, sz, "%s", src ? src : "");
}

static worker *find_worker(vs_farm *f, const char *id, int add)
{
    for (int i = 0; i < f->n_workers; i++)
        if (!strcmp(f->workers[i].hb.worker, id))
            return &f->workers[i];
    if (!add)
        return NULL;
    int at = f->n_workers;
    if (at == VS_FARM_MAX_WORKERS) {
        /* Full: the one heard from longest ago makes room. */
        at = 0;
        for (int i = 1; i < f->n_workers; i++)
            if (f->workers[i].hb.ts < f->workers[at].hb.ts)
                at = i;
    } else {
        f->n_workers++;
    }
    memset(&f->workers[at], 0, sizeof f->workers[at]);
    copy(f->workers[at].hb.worker, sizeof f->workers[at].hb.worker, id);
    return &f->workers[at];
}

static job *find_job(vs_farm *f, const char *id, int add)
{
    for (int i = 0; i < f->n_jobs; i++)
        if (!strcmp(f->jobs[i].job_id, id))
            return &f->jobs[i];
    if (!add)
        return NULL;
    int at = f->n_jobs;
    if (at == VS_FARM_MAX_JOBS) {
        at = 0;
        for (int i = 1; i < f->n_jobs; i++)
            if (f->jobs[i].updated < f->jobs[at].updated)
                at = i;
    } else {
        f->n_jobs++;
    }
    memset(&f->jobs[at], 0, sizeof f->jobs[at]);
    copy(f->jobs[at].job_id, sizeof f->jobs[at].job_id, id);
    return &f->jobs[at];
}

static void drop_job(vs_farm *f, const char *id)
{
    job *j = find_job(f, id, 0);
    if (!j)
        return;
    *j = f->jobs[--f->n_jobs];
}

static void count_done(vs_farm *f, double ts)
{
    long m = (long)(ts / 60);
    int slot = (int)(m % VS_FARM_MINUTES);
    if (f->minute_of[slot] != m) {
        f->minute_of[slot] = m;
        f->done_in[slot] = 0;
    }
    f->done_in[slot]++;
}

void vs_farm_feed(vs_farm *f, const vs_status *st)
{
    pthread_mutex_lock(&f->mu);
    if (st->kind == VS_ST_HEARTBEAT) {
        worker *w = find_worker(f, st->worker, 1);
        if (st->ts >= w->hb.ts)
            w->hb = *st;
        pthread_mutex_unlock(&f->mu);
        return;
    }
    job *j;
    switch (st->kind) {
    case VS_ST_STARTED:
    case VS_ST_PROGRESS:
        j = find_job(f, st->job_id, 1);
        if (st->kind == VS_ST_STARTED) {
            f->started++;
            j->started = st->ts;
            j->fraction = 0;
            j->attempts = st->attempts;
        } else {
            j->fraction = st->fraction;
            j->fps = st->fps;
            if (j->started <= 0)
                j->started = st->ts;
        }
        j->state = JOB_RUNNING;
        j->updated = st->ts;
        copy(j->run_id, sizeof j->run_id, st->run_id);
        copy(j->file, sizeof j->file, st->file);
        copy(j->worker, sizeof j->worker, st->worker);
        break;
    case VS_ST_RETRY:
        f->retried++;
        j = find_job(f, st->job_id, 1);
        j->state = JOB_WAITING;
        j->updated = st->ts;
        j->fps = 0;
        j->attempts = st->attempts;
        copy(j->run_id, sizeof j->run_id, st->run_id);
        copy(j->file, sizeof j->file, st->file);
        copy(j->error, sizeof j->error, st->error);
        break;
    case VS_ST_DONE:
        f->done++;
        count_done(f, st->ts);
        drop_job(f, st->job_id);
        break;
    case VS_ST_SKIPPED:
        f->skipped++;
        drop_job(f, st->job_id);
        break;
    case VS_ST_FAILED: {
        f->failed++;
        failure *x = &f->failures[f->n_failures++ % VS_FARM_MAX_FAILURES];
        x->ts = st->ts;
        x->rejected = st->rejected;
        copy(x->job_id, sizeof x->job_id, st->job_id);
        copy(x->file, sizeof x->file, st->file);
        copy(x->worker, sizeof x->worker, st->worker);
        copy(x->error, sizeof x->error, st->error);
        drop_job(f, st->job_id);
        break;
    }
    default:
        break;
    }
    if ((st->kind == VS_ST_RETRY || st->kind == VS_ST_FAILED) && st->worker[0]) {
        worker *w = find_worker(f, st->worker, 0);
        if (w) {
            w->last_error_ts = st->ts;
            copy(w->last_error, sizeof w->last_error, st->error);
        }
    }
    pthread_mutex_unlock(&f->mu);
}

static int alive(const vs_farm *f, const worker *w, double now)
{
    return !w->hb.stopping && now - w->hb.ts <= f->stale_s;
}

/* Why a worker takes no jobs, in words, or NULL when it takes them. */
static void paused_why(const worker *w, char *buf, size_t sz)
{
    buf[0] = '\0';
    if (w->hb.stopping)
        snprintf(buf, sz, "stopping");
    else if (w->hb.paused_s > 0)
        snprintf(buf, sz, "taking fewer or no jobs for %.0f s (failure streak or busy GPU)%s%s",
                 w->hb.paused_s, w->last_error[0] ? "; last failure: " : "", w->last_error);
}

char *vs_farm_json(vs_farm *f, double now)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    pthread_mutex_lock(&f->mu);
    cJSON_AddNumberToObject(root, "now", now);
    cJSON *ws = cJSON_AddArrayToObject(root, "workers");
    for (int i = 0; i < f->n_workers; i++) {
        const worker *w = &f->workers[i];
        if (!w->hb.ts)
            continue; /* known from a failure only, no heartbeat yet */
        char why[700];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(ws, o);
        cJSON_AddStringToObject(o, "id", w->hb.worker);
        cJSON_AddStringToObject(o, "host", w->hb.host);
        cJSON_AddNumberToObject(o, "slots", w->hb.slots);
        cJSON_AddNumberToObject(o, "busy", w->hb.busy);
        cJSON_AddStringToObject(o, "encoders", w->hb.encoders);
        cJSON_AddStringToObject(o, "version", w->hb.version);
        cJSON_AddNumberToObject(o, "heartbeat_age_s", now - w->hb.ts);
        cJSON_AddBoolToObject(o, "alive", alive(f, w, now));
        cJSON_AddBoolToObject(o, "stopping", w->hb.stopping);
        cJSON_AddNumberToObject(o, "paused_s", w->hb.paused_s);
        paused_why(w, why, sizeof why);
        if (why[0])
            cJSON_AddStringToObject(o, "paused_why", why);
        else
            cJSON_AddNullToObject(o, "paused_why");
    }
    cJSON *run = cJSON_AddArrayToObject(root, "running");
    cJSON *wait = cJSON_AddArrayToObject(root, "waiting");
    for (int i = 0; i < f->n_jobs; i++) {
        const job *j = &f->jobs[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(j->state == JOB_RUNNING ? run : wait, o);
        cJSON_AddStringToObject(o, "job_id", j->job_id);
        cJSON_AddStringToObject(o, "run_id", j->run_id);
        cJSON_AddStringToObject(o, "file", j->file);
        cJSON_AddNumberToObject(o, "attempts", j->attempts);
        cJSON_AddNumberToObject(o, "updated_age_s", now - j->updated);
        if (j->state == JOB_RUNNING) {
            cJSON_AddStringToObject(o, "worker", j->worker);
            cJSON_AddNumberToObject(o, "fraction", j->fraction);
            cJSON_AddNumberToObject(o, "fps", j->fps);
            cJSON_AddNumberToObject(o, "elapsed_s", now - j->started);
        } else {
            cJSON_AddStringToObject(o, "error", j->error);
        }
    }
    cJSON_AddNumberToObject(root, "queued", cJSON_GetArraySize(wait));
    cJSON *t = cJSON_AddObjectToObject(root, "totals");
    cJSON_AddNumberToObject(t, "started", (double)f->started);
    cJSON_AddNumberToObject(t, "done", (double)f->done);
    cJSON_AddNumberToObject(t, "failed", (double)f->failed);
    cJSON_AddNumberToObject(t, "skipped", (double)f->skipped);
    cJSON_AddNumberToObject(t, "retried", (double)f->retried);
    cJSON *fl = cJSON_AddArrayToObject(root, "failures");
    long first = f->n_failures > VS_FARM_MAX_FAILURES ? f->n_failures - VS_FARM_MAX_FAILURES : 0;
    for (long i = f->n_failures - 1; i >= first; i--) { /* newest first */
        const failure *x = &f->failures[i % VS_FARM_MAX_FAILURES];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(fl, o);
        cJSON_AddNumberToObject(o, "ts", x->ts);
        cJSON_AddStringToObject(o, "job_id", x->job_id);
        cJSON_AddStringToObject(o, "file", x->file);
        cJSON_AddStringToObject(o, "worker", x->worker);
        cJSON_AddStringToObject(o, "error", x->error);
        cJSON_AddBoolToObject(o, "rejected", x->rejected);
    }
    cJSON *tp = cJSON_AddArrayToObject(root, "throughput");
    long now_m = (long)(now / 60);
    for (long m = now_m - VS_FARM_MINUTES + 1; m <= now_m; m++) { /* oldest first */
        int slot = (int)(m % VS_FARM_MINUTES);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(tp, o);
        cJSON_AddNumberToObject(o, "minute", (double)(m * 60));
        cJSON_AddNumberToObject(o, "done", f->minute_of[slot] == m ? (double)f->done_in[slot] : 0);
    }
    pthread_mutex_unlock(&f->mu);
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

char *vs_farm_metrics(vs_farm *f, double now)
{
    size_t cap = 4096;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    int workers = 0, up = 0, slots = 0, busy = 0, paused = 0, running = 0, waiting = 0;
    double fps = 0;
    pthread_mutex_lock(&f->mu);
    for (int i = 0; i < f->n_workers; i++) {
        const worker *w = &f->workers[i];
        if (!w->hb.ts)
            continue;
        workers++;
        if (!alive(f, w, now))
            continue;
        up++;
        slots += w->hb.slots;
        busy += w->hb.busy;
        paused += w->hb.paused_s > 0;
    }
    for (int i = 0; i < f->n_jobs; i++) {
        if (f->jobs[i].state == JOB_RUNNING) {
            running++;
            fps += f->jobs[i].fps;
        } else {
            waiting++;
        }
    }
    int n = snprintf(buf, cap,
        "# HELP vs_farm_workers Workers heard from (heartbeats) since vs-dash started reading.\n"
        "# TYPE vs_farm_workers gauge\nvs_farm_workers %d\n"
        "# HELP vs_farm_workers_alive Workers with a recent heartbeat, not stopping.\n"
        "# TYPE vs_farm_workers_alive gauge\nvs_farm_workers_alive %d\n"
        "# HELP vs_farm_workers_paused Live workers taking fewer or no jobs for a while.\n"
        "# TYPE vs_farm_workers_paused gauge\nvs_farm_workers_paused %d\n"
        "# HELP vs_farm_slots Job slots of live workers.\n"
        "# TYPE vs_farm_slots gauge\nvs_farm_slots %d\n"
        "# HELP vs_farm_slots_busy Busy slots of live workers (their heartbeats).\n"
        "# TYPE vs_farm_slots_busy gauge\nvs_farm_slots_busy %d\n"
        "# HELP vs_farm_jobs_running Jobs running (started, not finished).\n"
        "# TYPE vs_farm_jobs_running gauge\nvs_farm_jobs_running %d\n"
        "# HELP vs_farm_jobs_waiting Jobs put back after a failed attempt.\n"
        "# TYPE vs_farm_jobs_waiting gauge\nvs_farm_jobs_waiting %d\n"
        "# HELP vs_farm_encode_frames_per_second Frames encoded per second, all running jobs.\n"
        "# TYPE vs_farm_encode_frames_per_second gauge\nvs_farm_encode_frames_per_second %.3f\n"
        "# HELP vs_farm_jobs_started_total Job attempts started.\n"
        "# TYPE vs_farm_jobs_started_total counter\nvs_farm_jobs_started_total %ld\n"
        "# HELP vs_farm_jobs_done_total Jobs done.\n"
        "# TYPE vs_farm_jobs_done_total counter\nvs_farm_jobs_done_total %ld\n"
        "# HELP vs_farm_jobs_failed_total Jobs failed for good.\n"
        "# TYPE vs_farm_jobs_failed_total counter\nvs_farm_jobs_failed_total %ld\n"
        "# HELP vs_farm_jobs_skipped_total Jobs skipped (output existed).\n"
        "# TYPE vs_farm_jobs_skipped_total counter\nvs_farm_jobs_skipped_total %ld\n"
        "# HELP vs_farm_jobs_retried_total Failed attempts that put a job back.\n"
        "# TYPE vs_farm_jobs_retried_total counter\nvs_farm_jobs_retried_total %ld\n",
        workers, up, paused, slots, busy, running, waiting, fps, f->started, f->done, f->failed,
        f->skipped, f->retried);
    pthread_mutex_unlock(&f->mu);
    if (n < 0 || (size_t)n >= cap) {
        free(buf);
        return NULL;
    }
    return buf;
}
