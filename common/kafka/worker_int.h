/* kafka/worker_int.h - the worker service's shared state (internal).
 *
 * service.c owns the lifecycle, the Kafka consumer, rebalances, pausing
 * and the heartbeat; setup.c decides what kind of worker this is; tasks.c
 * decides what happens to each job message (run, hold, skip, hand over)
 * and follows the running ones. All of it runs on the service thread
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

#define VS_LIVE_S        15.0  /* a job elsewhere counts as running this long after its last news */
#define VS_MAX_HOPS      3     /* a job is handed to another worker at most this often */
#define VS_MAX_ATTEMPTS  3     /* local attempts after a transient (I/O) failure */
#define VS_HOPS_HEADER   "vs-hops"

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
    vs_job *job;              /* paths already mapped */
    char *payload;            /* the message as received, for a hand-over */
    size_t len;
    char *key;
    size_t keylen;
    rd_kafka_headers_t *hdrs;
    int hops;
    task_src src[4];          /* [0] the message; more when redelivered while running */
    int n_src;
    int attempts;
    double not_before;
    double queued;            /* when it arrived (monotonic) */
    uint64_t fwd_id;
    char holder[128];         /* T_HELD: who has it */
    /* T_RUNNING */
    vs_slot *slot;
    int gpu_fd, gpu_slot;
    double started, next_progress;
} task;

struct vs_service {
    vs_kafka_conf kc;
    vs_service_opts o;           /* strings below are owned copies */
    char *lock_dir, *fault;      /* fault: the option as given */
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
void vs_tasks_on_forwarded(void *ctx, uint64_t id, rd_kafka_resp_err_t err);
/* Drops every task of partition (revoked) that is not running. */
void vs_tasks_drop_partition(vs_service *s, int32_t partition);
/* Drops every task that is neither running nor being handed over. */
void vs_tasks_drop_waiting(vs_service *s);
void vs_tasks_cancel_running(vs_service *s);
/* Tasks in each state. */
int vs_tasks_count(const vs_service *s, enum task_state st);
void vs_task_free(task **t);

/* setup.c: worker id, encoder and slot count, fault points. */
int vs_service_setup(vs_service *s, const char *worker_id, char *errstr, size_t errsz);

/* service.c */
void vs_service_fill_status(vs_service *s, vs_status *st, enum vs_status_kind kind,
                            const task *t);
void vs_service_store(vs_service *s, int32_t partition);
int vs_service_slot_limit(vs_service *s);
void vs_service_count(vs_service *s, long *field);

#endif
