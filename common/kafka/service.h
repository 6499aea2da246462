/* kafka/service.h - the worker service: the API for vs-worker and for
 * vs-produce's embedded mode (local workers in the producer's process).
 *
 * A service is one consumer-group member of the jobs topic plus up to
 * `parallel` job slots, each running vs_pipeline_run on its own thread.
 * The consumer thread keeps polling while jobs run (so max.poll.interval.ms
 * is never exceeded however long a job takes), pauses its partitions while
 * every slot is busy, stores a job's offset only once the job reached its
 * final state (done / skipped / failed), and publishes started / progress /
 * final states and a heartbeat to the status topic. NVENC sessions are
 * limited per machine through flock()ed slot files shared by every process
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
#ifndef VS_KAFKA_SERVICE_H
#define VS_KAFKA_SERVICE_H
#include <stddef.h>
#include "kafka/client.h"
#include "media/pipeline.h"

#define VS_GPU_LOCK_DIR      "/tmp/vs-gpu-slots"
#define VS_GPU_SESSIONS      3      /* NVENC session cap per machine (oldest drivers) */
#define VS_GRACE_S           30.0
#define VS_GPU_BACKOFF_S     30.0   /* a busy GPU lowers the slot count this long */
#define VS_HEARTBEAT_S       5.0
#define VS_MAX_ATTEMPTS      3      /* attempts of a job before it fails */
#define VS_FAIL_STREAK       3      /* failed attempts in a row that pause a worker */
#define VS_FAIL_PAUSE_S      30.0   /* ... for this long */
#define VS_FAIL_PAUSE_MAX_S  60.0

typedef struct vs_service vs_service;

typedef struct vs_service_opts {
    const vs_kafka_conf *kafka;  /* copied by vs_service_start; brokers required */
    int parallel;                /* job slots; 0 = from the encoder (1 CPU, gpu_sessions NVENC) */
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
} vs_service_opts;

/* What a service has done so far (for logs and tests). */
typedef struct vs_service_stats {
    long done, skipped, failed;  /* failed includes rejected */
    long rejected;     /* messages refused before running (parked on the dead-letter topic) */
    long retried;      /* transient failures that put a job back */
    long pauses;       /* failure streaks that stopped the worker for a while */
    long busy_gpu;     /* attempts refused by a full GPU (put back, not failed) */
    long handed_back;  /* cancelled at shutdown, left uncommitted */
    long handed_over;  /* passed to an idle worker while every slot was busy */
} vs_service_stats;

/* Creates the consumer and status producer, joins the group and starts
 * the threads. Returns 0 and a running service, or -1 with errstr (bad
 * configuration, librdkafka refused a property, ...). */
int vs_service_start(const vs_service_opts *opts, vs_service **out,
                     char *errstr, size_t errsz);
/* The worker id in use (owned by the service). */
const char *vs_service_worker_id(const vs_service *s);
/* Asks the service to stop: take no new job, give running jobs grace_s
 * (from the options) to finish, then cancel and hand them back, leave the
 * group. Returns at once; safe to call from any thread, more than once
 * (not from a signal handler: set a flag there and call this from main). */
void vs_service_stop(vs_service *s);
/* As vs_service_stop, with no grace: running jobs are cancelled and
 * handed back at once (a second Ctrl-C). */
void vs_service_stop_now(vs_service *s);
/* Waits up to timeout_ms (< 0 = forever) for the service to have stopped.
 * Returns 1 when stopped, 0 on timeout. */
int vs_service_wait(vs_service *s, int timeout_ms);
/* Counters, safe to call while running. */
void vs_service_get_stats(vs_service *s, vs_service_stats *st);
/* After the service stopped: 0 when it stopped because it was asked to,
 * -1 when it gave up on its own (fatal Kafka error), with the reason. */
int vs_service_error(vs_service *s, char *errstr, size_t errsz);
/* Stops (if running), waits, and frees. Accepts NULL, clears the pointer.
 * Returns 0 when every status message was delivered, -1 otherwise. */
int vs_service_free(vs_service **s);

#endif
