/* run.c - one vs-produce run, step by step: detect (--vad-master), build
 * the jobs from the folder, then print them (--dry-run) or hand them to
 * the farm and follow them to the summary. */
#include "run.h"
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect.h"
#include "follow.h"
#include "batch.h"
#include "local.h"
#include "kafka/broker.h"
#include "log.h"
#include "notify.h"
#include "progress.h"
#include "send_jobs.h"
#include "summary.h"

#define VS_PUBLISH_TIMEOUT_MS 30000

static void detect_params(const vs_produce_opts *o, volatile sig_atomic_t *stop,
                          vs_detect_params *p)
{
    p->cancel = stop;
    p->threshold_db = o->threshold_db;
    p->min_silence_s = o->min_silence_s;
    p->offset = o->offset;
    p->process_duration = o->process_duration;
}

int vs_produce_detect(const vs_produce_opts *o, volatile sig_atomic_t *stop)
{
    char err[1024] = "";
    vs_detect_params p;
    detect_params(o, stop, &p);
    if (vs_detect_write_sidecar(o->input, &p, NULL, err, sizeof err) < 0) {
        vs_log(VS_LOG_ERROR, "%s", err);
        return VS_EXIT_FAILED;
    }
    return VS_EXIT_OK;
}

/* --vad-master: a relative name is looked up in the folder first (as the
 * original tool did), then as given. Writes the sidecar and returns its
 * path (caller frees), or NULL after logging why. */
static char *detect_master(const vs_produce_opts *o, volatile sig_atomic_t *stop)
{
    char err[1024] = "", *sidecar = NULL, *joined = NULL;
    const char *master = o->vad_master;
    vs_detect_params p;

    if (master[0] != '/') {
        size_t n = strlen(o->folder) + strlen(master) + 2;
        joined = malloc(n);
        if (joined) {
            snprintf(joined, n, "%s/%s", o->folder, master);
            if (access(joined, F_OK) == 0)
                master = joined;
        }
    }
    detect_params(o, stop, &p);
    if (vs_detect_write_sidecar(master, &p, &sidecar, err, sizeof err) < 0)
        vs_log(VS_LOG_ERROR, "%s", err);
    free(joined);
    return sidecar;
}

/* --dry-run: the jobs on stdout, notes on stderr. */
static int dry_run(vs_batch *b)
{
    vs_batch_counts c;
    int rc = vs_publish_print(b, stdout);
    vs_batch_count(b, &c);
    vs_log(VS_LOG_INFO, "dry run %s: %zu job%s, %zu skipped, %zu failed (nothing published)",
           b->run_id, c.queued, c.queued == 1 ? "" : "s", c.skipped, c.failed);
    if (rc < 0)
        return VS_EXIT_SETUP;
    return c.failed ? VS_EXIT_FAILED : VS_EXIT_OK;
}

/* The producer handle: delivery reports to vs_publish_dr_cb. */
static rd_kafka_t *new_producer(const vs_kafka_conf *c, char *errstr, size_t errsz)
{
    rd_kafka_conf_t *conf = vs_kafka_conf_build(c, VS_KAFKA_PRODUCER, "vs-produce",
                                                errstr, errsz);
    if (!conf)
        return NULL;
    rd_kafka_conf_set_dr_msg_cb(conf, vs_publish_dr_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errsz);
    if (!rk)
        rd_kafka_conf_destroy(conf);
    return rk;
}

int vs_produce_create_topics(const vs_produce_opts *o)
{
    char err[512];
    rd_kafka_t *rk = new_producer(&o->kafka, err, sizeof err);
    if (!rk) {
        vs_log(VS_LOG_ERROR, "%s", err);
        return VS_EXIT_SETUP;
    }
    int n = vs_kafka_ensure_topics(rk, &o->kafka, 30000);
    if (n >= 0)
        vs_log(VS_LOG_INFO, "topics %s and %s: %d created, the rest were there",
               o->kafka.jobs_topic, o->kafka.status_topic, n);
    rd_kafka_destroy(rk);
    return n < 0 ? VS_EXIT_SETUP : VS_EXIT_OK;
}

/* What publish_more needs: the jobs held back by flow control go out. */
typedef struct more_ctx {
    rd_kafka_t *rk;
    const char *topic;
    vs_batch *b;
    vs_follow *follow;
} more_ctx;

static void publish_more(void *opaque)
{
    more_ctx *m = opaque;
    char err[512];
    size_t before = vs_batch_unpublished(m->b);
    if (vs_publish_jobs(m->rk, m->topic, m->b, vs_follow_workers(m->follow),
                        VS_PUBLISH_TIMEOUT_MS, err, sizeof err) < 0)
        vs_log(VS_LOG_WARN, "publishing the next jobs: %s", err);
    size_t sent = before - vs_batch_unpublished(m->b);
    if (sent)
        vs_log(VS_LOG_DEBUG, "%zu more job%s on %s (%zu held back)", sent, sent == 1 ? "" : "s",
               m->topic, vs_batch_unpublished(m->b));
}

/* Publishes the queued jobs and follows them to their final states.
 * Returns 0, or -1 when the farm could not be reached at all (logged). */
static int farm(const vs_produce_opts *o, vs_batch *b, volatile sig_atomic_t *stop)
{
    char err[1024] = "";
    vs_kafka_conf conf;
    vs_local *local = NULL;
    vs_follow *follow = NULL;
    vs_progress_view *progress = NULL;
    rd_kafka_t *rk = NULL;
    int rc = -1;

    if (vs_kafka_conf_copy(&conf, &o->kafka) < 0) {
        vs_log(VS_LOG_ERROR, "out of memory");
        return -1;
    }
    if (!conf.brokers && vs_local_start(&conf, o, &local, err, sizeof err) < 0)
        goto out;
    /* The embedded broker drops the oldest data of a full partition: never
     * more unread jobs there than it holds. */
    if (local)
        b->part_budget = VS_BROKER_PARTITION_BUDGET;
    if (!(rk = new_producer(&conf, err, sizeof err)))
        goto out;
    if (!local && vs_kafka_ensure_topics(rk, &conf, 10000) < 0)
        goto out; /* refused: the reason is logged */
    /* The status reader starts before any job of this run exists, so it
     * sees every status of this run; it counts no other run's. */
    if (vs_follow_open(&conf, &follow, err, sizeof err) < 0)
        goto out;
    /* Heartbeats of the last seconds: who is alive, holding which partitions. */
    vs_follow_catch_up(follow, b, 5000);
    if (vs_publish_jobs(rk, conf.jobs_topic, b, vs_follow_workers(follow),
                        VS_PUBLISH_TIMEOUT_MS, err, sizeof err) < 0)
        goto out;
    size_t videos = vs_batch_unfinished(b), jobs = vs_batch_published(b);
    if (jobs > videos) /* split videos: a job per chunk */
        vs_log(VS_LOG_INFO, "run %s: %zu job%s for %zu video%s on %s via %s", b->run_id, jobs,
               jobs == 1 ? "" : "s", videos, videos == 1 ? "" : "s", conf.jobs_topic, conf.brokers);
    else
        vs_log(VS_LOG_INFO, "run %s: %zu job%s on %s via %s", b->run_id, videos,
               videos == 1 ? "" : "s", conf.jobs_topic, conf.brokers);
    if (vs_batch_unpublished(b))
        vs_log(VS_LOG_INFO, "%zu of them wait to be published until workers read the first "
               "(the embedded broker holds %d MiB per partition)", vs_batch_unpublished(b),
               VS_BROKER_PARTITION_BUDGET / (1024 * 1024));
    more_ctx more = {rk, conf.jobs_topic, b, follow};
    progress = vs_progress_new(o->progress, b);
    vs_follow_opts fo = {
        .timeout_s = o->timeout_s,
        .worker_wait_s = o->worker_wait_s,
        .jobs_topic = conf.jobs_topic,
        .group = conf.group,
        .stop = stop,
        .progress = progress,
        .embedded = local != NULL,
        .publish_more = publish_more,
        .publish_ctx = &more,
    };
    enum vs_follow_end end = vs_follow_run(follow, b, &fo);
    vs_progress_finish(progress);
    if (end == VS_FOLLOW_TIMEOUT)
        vs_log(VS_LOG_ERROR, "gave up after --timeout %g s", o->timeout_s);
    rc = 0;
out:
    if (rc < 0 && err[0])
        vs_log(VS_LOG_ERROR, "%s", err);
    vs_progress_free(&progress);
    vs_local_stop_workers(local);
    vs_follow_close(&follow);
    if (rk) {
        rd_kafka_flush(rk, 5000);
        rd_kafka_destroy(rk);
    }
    vs_local_free(&local);
    vs_kafka_conf_release(&conf);
    return rc;
}

/* --notify: the JSON summary to every URL. Whatever happens there, the
 * exit code stays the batch's. An interrupted run still notifies (a second
 * signal ends the program); otherwise a signal ends the notifying. */
static void notify(const vs_produce_opts *o, const vs_batch *b, double wall_s,
                   volatile sig_atomic_t *stop)
{
    if (o->n_notify == 0)
        return;
    char *doc = vs_summary_json(b, wall_s);
    if (doc)
        vs_notify_post(o->notify, o->n_notify, doc, o->notify_timeout_s, *stop ? NULL : stop);
    free(doc);
}

int vs_produce_run(const vs_produce_opts *o, volatile sig_atomic_t *stop)
{
    char err[1024] = "", *sidecar = NULL;
    vs_batch *b = NULL;
    vs_produce_opts run_opts = *o; /* shallow: owns nothing, never released */
    int rc;

    if (o->vad_master) {
        if (!(sidecar = detect_master(o, stop)))
            return VS_EXIT_SETUP;
        run_opts.vad_json = sidecar;
    }
    rc = vs_batch_build(&run_opts, &b, err, sizeof err);
    free(sidecar);
    if (rc < 0) {
        vs_log(VS_LOG_ERROR, "%s", err);
        return VS_EXIT_SETUP;
    }
    if (o->dry_run) {
        rc = dry_run(b);
        vs_batch_free(&b);
        return rc;
    }
    double t0 = vs_clock_mono();
    rc = VS_EXIT_OK;
    if (*stop)
        vs_batch_fail_unfinished(b, "interrupted before publishing");
    if (vs_batch_unfinished(b) > 0 && farm(o, b, stop) < 0) {
        vs_batch_fail_unfinished(b, "not published (the farm could not be reached)");
        rc = VS_EXIT_SETUP;
    }
    double wall_s = vs_clock_mono() - t0;
    if (vs_summary_print(b, o->json, wall_s, stdout) < 0 && rc == VS_EXIT_OK)
        rc = VS_EXIT_FAILED;
    if (rc == VS_EXIT_OK)
        rc = vs_summary_exit_code(b);
    notify(o, b, wall_s, stop);
    vs_batch_free(&b);
    return rc;
}
