/* follow.h - the status topic, read back into the run's table.
 *
 * The reader is a plain consumer (no group membership, no commits)
 * assigned to every partition of the status topic a few heartbeat
 * intervals back from where each ended when it was opened. That recent
 * past is read before the jobs are published, for the workers'
 * heartbeats only (who is alive, which partitions each holds). Job
 * statuses count only when their run id is this run's and their job id
 * one of its jobs, so no status of another run, old or new, ever counts. */
#ifndef VS_PRODUCE_FOLLOW_H
#define VS_PRODUCE_FOLLOW_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "kafka/client.h"
#include "progress.h"
#include "status.h"
#include "workers.h"

#define VS_FOLLOW_LOOKBACK_S 12.0 /* heartbeats this recent show live workers */
#define VS_FOLLOW_DISK_CHECK_S 10.0 /* outputs of unfinished jobs looked at this often */
#define VS_FOLLOW_NEWS_QUIET_S 120.0 /* ... those of jobs without news for this long */

typedef struct vs_follow vs_follow;

/* Creates the reader, takes the end offsets and starts VS_FOLLOW_LOOKBACK_S
 * before them. c->group names the workers' group (for heartbeats). Returns
 * 0 or -1 with errstr (no broker, no status topic). */
int vs_follow_open(const vs_kafka_conf *c, vs_follow **out, char *errstr, size_t errsz);
void vs_follow_close(vs_follow **f);

/* Reads the recent past up to the end offsets taken at open (at most
 * timeout_ms). Returns the number of live workers then known. */
size_t vs_follow_catch_up(vs_follow *f, vs_batch *b, int timeout_ms);
/* The workers heard of so far (owned by f). */
const vs_workers *vs_follow_workers(const vs_follow *f);

typedef struct vs_follow_opts {
    double timeout_s;             /* give up after this long; 0 = never */
    double worker_wait_s;         /* warn when no worker is heard of this long */
    const char *jobs_topic;       /* named in the warning */
    const char *group;            /* the workers' group, named too */
    volatile sig_atomic_t *stop;  /* raised by a signal: stop following */
    vs_progress_view *progress;   /* where events and progress go */
    int embedded;                 /* the broker lives in this process (dies with it) */
    /* Publishes jobs held back by flow control (send_jobs.h); may be NULL. */
    void (*publish_more)(void *ctx);
    void *publish_ctx;
} vs_follow_opts;

enum vs_follow_end {
    VS_FOLLOW_ALL_FINAL = 0, /* every file reached done / skipped / failed */
    VS_FOLLOW_TIMEOUT,       /* --timeout passed: unfinished files marked failed */
    VS_FOLLOW_STOPPED,       /* interrupted: unfinished files marked failed */
};

/* Reads statuses into b until every file is final, the timeout passes or
 * *stop is raised. Borrows b for the duration of the call. */
enum vs_follow_end vs_follow_run(vs_follow *f, vs_batch *b, const vs_follow_opts *o);

/* Applies one status to the table. Statuses of another run, unknown jobs
 * and heartbeats change nothing and return NULL; otherwise returns the
 * task changed (its file summed up). now: monotonic seconds. */
vs_task *vs_follow_apply(vs_batch *b, const vs_status *st, double now);

#endif
