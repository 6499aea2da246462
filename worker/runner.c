/* runner.c - a job on its own thread; see runner.h. */
#include "runner.h"
#include "errstr.h"

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

static void *run(void *arg)
{
    vs_runner *s = arg;
    s->rc = vs_pipeline_run(s->job, &s->opts, &s->res, s->err, sizeof s->err);
    atomic_store(&s->finished, 1);
    return NULL;
}

vs_runner *vs_runner_start(const vs_job *job, enum vs_encoder_pref enc, int nvenc_session,
                       const char *fault, double delay_s, char *errstr, size_t errsz)
{
    vs_runner *s = calloc(1, sizeof(*s));
    if (!s) {
        vs_set_err(errstr, errsz, "out of memory");
        return NULL;
    }
    s->job = job;
    s->opts = (vs_pipeline_opts){
        .encoder = enc,
        .nvenc_session = nvenc_session,
        .progress = on_progress,
        .progress_opaque = s,
        .cancel = &s->cancel,
        .fault = fault,
        .delay_s = delay_s,
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

int vs_runner_join(vs_runner **sp, vs_pipeline_result *res, char *errstr, size_t errsz)
{
    vs_runner *s = *sp;
    pthread_join(s->th, NULL);
    int rc = s->rc;
    if (res)
        *res = s->res;
    if (errstr && errsz)
        vs_set_err(errstr, errsz, "%s", s->err);
    pthread_mutex_destroy(&s->mu);
    free(s);
    *sp = NULL;
    return rc;
}
