/* rules.h - the worker's scheduling rules, as pure functions.
 *
 * Every decision about a job message is taken here: whether it runs, waits,
 * is held for another worker, is handed over, retried, refused or
 * committed. Callers pass in what they know (what the status topic says,
 * attempts, slots, times as plain numbers) and get a decision back; the
 * rules read no clock, start no thread and know nothing of librdkafka, so
 * tests/unit/test_rules.c checks each of them with a table.
 * docs/protocol.md, "Retries and refusals" and "How workers use the status
 * topic", is the same rules in words. */
#ifndef VS_WORKER_RULES_H
#define VS_WORKER_RULES_H

#define VS_LIVE_S        15.0  /* a job elsewhere counts as running this long after its last news */
#define VS_MAX_HOPS      3     /* a job is handed to another worker at most this often */
#define VS_RETRY_DELAY_S 5.0   /* a job retried here waits this long */

/* Where a job message is in this worker. */
enum vs_task_state {
    VS_TASK_PENDING = 0, /* may run here when a slot is free (not before not_before) */
    VS_TASK_HELD,        /* running or queued elsewhere: wait for its final state */
    VS_TASK_RUNNING,     /* in a slot */
    VS_TASK_FORWARDING,  /* being handed to another worker */
};

/* What the status topic says about a job. */
enum vs_seen {
    VS_SEEN_NOTHING = 0, /* never seen, or handed back (retry): may run */
    VS_SEEN_RUNNING,     /* started or progressing recently on some worker */
    VS_SEEN_FINAL,       /* done, skipped or failed (not a refusal) */
};

/* What a rule decides. */
enum vs_rule {
    VS_RULE_KEEP = 0,    /* nothing changes */
    VS_RULE_REFUSE,      /* failed + rejected, dead-letter copy, committed once copied */
    VS_RULE_JOIN,        /* the same job runs here: its offset is committed when it ends */
    VS_RULE_COMMIT,      /* final already: commit the offset, do not run */
    VS_RULE_HOLD,        /* running elsewhere: wait for its final state */
    VS_RULE_QUEUE,       /* wait for a slot here */
    VS_RULE_TAKE,        /* a held job nobody runs any more: queue it here */
    VS_RULE_START,       /* start it in a slot now */
    VS_RULE_WAIT,        /* cannot start now (every NVENC session taken): try later */
    VS_RULE_DONE,        /* final: done (or already done), committed */
    VS_RULE_SKIPPED,     /* final: skipped, committed */
    VS_RULE_FAIL,        /* final: failed, committed */
    VS_RULE_RETRY,       /* a failed attempt: runs again later, another worker preferred */
    VS_RULE_HAND_BACK,   /* the worker stops: uncommitted, forgotten here, read again */
    VS_RULE_DROP,        /* forgotten here without a commit (partition revoked, stopping) */
};
const char *vs_rule_name(enum vs_rule r);

/* ---- a message arrives ---- */

/* The same job id already in this worker. */
enum vs_here {
    VS_HERE_NONE = 0,
    VS_HERE_RUNNING,      /* running here, room to remember one more offset */
    VS_HERE_RUNNING_FULL, /* running here, no room for another offset */
    VS_HERE_WAITING,      /* here, not running (pending, held, being handed over) */
};

typedef struct vs_arrival {
    int refused;          /* not a valid job, unsigned/forged, or paths outside the roots */
    enum vs_here here;
    enum vs_seen seen;
    int seen_self;        /* VS_SEEN_RUNNING: the worker running it is this one */
} vs_arrival;

/* REFUSE, JOIN, COMMIT, HOLD or QUEUE. */
enum vs_rule vs_rule_arrival(const vs_arrival *a);

/* ---- a held job, each round ---- */

/* holder_self: the job was held because a copy of it is here; copy_here:
 * that copy is still here. Returns KEEP, COMMIT or TAKE. */
enum vs_rule vs_rule_held(enum vs_seen seen, int holder_self, int copy_here);

/* ---- a free slot ---- */

/* attempts: failed attempts known of (the message's header, the status
 * topic, this worker). needs_nvenc / nvenc_free: this worker encodes with
 * NVENC / a session lock of the machine was free. Returns FAIL (attempts
 * used up), WAIT or START. */
enum vs_rule vs_rule_start(int attempts, int max_attempts, int needs_nvenc, int nvenc_free);

/* ---- an attempt ended ---- */

enum vs_outcome {
    VS_OUT_DONE = 0,
    VS_OUT_ALREADY_DONE,  /* the output carries this job's id: a redelivery */
    VS_OUT_SKIPPED,       /* the output exists and overwrite is off */
    VS_OUT_CANCELLED,     /* the worker stops */
    VS_OUT_BAD_INPUT,     /* the input cannot be processed: permanent */
    VS_OUT_BAD_OUTPUT,    /* the job's output cannot be written there (name too long, no
                             permission, read-only): permanent, not the worker's fault */
    VS_OUT_IO,            /* the output could not be written: transient */
    VS_OUT_INTERNAL,      /* transient */
    VS_OUT_GPU_BUSY,      /* NVENC refused a session: transient, not this worker's fault */
};

typedef struct vs_after {
    enum vs_rule rule;    /* DONE, SKIPPED, FAIL, RETRY or HAND_BACK */
    int attempts;         /* failed attempts, this one included, for the status */
    int streak;           /* the failure streak: +1 counts one, -1 resets it, 0 leaves it */
    int backoff;          /* lower this worker's slot count for gpu_backoff_s */
    int elsewhere;        /* RETRY: another worker should take the next attempt */
    double delay_s;       /* RETRY: not before this many seconds */
} vs_after;

/* attempts: failed attempts before this one; stopping: the worker stops. */
vs_after vs_rule_outcome(enum vs_outcome o, int attempts, int max_attempts, int stopping,
                         double gpu_backoff_s);

/* ---- a waiting job and the other workers ---- */

enum vs_peer_need {
    VS_PEER_NONE = 0,      /* stays here */
    VS_PEER_AFTER_FAILURE, /* pass it on (no hop counted): an idle worker, else any live one;
                              with none, it runs here again (elsewhere is cleared) */
    VS_PEER_IDLE,          /* hand it over (a hop) to a worker with a free slot, if any */
};

typedef struct vs_waiting {
    int elsewhere;        /* the last attempt here failed */
    int hops;             /* hand-overs so far (header vs-hops) */
    int can_start;        /* a slot is free here */
    int ready;            /* its retry delay is over */
    int nvenc_full;       /* the last start here found every NVENC session taken */
} vs_waiting;

enum vs_peer_need vs_rule_handover(const vs_waiting *w);

/* ---- the worker as a whole ---- */

/* How many jobs at once (*slots) and how many codec threads each job's
 * video decoder and encoder use (*threads), from the usable cores:
 * parallel > 0 (--parallel) and threads_opt > 0 (--threads) are the
 * operator's; else one slot per NVENC session with a GPU, and on a CPU
 * machine one slot per VS_CORES_PER_CPU_SLOT cores (docs/benchmarks.md,
 * "Worker slots"); threads: the cores shared out between the slots, at
 * least 1. */
#define VS_CORES_PER_CPU_SLOT 1
void vs_rule_slots(int cores, int use_gpu, int gpu_sessions, int parallel, int threads_opt,
                   int *slots, int *threads);

/* Jobs this worker takes at once now: 0 during a failure pause, the
 * lowered count during a busy-GPU back-off, else its slots. */
int vs_rule_slot_limit(int slots, int paused, int backed_off, int backoff_limit);
/* The lowered slot count after a busy GPU: the jobs running now (at least
 * 1), unless a back-off already in force is lower. */
int vs_rule_backoff_limit(int running, int limit_now, int backed_off, int backoff_limit);
/* 1 when a failure streak of this length starts a pause (fail_streak <= 0:
 * never; already paused: not again). */
int vs_rule_streak_pauses(int streak, int fail_streak, int paused);
/* 1 when the consumer should stop fetching jobs: stopping, or one job more
 * than the slots is here already (it starts when a slot frees, or goes to
 * an idle worker meanwhile). */
int vs_rule_pause_fetch(int stopping, int running, int waiting, int limit);
/* A partition was revoked or lost, or the worker stops: DROP for a job
 * that waits (its message is read again by the partition's next owner),
 * KEEP for one running or being handed over (it finishes here). */
enum vs_rule vs_rule_on_leave(enum vs_task_state st);
/* The copy of a handed-over job: delivered -> COMMIT (the original and
 * copies held here); not delivered -> QUEUE (it runs here), or DROP when
 * the worker stops. */
enum vs_rule vs_rule_forwarded(int delivered, int stopping);

#endif
