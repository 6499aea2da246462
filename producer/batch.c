/* batch.c - the session folder becomes the run's table of videos.
 *
 * Order follows the original tool: sidecar found and loaded once (a bad
 * one stops everything before any job exists), videos listed, output
 * folder checked and created, then per video: skip an existing output,
 * probe the container duration, cut the window, plan the segments, build
 * the job message. One video's failure is recorded and the rest go on. */
#include "batch.h"
#include "errstr.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "chunk.h"
#include "clock.h"
#include "folder.h"
#include "log.h"
#include "output.h"
#include "plan.h"
#include "media/probe.h"
#include "sidecar.h"
#include "sign.h"

/* --input-url: BASE/NAME with NAME percent-encoded, or NULL when too long. */
static const char *input_url(const char *base, const char *name, char *buf, size_t sz)
{
    char *enc = curl_easy_escape(NULL, name, 0);
    size_t bl = strlen(base);
    int slash = bl > 0 && base[bl - 1] == '/';
    int n = enc ? snprintf(buf, sz, "%s%s%s", base, slash ? "" : "/", enc) : -1;
    curl_free(enc);
    return n < 0 || (size_t)n >= sz ? NULL : buf;
}

static void vs_batch_free_tasks(vs_file *f);
static void fail_file(vs_file *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fail_file(vs_file *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->error, sizeof f->error, fmt, ap);
    va_end(ap);
    f->state = VS_FILE_FAILED;
    /* The one line of this failure on the terminal (the summary's table
     * gives the reason again). Library reasons often name the file already. */
    size_t n = strlen(f->name);
    if (strncmp(f->error, f->name, n) == 0 && f->error[n] == ':')
        vs_log(VS_LOG_ERROR, "failed: %s", f->error);
    else
        vs_log(VS_LOG_ERROR, "failed: %s: %s", f->name, f->error);
}

/* "20250101T120000Z-1a2b3c4d": sortable, unique per run. */
static void make_run_id(char *buf, size_t sz)
{
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r = (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 16);
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(buf, sz, "%s-%08x", stamp, (unsigned)r);
}


static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* A job the workers would refuse is refused here, before it is published,
 * by the very reader they use (size, segments, paths, names). The output
 * name must also fit a folder. Returns 0, or -1 after failing the file. */
static int check_job(vs_file *f, const vs_job *job)
{
    char why[512];
    size_t blen = strlen(vs_base_name(job->output));
    if (blen > VS_OUTPUT_NAME_MAX) {
        fail_file(f, "output name too long for a folder (%zu bytes, at most %d)", blen,
                  VS_OUTPUT_NAME_MAX);
        return -1;
    }
    char *json = vs_job_to_json(job);
    if (!json) {
        fail_file(f, "out of memory");
        return -1;
    }
    vs_job *back = NULL;
    int rc = vs_job_parse(json, strlen(json), &back, why, sizeof why);
    free(json);
    vs_job_free(&back);
    if (rc < 0) {
        fail_file(f, "not published: a worker would refuse the job: %s", why);
        return -1;
    }
    return 0;
}

/* Signs job (with a job key, workers take only jobs signed with it,
 * sign.h) and checks it as a worker would. Returns 0, or -1 after failing
 * the file. */
static int seal_job(vs_file *f, vs_job *job)
{
    char err[512];
    const char *key = getenv("VS_JOB_KEY");
    if (key && *key && vs_sign_job(key, strlen(key), job, err, sizeof err) < 0) {
        fail_file(f, "cannot sign the job: %s", err);
        return -1;
    }
    return check_job(f, job);
}

/* Containers a split video's pieces join into (chunk.h: MP4 pieces). */
static int joinable(const char *output)
{
    static const char *const ext[] = {".mp4", ".m4v", ".mov", ".mkv", ".webm"};
    size_t n = strlen(output);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && !strcasecmp(output + n - e, ext[i]))
            return 1;
    }
    return 0;
}

/* The video's id when it is split: the same on a re-run with the same
 * settings, so the pieces a killed run finished are found and kept
 * (chunk.h); with --overwrite the run's own, so nothing old is kept. */
static void video_id(const vs_job *job, int overwrite, char *buf, size_t sz)
{
    if (overwrite) {
        snprintf(buf, sz, "%s", job->job_id);
        return;
    }
    vs_job tmp = *job;
    tmp.job_id = tmp.run_id = tmp.signature = NULL;
    char *json = vs_job_to_json(&tmp);
    snprintf(buf, sz, "v%016" PRIx64, json ? vs_output_hash(json) : vs_output_hash(job->output));
    free(json);
}

/* The tasks of a video: its job alone, or chunks and a join (--chunk). */
static int make_tasks(const vs_produce_opts *o, vs_file *f)
{
    int n = vs_chunk_count(f->job->out_duration, o->chunk_s);
    /* AVI gives reordered pictures no presentation times: a chunk could
     * not tell where the keyframe it seeks to stands (skip.h says the same). */
    size_t il = strlen(f->input);
    int avi_in = il > 4 && !strcasecmp(f->input + il - 4, ".avi");
    if (n < 2 || !joinable(f->output) || avi_in) {
        if (!(f->tasks = calloc(1, sizeof *f->tasks)))
            return -1;
        f->n_tasks = 1;
        f->tasks[0] = (vs_task){.file = f, .job = f->job, .ready = 1};
        return 0;
    }
    char id[VS_JOB_MAX_ID];
    video_id(f->job, o->overwrite, id, sizeof id);
    vs_job **jobs = calloc((size_t)n + 1, sizeof *jobs);
    if (!(f->video_id = strdup(id)) || !jobs ||
        !(f->tasks = calloc((size_t)n + 1, sizeof *f->tasks))) {
        free(jobs);
        return -1;
    }
    if (vs_chunk_split(f->job, id, n, jobs, &jobs[n]) < 0) {
        free(jobs);
        return -1;
    }
    for (int i = 0; i <= n; i++)
        f->tasks[i] = (vs_task){.file = f, .job = jobs[i], .ready = i < n};
    f->n_tasks = n + 1;
    f->n_chunks = n;
    free(jobs);
    vs_log(VS_LOG_DEBUG, "%s: split into %d chunks of about %.0f s of output", f->name, n,
           f->job->out_duration / n);
    return 0;
}

/* Probes, plans and builds the job of one video that is not skipped. */
static void plan_file(const vs_produce_opts *o, const vs_batch *b, const vs_sidecar *sc,
                      size_t index, vs_file *f)
{
    char err[512] = "", warn[512] = "";
    char in_map[VS_JOB_MAX_PATH], out_map[VS_JOB_MAX_PATH], job_id[VS_JOB_MAX_ID];
    double dur = 0;
    vs_plan *plan = NULL;

    if (vs_probe_duration(f->input, &dur, err, sizeof err) < 0) {
        fail_file(f, "%s", err);
        return;
    }
    double d = vs_plan_window(dur, o->offset, o->process_duration);
    if (!(d > 0)) {
        fail_file(f, "nothing to process: the file lasts %.3f s and --offset is %.3f s",
                  dur, o->offset);
        return;
    }
    if (vs_plan_build(sc->silences, sc->n_silences, sc->analyzed_duration, d,
                      &plan, warn, sizeof warn, err, sizeof err) < 0) {
        fail_file(f, "%s", err);
        return;
    }
    if (warn[0])
        vs_log(VS_LOG_WARN, "%s: %s", f->name, warn);
    /* Workers refuse a job with more segments (job.h): say it here. */
    if (plan->n > VS_JOB_MAX_SEGMENTS) {
        fail_file(f, "the plan has %zu segments, more than a job may carry (%d): "
                  "too many short silences", plan->n, VS_JOB_MAX_SEGMENTS);
        goto out;
    }
    const char *in = o->input_url ? input_url(o->input_url, f->name, in_map, sizeof in_map)
                                  : vs_path_maps_apply(&o->kafka.maps, f->input, in_map,
                                                       sizeof in_map);
    const char *outp = vs_path_maps_apply(&o->kafka.maps, f->output, out_map, sizeof out_map);
    if (!in || !outp) {
        fail_file(f, "path too long after --path-map");
        goto out;
    }
    snprintf(job_id, sizeof job_id, "%s-%04zu", b->run_id, index + 1);
    f->job = vs_job_new(job_id, b->run_id, in, outp, o->offset, plan);
    if (!f->job || (o->codec && !(f->job->codec = strdup(o->codec)))) {
        fail_file(f, "out of memory");
        goto out;
    }
    f->job->indicator = o->indicator;
    f->job->overwrite = o->overwrite;
    if (make_tasks(o, f) < 0) {
        fail_file(f, "out of memory");
        vs_batch_free_tasks(f);
        vs_job_free(&f->job);
        goto out;
    }
    for (int i = 0; i < f->n_tasks; i++)
        if (seal_job(f, f->tasks[i].job) < 0) {
            vs_batch_free_tasks(f);
            vs_job_free(&f->job);
            goto out;
        }
    vs_log(VS_LOG_DEBUG, "%s: %.3f s -> %.3f s in %zu segments", f->name, d,
           plan->out_duration, plan->n);
out:
    vs_plan_free(&plan);
}

int vs_batch_build(const vs_produce_opts *o, vs_batch **out, char *errstr, size_t errsz)
{
    vs_folder *folder = NULL;
    vs_sidecar *sc = NULL;
    vs_batch *b = calloc(1, sizeof *b);
    int rc = -1;

    *out = NULL;
    if (!b) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    make_run_id(b->run_id, sizeof b->run_id);
    if (vs_folder_scan(o->folder, o->extensions, o->vad_json, &folder, errstr, errsz) < 0)
        goto out;
    if (vs_sidecar_load(folder->sidecar, &sc, errstr, errsz) < 0)
        goto out;
    if (vs_folder_prepare_output(folder->dir, o->output, errstr, errsz) < 0)
        goto out;
    b->out_dir = vs_abspath(o->output);
    b->sidecar = strdup(folder->sidecar);
    if (!b->out_dir || !b->sidecar)
        goto oom;
    vs_log(VS_LOG_INFO, "%zu video%s in %s, sidecar %s (%zu silences)", folder->n_videos,
           folder->n_videos == 1 ? "" : "s", folder->dir, vs_base_name(folder->sidecar),
           sc->n_silences);
    if (folder->n_videos > 0) {
        b->files = calloc(folder->n_videos, sizeof *b->files);
        if (!b->files)
            goto oom;
    }
    for (size_t i = 0; i < folder->n_videos; i++) {
        vs_file *f = &b->files[i];
        b->n++;
        f->name = strdup(vs_base_name(folder->videos[i]));
        f->input = strdup(folder->videos[i]);
        f->output = f->name ? join(b->out_dir, f->name) : NULL;
        if (!f->name || !f->input || !f->output)
            goto oom;
        if (!o->overwrite && access(f->output, F_OK) == 0) {
            f->state = VS_FILE_SKIPPED;
            vs_log(VS_LOG_INFO, "%s: skipped, %s exists (--overwrite replaces it)",
                   f->name, f->output);
            continue;
        }
        plan_file(o, b, sc, i, f);
    }
    *out = b;
    b = NULL;
    rc = 0;
    goto out;
oom:
    vs_set_err(errstr, errsz, "out of memory");
out:
    vs_sidecar_free(&sc);
    vs_folder_free(&folder);
    vs_batch_free(&b);
    return rc;
}

static void vs_batch_free_tasks(vs_file *f)
{
    for (int i = 0; i < f->n_tasks; i++)
        if (f->tasks[i].job != f->job)
            vs_job_free(&f->tasks[i].job);
    free(f->tasks);
    f->tasks = NULL;
    f->n_tasks = f->n_chunks = 0;
}

void vs_batch_free(vs_batch **bp)
{
    if (!bp || !*bp)
        return;
    vs_batch *b = *bp;
    for (size_t i = 0; i < b->n; i++) {
        free(b->files[i].name);
        free(b->files[i].input);
        free(b->files[i].output);
        vs_batch_free_tasks(&b->files[i]);
        free(b->files[i].video_id);
        vs_job_free(&b->files[i].job);
    }
    free(b->files);
    free(b->part_bytes);
    free(b->out_dir);
    free(b->sidecar);
    free(b);
    *bp = NULL;
}

void vs_batch_count(const vs_batch *b, vs_batch_counts *c)
{
    memset(c, 0, sizeof *c);
    c->total = b->n;
    for (size_t i = 0; i < b->n; i++) {
        switch (b->files[i].state) {
        case VS_FILE_QUEUED: c->queued++; break;
        case VS_FILE_RUNNING: c->running++; break;
        case VS_FILE_DONE: c->done++; break;
        case VS_FILE_SKIPPED: c->skipped++; break;
        case VS_FILE_FAILED: c->failed++; break;
        }
    }
}

void vs_batch_note_read(vs_batch *b, vs_task *t)
{
    if (t->read || !t->published)
        return;
    t->read = 1;
    if (b->part_bytes && t->partition >= 0 && t->partition < b->n_parts) {
        b->part_bytes[t->partition] -= t->bytes;
        b->room_freed = 1;
    }
}

size_t vs_batch_published(const vs_batch *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++)
        for (int k = 0; k < b->files[i].n_tasks; k++)
            n += b->files[i].tasks[k].published;
    return n;
}

size_t vs_batch_unpublished(const vs_batch *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++) {
        const vs_file *f = &b->files[i];
        if (f->state != VS_FILE_QUEUED && f->state != VS_FILE_RUNNING)
            continue;
        for (int k = 0; k < f->n_tasks; k++)
            n += f->tasks[k].state == VS_FILE_QUEUED && f->tasks[k].ready &&
                 !f->tasks[k].published;
    }
    return n;
}

size_t vs_batch_unfinished(const vs_batch *b)
{
    vs_batch_counts c;
    vs_batch_count(b, &c);
    return c.queued + c.running;
}

void vs_batch_fail_unfinished(vs_batch *b, const char *why)
{
    for (size_t i = 0; i < b->n; i++) {
        vs_file *f = &b->files[i];
        if (f->state == VS_FILE_QUEUED && f->attempts == 0)
            snprintf(f->error, sizeof f->error, "%s; no worker took the job", why);
        else if (f->state == VS_FILE_QUEUED)
            snprintf(f->error, sizeof f->error, "%s; it was waiting for attempt %d", why,
                     f->attempts + 1);
        else if (f->state == VS_FILE_RUNNING)
            snprintf(f->error, sizeof f->error, "%s; it was at %.0f%%", why,
                     100.0 * f->fraction);
        else
            continue;
        f->state = VS_FILE_FAILED;
        f->abandoned = 1;
        vs_log(VS_LOG_ERROR, "failed: %s: %s", f->name, f->error); /* said once, here */
    }
}

vs_task *vs_batch_find(vs_batch *b, const char *job_id)
{
    for (size_t i = 0; i < b->n; i++)
        for (int k = 0; k < b->files[i].n_tasks; k++)
            if (strcmp(b->files[i].tasks[k].job->job_id, job_id) == 0)
                return &b->files[i].tasks[k];
    return NULL;
}

void vs_task_fail(vs_task *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->error, sizeof t->error, fmt, ap);
    va_end(ap);
    t->state = VS_FILE_FAILED;
    vs_file_sum_up(NULL, t->file, vs_clock_mono());
}

/* A split video's row: see batch.h. The bar counts the chunks as 95 %
 * of the work and the join (a copy and the audio) as the rest. */
static void sum_up_split(vs_batch *b, vs_file *f, double now)
{
    vs_task *join = &f->tasks[f->n_chunks];
    const vs_task *last = NULL, *failed = NULL, *skipped = NULL;
    double frac = 0, fps = 0;
    int running = 0;
    f->chunks_done = 0;
    f->attempts = 0;
    f->started = 0;
    for (int i = 0; i < f->n_tasks; i++) {
        const vs_task *t = &f->tasks[i];
        if (i < f->n_chunks) {
            frac += t->state == VS_FILE_DONE ? 1 : t->fraction;
            f->chunks_done += t->state == VS_FILE_DONE;
        }
        if (t->state == VS_FILE_RUNNING)
            fps += t->fps;
        running |= t->state == VS_FILE_RUNNING || t->state == VS_FILE_DONE;
        if (t->attempts > f->attempts)
            f->attempts = t->attempts;
        if (t->started > 0 && (f->started == 0 || t->started < f->started))
            f->started = t->started;
        if (t->last_news > f->last_news)
            f->last_news = t->last_news;
        if (t->last_news > 0 && (!last || t->last_news >= last->last_news))
            last = t;
        if (t->state == VS_FILE_FAILED && !failed)
            failed = t;
        if (t->state == VS_FILE_SKIPPED && !skipped)
            skipped = t;
    }
    f->fraction = 0.95 * frac / f->n_chunks + 0.05 * (join->state == VS_FILE_DONE ? 1 : join->fraction);
    f->fps = fps;
    if (last)
        snprintf(f->worker, sizeof f->worker, "%s", last->worker);
    if (failed) {
        f->state = VS_FILE_FAILED;
        snprintf(f->worker, sizeof f->worker, "%s", failed->worker);
        if (failed == join)
            snprintf(f->error, sizeof f->error, "join: %.480s", failed->error);
        else
            snprintf(f->error, sizeof f->error, "chunk %d of %d: %.440s",
                     (int)(failed - f->tasks) + 1, f->n_chunks, failed->error);
    } else if (skipped) {
        f->state = VS_FILE_SKIPPED;
        snprintf(f->error, sizeof f->error, "%s", skipped->error);
    } else if (join->state == VS_FILE_DONE) {
        f->state = VS_FILE_DONE;
        f->fraction = 1;
        f->error[0] = 0;
        snprintf(f->worker, sizeof f->worker, "%s", join->worker);
        f->seconds = f->started > 0 ? now - f->started : join->seconds;
        f->out_duration = join->out_duration;
        snprintf(f->encoder, sizeof f->encoder, "%s", join->encoder);
    } else {
        f->state = running ? VS_FILE_RUNNING : VS_FILE_QUEUED;
    }
    /* Every chunk done: the join may go out (the main loop publishes it). */
    if (f->chunks_done == f->n_chunks && !join->ready) {
        join->ready = 1;
        if (b)
            b->room_freed = 1;
        vs_log(VS_LOG_DEBUG, "%s: every chunk is done, joining", f->name);
    }
}

void vs_file_sum_up(vs_batch *b, vs_file *f, double now)
{
    if (f->n_chunks > 0) {
        sum_up_split(b, f, now);
        return;
    }
    const vs_task *t = &f->tasks[0];
    f->state = t->state;
    snprintf(f->error, sizeof f->error, "%s", t->error);
    snprintf(f->worker, sizeof f->worker, "%s", t->worker);
    f->attempts = t->attempts;
    f->fraction = t->fraction;
    f->fps = t->fps;
    f->started = t->started;
    f->last_news = t->last_news;
    f->seconds = t->seconds;
    f->out_duration = t->out_duration;
    snprintf(f->encoder, sizeof f->encoder, "%s", t->encoder);
}

const char *vs_file_state_str(enum vs_file_state s)
{
    switch (s) {
    case VS_FILE_QUEUED: return "queued";
    case VS_FILE_RUNNING: return "running";
    case VS_FILE_DONE: return "done";
    case VS_FILE_SKIPPED: return "skipped";
    case VS_FILE_FAILED: return "failed";
    }
    return "?";
}
