/* handover.c - waiting jobs passed to other workers; see handover.h.
 *
 * Which jobs go is the rules' call (vs_rule_handover); which worker takes
 * one is the board's (vs_board_pick_peer: a live heartbeat, a free slot,
 * a partition of the jobs topic to publish to). */
#include "handover.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "reject.h"
#include "tasks.h"

/* Level of per-job event lines: the embedded producer shows them itself. */
#define JOB_LOG(s) ((s)->o.quiet_jobs ? VS_LOG_DEBUG : VS_LOG_INFO)

/* Re-publishes t to partition part (held by peer), counting a hop or
 * carrying its failed attempts. Returns 0 when queued. */
static int pass_on(vs_worker *s, task *t, int32_t part, const char *peer, int hop)
{
    rd_kafka_headers_t *h = t->hdrs ? rd_kafka_headers_copy(t->hdrs) : rd_kafka_headers_new(2);
    char num[16];
    if (hop) {
        snprintf(num, sizeof num, "%d", t->hops + 1);
        rd_kafka_header_remove(h, VS_HOPS_HEADER);
        rd_kafka_header_add(h, VS_HOPS_HEADER, -1, num, -1);
    }
    snprintf(num, sizeof num, "%d", t->prior);
    rd_kafka_header_remove(h, VS_ATTEMPTS_HEADER);
    rd_kafka_header_add(h, VS_ATTEMPTS_HEADER, -1, num, -1);
    t->fwd_id = ++s->next_fwd;
    int rc = vs_sender_job(s->pub, part, t->key, t->keylen, t->payload, t->len, h, t->fwd_id);
    rd_kafka_headers_destroy(h);
    if (rc < 0)
        return -1;
    t->state = VS_TASK_FORWARDING;
    vs_board_note_handoff(s->board, peer);
    return 0;
}

void vs_handover_round(vs_worker *s)
{
    if (s->stopping || !s->subscribed)
        return;
    double now = vs_clock_mono();
    double fresh = 3 * s->o.heartbeat_s + 1.0;
    int can_start = s->running < vs_worker_slot_limit(s);
    /* Waiting for NVENC (every session of the machine taken, or the
     * driver said busy): a worker on this machine would wait as well. */
    int gpu_blocked = s->use_gpu && (s->gpu_full || s->backoff_until > now);
    for (task *t = s->tasks; t; t = t->next) {
        if (t->state != VS_TASK_PENDING)
            continue;
        vs_waiting w = {
            .elsewhere = t->elsewhere,
            .hops = t->hops,
            .can_start = can_start,
            .ready = t->not_before <= now,
            .nvenc_full = s->gpu_full,
        };
        char peer[128];
        int32_t part;
        switch (vs_rule_handover(&w)) {
        case VS_PEER_AFTER_FAILURE:
            /* An idle worker if there is one, else any that takes jobs. */
            part = vs_board_pick_peer(s->board, s->kc.group, fresh, NULL, 1, peer, sizeof peer);
            if (part < 0)
                part = vs_board_pick_peer(s->board, s->kc.group, fresh, NULL, 0, peer,
                                          sizeof peer);
            if (part < 0) {
                t->elsewhere = 0; /* nobody else: it runs here again after a pause */
                continue;
            }
            if (pass_on(s, t, part, peer, 0) < 0)
                return;
            vs_log(JOB_LOG(s), "%s (%s): %d failed attempt%s; passing it to %s",
                   t->job->job_id, t->name, t->prior, t->prior == 1 ? "" : "s", peer);
            return; /* one per round: the next pick sees this one counted */
        case VS_PEER_IDLE:
            part = vs_board_pick_peer(s->board, s->kc.group, fresh,
                                      gpu_blocked ? s->host : NULL, 1, peer, sizeof peer);
            if (part < 0 || pass_on(s, t, part, peer, 1) < 0)
                return;
            vs_log(JOB_LOG(s), "%s (%s): %s; handing it to %s", t->job->job_id, t->name,
                   s->pause_until > now ? "paused after failures here" :
                   can_start ? "waiting here" : "all slots busy here", peer);
            return; /* one per round: the next pick sees this one counted */
        default:
            break;
        }
    }
}

void vs_handover_delivered(void *ctx, uint64_t id, rd_kafka_resp_err_t err)
{
    vs_worker *s = ctx;
    if (vs_reject_delivered(s, id, err))
        return;
    for (task *t = s->tasks; t; t = t->next) {
        if (t->state != VS_TASK_FORWARDING || t->fwd_id != id)
            continue;
        switch (vs_rule_forwarded(!err, s->stopping)) {
        case VS_RULE_QUEUE:
            t->state = VS_TASK_PENDING; /* keep it; the warning was logged */
            t->elsewhere = 0;
            return;
        case VS_RULE_DROP:
            vs_task_forget(s, t, 0);
            return;
        default:
            break;
        }
        vs_worker_count(s, &s->stats.handed_over);
        /* Copies of the same job held here (a redelivery) went with it. */
        for (task *d = s->tasks, *next; d; d = next) {
            next = d->next;
            if (d != t && d->state == VS_TASK_HELD && !strcmp(d->holder, s->id) &&
                !strcmp(d->job->job_id, t->job->job_id))
                vs_task_forget(s, d, 1);
        }
        vs_task_forget(s, t, 1);
        return;
    }
}
