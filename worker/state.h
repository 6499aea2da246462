/* state.h - the worker's shared state, and the small helpers on it (internal).
 *
 * The modules of the worker, from the top: service.c (lifecycle, the
 * Kafka consumer, rebalances, heartbeat) drives intake.c (a message
 * becomes a task, or is refused by reject.c), tasks.c (starting, following
 * and ending attempts) and handover.c (passing waiting jobs to other
 * workers). Every decision they take comes from rules.c, which is pure;
 * this file's helpers (state.c) are what they share: counters, statuses,
 * offsets, the slot limit. setup.c decides what kind of worker this is.
 * All of it runs on the service thread (setup before it starts), so this
 * state needs no lock except the counters and the done flag, which other
 * threads read. */
#ifndef VS_WORKER_STATE_H
#define VS_WORKER_STATE_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>

#include "job.h"
#include "kafka/client.h"
#include "board.h"
#include "ledger.h"
#include "sender.h"
#include "rules.h"
#include "worker.h"
#include "runner.h"
#include "roots.h"


/* Where a job message came from; its offset is stored once the job is final. */
typedef struct task_src {
    int32_t partition;
    int64_t offset;
    unsigned gen;   /* ledger generation of the partition at consumption */
} task_src;

typedef struct task {
    struct task *next;
    enum vs_task_state state;
    vs_job *job;              /* paths mapped and resolved inside the roots */
    char name[256];           /* the input's file name, for status and logs */
    char *payload;            /* the message as received, for a hand-over */
    size_t len;
    char *key;
    size_t keylen;
    rd_kafka_headers_t *hdrs;
    int hops;
    task_src src[4];          /* [0] the message; more when redelivered while running */
    int n_src;
    int runs;                 /* attempts started here */
    int prior;                /* failed attempts known of (header, status topic, here) */
    int elsewhere;            /* after a failure here: hand it on if another worker can */
    char last_err[256];       /* why the last attempt here failed */
    double not_before;
    double queued;            /* when it arrived (monotonic) */
    uint64_t fwd_id;
    char holder[128];         /* VS_TASK_HELD: who has it */
    /* VS_TASK_RUNNING */
    vs_runner *run;
    int nvenc_fd, nvenc_session;
    double started, next_progress;
} task;

/* A refused message whose dead-letter copy is on its way: its offset is
 * stored once the copy is delivered. */
typedef struct parked {
    struct parked *next;
    task_src src;
    uint64_t id;
} parked;

struct vs_worker {
    vs_kafka_conf kc;
    vs_worker_opts o;           /* strings below are owned copies */
    char *lock_dir, *fault;      /* fault: the option as given */
    char *job_key;               /* owned copy, or NULL */
    vs_roots *roots;
    char *scratch;               /* resolved scratch folder for http inputs (owned) */
    char *upload;                /* owned copy of o.upload, or NULL */
    vs_runner_io io;             /* what runners do over HTTP (points at the above), and
                                    the codec threads each job gets (vs_rule_slots) */
    int http_started;            /* vs_http_global_init succeeded: clean up in free */
    char dead_topic[256];
    const char *pipe_fault;      /* "nvenc-busy" when asked for, else NULL */
    double slow_s;               /* fault "slow:S": every attempt waits S s first */
    char id[128], host[128], encoders[128];
    enum vs_encoder_pref enc;    /* passed to the pipeline */
    int use_gpu;                 /* hold a GPU slot file while encoding */
    int slots;

    rd_kafka_t *consumer;
    vs_sender *pub;
    vs_board *board;
    vs_ledger *ledger;
    task *tasks;                 /* arrival order */
    parked *parked;              /* refused messages being copied to the dead-letter topic */
    int streak;                  /* failed attempts in a row here */
    double pause_until;          /* monotonic; no job taken until then (failure streak) */
    int running, subscribed, paused, stopping, cancelled;
    double start_t, stop_t;
    double backoff_until;        /* monotonic; slot count lowered until then */
    int backoff_limit;
    double next_hb, last_hb;
    int commit_due;              /* stored offsets wait for a (re)commit */
    double next_commit;
    int hb_dirty;
    double next_gauges;          /* when stats' gauges are refreshed next */
    uint64_t next_fwd;
    int gpu_full;                /* the last start found every NVENC session taken */
    double gpu_full_logged;      /* when that was last said (once a minute at most) */

    pthread_t th;
    int th_started;
    atomic_int stop_req, stop_now;
    char fatal[512];             /* why the service gave up on its own */
    pthread_mutex_t mu;          /* guards done, stats */
    pthread_cond_t cv;
    int done;
    vs_worker_stats stats;
};

/* state.c */
void vs_worker_fill_status(vs_worker *s, vs_status *st, enum vs_status_kind kind,
                           const task *t);
/* Stores (and commits) the offset of partition up to which every job is final. */
void vs_worker_store(vs_worker *s, int32_t partition);
/* Jobs this worker takes at once now (rules.h: vs_rule_slot_limit). */
int vs_worker_slot_limit(vs_worker *s);
/* A failed attempt here (1) or a success (0): a streak of failures pauses
 * the worker for a while. */
void vs_worker_note_outcome(vs_worker *s, int failed, const char *why);
void vs_worker_count(vs_worker *s, long *field);
/* A done job took secs: the histogram in stats. */
void vs_worker_count_seconds(vs_worker *s, double secs);
/* Refreshes the gauges in stats (slots, busy, NVENC, fps): the service
 * thread, about once a second. */
void vs_worker_update_gauges(vs_worker *s);
/* A heartbeat went out now: its wall-clock time in stats. */
void vs_worker_note_heartbeat(vs_worker *s);

#endif
