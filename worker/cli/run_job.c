/* run_job.c - run one job message from a file, outside any broker.
 *
 * Used by hand and by the media tests: it is the engine with nothing else
 * around it. Progress goes to stderr as a bar when stderr is a TTY. */
#include "run_job.h"
#include "folder.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "job.h"
#include "log.h"

static void show_progress(const vs_progress *p, void *opaque)
{
    const char *name = opaque;
    double frac = p->frames_total > 0 ? (double)p->frames_done / (double)p->frames_total : 0;
    if (frac > 1)
        frac = 1;
    int width = 30, fill = (int)(frac * width + 0.5);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    fprintf(stderr, "\r%s [%s] %5.1f%% %6.1f fps", name, bar, frac * 100.0, p->fps);
    fflush(stderr);
}

int vs_run_job(const char *job_file, enum vs_encoder_pref enc, const char *fault, int threads)
{
    char err[512];
    vs_job *job = NULL;
    if (vs_job_load(job_file, &job, err, sizeof(err)) < 0) {
        vs_log(VS_LOG_ERROR, "%s", err);
        return 2;
    }
    if (vs_job_input_is_url(job->input)) {
        /* Downloading (scratch, retries, credentials) is the service's. */
        vs_log(VS_LOG_ERROR, "%s: --job takes a local input; http(s) inputs are downloaded "
               "by a worker serving Kafka", job_file);
        vs_job_free(&job);
        return 2;
    }
    const char *name = vs_base_name(job->input);
    int tty = isatty(STDERR_FILENO);
    vs_pipeline_opts opts = {
        .encoder = enc,
        .nvenc_session = -1,
        .progress = tty ? show_progress : NULL,
        .progress_opaque = (void *)name,
        .fault = fault,
        .threads = threads,
    };
    vs_pipeline_result res = {0};
    int rc = vs_pipeline_run(job, &opts, &res, err, sizeof(err));
    if (tty && rc == VS_PIPE_OK)
        fputc('\n', stderr);
    int code = 0;
    if (rc == VS_PIPE_OK) {
        vs_log(VS_LOG_INFO, "%s: %.3f s, %lld frames, %lld bytes, %s, %.1f s",
               job->output, res.out_duration, (long long)res.frames,
               (long long)res.bytes, res.encoder, res.seconds);
    } else if (rc == VS_PIPE_ALREADY_DONE) {
        vs_log(VS_LOG_INFO, "%s was already written by this job; nothing to do", job->output);
    } else if (rc == VS_PIPE_SKIPPED) {
        if (err[0])
            vs_log(VS_LOG_INFO, "skipped: %s", err);
        else
            vs_log(VS_LOG_INFO, "%s exists, skipped (use overwrite)", job->output);
    } else {
        vs_log(VS_LOG_ERROR, "%s", err);
        code = 1;
    }
    vs_job_free(&job);
    return code;
}
