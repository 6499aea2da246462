/* pipeline.h - the single-pass re-timing pipeline.
 *
 * demux -> decode -> re-time -> (indicator) -> encode -> mux, in one pass
 * through FFmpeg's libraries, with one output clock (timeline.h) for audio
 * and video. The output is written under a temporary name in the output
 * folder and renamed to its real name only when complete. Each call has
 * its own context: a worker runs several at once on different threads. */
#ifndef VS_PIPELINE_H
#define VS_PIPELINE_H
#include <stddef.h>
#include <stdint.h>
#include "job.h"
#include "media/encoder_pref.h"

/* Result classes, so a caller can decide on retries. */
enum vs_pipeline_rc {
    VS_PIPE_OK = 0,
    VS_PIPE_ERR_INPUT = -1,     /* permanent: the input cannot be processed */
    VS_PIPE_ERR_IO = -2,        /* transient: output could not be written */
    VS_PIPE_ERR_GPU_BUSY = -3,  /* transient: NVENC session limit reached */
    VS_PIPE_ERR_CANCELLED = -4, /* the cancel flag was raised */
    VS_PIPE_ERR_INTERNAL = -5,
    VS_PIPE_ERR_OUTPUT = -6,    /* permanent: the job's output cannot be written there (a name
                                   too long, no permission, a read-only folder): output.h */
    VS_PIPE_SKIPPED = 1,        /* output exists and overwrite is off (errstr says why when it
                                   appeared during the encode) */
    VS_PIPE_ALREADY_DONE = 2,   /* the output was written by this very job
                                   (a redelivery): res describes it */
};

typedef struct vs_progress {
    int64_t frames_done, frames_total;
    double fps;        /* output frames per second of wall time */
} vs_progress;

typedef void (*vs_progress_cb)(const vs_progress *p, void *opaque);

typedef struct vs_pipeline_opts {
    enum vs_encoder_pref encoder;
    int nvenc_session;              /* NVENC session lock held by the caller, -1 = none */
    vs_progress_cb progress;   /* called about once a second; may be NULL */
    void *progress_opaque;
    volatile int *cancel;      /* when non-NULL and set, stop and clean up */
    int threads;               /* threads of the video decoder and CPU encoder;
                                  0 = the libraries' choice (every core) */
    const char *fault;         /* test fault point name or NULL (e.g. "nvenc-busy") */
    double delay_s;            /* test fault point: once the output is held, wait this long
                                  (cancellable), as a long encode would; 0 = none */
} vs_pipeline_opts;

typedef struct vs_pipeline_result {
    double out_duration;       /* seconds of video written */
    int64_t frames;
    int64_t bytes;
    char encoder[32];          /* name of the video encoder used */
    double seconds;            /* wall time */
} vs_pipeline_result;

/* Runs JOB. Returns a vs_pipeline_rc; on failure errstr holds one line. */
int vs_pipeline_run(const vs_job *job, const vs_pipeline_opts *opts,
                    vs_pipeline_result *res, char *errstr, size_t errsz);

/* Whether PATH is a finished output of job JOB_ID (its metadata carries
 * "vs-job:<id>"); fills res from the file when it is. */
int vs_pipeline_output_is_job(const char *path, const char *job_id, vs_pipeline_result *res);

/* Human name of a result code. */
const char *vs_pipeline_rc_str(int rc);

#endif
