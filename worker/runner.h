/* runner.h - one job running on its own thread (internal to the worker).
 *
 * The service thread starts a runner, reads its progress and polls whether
 * it finished; the runner thread only runs vs_pipeline_run. Cancelling sets
 * the pipeline's cancel flag: it stops, removes its temporary file and
 * returns VS_PIPE_ERR_CANCELLED. */
#ifndef VS_WORKER_RUNNER_H
#define VS_WORKER_RUNNER_H
#include <stddef.h>
#include "job.h"
#include "media/pipeline.h"
#include "http/client.h"

typedef struct vs_runner vs_runner;

/* What a job does over HTTP around the pipeline: an http(s) input is
 * downloaded into scratch first (and removed after, whatever happened);
 * a finished output is PUT to the upload template's URL. */
typedef struct vs_runner_io {
    const char *scratch;       /* folder inside the roots */
    int scratch_lazy;          /* made at the first download (the default one) */
    const char *upload;        /* URL template or NULL */
    int upload_remove;
    const vs_http_conf *http;
    int threads;               /* codec threads of each job (vs_pipeline_opts) */
} vs_runner_io;

/* Starts vs_pipeline_run(job) on a new thread. The job stays owned by the
 * caller and must outlive the runner. fault (pipeline fault point) may be
 * NULL. delay_s > 0 is a test fault point: the pipeline waits that long
 * (cancellable) once it holds the output, as a long encode would. Returns NULL with
 * errstr when the thread cannot start. */
vs_runner *vs_runner_start(const vs_job *job, enum vs_encoder_pref enc, int nvenc_session,
                       const char *fault, double delay_s, const vs_runner_io *io,
                       char *errstr, size_t errsz);
/* Latest progress (zeros before the first report). */
void vs_runner_progress(vs_runner *s, vs_progress *p);
/* Asks the pipeline to stop. */
void vs_runner_cancel(vs_runner *s);
/* 1 when the pipeline has returned. */
int vs_runner_finished(vs_runner *s);
/* Joins the thread (blocks until it ends), fills the result and frees
 * the runner; returns the pipeline's code (a failed download or upload
 * maps to one: transient -> VS_PIPE_ERR_IO, the job's -> bad input /
 * bad output). url (may be NULL) receives where the output was uploaded
 * (public form), "" when not. Clears the pointer. */
int vs_runner_join(vs_runner **s, vs_pipeline_result *res, char *url, size_t urlsz,
                   char *errstr, size_t errsz);

#endif
