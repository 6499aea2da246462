/* metrics.c - the worker's Prometheus endpoint (see metrics.h).
 *
 * The counting lives in the worker library (vs_worker_get_stats); this
 * file only turns a snapshot into the text exposition format (version
 * 0.0.4: "# HELP", "# TYPE", one sample a line) and serves it with
 * libmicrohttpd from its own thread. Only GET /metrics answers; anything
 * else is 404, so the port shows nothing but numbers. Label values are a
 * fixed set (reasons, bucket bounds) plus the worker's id. */
#include "metrics.h"
#include "errstr.h"
#include "http/httpd.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"

struct vs_metrics_server {
    struct MHD_Daemon *d;
    _Atomic(vs_worker *) s;  /* NULL until the worker started: 503 */
};

typedef struct buf {
    char *p;
    size_t len, cap;
    int oom;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n + 1;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

static void head(buf *b, const char *name, const char *type, const char *help)
{
    put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with '\\', '"' and newlines escaped. */
static void escape(char *out, size_t sz, const char *v)
{
    size_t at = 0;
    for (; *v && at + 3 < sz; v++) {
        if (*v == '\\' || *v == '"') {
            out[at++] = '\\';
            out[at++] = *v;
        } else if (*v == '\n') {
            out[at++] = '\\';
            out[at++] = 'n';
        } else {
            out[at++] = *v;
        }
    }
    out[at] = '\0';
}

char *vs_metrics_render(const char *id, const vs_worker_stats *st)
{
    buf b = {.p = malloc(4096), .cap = 4096};
    if (!b.p)
        return NULL;
    b.p[0] = '\0';
    char wid[512];
    escape(wid, sizeof wid, id ? id : "");

    head(&b, "vs_worker_info", "gauge", "The worker's id (always 1).");
    put(&b, "vs_worker_info{worker=\"%s\"} 1\n", wid);
    head(&b, "vs_jobs_started_total", "counter", "Job attempts started.");
    put(&b, "vs_jobs_started_total %ld\n", st->started);
    head(&b, "vs_jobs_done_total", "counter", "Jobs finished with an output.");
    put(&b, "vs_jobs_done_total %ld\n", st->done);
    head(&b, "vs_jobs_skipped_total", "counter", "Jobs skipped: the output existed.");
    put(&b, "vs_jobs_skipped_total %ld\n", st->skipped);
    head(&b, "vs_jobs_failed_total", "counter", "Jobs reported failed, by reason.");
    for (int r = 0; r < VS_REASON_N; r++)
        put(&b, "vs_jobs_failed_total{reason=\"%s\"} %ld\n", vs_worker_reason_str(r),
            st->failed_by[r]);
    head(&b, "vs_jobs_retried_total", "counter",
         "Attempts that failed and put their job back, by reason.");
    for (int r = 0; r < VS_REASON_N; r++)
        put(&b, "vs_jobs_retried_total{reason=\"%s\"} %ld\n", vs_worker_reason_str(r),
            st->retried_by[r]);
    head(&b, "vs_jobs_handed_over_total", "counter",
         "Jobs passed to an idle worker while every slot here was busy.");
    put(&b, "vs_jobs_handed_over_total %ld\n", st->handed_over);
    head(&b, "vs_worker_pauses_total", "counter",
         "Failure streaks that made the worker take no jobs for a while.");
    put(&b, "vs_worker_pauses_total %ld\n", st->pauses);
    head(&b, "vs_worker_slots", "gauge", "Jobs the worker takes at once now.");
    put(&b, "vs_worker_slots %d\n", st->slots);
    head(&b, "vs_worker_slots_busy", "gauge", "Jobs running now.");
    put(&b, "vs_worker_slots_busy %d\n", st->busy);
    head(&b, "vs_nvenc_sessions_in_use", "gauge", "NVENC sessions held by running jobs.");
    put(&b, "vs_nvenc_sessions_in_use %d\n", st->nvenc_busy);
    head(&b, "vs_encode_frames_per_second", "gauge",
         "Frames encoded per second, all running jobs together.");
    put(&b, "vs_encode_frames_per_second %.3f\n", st->fps);
    head(&b, "vs_job_duration_seconds", "histogram", "Wall time of jobs done here.");
    long cum = 0;
    for (int i = 0; i < VS_JOB_SECONDS_BUCKETS; i++) {
        cum += st->job_seconds_bucket[i];
        put(&b, "vs_job_duration_seconds_bucket{le=\"%g\"} %ld\n", vs_worker_job_seconds_le[i],
            cum);
    }
    cum += st->job_seconds_bucket[VS_JOB_SECONDS_BUCKETS];
    put(&b, "vs_job_duration_seconds_bucket{le=\"+Inf\"} %ld\n", cum);
    put(&b, "vs_job_duration_seconds_sum %.6f\n", st->job_seconds_sum);
    put(&b, "vs_job_duration_seconds_count %ld\n", st->job_seconds_count);
    head(&b, "vs_worker_last_heartbeat_timestamp_seconds", "gauge",
         "When the last heartbeat was sent (Unix time; 0 before the first).");
    put(&b, "vs_worker_last_heartbeat_timestamp_seconds %.3f\n", st->last_heartbeat);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    vs_metrics_server *ms = cls;
    (void)version;
    (void)upload;
    (void)upload_size;
    (void)con_cls;
    struct MHD_Response *r;
    unsigned code = MHD_HTTP_OK;
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    vs_worker *s = atomic_load(&ms->s);
    if (get && !strcmp(url, "/metrics") && !s) {
        static char wait[] = "the worker is starting\n";
        code = MHD_HTTP_SERVICE_UNAVAILABLE;
        r = MHD_create_response_from_buffer(strlen(wait), wait, MHD_RESPMEM_PERSISTENT);
        if (!r)
            return MHD_NO;
    } else if (get && !strcmp(url, "/metrics")) {
        vs_worker_stats st;
        vs_worker_get_stats(s, &st);
        char *text = vs_metrics_render(vs_worker_worker_id(s), &st);
        if (!text)
            return MHD_NO;
        r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        if (!r) {
            free(text);
            return MHD_NO;
        }
        MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    } else {
        static char nf[] = "not found: metrics are on /metrics\n";
        code = get ? MHD_HTTP_NOT_FOUND : MHD_HTTP_METHOD_NOT_ALLOWED;
        r = MHD_create_response_from_buffer(strlen(nf), nf, MHD_RESPMEM_PERSISTENT);
        if (!r)
            return MHD_NO;
    }
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

void vs_metrics_attach(vs_metrics_server *ms, vs_worker *s)
{
    atomic_store(&ms->s, s);
}

int vs_metrics_start(const char *addr, vs_metrics_server **out, char *errstr, size_t errsz)
{
    *out = NULL;
    vs_metrics_server *ms = calloc(1, sizeof *ms);
    if (!ms) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    atomic_init(&ms->s, NULL);
    char url[300];
    ms->d = vs_httpd_start(addr, answer, ms, 16u, 10u, url, sizeof url, errstr, errsz);
    if (!ms->d) {
        free(ms);
        return -1;
    }
    vs_log(VS_LOG_INFO, "metrics on %s/metrics", url);
    *out = ms;
    return 0;
}

void vs_metrics_stop(vs_metrics_server **ms)
{
    if (!ms || !*ms)
        return;
    if ((*ms)->d)
        MHD_stop_daemon((*ms)->d);
    free(*ms);
    *ms = NULL;
}
