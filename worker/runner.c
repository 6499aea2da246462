/* runner.c - a job on its own thread; see runner.h. The download of an
 * http input and the upload of the output run on this thread too, so
 * the service loop (heartbeats, progress) never waits on the network. */
#include "runner.h"
#include "errstr.h"
#include "folder.h"
#include "log.h"
#include "output.h"
#include "http/transfer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct vs_runner {
    pthread_t th;
    const vs_job *job;
    vs_pipeline_opts opts;
    vs_runner_io io;
    char url[1024];          /* where the output was uploaded (public form) */
    volatile int cancel;
    atomic_int finished;
    pthread_mutex_t mu;      /* guards progress */
    vs_progress progress;
    vs_pipeline_result res;
    int rc;
    char err[512];
};

static void on_progress(const vs_progress *p, void *opaque)
{
    vs_runner *s = opaque;
    pthread_mutex_lock(&s->mu);
    s->progress = *p;
    pthread_mutex_unlock(&s->mu);
}

static int rc_of(enum vs_http_end e, int permanent_rc)
{
    switch (e) {
    case VS_HTTP_END_OK:        return VS_PIPE_OK;
    case VS_HTTP_END_CANCELLED: return VS_PIPE_ERR_CANCELLED;
    case VS_HTTP_END_PERMANENT: return permanent_rc;
    default:                    return VS_PIPE_ERR_IO;
    }
}

/* Downloads the job's input into the scratch folder; *path receives the
 * scratch file's name (set before the download starts, so the caller
 * removes it whatever happens). A refused download (404, 403, too big)
 * is the job's bad input; the rest is transient. */
static int download(vs_runner *s, char **path)
{
    char name[128], file[4096];
    struct stat sb;
    if (s->io.scratch_lazy && mkdir(s->io.scratch, 0700) < 0 && errno != EEXIST) {
        vs_set_err(s->err, sizeof s->err, "cannot make the scratch folder %s: %s",
                   s->io.scratch, strerror(errno));
        return VS_PIPE_ERR_IO;
    }
    /* Not a symlink: that could lead a download out of the roots. */
    if (lstat(s->io.scratch, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        vs_set_err(s->err, sizeof s->err, "the scratch folder %s is not a folder",
                   s->io.scratch);
        return VS_PIPE_ERR_IO;
    }
    vs_job_url_name(s->job->input, name, sizeof name);
    /* The job id's hash keeps two jobs of the same name apart. */
    snprintf(file, sizeof file, "%s/.vs-dl-%016llx-%.60s", s->io.scratch,
             (unsigned long long)vs_output_hash(s->job->job_id), name);
    if (!(*path = strdup(file))) {
        vs_set_err(s->err, sizeof s->err, "out of memory");
        return VS_PIPE_ERR_INTERNAL;
    }
    long long bytes = 0;
    enum vs_http_end e = vs_http_fetch(s->io.http, s->job->input, *path, &s->cancel, &bytes,
                                       s->err, sizeof s->err);
    if (e == VS_HTTP_END_OK)
        vs_log(VS_LOG_DEBUG, "%s: downloaded %s (%lld bytes)", s->job->job_id, name, bytes);
    return rc_of(e, VS_PIPE_ERR_INPUT);
}

/* PUTs the finished output; a refused upload (403, 404, ...) is the
 * job's bad output, the rest transient (the next attempt finds the
 * output already done and uploads again). */
static int upload(vs_runner *s)
{
    char *url = vs_http_upload_url(s->io.upload, vs_base_name(s->job->output));
    if (!url) {
        vs_set_err(s->err, sizeof s->err, "out of memory");
        return VS_PIPE_ERR_INTERNAL;
    }
    enum vs_http_end e = vs_http_put(s->io.http, url, s->job->output, &s->cancel, s->err,
                                     sizeof s->err);
    if (e == VS_HTTP_END_OK) {
        vs_http_public_url(url, s->url, sizeof s->url);
        if (s->io.upload_remove && unlink(s->job->output) < 0)
            vs_log(VS_LOG_WARN, "%s: uploaded, but the local copy stays: %s", s->job->job_id,
                   strerror(errno));
    }
    free(url);
    return rc_of(e, VS_PIPE_ERR_OUTPUT);
}

static void *run(void *arg)
{
    vs_runner *s = arg;
    vs_job local = *s->job; /* a shallow copy: only .input may change */
    char *scratch = NULL;
    if (vs_job_input_is_url(s->job->input)) {
        s->rc = download(s, &scratch);
        if (s->rc != VS_PIPE_OK)
            goto out;
        local.input = scratch;
    }
    s->rc = vs_pipeline_run(&local, &s->opts, &s->res, s->err, sizeof s->err);
    /* A chunk writes a piece of the video, not the output: the join of
     * its video uploads the whole. */
    if ((s->rc == VS_PIPE_OK || s->rc == VS_PIPE_ALREADY_DONE) && s->io.upload &&
        s->job->part.kind != VS_JOB_CHUNK) {
        int rc = upload(s);
        if (rc != VS_PIPE_OK)
            s->rc = rc;
    }
out:
    if (scratch) {
        if (unlink(scratch) < 0 && errno != ENOENT)
            vs_log(VS_LOG_WARN, "%s: cannot remove the download %s: %s", s->job->job_id,
                   scratch, strerror(errno));
        free(scratch);
    }
    atomic_store(&s->finished, 1);
    return NULL;
}

vs_runner *vs_runner_start(const vs_job *job, enum vs_encoder_pref enc, int nvenc_session,
                       const char *fault, double delay_s, const vs_runner_io *io,
                       char *errstr, size_t errsz)
{
    vs_runner *s = calloc(1, sizeof(*s));
    if (!s) {
        vs_set_err(errstr, errsz, "out of memory");
        return NULL;
    }
    s->job = job;
    if (io)
        s->io = *io;
    s->opts = (vs_pipeline_opts){
        .encoder = enc,
        .nvenc_session = nvenc_session,
        .progress = on_progress,
        .progress_opaque = s,
        .cancel = &s->cancel,
        .fault = fault,
        .delay_s = delay_s,
        .threads = s->io.threads,
    };
    pthread_mutex_init(&s->mu, NULL);
    int e = pthread_create(&s->th, NULL, run, s);
    if (e) {
        vs_set_err(errstr, errsz, "cannot start a job thread: %s", strerror(e));
        pthread_mutex_destroy(&s->mu);
        free(s);
        return NULL;
    }
    return s;
}

void vs_runner_progress(vs_runner *s, vs_progress *p)
{
    pthread_mutex_lock(&s->mu);
    *p = s->progress;
    pthread_mutex_unlock(&s->mu);
}

void vs_runner_cancel(vs_runner *s)
{
    s->cancel = 1;
}

int vs_runner_finished(vs_runner *s)
{
    return atomic_load(&s->finished);
}

int vs_runner_join(vs_runner **sp, vs_pipeline_result *res, char *url, size_t urlsz,
                   char *errstr, size_t errsz)
{
    vs_runner *s = *sp;
    pthread_join(s->th, NULL);
    int rc = s->rc;
    if (res)
        *res = s->res;
    if (url && urlsz)
        snprintf(url, urlsz, "%s", s->url);
    if (errstr && errsz)
        vs_set_err(errstr, errsz, "%s", s->err);
    pthread_mutex_destroy(&s->mu);
    free(s);
    *sp = NULL;
    return rc;
}
