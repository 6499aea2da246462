/* rules.c - the worker's scheduling rules; see rules.h. */
#include "rules.h"

const char *vs_rule_name(enum vs_rule r)
{
    static const char *const names[] = {
        [VS_RULE_KEEP] = "keep",       [VS_RULE_REFUSE] = "refuse",
        [VS_RULE_JOIN] = "join",       [VS_RULE_COMMIT] = "commit",
        [VS_RULE_HOLD] = "hold",       [VS_RULE_QUEUE] = "queue",
        [VS_RULE_TAKE] = "take",       [VS_RULE_START] = "start",
        [VS_RULE_WAIT] = "wait",       [VS_RULE_DONE] = "done",
        [VS_RULE_SKIPPED] = "skipped", [VS_RULE_FAIL] = "fail",
        [VS_RULE_RETRY] = "retry",     [VS_RULE_HAND_BACK] = "hand back",
        [VS_RULE_DROP] = "drop",
    };
    unsigned i = (unsigned)r;
    return i < sizeof names / sizeof names[0] && names[i] ? names[i] : "?";
}

enum vs_rule vs_rule_arrival(const vs_arrival *a)
{
    if (a->refused)
        return VS_RULE_REFUSE;
    /* Our own running job came back (its partition left and returned). */
    if (a->here == VS_HERE_RUNNING)
        return VS_RULE_JOIN;
    /* A job id runs once: a final state anywhere ends it. */
    if (a->seen == VS_SEEN_FINAL)
        return VS_RULE_COMMIT;
    /* A copy here, or another live worker runs it: wait for its result. */
    if (a->here != VS_HERE_NONE || (a->seen == VS_SEEN_RUNNING && !a->seen_self))
        return VS_RULE_HOLD;
    return VS_RULE_QUEUE;
}

enum vs_rule vs_rule_held(enum vs_seen seen, int holder_self, int copy_here)
{
    if (holder_self && copy_here)
        return VS_RULE_KEEP; /* the copy here decides */
    switch (seen) {
    case VS_SEEN_FINAL:
        return VS_RULE_COMMIT;
    case VS_SEEN_NOTHING: /* its worker fell silent or handed it back */
        return VS_RULE_TAKE;
    default:
        return VS_RULE_KEEP;
    }
}

enum vs_rule vs_rule_start(int attempts, int max_attempts, int needs_nvenc, int nvenc_free)
{
    if (attempts >= max_attempts)
        return VS_RULE_FAIL;
    if (needs_nvenc && !nvenc_free)
        return VS_RULE_WAIT;
    return VS_RULE_START;
}

vs_after vs_rule_outcome(enum vs_outcome o, int attempts, int max_attempts, int stopping,
                         double gpu_backoff_s)
{
    vs_after a = {.rule = VS_RULE_FAIL, .attempts = attempts};
    switch (o) {
    case VS_OUT_DONE:
    case VS_OUT_ALREADY_DONE:
        a.rule = VS_RULE_DONE;
        a.streak = -1;
        return a;
    case VS_OUT_SKIPPED:
        a.rule = VS_RULE_SKIPPED;
        a.attempts = 0;
        return a;
    case VS_OUT_CANCELLED:
        /* A hand-back at shutdown is not a failure and does not count. */
        a.rule = VS_RULE_HAND_BACK;
        return a;
    case VS_OUT_BAD_INPUT:
    case VS_OUT_BAD_OUTPUT:
        /* No other attempt would do better, and it says nothing about
         * this worker: fail now, no streak. */
        a.attempts = attempts + 1;
        return a;
    case VS_OUT_IO:
    case VS_OUT_INTERNAL:
    case VS_OUT_GPU_BUSY:
        break;
    }
    int busy = o == VS_OUT_GPU_BUSY;
    a.attempts = attempts + 1;
    a.backoff = busy;
    /* A busy GPU says nothing about this worker's health; the rest does. */
    a.streak = busy ? 0 : 1;
    if (a.attempts >= max_attempts) {
        a.rule = VS_RULE_FAIL;
        return a;
    }
    if (stopping) {
        a.rule = VS_RULE_HAND_BACK;
        a.streak = 0;
        return a;
    }
    a.rule = VS_RULE_RETRY;
    if (busy) {
        a.delay_s = gpu_backoff_s < VS_RETRY_DELAY_S ? gpu_backoff_s : VS_RETRY_DELAY_S;
    } else {
        a.delay_s = VS_RETRY_DELAY_S;
        a.elsewhere = 1;
    }
    return a;
}

enum vs_peer_need vs_rule_handover(const vs_waiting *w)
{
    if (w->elsewhere)
        return VS_PEER_AFTER_FAILURE;
    if (w->hops >= VS_MAX_HOPS)
        return VS_PEER_NONE;
    if (w->can_start && w->ready && !w->nvenc_full)
        return VS_PEER_NONE; /* it starts here on the next round */
    return VS_PEER_IDLE;
}

void vs_rule_slots(int cores, int use_gpu, int gpu_sessions, int parallel, int threads_opt,
                   int *slots, int *threads)
{
    if (cores < 1)
        cores = 1;
    if (parallel > 0)
        *slots = parallel;
    else if (use_gpu)
        *slots = gpu_sessions > 0 ? gpu_sessions : 1;
    else
        *slots = cores / VS_CORES_PER_CPU_SLOT > 0 ? cores / VS_CORES_PER_CPU_SLOT : 1;
    if (threads_opt > 0)
        *threads = threads_opt;
    else
        *threads = cores / *slots > 0 ? cores / *slots : 1;
}

int vs_rule_slot_limit(int slots, int paused, int backed_off, int backoff_limit)
{
    if (paused)
        return 0;
    if (backed_off)
        return backoff_limit;
    return slots;
}

int vs_rule_backoff_limit(int running, int limit_now, int backed_off, int backoff_limit)
{
    int limit = running > 0 ? running : 1;
    if (limit < limit_now || !backed_off)
        return limit;
    return backoff_limit;
}

int vs_rule_streak_pauses(int streak, int fail_streak, int paused)
{
    return fail_streak > 0 && streak >= fail_streak && !paused;
}

int vs_rule_pause_fetch(int stopping, int running, int waiting, int limit)
{
    return stopping || running + waiting >= limit + 1;
}

enum vs_rule vs_rule_on_leave(enum vs_task_state st)
{
    return st == VS_TASK_PENDING || st == VS_TASK_HELD ? VS_RULE_DROP : VS_RULE_KEEP;
}

enum vs_rule vs_rule_forwarded(int delivered, int stopping)
{
    if (delivered)
        return VS_RULE_COMMIT;
    return stopping ? VS_RULE_DROP : VS_RULE_QUEUE;
}
