/* intake.c - a job message arrives at the worker; see intake.h.
 *
 * Before anything runs, the status topic is asked about the job: finished
 * somewhere -> its offset is stored and it is not run again; running on
 * another live worker (the partition moved during a rebalance, or a
 * hand-over raced) -> held until its final state shows up; otherwise it
 * waits for a free slot here. A message is refused (reject.c) when it is
 * not a valid job, is not signed with the job key the worker has, or
 * names paths outside the worker's roots; the paths of an accepted job are
 * replaced by their resolved form, which is what the pipeline opens. */
#include "intake.h"
#include "errstr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "folder.h"
#include "handover.h"
#include "log.h"
#include "reject.h"
#include "sign.h"
#include "tasks.h"

/* Level of per-job event lines: the embedded producer shows them itself. */
#define JOB_LOG(s) ((s)->o.quiet_jobs ? VS_LOG_DEBUG : VS_LOG_INFO)

/* A small number in header NAME (0 when absent or not a number 0..999). */
static int header_int(const rd_kafka_message_t *m, const char *name)
{
    rd_kafka_headers_t *h = NULL;
    const void *val;
    size_t sz;
    if (rd_kafka_message_headers(m, &h) || !h ||
        rd_kafka_header_get_last(h, name, &val, &sz) || !val || sz == 0 || sz > 3)
        return 0;
    int n = 0;
    for (size_t i = 0; i < sz; i++) {
        char c = ((const char *)val)[i];
        if (c < '0' || c > '9')
            return 0;
        n = n * 10 + (c - '0');
    }
    return n;
}

static int map_path(vs_worker *s, char **path, char *errstr, size_t errsz)
{
    char buf[VS_JOB_MAX_PATH + 1];
    if (!vs_path_maps_apply(&s->kc.maps, *path, buf, sizeof buf)) {
        vs_set_err(errstr, errsz, "path too long after --path-map: %s", *path);
        return -1;
    }
    if (strcmp(buf, *path)) {
        char *m = strdup(buf);
        if (!m) {
            vs_set_err(errstr, errsz, "out of memory");
            return -1;
        }
        free(*path);
        *path = m;
    }
    return 0;
}

/* Keeps a job's paths inside the worker's roots: both are replaced by
 * their resolved form, which is what the pipeline opens. */
static int confine(vs_worker *s, vs_job *job, char *errstr, size_t errsz)
{
    char *in = NULL, *out = NULL;
    /* An http input is downloaded into the scratch folder, which setup
     * confined already. */
    int url = vs_job_input_is_url(job->input);
    if (!url && vs_roots_resolve_input(s->roots, job->input, &in, errstr, errsz) < 0)
        return -1;
    if (vs_roots_resolve_output(s->roots, job->output, &out, errstr, errsz) < 0) {
        free(in);
        return -1;
    }
    if (!url) {
        free(job->input);
        job->input = in;
    }
    free(job->output);
    job->output = out;
    return 0;
}

/* Decides what a new task does (rules.h, vs_rule_arrival); may free it. */
static void decide(vs_worker *s, task *t)
{
    task *same = vs_task_find(s, t->job->job_id, t);
    char who[128] = "";
    vs_arrival a = {.here = VS_HERE_NONE};
    if (same && same->state == VS_TASK_RUNNING)
        a.here = same->n_src < 4 ? VS_HERE_RUNNING : VS_HERE_RUNNING_FULL;
    else if (same)
        a.here = VS_HERE_WAITING;
    a.seen = vs_task_seen(s, t, who, sizeof who);
    a.seen_self = !strcmp(who, s->id);
    switch (vs_rule_arrival(&a)) {
    case VS_RULE_JOIN:
        /* Its offset is stored when the run here ends. */
        same->src[same->n_src++] = t->src[0];
        vs_log(VS_LOG_DEBUG, "%s: redelivered while running here", t->job->job_id);
        vs_task_free(&t);
        return;
    case VS_RULE_COMMIT:
        vs_log(JOB_LOG(s), "%s (%s): already finished by %s; not run again", t->job->job_id,
               t->name, who);
        vs_task_commit(s, t);
        vs_task_free(&t);
        return;
    case VS_RULE_HOLD:
        t->state = VS_TASK_HELD;
        snprintf(t->holder, sizeof t->holder, "%s", same ? s->id : who);
        vs_log(JOB_LOG(s), "%s (%s): running on %s; waiting for its result", t->job->job_id,
               t->name, t->holder);
        break;
    default:
        t->state = VS_TASK_PENDING;
        break;
    }
    vs_task_append(s, t);
}

void vs_intake(vs_worker *s, rd_kafka_message_t *m)
{
    unsigned gen = vs_ledger_gen(s->ledger, m->partition);
    if (!gen || s->stopping)
        return; /* not ours (any more): not opened, so never stored */
    vs_ledger_open(s->ledger, m->partition, m->offset);

    /* The reader bounds the size (VS_JOB_MAX_BYTES) before parsing. */
    char why[512], name[256];
    vs_job *job = NULL;
    if (vs_job_parse(m->payload, m->len, &job, why, sizeof why) < 0) {
        vs_reject(s, m, gen, NULL, why);
        return;
    }
    /* The signature covers the job as published, before any path map. */
    if (s->job_key && vs_sign_verify(s->job_key, strlen(s->job_key), job, why, sizeof why) < 0) {
        char r[600];
        snprintf(r, sizeof r, "%s (this worker takes only jobs signed with its VS_JOB_KEY)", why);
        vs_reject(s, m, gen, job, r);
        vs_job_free(&job);
        return;
    }
    int url = vs_job_input_is_url(job->input);
    if ((!url && map_path(s, &job->input, why, sizeof why) < 0) ||
        map_path(s, &job->output, why, sizeof why) < 0) {
        vs_reject(s, m, gen, job, why);
        vs_job_free(&job);
        return;
    }
    if (url)
        vs_job_url_name(job->input, name, sizeof name);
    else
        snprintf(name, sizeof name, "%s", vs_base_name(job->input));
    if (confine(s, job, why, sizeof why) < 0) {
        vs_reject(s, m, gen, job, why);
        vs_job_free(&job);
        return;
    }
    task *t = calloc(1, sizeof(*t));
    if (!t || !(t->payload = malloc(m->len ? m->len : 1)) ||
        (m->key_len && !(t->key = malloc(m->key_len)))) {
        if (t)
            free(t->payload);
        free(t);
        vs_reject(s, m, gen, job, "out of memory");
        vs_job_free(&job);
        return;
    }
    t->job = job;
    snprintf(t->name, sizeof t->name, "%s", name);
    memcpy(t->payload, m->payload, m->len);
    t->len = m->len;
    if (m->key_len)
        memcpy(t->key, m->key, m->key_len);
    t->keylen = m->key_len;
    rd_kafka_headers_t *h = NULL;
    if (!rd_kafka_message_headers(m, &h) && h)
        t->hdrs = rd_kafka_headers_copy(h);
    t->hops = header_int(m, VS_HOPS_HEADER);
    t->prior = header_int(m, VS_ATTEMPTS_HEADER);
    t->src[0] = (task_src){m->partition, m->offset, gen};
    t->n_src = 1;
    t->nvenc_fd = -1;
    t->nvenc_session = -1;
    t->queued = vs_clock_mono();
    decide(s, t);
}

