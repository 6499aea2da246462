/* test_rules.c - table tests of the worker's scheduling rules (worker/rules.c).
 *
 * One table per rule; each row is a case of docs/protocol.md ("How workers
 * use the status topic", "Retries and refusals") or a rebalance case of
 * the integration tests (rebalance.sh, kill9.sh, sigterm.sh, outage.sh),
 * named in its `what`. Breaking any one rule makes a row fail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "rules.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void fail_row(const char *table, const char *what, const char *got, const char *want)
{
    print_error("%s: %s: got %s, want %s\n", table, what, got, want);
    fail();
}

/* ---- arrival ---- */

static void test_arrival(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        vs_arrival in;
        enum vs_rule want;
    } rows[] = {
        {"a new job nobody has seen queues", {0, VS_HERE_NONE, VS_SEEN_NOTHING, 0}, VS_RULE_QUEUE},
        {"a refused message is refused whatever else is known",
         {1, VS_HERE_RUNNING, VS_SEEN_FINAL, 0}, VS_RULE_REFUSE},
        {"refused before the status topic is asked", {1, VS_HERE_NONE, VS_SEEN_NOTHING, 0},
         VS_RULE_REFUSE},
        {"final elsewhere: committed, not run again (a job id runs once)",
         {0, VS_HERE_NONE, VS_SEEN_FINAL, 0}, VS_RULE_COMMIT},
        {"final by this worker (redelivery after a lost commit): committed",
         {0, VS_HERE_NONE, VS_SEEN_FINAL, 1}, VS_RULE_COMMIT},
        {"running on another live worker (partition moved in a rebalance): held",
         {0, VS_HERE_NONE, VS_SEEN_RUNNING, 0}, VS_RULE_HOLD},
        {"running here, partition came back: joins the run, committed when it ends",
         {0, VS_HERE_RUNNING, VS_SEEN_RUNNING, 1}, VS_RULE_JOIN},
        {"running here with no room for another offset: held",
         {0, VS_HERE_RUNNING_FULL, VS_SEEN_RUNNING, 1}, VS_RULE_HOLD},
        {"running here with no room, but final: committed",
         {0, VS_HERE_RUNNING_FULL, VS_SEEN_FINAL, 1}, VS_RULE_COMMIT},
        {"a copy waits here (redelivered twice): held behind it",
         {0, VS_HERE_WAITING, VS_SEEN_NOTHING, 0}, VS_RULE_HOLD},
        {"a copy waits here, job final: committed", {0, VS_HERE_WAITING, VS_SEEN_FINAL, 0},
         VS_RULE_COMMIT},
        {"the status topic says this worker runs it but nothing is here (restarted id): queued",
         {0, VS_HERE_NONE, VS_SEEN_RUNNING, 1}, VS_RULE_QUEUE},
    };
    for (size_t i = 0; i < N(rows); i++) {
        enum vs_rule got = vs_rule_arrival(&rows[i].in);
        if (got != rows[i].want)
            fail_row("arrival", rows[i].what, vs_rule_name(got), vs_rule_name(rows[i].want));
    }
}

/* ---- held ---- */

static void test_held(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        enum vs_seen seen;
        int holder_self, copy_here;
        enum vs_rule want;
    } rows[] = {
        {"holder still running: keep waiting", VS_SEEN_RUNNING, 0, 0, VS_RULE_KEEP},
        {"holder finished it: commit without running", VS_SEEN_FINAL, 0, 0, VS_RULE_COMMIT},
        {"holder silent 15 s (kill -9) or sent retry: take it", VS_SEEN_NOTHING, 0, 0,
         VS_RULE_TAKE},
        {"held behind a copy here that is still here: the copy decides", VS_SEEN_NOTHING, 1, 1,
         VS_RULE_KEEP},
        {"held behind a copy here, copy final", VS_SEEN_FINAL, 1, 1, VS_RULE_KEEP},
        {"held behind a copy here that is gone, job final: commit", VS_SEEN_FINAL, 1, 0,
         VS_RULE_COMMIT},
        {"held behind a copy here that is gone, nobody runs it: take", VS_SEEN_NOTHING, 1, 0,
         VS_RULE_TAKE},
    };
    for (size_t i = 0; i < N(rows); i++) {
        enum vs_rule got = vs_rule_held(rows[i].seen, rows[i].holder_self, rows[i].copy_here);
        if (got != rows[i].want)
            fail_row("held", rows[i].what, vs_rule_name(got), vs_rule_name(rows[i].want));
    }
}

/* ---- start ---- */

static void test_start(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        int attempts, max, nvenc, nvenc_free;
        enum vs_rule want;
    } rows[] = {
        {"first attempt on a CPU worker", 0, 3, 0, 0, VS_RULE_START},
        {"second attempt", 1, 3, 0, 0, VS_RULE_START},
        {"last attempt", 2, 3, 0, 0, VS_RULE_START},
        {"attempts used up (counted from the status topic): fails", 3, 3, 0, 0, VS_RULE_FAIL},
        {"more failed attempts than allowed: fails", 5, 3, 1, 1, VS_RULE_FAIL},
        {"--max-attempts 1, one failed: fails", 1, 1, 0, 0, VS_RULE_FAIL},
        {"NVENC worker, a session lock free", 0, 3, 1, 1, VS_RULE_START},
        {"NVENC worker, every session of the machine taken: waits", 0, 3, 1, 0, VS_RULE_WAIT},
        {"attempts used up beats a full GPU", 3, 3, 1, 0, VS_RULE_FAIL},
    };
    for (size_t i = 0; i < N(rows); i++) {
        enum vs_rule got = vs_rule_start(rows[i].attempts, rows[i].max, rows[i].nvenc,
                                         rows[i].nvenc_free);
        if (got != rows[i].want)
            fail_row("start", rows[i].what, vs_rule_name(got), vs_rule_name(rows[i].want));
    }
}

/* ---- outcome ---- */

static void test_outcome(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        enum vs_outcome o;
        int attempts, max, stopping;
        double backoff;
        vs_after want;
    } rows[] = {
        {"done: final, resets the streak", VS_OUT_DONE, 0, 3, 0, 30,
         {VS_RULE_DONE, 0, -1, 0, 0, 0}},
        {"done after failed attempts keeps their count", VS_OUT_DONE, 2, 3, 0, 30,
         {VS_RULE_DONE, 2, -1, 0, 0, 0}},
        {"already done (redelivery): done", VS_OUT_ALREADY_DONE, 0, 3, 0, 30,
         {VS_RULE_DONE, 0, -1, 0, 0, 0}},
        {"skipped: final, attempts 0, streak untouched", VS_OUT_SKIPPED, 1, 3, 0, 30,
         {VS_RULE_SKIPPED, 0, 0, 0, 0, 0}},
        {"cancelled at shutdown: handed back, not a failure", VS_OUT_CANCELLED, 1, 3, 1, 30,
         {VS_RULE_HAND_BACK, 1, 0, 0, 0, 0}},
        {"bad input: fails at once, counts the attempt, no streak", VS_OUT_BAD_INPUT, 0, 3, 0, 30,
         {VS_RULE_FAIL, 1, 0, 0, 0, 0}},
        {"output folder not writable (the job's own): fails at once, no streak",
         VS_OUT_BAD_OUTPUT, 0, 3, 0, 30, {VS_RULE_FAIL, 1, 0, 0, 0, 0}},
        {"I/O error, first attempt: retry elsewhere in 5 s, streak +1", VS_OUT_IO, 0, 3, 0, 30,
         {VS_RULE_RETRY, 1, 1, 0, 1, VS_RETRY_DELAY_S}},
        {"internal error, second attempt: retry", VS_OUT_INTERNAL, 1, 3, 0, 30,
         {VS_RULE_RETRY, 2, 1, 0, 1, VS_RETRY_DELAY_S}},
        {"I/O error on the last attempt: fails, streak +1", VS_OUT_IO, 2, 3, 0, 30,
         {VS_RULE_FAIL, 3, 1, 0, 0, 0}},
        {"--max-attempts 1: the first failure is final", VS_OUT_INTERNAL, 0, 1, 0, 30,
         {VS_RULE_FAIL, 1, 1, 0, 0, 0}},
        {"GPU busy: retry here after the back-off (at most 5 s), slots lowered, no streak",
         VS_OUT_GPU_BUSY, 0, 3, 0, 30, {VS_RULE_RETRY, 1, 0, 1, 0, VS_RETRY_DELAY_S}},
        {"GPU busy with a short back-off waits the back-off", VS_OUT_GPU_BUSY, 0, 3, 0, 2,
         {VS_RULE_RETRY, 1, 0, 1, 0, 2}},
        {"GPU busy on the last attempt: fails, no streak", VS_OUT_GPU_BUSY, 2, 3, 0, 30,
         {VS_RULE_FAIL, 3, 0, 1, 0, 0}},
        {"I/O error while stopping: handed back with the attempt counted", VS_OUT_IO, 0, 3, 1, 30,
         {VS_RULE_HAND_BACK, 1, 0, 0, 0, 0}},
        {"I/O error while stopping, attempts used up: fails", VS_OUT_IO, 2, 3, 1, 30,
         {VS_RULE_FAIL, 3, 1, 0, 0, 0}},
    };
    for (size_t i = 0; i < N(rows); i++) {
        vs_after g = vs_rule_outcome(rows[i].o, rows[i].attempts, rows[i].max, rows[i].stopping,
                                     rows[i].backoff);
        const vs_after *w = &rows[i].want;
        if (g.rule != w->rule)
            fail_row("outcome", rows[i].what, vs_rule_name(g.rule), vs_rule_name(w->rule));
        char got[128], want[128];
        snprintf(got, sizeof got, "attempts %d streak %d backoff %d elsewhere %d delay %.1f",
                 g.attempts, g.streak, g.backoff, g.elsewhere, g.delay_s);
        snprintf(want, sizeof want, "attempts %d streak %d backoff %d elsewhere %d delay %.1f",
                 w->attempts, w->streak, w->backoff, w->elsewhere, w->delay_s);
        if (g.attempts != w->attempts || g.streak != w->streak || g.backoff != w->backoff ||
            g.elsewhere != w->elsewhere || g.delay_s != w->delay_s)
            fail_row("outcome", rows[i].what, got, want);
    }
}

/* ---- hand-over ---- */

static void test_handover(void **state)
{
    (void)state;
    static const char *const names[] = {"none", "after failure", "idle"};
    static const struct {
        const char *what;
        vs_waiting in;
        enum vs_peer_need want;
    } rows[] = {
        {"a slot is free here and it is ready: it starts here", {0, 0, 1, 1, 0}, VS_PEER_NONE},
        {"all slots busy here: hand it to an idle worker", {0, 0, 0, 1, 0}, VS_PEER_IDLE},
        {"waiting out a retry delay with a slot free: an idle worker may take it",
         {0, 0, 1, 0, 0}, VS_PEER_IDLE},
        {"every NVENC session taken here: an idle worker may take it", {0, 0, 1, 1, 1},
         VS_PEER_IDLE},
        {"handed over 3 times already: stays", {0, VS_MAX_HOPS, 0, 1, 0}, VS_PEER_NONE},
        {"2 hops, slots busy: one more hop", {0, VS_MAX_HOPS - 1, 0, 1, 0}, VS_PEER_IDLE},
        {"an attempt failed here: passed on, even with a free slot", {1, 0, 1, 1, 0},
         VS_PEER_AFTER_FAILURE},
        {"an attempt failed here: passed on whatever its hops", {1, VS_MAX_HOPS, 0, 0, 0},
         VS_PEER_AFTER_FAILURE},
    };
    for (size_t i = 0; i < N(rows); i++) {
        enum vs_peer_need got = vs_rule_handover(&rows[i].in);
        if (got != rows[i].want)
            fail_row("handover", rows[i].what, names[got], names[rows[i].want]);
    }
}

/* ---- the worker as a whole ---- */

static void test_worker_limits(void **state)
{
    (void)state;
    /* slot limit: slots, paused, backed off, back-off limit */
    assert_int_equal(vs_rule_slot_limit(3, 0, 0, 1), 3);
    assert_int_equal(vs_rule_slot_limit(3, 1, 0, 1), 0);   /* failure pause: no jobs */
    assert_int_equal(vs_rule_slot_limit(3, 0, 1, 1), 1);   /* busy GPU: lowered */
    assert_int_equal(vs_rule_slot_limit(3, 1, 1, 2), 0);   /* pause beats back-off */
    /* back-off limit: running, limit now, backed off, back-off limit */
    assert_int_equal(vs_rule_backoff_limit(2, 3, 0, 0), 2); /* the jobs running now */
    assert_int_equal(vs_rule_backoff_limit(0, 3, 0, 0), 1); /* at least one */
    assert_int_equal(vs_rule_backoff_limit(2, 1, 1, 1), 1); /* a lower back-off stays */
    assert_int_equal(vs_rule_backoff_limit(1, 2, 1, 2), 1); /* lower still: lowered */
    /* failure streak: streak, fail_streak, paused */
    assert_int_equal(vs_rule_streak_pauses(2, 3, 0), 0);
    assert_int_equal(vs_rule_streak_pauses(3, 3, 0), 1);
    assert_int_equal(vs_rule_streak_pauses(4, 3, 0), 1);
    assert_int_equal(vs_rule_streak_pauses(3, 3, 1), 0);   /* already paused */
    assert_int_equal(vs_rule_streak_pauses(50, -1, 0), 0); /* --fail-streak off */
    /* fetching: stopping, running, waiting, limit */
    assert_int_equal(vs_rule_pause_fetch(0, 0, 0, 1), 0);
    assert_int_equal(vs_rule_pause_fetch(0, 1, 0, 1), 0);  /* one more than the slots is fetched */
    assert_int_equal(vs_rule_pause_fetch(0, 1, 1, 1), 1);
    assert_int_equal(vs_rule_pause_fetch(0, 0, 1, 0), 1);  /* paused worker holds one */
    assert_int_equal(vs_rule_pause_fetch(1, 0, 0, 3), 1);  /* stopping */
}

static void test_leaving(void **state)
{
    (void)state;
    /* A revoked or lost partition, or a stop: waiting jobs are dropped
     * uncommitted (read again by the next owner); running ones finish
     * here (the next owner holds them: rebalance.sh), jobs being handed
     * over finish their copy. */
    assert_int_equal(vs_rule_on_leave(VS_TASK_PENDING), VS_RULE_DROP);
    assert_int_equal(vs_rule_on_leave(VS_TASK_HELD), VS_RULE_DROP);
    assert_int_equal(vs_rule_on_leave(VS_TASK_RUNNING), VS_RULE_KEEP);
    assert_int_equal(vs_rule_on_leave(VS_TASK_FORWARDING), VS_RULE_KEEP);
    /* The copy of a handed-over job. */
    assert_int_equal(vs_rule_forwarded(1, 0), VS_RULE_COMMIT);
    assert_int_equal(vs_rule_forwarded(1, 1), VS_RULE_COMMIT);
    assert_int_equal(vs_rule_forwarded(0, 0), VS_RULE_QUEUE);
    assert_int_equal(vs_rule_forwarded(0, 1), VS_RULE_DROP);
}

static void test_slots(void **state)
{
    (void)state;
    static const struct {
        int cores, gpu, sessions, parallel, threads_opt; /* in */
        int slots, threads;                              /* out */
    } t[] = {
        {2, 0, 3, 0, 0, 2, 1},    /* CPU: a slot per core, one codec thread each */
        {16, 0, 3, 0, 0, 16, 1},
        {1, 0, 3, 0, 0, 1, 1},
        {0, 0, 3, 0, 0, 1, 1},    /* cores unknown: one */
        {2, 1, 3, 0, 0, 3, 1},    /* NVENC: a slot per session, cores shared out */
        {16, 1, 3, 0, 0, 3, 5},
        {16, 1, 8, 0, 0, 8, 2},
        {2, 0, 3, 1, 0, 1, 2},    /* --parallel 1: the job gets every core */
        {16, 0, 3, 4, 0, 4, 4},
        {16, 0, 3, 32, 0, 32, 1}, /* more slots than cores: one thread each */
        {16, 0, 3, 0, 3, 16, 3},  /* --threads wins */
        {16, 1, 3, 2, 8, 2, 8},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int slots = -1, threads = -1;
        vs_rule_slots(t[i].cores, t[i].gpu, t[i].sessions, t[i].parallel, t[i].threads_opt,
                      &slots, &threads);
        assert_int_equal(slots, t[i].slots);
        assert_int_equal(threads, t[i].threads);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arrival),
        cmocka_unit_test(test_held),
        cmocka_unit_test(test_start),
        cmocka_unit_test(test_outcome),
        cmocka_unit_test(test_handover),
        cmocka_unit_test(test_worker_limits),
        cmocka_unit_test(test_slots),
        cmocka_unit_test(test_leaving),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
