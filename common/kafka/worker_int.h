/* kafka/worker_int.h - the worker service's shared state (internal).
 *
 * service.c owns the lifecycle, the Kafka consumer, rebalances, pausing
 * (a busy GPU, a failure streak) and the heartbeat; setup.c decides what
 * kind of worker this is; tasks.c decides what happens to each job
 * message (run, hold, skip, hand over, retry) and follows the running
 * ones; reject.c refuses the messages that are not jobs this worker may
 * run. All of it runs on the service thread
 * (setup before it starts), so this state needs no lock except the
 * counters and the done flag, which other threads read. */
#ifndef VS_KAFKA_WORKER_INT_H
#define VS_KAFKA_WORKER_INT_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>

#include "job.h"
#include "kafka/client.h"
#include "kafka/farm.h"
#include "kafka/ledger.h"
#include "kafka/publish.h"
#include "kafka/service.h"
#include "kafka/slot.h"
#include "roots.h"

#define VS_LIVE_S        15.0  /* a job elsewhere counts as running this long after its last news */
#define VS_MAX_HOPS      3     /* a job is handed to another worker at most this often */
#define VS_RETRY_DELAY_S 5.0   /* a job retried here waits this long */
#define VS_HOPS_HEADER   "vs-hops"
#define VS_ATTEMPTS_HEADER "vs-attempts" /* failed attempts, on a job passed on for a retry */
#define VS_DEAD_MAX_BYTES (64 * 1024)    /* payload kept on the dead-letter topic */

enum task_state {
    T_PENDING = 0,  /* may run here when a slot is free (not before not_before) */
    T_HELD,         /* running or queued elsewhere: wait for its final state */
    T_RUNNING,      /* in a slot */
    T_FORWARDING,   /* being handed to another worker */
};

/* Where a job message came from; its offset is stored once the job is final. */
typedef struct task_src {
    int32_t partition;
    int64_t offset;
    unsigned gen;   /* ledger generation of the partition at consumption */
} task_src;

typedef struct task {
    struct task *next;
    enum task_state state;
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
    char holder[128];         /* T_HELD: who has it */
    /* T_RUNNING */
    vs_slot *slot;
    int gpu_fd, gpu_slot;
    double started, next_progress;
} task;

/* A refused message whose dead-letter copy is on its way: its offset is
 * stored once the copy is delivered. */
typedef struct parked {
    struct parked *next;
    task_src src;
    uint64_t id;
} parked;

struct vs_service {
    vs_kafka_conf kc;
    vs_service_opts o;           /* strings below are owned copies */
    char *lock_dir, *fault;      /* fault: the option as given */
    char *job_key;               /* owned copy, or NULL */
    vs_roots *roots;
    char dead_topic[256];
    const char *pipe_fault;      /* "nvenc-busy" when asked for, else NULL */
    double slow_s;               /* fault "slow:S": every attempt waits S s first */
    char id[128], host[128], encoders[128];
    enum vs_encoder_pref enc;    /* passed to the pipeline */
    int use_gpu;                 /* hold a GPU slot file while encoding */
    int slots;

    rd_kafka_t *consumer;
    vs_publisher *pub;
    vs_farm *farm;
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
    vs_service_stats stats;
};

double vs_mono(void);

/* tasks.c */
void vs_tasks_intake(vs_service *s, rd_kafka_message_t *m);
void vs_tasks_reap(vs_service *s);
void vs_tasks_recheck_held(vs_service *s);
void vs_tasks_schedule(vs_service *s);
void vs_tasks_forward(vs_service *s);
void vs_tasks_progress(vs_service *s);
/* Delivery report of a handed-over job or of a dead-letter copy. */
void vs_tasks_on_forwarded(void *ctx, uint64_t id, rd_kafka_resp_err_t err);
/* Drops every task of partition (revoked) that is not running. */
void vs_tasks_drop_partition(vs_service *s, int32_t partition);
/* Drops every task that is neither running nor being handed over. */
void vs_tasks_drop_waiting(vs_service *s);
void vs_tasks_cancel_running(vs_service *s);
/* Tasks in each state. */
int vs_tasks_count(const vs_service *s, enum task_state st);
void vs_task_free(task **t);

/* reject.c: a message the worker will not run. Publishes a failed status
 * (rejected, under the job id the message carries, else its key, else
 * TOPIC/PARTITION@OFFSET), copies it to the dead-letter topic with the
 * reason in headers, and stores its offset once the copy is delivered.
 * job: the parsed job when there is one, else NULL. */
void vs_reject(vs_service *s, const rd_kafka_message_t *m, unsigned gen, const vs_job *job,
               const char *why);
/* A dead-letter copy was delivered (or failed for good): returns 1 when id
 * was one, after storing its offset. */
int vs_reject_delivered(vs_service *s, uint64_t id, rd_kafka_resp_err_t err);
void vs_reject_free_all(vs_service *s);

/* setup.c: worker id, encoder and slot count, fault points. */
void vs_service_setup_id(vs_service *s, const char *worker_id);
int vs_service_setup(vs_service *s, char *errstr, size_t errsz);

/* service.c */
void vs_service_fill_status(vs_service *s, vs_status *st, enum vs_status_kind kind,
                            const task *t);
void vs_service_store(vs_service *s, int32_t partition);
int vs_service_slot_limit(vs_service *s);
/* A failed attempt here (1) or a success (0): a streak of failures pauses
 * the worker for a while. */
void vs_service_note_outcome(vs_service *s, int failed, const char *why);
void vs_service_count(vs_service *s, long *field);

#endif
