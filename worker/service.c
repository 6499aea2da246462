/* service.c - the worker service: lifecycle, consumer, rebalances, pausing,
 * heartbeat. What happens to each job message is in intake.c, tasks.c and
 * handover.c, by the rules of rules.c.
 *
 * One service thread does all the Kafka work: it polls the jobs consumer
 * every 100 ms whatever the jobs are doing (so max.poll.interval.ms is
 * never exceeded, however long a job runs), reads the status topic,
 * serves the producer's delivery reports, starts and reaps job slots, and
 * pauses every assigned partition while it cannot take another job.
 *
 * Rebalancing is incremental (cooperative-sticky): a member keeps the
 * partitions it is not asked to give up, and jobs keep running through a
 * rebalance. A job whose partition moved away while it runs is finished
 * here; its new owner sees it running on the status topic, holds it and
 * stores its offset once it is final, so it is not run twice. */
#include "state.h"
#include "errstr.h"
#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "handover.h"
#include "intake.h"
#include "log.h"
#include "reject.h"
#include "setup.h"
#include "tasks.h"



/* The end of a failure-streak pause. */
static void check_pause(vs_worker *s)
{
    if (s->pause_until > 0 && vs_clock_mono() >= s->pause_until) {
        s->pause_until = 0;
        s->streak = 0;
        s->hb_dirty = 1;
        vs_log(VS_LOG_INFO, "failure pause over: taking jobs again");
    }
}

/* ---- status ---- */

/* The jobs-topic partitions this member holds, "0,3,7" (cut at a comma
 * when too long: it is a hint for other workers). */
static void assigned_list(vs_worker *s, char *buf, size_t sz)
{
    rd_kafka_topic_partition_list_t *l = NULL;
    buf[0] = 0;
    if (!s->subscribed || rd_kafka_assignment(s->consumer, &l) || !l)
        return;
    size_t len = 0;
    for (int i = 0; i < l->cnt; i++) {
        char one[16];
        int n = snprintf(one, sizeof one, "%s%d", len ? "," : "", (int)l->elems[i].partition);
        if (len + (size_t)n >= sz)
            break;
        memcpy(buf + len, one, (size_t)n + 1);
        len += (size_t)n;
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static void heartbeat(vs_worker *s)
{
    vs_status st;
    vs_worker_fill_status(s, &st, VS_ST_HEARTBEAT, NULL);
    st.slots = s->stopping ? 0 : vs_worker_slot_limit(s);
    st.busy = s->running;
    snprintf(st.encoders, sizeof st.encoders, "%s", s->encoders);
    snprintf(st.version, sizeof st.version, "%s", VS_VERSION);
    double now = vs_clock_mono(), left = s->backoff_until - now;
    if (s->pause_until - now > left)
        left = s->pause_until - now;
    st.paused_s = left > 0 ? left : 0;
    snprintf(st.group, sizeof st.group, "%s", s->kc.group);
    assigned_list(s, st.partitions, sizeof st.partitions);
    st.stopping = s->stopping;
    vs_sender_status(s->pub, &st);
    s->last_hb = vs_clock_mono();
    s->next_hb = s->last_hb + s->o.heartbeat_s;
    vs_worker_note_heartbeat(s);
    s->hb_dirty = 0;
}

/* ---- offsets ---- */

static void commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    vs_worker *s = opaque;
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        vs_log(VS_LOG_DEBUG, "offset commit failed: %s; will retry", rd_kafka_err2str(err));
        s->commit_due = 1;
    }
}

/* ---- rebalances and pausing ---- */

static void set_paused(vs_worker *s, rd_kafka_topic_partition_list_t *parts, int pause)
{
    rd_kafka_topic_partition_list_t *l = parts;
    if (!l && rd_kafka_assignment(s->consumer, &l))
        return;
    if (l->cnt > 0) {
        rd_kafka_resp_err_t e = pause ? rd_kafka_pause_partitions(s->consumer, l)
                                      : rd_kafka_resume_partitions(s->consumer, l);
        if (e)
            vs_log(VS_LOG_WARN, "cannot %s partitions: %s", pause ? "pause" : "resume",
                   rd_kafka_err2str(e));
    }
    if (!parts)
        rd_kafka_topic_partition_list_destroy(l);
}

static void update_pause(vs_worker *s)
{
    int waiting = vs_tasks_count(s, VS_TASK_PENDING) + vs_tasks_count(s, VS_TASK_FORWARDING);
    /* One job more than the slots is fetched: it runs as soon as a slot
     * frees, or goes to an idle worker meanwhile. */
    int want = vs_rule_pause_fetch(s->stopping, s->running, waiting, vs_worker_slot_limit(s));
    if (want == s->paused)
        return;
    set_paused(s, NULL, want);
    s->paused = want;
    vs_log(VS_LOG_DEBUG, "%s fetching jobs (%d running, %d waiting)",
           want ? "paused" : "resumed", s->running, waiting);
}

static void commit_revoked(vs_worker *s, const rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts->cnt);
    for (int i = 0; i < parts->cnt; i++) {
        int64_t off = vs_ledger_storable(s->ledger, parts->elems[i].partition);
        if (off >= 0)
            rd_kafka_topic_partition_list_add(l, parts->elems[i].topic,
                                              parts->elems[i].partition)->offset = off;
    }
    if (l->cnt > 0) {
        rd_kafka_resp_err_t e = rd_kafka_commit(s->consumer, l, 0);
        if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
            vs_log(VS_LOG_DEBUG, "commit on revoke: %s", rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    vs_worker *s = opaque;
    int coop = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");
    rd_kafka_error_t *error = NULL;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (coop)
            error = rd_kafka_incremental_assign(rk, parts);
        else
            rd_kafka_assign(rk, parts);
        for (int i = 0; i < parts->cnt; i++)
            vs_ledger_assign(s->ledger, parts->elems[i].partition);
        /* librdkafka keeps a partition's pause flag across a revoke and
         * a new assignment (a partition lost while paused would come back
         * paused for good): set it either way. */
        set_paused(s, parts, s->paused);
        if (parts->cnt > 0)
            vs_log(VS_LOG_INFO, "assigned %d partition(s) of %s", parts->cnt, s->kc.jobs_topic);
    } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        int lost = rd_kafka_assignment_lost(rk);
        if (!lost)
            commit_revoked(s, parts);
        for (int i = 0; i < parts->cnt; i++) {
            vs_tasks_drop_partition(s, parts->elems[i].partition);
            vs_ledger_revoke(s->ledger, parts->elems[i].partition);
        }
        if (coop)
            error = rd_kafka_incremental_unassign(rk, parts);
        else
            rd_kafka_assign(rk, NULL);
        if (parts->cnt > 0)
            vs_log(VS_LOG_INFO, "%s %d partition(s) of %s", lost ? "lost" : "gave up",
                   parts->cnt, s->kc.jobs_topic);
    } else {
        vs_log(VS_LOG_WARN, "rebalance failed: %s", rd_kafka_err2str(err));
        rd_kafka_assign(rk, NULL);
    }
    if (error) {
        vs_log(VS_LOG_WARN, "rebalance: %s", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    }
    s->hb_dirty = 1;
}

/* ---- the service thread ---- */

/* The service gives up on its own: remember why, then stop. */
static void give_up(vs_worker *s, const char *fmt, const char *what)
    __attribute__((format(printf, 2, 0)));
static void give_up(vs_worker *s, const char *fmt, const char *what)
{
    pthread_mutex_lock(&s->mu);
    snprintf(s->fatal, sizeof s->fatal, fmt, what);
    pthread_mutex_unlock(&s->mu);
    vs_log(VS_LOG_ERROR, "%s", s->fatal);
    atomic_store(&s->stop_req, 1);
}

static void subscribe(vs_worker *s)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, s->kc.jobs_topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(s->consumer, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        give_up(s, "cannot subscribe to the jobs topic: %s", rd_kafka_err2str(e));
        return;
    }
    s->subscribed = 1;
    vs_log(VS_LOG_INFO, "worker %s joined group %s on %s (%d slot%s, %s, %d codec thread%s each)",
           s->id, s->kc.group, s->kc.jobs_topic, s->slots, s->slots == 1 ? "" : "s",
           s->use_gpu ? "NVENC" : "CPU encoder", s->io.threads, s->io.threads == 1 ? "" : "s");
}

static void begin_stop(vs_worker *s)
{
    s->stopping = 1;
    s->stop_t = vs_clock_mono();
    vs_tasks_drop_waiting(s);
    if (s->running)
        vs_log(VS_LOG_INFO, "stopping: no new jobs; %d running job(s) get %.0f s to finish",
               s->running, s->o.grace_s);
    s->hb_dirty = 1;
}

static void handle_message(vs_worker *s, rd_kafka_message_t *m)
{
    if (!m->err) {
        vs_intake(s, m);
        return;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        return;
    if (rd_kafka_fatal_error(s->consumer, NULL, 0)) {
        give_up(s, "jobs consumer: fatal: %s", rd_kafka_message_errstr(m));
    } else if (m->err == RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED) {
        vs_log(VS_LOG_WARN, "jobs consumer: %s", rd_kafka_message_errstr(m));
    } else if (m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE ||
               m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
        /* Lost data, not a hiccup: say it once per partition and go on
         * from what is there (their producers check their outputs). */
        vs_log(VS_LOG_ERROR, "%s partition %d: job messages were lost before they were read "
               "(the broker dropped them: retention, or the embedded broker's 5 MiB per "
               "partition); going on from the oldest one left", s->kc.jobs_topic,
               (int)m->partition);
    } else {
        vs_log(VS_LOG_DEBUG, "jobs consumer: %s", rd_kafka_message_errstr(m));
    }
}

static void *service_main(void *arg)
{
    vs_worker *s = arg;
    /* First, so that the status reader finds the topic on a new cluster. */
    if (vs_kafka_ensure_topics(vs_sender_rk(s->pub), &s->kc, 10000) < 0)
        give_up(s, "%s", "stopping: the brokers refused this worker (see above)");
    for (;;) {
        double now = vs_clock_mono();
        if (atomic_load(&s->stop_req) && !s->stopping)
            begin_stop(s);
        if (s->stopping) {
            if (!s->cancelled && s->running &&
                (now - s->stop_t >= s->o.grace_s || atomic_load(&s->stop_now))) {
                vs_log(VS_LOG_INFO, "grace time over: handing %d running job(s) back", s->running);
                vs_tasks_cancel_running(s);
                s->cancelled = 1;
            }
            if (!s->running && !vs_tasks_count(s, VS_TASK_FORWARDING) && !s->parked)
                break;
            /* Copies that cannot be delivered stay uncommitted: their
             * messages are read again later, nothing is lost. */
            if (!s->running && now - s->stop_t >= s->o.grace_s + 10.0) {
                vs_log(VS_LOG_WARN, "stopping: copies to other workers or the dead-letter topic "
                       "not confirmed; their messages stay uncommitted");
                break;
            }
        }
        if (!s->subscribed && !s->stopping) {
            vs_board_poll(s->board, 100);
            if (vs_board_caught_up(s->board) || now - s->start_t > 20.0) {
                if (!vs_board_caught_up(s->board))
                    vs_log(VS_LOG_WARN, "status topic %s not read to its end after 20 s; "
                           "taking jobs anyway", s->kc.status_topic);
                subscribe(s);
            }
        }
        if (s->subscribed) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(s->consumer, 100);
            if (m) {
                handle_message(s, m);
                rd_kafka_message_destroy(m);
            }
            /* Drain what is already here without waiting. */
            for (int i = 0; i < 32 && !s->paused && (m = rd_kafka_consumer_poll(s->consumer, 0)); i++) {
                handle_message(s, m);
                rd_kafka_message_destroy(m);
                update_pause(s);
            }
            vs_board_poll(s->board, 0);
        } else if (s->stopping) {
            usleep(100000);
        }
        vs_sender_poll(s->pub, 0);
        check_pause(s);
        vs_tasks_reap(s);
        vs_tasks_recheck_held(s);
        vs_tasks_schedule(s);
        vs_handover_round(s);
        vs_tasks_progress(s);
        update_pause(s);
        now = vs_clock_mono();
        if (s->subscribed && s->commit_due && now >= s->next_commit) {
            s->commit_due = 0;
            s->next_commit = now + 2.0;
            rd_kafka_commit(s->consumer, NULL, 1);
        }
        if (s->subscribed && (now >= s->next_hb || (s->hb_dirty && now - s->last_hb >= 0.25)))
            heartbeat(s);
    }

    /* Leave the group cleanly: commit what is final, revoke, close. */
    if (s->subscribed) {
        rd_kafka_resp_err_t e = rd_kafka_commit(s->consumer, NULL, 0);
        if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
            vs_log(VS_LOG_WARN, "final commit: %s", rd_kafka_err2str(e));
        e = rd_kafka_consumer_close(s->consumer);
        if (e)
            vs_log(VS_LOG_WARN, "leaving the group: %s", rd_kafka_err2str(e));
        s->subscribed = 0;
        heartbeat(s);
    }
    vs_log(VS_LOG_INFO, "worker %s stopped", s->id);
    pthread_mutex_lock(&s->mu);
    s->done = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* ---- lifecycle ---- */

/* The folders job paths must stay in (errors before anything connects). */
static int setup_roots(vs_worker *s, const vs_worker_opts *o, int *defaulted,
                       char *errstr, size_t errsz)
{
    char why[512];
    if (vs_roots_setup(&s->roots, o->roots, o->n_roots, o->roots_env, defaulted,
                       why, sizeof why) < 0) {
        vs_set_err(errstr, errsz, "%s", why);
        return -1;
    }
    return 0;
}

/* The scratch folder of http inputs: it obeys the roots like a job's
 * output does, so a download never lands outside them. An explicit
 * --scratch is made and checked now (a bad one stops the start); the
 * default, .vs-scratch in the first root, is made only when the first
 * http input arrives (runner.c), so a worker without http inputs leaves
 * no trace in its roots. Also checks the --upload template. */
static int setup_http(vs_worker *s, const vs_worker_opts *o, char *errstr, size_t errsz)
{
    char dir[4096], probe[4200], why[512] = "";
    if (vs_http_global_init() < 0) {
        vs_set_err(errstr, errsz, "libcurl could not start");
        return -1;
    }
    s->http_started = 1;
    if (o->upload && vs_http_check_url(o->upload, why, sizeof why) < 0) {
        vs_set_err(errstr, errsz, "--upload: %s", why);
        return -1;
    }
    if (o->upload && !(s->upload = strdup(o->upload))) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    int lazy = !o->scratch_dir;
    if (lazy) {
        /* The roots are resolved paths: ROOT/.vs-scratch is inside. */
        snprintf(dir, sizeof dir, "%s/.vs-scratch", vs_roots_get(s->roots, 0));
        s->scratch = strdup(dir);
    } else {
        /* Confined first, made after: nothing is created outside the roots. */
        snprintf(dir, sizeof dir, "%s", o->scratch_dir);
        snprintf(probe, sizeof probe, "%s/probe", dir);
        char *res = NULL;
        if (vs_roots_resolve_output(s->roots, probe, &res, why, sizeof why) < 0) {
            vs_set_err(errstr, errsz, "--scratch %s: %s (it must lie inside the roots)", dir,
                       why);
            return -1;
        }
        res[strlen(res) - strlen("/probe")] = '\0';
        s->scratch = res;
        if (mkdir(res, 0700) < 0 && errno != EEXIST) {
            vs_set_err(errstr, errsz, "--scratch %s: %s", dir, strerror(errno));
            return -1;
        }
    }
    if (!s->scratch) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    s->io = (vs_runner_io){.scratch = s->scratch, .scratch_lazy = lazy, .upload = s->upload,
                           .upload_remove = o->upload_remove, .http = &s->o.http};
    s->o.scratch_dir = s->scratch;
    s->o.upload = s->upload;
    return 0;
}

/* What this worker will and will not do, said once at start-up. */
static void say_limits(vs_worker *s, int defaulted)
{
    char list[1024];
    vs_roots_describe(s->roots, list, sizeof list);
    if (defaulted)
        vs_log(VS_LOG_INFO, "no --root and no VS_ROOTS: jobs may only read and write under "
               "the working directory %s", list);
    else
        vs_log(VS_LOG_INFO, "jobs may only read and write under %s", list);
    if (s->job_key)
        vs_log(VS_LOG_INFO, "VS_JOB_KEY is set: unsigned or forged jobs are refused");
}

int vs_worker_start(const vs_worker_opts *opts, vs_worker **out,
                     char *errstr, size_t errsz)
{
    *out = NULL;
    vs_worker *s = calloc(1, sizeof(*s));
    if (!s) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->o = *opts;
    s->o.kafka = NULL;
    if (s->o.gpu_sessions <= 0)
        s->o.gpu_sessions = VS_GPU_SESSIONS;
    if (s->o.grace_s < 0)
        s->o.grace_s = VS_GRACE_S;
    if (s->o.gpu_backoff_s <= 0)
        s->o.gpu_backoff_s = VS_GPU_BACKOFF_S;
    if (s->o.heartbeat_s <= 0)
        s->o.heartbeat_s = VS_HEARTBEAT_S;
    if (s->o.max_attempts <= 0)
        s->o.max_attempts = VS_MAX_ATTEMPTS;
    if (s->o.fail_streak == 0)
        s->o.fail_streak = VS_FAIL_STREAK;
    if (s->o.fail_pause_s <= 0)
        s->o.fail_pause_s = VS_FAIL_PAUSE_S;
    if (s->o.fail_pause_s > VS_FAIL_PAUSE_MAX_S)
        s->o.fail_pause_s = VS_FAIL_PAUSE_MAX_S;
    s->o.roots = NULL;
    s->o.n_roots = 0;
    s->o.roots_env = NULL;
    s->o.job_key = NULL;
    if (vs_kafka_conf_copy(&s->kc, opts->kafka) < 0 ||
        !(s->lock_dir = strdup(opts->gpu_lock_dir ? opts->gpu_lock_dir : VS_GPU_LOCK_DIR)) ||
        (opts->fault && !(s->fault = strdup(opts->fault))) ||
        (opts->job_key && *opts->job_key && !(s->job_key = strdup(opts->job_key))) ||
        !(s->ledger = vs_ledger_new())) {
        vs_set_err(errstr, errsz, "out of memory");
        goto fail;
    }
    s->o.gpu_lock_dir = s->lock_dir;
    s->o.fault = s->fault;
    s->o.worker_id = NULL;
    if (!s->kc.brokers) {
        vs_set_err(errstr, errsz, "no broker named (--brokers or VS_BROKERS)");
        goto fail;
    }
    int defaulted = 0;
    if (setup_roots(s, opts, &defaulted, errstr, errsz) < 0 ||
        setup_http(s, opts, errstr, errsz) < 0)
        goto fail;
    vs_worker_setup_id(s, opts->worker_id);
    vs_kafka_dead_topic(&s->kc, s->dead_topic, sizeof s->dead_topic);

    rd_kafka_conf_t *conf = vs_kafka_conf_build(&s->kc, VS_KAFKA_CONSUMER, s->id, errstr, errsz);
    if (!conf)
        goto fail;
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    rd_kafka_conf_set_offset_commit_cb(conf, commit_cb);
    rd_kafka_conf_set_opaque(conf, s);
    char why[512];
    s->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!s->consumer) {
        vs_set_err(errstr, errsz, "jobs consumer: %s", why);
        rd_kafka_conf_destroy(conf);
        goto fail;
    }
    rd_kafka_poll_set_consumer(s->consumer);
    if (vs_sender_new(&s->kc, s->id, vs_handover_delivered, s, &s->pub, errstr, errsz) < 0 ||
        vs_board_open(&s->kc, s->id, 3600.0, &s->board, errstr, errsz) < 0 ||
        vs_worker_setup(s, errstr, errsz) < 0)
        goto fail;
    say_limits(s, defaulted);

    s->start_t = vs_clock_mono();
    int e = pthread_create(&s->th, NULL, service_main, s);
    if (e) {
        vs_set_err(errstr, errsz, "cannot start the service thread: %s", strerror(e));
        goto fail;
    }
    s->th_started = 1;
    *out = s;
    return 0;
fail:
    vs_worker_free(&s);
    return -1;
}

const char *vs_worker_worker_id(const vs_worker *s)
{
    return s->id;
}

void vs_worker_stop(vs_worker *s)
{
    if (s)
        atomic_store(&s->stop_req, 1);
}

void vs_worker_stop_now(vs_worker *s)
{
    if (!s)
        return;
    atomic_store(&s->stop_now, 1);
    atomic_store(&s->stop_req, 1);
}

int vs_worker_error(vs_worker *s, char *errstr, size_t errsz)
{
    pthread_mutex_lock(&s->mu);
    int bad = s->fatal[0] != 0;
    if (bad && errstr && errsz)
        vs_set_err(errstr, errsz, "%s", s->fatal);
    pthread_mutex_unlock(&s->mu);
    return bad ? -1 : 0;
}


int vs_worker_wait(vs_worker *s, int timeout_ms)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    if (timeout_ms >= 0) {
        dl.tv_sec += timeout_ms / 1000;
        dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&s->mu);
    while (!s->done) {
        if (timeout_ms < 0)
            pthread_cond_wait(&s->cv, &s->mu);
        else if (pthread_cond_timedwait(&s->cv, &s->mu, &dl) == ETIMEDOUT)
            break;
    }
    int done = s->done;
    pthread_mutex_unlock(&s->mu);
    return done;
}

void vs_worker_get_stats(vs_worker *s, vs_worker_stats *st)
{
    pthread_mutex_lock(&s->mu);
    *st = s->stats;
    pthread_mutex_unlock(&s->mu);
}

int vs_worker_free(vs_worker **sp)
{
    vs_worker *s = sp ? *sp : NULL;
    int rc = 0;
    if (!s)
        return 0;
    if (s->th_started) {
        vs_worker_stop(s);
        pthread_join(s->th, NULL);
    }
    if (s->consumer)
        rd_kafka_destroy(s->consumer);
    if (vs_sender_free(&s->pub, 10000) < 0)
        rc = -1;
    vs_board_close(&s->board);
    while (s->tasks) {
        task *t = s->tasks;
        s->tasks = t->next;
        vs_task_free(&t);
    }
    vs_reject_free_all(s);
    vs_ledger_free(&s->ledger);
    vs_roots_free(&s->roots);
    free(s->scratch);
    free(s->upload);
    if (s->http_started)
        vs_http_global_cleanup(); /* counted: the last one cleans up */
    if (s->job_key) {
        memset(s->job_key, 0, strlen(s->job_key));
        free(s->job_key);
    }
    vs_kafka_conf_release(&s->kc);
    free(s->lock_dir);
    free(s->fault);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
    *sp = NULL;
    return rc;
}
