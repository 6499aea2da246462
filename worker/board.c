/* board.c - the status topic read into a table of jobs and of workers; see board.h.
 *
 * Times are wall-clock seconds of *this* machine: a message read live is
 * dated when it arrives, one read while catching up by its Kafka
 * timestamp, so another machine's clock skew cannot make a live job look
 * dead. Tables are small hash tables keyed by id; entries not heard of
 * for a day are dropped. */
#include "board.h"
#include "kafka/since.h"
#include "errstr.h"
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "status.h"

#define N_BUCKETS     4096
#define FORGET_S      86400.0
#define HANDOFF_S     4.0
#define MAX_HANDOFFS  16

typedef struct job_ent {
    struct job_ent *next;
    char id[128];
    char worker[128];
    enum vs_status_kind kind;
    double seen;
    int attempts;        /* failed attempts, the highest any message said */
    char error[256];     /* the last retry / failed reason */
} job_ent;

typedef struct peer {
    struct peer *next;
    char id[128];
    char group[128];
    char host[128];
    int slots, busy, stopping;
    int32_t parts[256];
    int n_parts;
    unsigned rr;
    double seen;
    double handoffs[MAX_HANDOFFS];
} peer;

struct vs_board {
    rd_kafka_t *rk;
    char *topic;
    char self[128];
    double lookback_s;
    int assigned;        /* partitions assigned to the reader */
    int tries;           /* assignment attempts so far */
    int n_parts, n_eof;  /* partitions, and how many reached their start-time end */
    unsigned char *eof;  /* per partition: reached the end once */
    double next_try;     /* when to retry the assignment */
    int caught_up;
    job_ent *jobs[N_BUCKETS];
    peer *peers;
    double next_sweep;
};


static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h % N_BUCKETS;
}

static void copy_id(char *dst, size_t sz, const char *src)
{
    snprintf(dst, sz, "%s", src ? src : "");
}

int vs_board_open(const vs_kafka_conf *c, const char *self, double lookback_s,
                 vs_board **out, char *errstr, size_t errsz)
{
    *out = NULL;
    vs_board *f = calloc(1, sizeof(*f));
    if (!f || !(f->topic = strdup(c->status_topic))) {
        free(f);
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    copy_id(f->self, sizeof f->self, self);
    f->lookback_s = lookback_s;
    char cid[200];
    snprintf(cid, sizeof cid, "vs-status-%s", self);
    rd_kafka_conf_t *conf = vs_kafka_conf_build(c, VS_KAFKA_READER, cid, errstr, errsz);
    if (!conf) {
        vs_board_close(&f);
        return -1;
    }
    char why[512];
    if (rd_kafka_conf_set(conf, "enable.partition.eof", "true", why, sizeof why) != RD_KAFKA_CONF_OK) {
        vs_set_err(errstr, errsz, "enable.partition.eof: %s", why);
        rd_kafka_conf_destroy(conf);
        vs_board_close(&f);
        return -1;
    }
    f->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!f->rk) {
        vs_set_err(errstr, errsz, "status reader: %s", why);
        rd_kafka_conf_destroy(conf);
        vs_board_close(&f);
        return -1;
    }
    rd_kafka_poll_set_consumer(f->rk);
    *out = f;
    return 0;
}

void vs_board_close(vs_board **fp)
{
    vs_board *f = fp ? *fp : NULL;
    if (!f)
        return;
    if (f->rk) {
        rd_kafka_consumer_close(f->rk);
        rd_kafka_destroy(f->rk);
    }
    for (int b = 0; b < N_BUCKETS; b++)
        for (job_ent *e = f->jobs[b], *n; e; e = n) {
            n = e->next;
            free(e);
        }
    for (peer *p = f->peers, *n; p; p = n) {
        n = p->next;
        free(p);
    }
    free(f->eof);
    free(f->topic);
    free(f);
    *fp = NULL;
}

/* Finds the topic's partitions and assigns them all, starting lookback_s
 * back (or at the beginning when the broker cannot look up by time: the
 * embedded broker's partitions keep only a few MiB). */
static void try_assign(vs_board *f)
{
    char why[256];
    int n = vs_kafka_partition_count(f->rk, f->topic, 2000, NULL, why, sizeof why);
    if (n <= 0) {
        vs_log(VS_LOG_DEBUG, "status topic not available yet: %s", why);
        return;
    }
    int64_t *since = calloc((size_t)n, sizeof *since);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
    int by_time = since && vs_kafka_offsets_since(f->rk, f->topic, n,
                                                  vs_clock_wall() - f->lookback_s, since,
                                                  3000) == 1;
    if (!by_time)
        vs_log(VS_LOG_DEBUG, "status reader: reading %s from the start", f->topic);
    for (int i = 0; i < n; i++) {
        int64_t off = RD_KAFKA_OFFSET_BEGINNING;
        if (by_time && since[i] != VS_SINCE_UNKNOWN)
            off = since[i] < 0 ? RD_KAFKA_OFFSET_END : since[i];
        rd_kafka_topic_partition_list_add(l, f->topic, i)->offset = off;
    }
    free(since);
    free(f->eof);
    f->eof = calloc((size_t)n, 1);
    rd_kafka_resp_err_t e = f->eof ? rd_kafka_assign(f->rk, l) : RD_KAFKA_RESP_ERR__FAIL;
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        vs_log(VS_LOG_WARN, "status reader: cannot assign %s: %s", f->topic, rd_kafka_err2str(e));
        return;
    }
    f->n_parts = n;
    f->n_eof = 0;
    f->assigned = 1;
}

static job_ent *job_get(vs_board *f, const char *id, int create)
{
    unsigned h = hash(id);
    for (job_ent *e = f->jobs[h]; e; e = e->next)
        if (!strcmp(e->id, id))
            return e;
    if (!create)
        return NULL;
    job_ent *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    copy_id(e->id, sizeof e->id, id);
    e->next = f->jobs[h];
    f->jobs[h] = e;
    return e;
}

static peer *peer_get(vs_board *f, const char *id, int create)
{
    for (peer *p = f->peers; p; p = p->next)
        if (!strcmp(p->id, id))
            return p;
    if (!create)
        return NULL;
    peer *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    copy_id(p->id, sizeof p->id, id);
    p->next = f->peers;
    f->peers = p;
    return p;
}

static void parse_parts(peer *p, const char *list)
{
    p->n_parts = 0;
    for (const char *s = list; *s && p->n_parts < (int)(sizeof p->parts / sizeof p->parts[0]);) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s)
            break;
        if (v >= 0 && v < 1000000)
            p->parts[p->n_parts++] = (int32_t)v;
        s = *end == ',' ? end + 1 : end;
    }
}

static void apply(vs_board *f, const vs_status *st, double seen)
{
    if (st->kind == VS_ST_HEARTBEAT) {
        peer *p = peer_get(f, st->worker, 1);
        if (!p)
            return;
        copy_id(p->group, sizeof p->group, st->group);
        copy_id(p->host, sizeof p->host, st->host);
        p->slots = st->slots;
        p->busy = st->busy;
        p->stopping = st->stopping;
        parse_parts(p, st->partitions);
        p->seen = seen;
        return;
    }
    /* A refused message is not the job: its id may be anybody's. */
    if (st->kind == VS_ST_FAILED && st->rejected)
        return;
    job_ent *e = job_get(f, st->job_id, 1);
    if (!e)
        return;
    if (st->attempts > e->attempts)
        e->attempts = st->attempts;
    if ((st->kind == VS_ST_RETRY || st->kind == VS_ST_FAILED) && st->error[0])
        snprintf(e->error, sizeof e->error, "%.*s", (int)sizeof e->error - 1, st->error);
    /* A late progress message never reopens a finished job. */
    if (st->kind == VS_ST_PROGRESS && (e->kind == VS_ST_DONE || e->kind == VS_ST_SKIPPED ||
                                       e->kind == VS_ST_FAILED) && !strcmp(e->worker, st->worker))
        return;
    e->kind = st->kind;
    copy_id(e->worker, sizeof e->worker, st->worker);
    e->seen = seen;
}

static void sweep(vs_board *f, double now)
{
    for (int b = 0; b < N_BUCKETS; b++) {
        job_ent **pp = &f->jobs[b];
        while (*pp) {
            if (now - (*pp)->seen > FORGET_S) {
                job_ent *dead = *pp;
                *pp = dead->next;
                free(dead);
            } else {
                pp = &(*pp)->next;
            }
        }
    }
    for (peer **pp = &f->peers; *pp;) {
        if (now - (*pp)->seen > FORGET_S) {
            peer *dead = *pp;
            *pp = dead->next;
            free(dead);
        } else {
            pp = &(*pp)->next;
        }
    }
}

int vs_board_poll(vs_board *f, int timeout_ms)
{
    double now = vs_clock_wall();
    if (!f->assigned) {
        if (now < f->next_try)
            return 0;
        /* Every second at first, then rarely: a lookup blocks the caller. */
        f->next_try = now + (f->tries++ < 20 ? 1.0 : 30.0);
        try_assign(f);
        if (!f->assigned)
            return 0;
    }
    if (now > f->next_sweep) {
        sweep(f, now);
        f->next_sweep = now + 600;
    }
    int n = 0;
    for (int i = 0; i < 1000; i++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(f->rk, i == 0 ? timeout_ms : 0);
        if (!m)
            break;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (m->partition >= 0 && m->partition < f->n_parts && !f->eof[m->partition]) {
                f->eof[m->partition] = 1;
                if (++f->n_eof == f->n_parts && !f->caught_up) {
                    f->caught_up = 1;
                    vs_log(VS_LOG_DEBUG, "status reader caught up");
                }
            }
        } else if (m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE ||
                   m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
            /* A job whose final status was lost is still recognised by
             * its output (the pipeline's "already done"). */
            vs_log(VS_LOG_WARN, "status topic %s: statuses were lost before they were read; "
                   "finished jobs are recognised by their outputs", f->topic);
        } else if (m->err) {
            vs_log(VS_LOG_DEBUG, "status reader: %s", rd_kafka_message_errstr(m));
        } else {
            vs_status st;
            char why[256];
            if (vs_status_parse(m->payload, m->len, &st, why, sizeof why) == 0) {
                double seen = vs_clock_wall();
                if (!f->caught_up) {
                    rd_kafka_timestamp_type_t tt;
                    int64_t ts = rd_kafka_message_timestamp(m, &tt);
                    if (ts > 0 && ts / 1000.0 < seen)
                        seen = ts / 1000.0;
                }
                apply(f, &st, seen);
                n++;
            } else {
                vs_log(VS_LOG_DEBUG, "status topic: ignoring a message: %s", why);
            }
        }
        rd_kafka_message_destroy(m);
    }
    return n;
}

int vs_board_caught_up(const vs_board *f)
{
    return f->caught_up;
}

enum vs_board_job vs_board_job_state(vs_board *f, const char *job_id, double live_s,
                                   char *worker, size_t wsz)
{
    job_ent *e = job_get(f, job_id, 0);
    if (worker && wsz)
        worker[0] = 0;
    if (!e)
        return VS_BOARD_UNKNOWN;
    if (worker && wsz)
        copy_id(worker, wsz, e->worker);
    switch (e->kind) {
    case VS_ST_DONE:
    case VS_ST_SKIPPED:
    case VS_ST_FAILED:
        return VS_BOARD_FINAL;
    case VS_ST_STARTED:
    case VS_ST_PROGRESS:
        if (vs_clock_wall() - e->seen < live_s)
            return VS_BOARD_RUNNING;
        return VS_BOARD_UNKNOWN;
    default:
        return VS_BOARD_UNKNOWN;
    }
}

int vs_board_job_attempts(vs_board *f, const char *job_id, double live_s,
                         char *why, size_t whysz)
{
    job_ent *e = job_get(f, job_id, 0);
    if (why && whysz)
        why[0] = 0;
    if (!e)
        return 0;
    int n = e->attempts;
    if ((e->kind == VS_ST_STARTED || e->kind == VS_ST_PROGRESS) && vs_clock_wall() - e->seen >= live_s) {
        /* Its worker went silent without a result: that attempt is lost. */
        n++;
        if (why && whysz)
            snprintf(why, whysz, "worker %s went silent during attempt %d (lost?)", e->worker, n);
    } else if (why && whysz) {
        copy_id(why, whysz, e->error);
    }
    return n;
}

static int recent_handoffs(peer *p, double now)
{
    int n = 0;
    for (int i = 0; i < MAX_HANDOFFS; i++)
        if (p->handoffs[i] > 0 && now - p->handoffs[i] < HANDOFF_S)
            n++;
    return n;
}

int32_t vs_board_pick_peer(vs_board *f, const char *group, double fresh_s,
                          const char *avoid_host, int need_free, char *worker, size_t wsz)
{
    double now = vs_clock_wall();
    peer *best = NULL;
    int best_free = need_free ? 0 : -1000000;
    for (peer *p = f->peers; p; p = p->next) {
        if (!strcmp(p->id, f->self) || p->stopping || p->n_parts == 0 ||
            now - p->seen > fresh_s || strcmp(p->group, group) ||
            (avoid_host && !strcmp(p->host, avoid_host)))
            continue;
        if (p->slots <= 0)
            continue; /* taking no jobs (failure streak, stopping) */
        int free_slots = p->slots - p->busy - recent_handoffs(p, now);
        if (free_slots > best_free) {
            best = p;
            best_free = free_slots;
        }
    }
    if (!best)
        return -1;
    copy_id(worker, wsz, best->id);
    return best->parts[best->rr++ % (unsigned)best->n_parts];
}

void vs_board_note_handoff(vs_board *f, const char *worker)
{
    peer *p = peer_get(f, worker, 0);
    if (!p)
        return;
    double now = vs_clock_wall(), *oldest = &p->handoffs[0];
    for (int i = 1; i < MAX_HANDOFFS; i++)
        if (p->handoffs[i] < *oldest)
            oldest = &p->handoffs[i];
    *oldest = now;
}
