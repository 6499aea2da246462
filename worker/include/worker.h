/* worker.h - the worker's public API, for vs-worker and for
 * vs-produce's embedded mode (local workers in the producer's process).
 *
 * A service is one consumer-group member of the jobs topic plus up to
 * `parallel` job slots, each running vs_pipeline_run on its own thread.
 * The consumer thread keeps polling while jobs run (so max.poll.interval.ms
 * is never exceeded however long a job takes), pauses its partitions while
 * every slot is busy, stores a job's offset only once the job reached its
 * final state (done / skipped / failed), and publishes started / progress /
 * final states and a heartbeat to the status topic. NVENC sessions are
 * limited per machine through flock()ed lock files shared by every process
 * on the machine. A busy GPU puts the job back and lowers the slot count
 * for a while; nothing is reported as failed. Stopping: no new jobs, the
 * running ones get `grace` seconds, then are cancelled and handed back
 * uncommitted, and the member leaves the group cleanly.
 *
 * What a job message can end as (docs/protocol.md, "Retries"): a message
 * that is not a valid job, is not signed with the job key, or names paths
 * outside the worker's roots is refused (failed + rejected, copied to the
 * dead-letter topic, committed); bad input fails at once; an I/O error, a
 * busy GPU, an internal error or a worker lost mid-job is retried, on
 * another worker when one is free, up to max_attempts counted per job id
 * on the status topic; a worker whose attempts fail fail_streak times in
 * a row takes no job for fail_pause_s. */
#ifndef VS_WORKER_H
#define VS_WORKER_H
#include <stddef.h>
#include "kafka/client.h"
#include "media/pipeline.h"
#include "http/client.h"

#define VS_GPU_LOCK_DIR      "/tmp/vs-gpu-slots"
#define VS_GPU_SESSIONS      3      /* NVENC session cap per machine (oldest drivers) */
#define VS_GRACE_S           30.0
#define VS_GPU_BACKOFF_S     30.0   /* a busy GPU lowers the slot count this long */
#define VS_HEARTBEAT_S       5.0
#define VS_MAX_ATTEMPTS      3      /* attempts of a job before it fails */
#define VS_FAIL_STREAK       3      /* failed attempts in a row that pause a worker */
#define VS_FAIL_PAUSE_S      30.0   /* ... for this long */
#define VS_FAIL_PAUSE_MAX_S  60.0

typedef struct vs_worker vs_worker;

typedef struct vs_worker_opts {
    const vs_kafka_conf *kafka;  /* copied by vs_worker_start; brokers required */
    int parallel;                /* job slots; 0 = from the encoder and cores (vs_rule_slots) */
    int threads;                 /* codec threads per job; 0 = the cores shared by the slots */
    enum vs_encoder_pref encoder;
    int gpu_sessions;            /* NVENC cap per machine; 0 = VS_GPU_SESSIONS */
    const char *gpu_lock_dir;    /* NULL = VS_GPU_LOCK_DIR */
    double grace_s;              /* < 0 = VS_GRACE_S; 0 = hand running jobs back at once */
    double gpu_backoff_s;        /* <= 0 = VS_GPU_BACKOFF_S */
    double heartbeat_s;          /* <= 0 = VS_HEARTBEAT_S */
    const char *worker_id;       /* NULL = host:pid:random */
    const char *fault;           /* test fault point passed to the pipeline, or NULL */
    /* Where job paths may lead (roots.h): every roots[i], then the folders
     * of roots_env (VS_ROOTS format); none at all = the working directory. */
    const char *const *roots;
    size_t n_roots;
    const char *roots_env;
    const char *job_key;         /* VS_JOB_KEY: refuse unsigned / forged jobs; NULL = none */
    int quiet_jobs;              /* log per-job events at debug level (the embedded
                                    mode's producer reports them itself) */
    int max_attempts;            /* 0 = VS_MAX_ATTEMPTS */
    int fail_streak;             /* 0 = VS_FAIL_STREAK, < 0 = never pause */
    double fail_pause_s;         /* <= 0 = VS_FAIL_PAUSE_S; at most VS_FAIL_PAUSE_MAX_S */
    /* HTTP (docs/operations.md, "Inputs over HTTP, uploads"). Strings
     * must outlive the service. */
    const char *scratch_dir;     /* where http(s) inputs are downloaded (inside the
                                    roots); NULL = .vs-scratch in the first root */
    const char *upload;          /* PUT each finished output to this URL template
                                    ("{name}" = the output's file name); NULL = no */
    int upload_remove;           /* remove the local output once uploaded */
    vs_http_conf http;           /* credentials, limits, retries (copied) */
} vs_worker_opts;

/* Why a job failed or was retried, a small fixed set (metric labels). */
enum vs_worker_reason {
    VS_REASON_BAD_INPUT = 0, /* the input cannot be processed */
    VS_REASON_BAD_OUTPUT,    /* the output cannot be written there */
    VS_REASON_IO,            /* writing the output failed (transient) */
    VS_REASON_INTERNAL,      /* the pipeline failed (transient) */
    VS_REASON_GPU_BUSY,      /* NVENC refused a session */
    VS_REASON_REJECTED,      /* the message was refused before running */
    VS_REASON_ATTEMPTS,      /* out of attempts (earlier failures, here or elsewhere) */
    VS_REASON_STOPPING,      /* handed back: the worker stops */
    VS_REASON_N
};
/* "bad_input", "bad_output", "io", "internal", "gpu_busy", "rejected",
 * "attempts", "stopping" (static strings). */
const char *vs_worker_reason_str(enum vs_worker_reason r);

/* Upper bounds (seconds) of the job-duration histogram's buckets, then +Inf. */
#define VS_JOB_SECONDS_BUCKETS 10
extern const double vs_worker_job_seconds_le[VS_JOB_SECONDS_BUCKETS];

/* What a service has done so far (for logs, tests and --metrics). */
typedef struct vs_worker_stats {
    long done, skipped, failed;  /* failed includes rejected */
    long rejected;     /* messages refused before running (parked on the dead-letter topic) */
    long retried;      /* transient failures that put a job back */
    long pauses;       /* failure streaks that stopped the worker for a while */
    long busy_gpu;     /* attempts refused by a full GPU (put back, not failed) */
    long handed_back;  /* cancelled at shutdown, left uncommitted */
    long handed_over;  /* passed to an idle worker while every slot was busy */
    long started;      /* attempts started here */
    long failed_by[VS_REASON_N];   /* failed, by reason */
    long retried_by[VS_REASON_N];  /* retried or handed back, by reason */
    /* Done jobs' wall seconds: count per bucket (not cumulative: bucket i
     * counts le[i-1] < s <= le[i]; the last one is over le[N-1]). */
    long job_seconds_bucket[VS_JOB_SECONDS_BUCKETS + 1];
    long job_seconds_count;
    double job_seconds_sum;
    /* Now (updated by the service about once a second). */
    int slots, busy;   /* jobs taken at once now; running */
    int nvenc_busy;    /* NVENC sessions held by running jobs */
    double fps;        /* frames encoded per second, all running jobs */
    double last_heartbeat; /* Unix seconds of the last heartbeat sent, 0 before */
} vs_worker_stats;

/* Creates the consumer and status producer, joins the group and starts
 * the threads. Returns 0 and a running service, or -1 with errstr (bad
 * configuration, librdkafka refused a property, ...). */
int vs_worker_start(const vs_worker_opts *opts, vs_worker **out,
                     char *errstr, size_t errsz);
/* The worker id in use (owned by the service). */
const char *vs_worker_worker_id(const vs_worker *s);
/* Asks the service to stop: take no new job, give running jobs grace_s
 * (from the options) to finish, then cancel and hand them back, leave the
 * group. Returns at once; safe to call from any thread, more than once
 * (not from a signal handler: set a flag there and call this from main). */
void vs_worker_stop(vs_worker *s);
/* As vs_worker_stop, with no grace: running jobs are cancelled and
 * handed back at once (a second Ctrl-C). */
void vs_worker_stop_now(vs_worker *s);
/* Waits up to timeout_ms (< 0 = forever) for the service to have stopped.
 * Returns 1 when stopped, 0 on timeout. */
int vs_worker_wait(vs_worker *s, int timeout_ms);
/* Counters, safe to call while running. */
void vs_worker_get_stats(vs_worker *s, vs_worker_stats *st);
/* After the service stopped: 0 when it stopped because it was asked to,
 * -1 when it gave up on its own (fatal Kafka error), with the reason. */
int vs_worker_error(vs_worker *s, char *errstr, size_t errsz);
/* Stops (if running), waits, and frees. Accepts NULL, clears the pointer.
 * Returns 0 when every status message was delivered, -1 otherwise. */
int vs_worker_free(vs_worker **s);

#endif
