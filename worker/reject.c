/* reject.c - a message on the jobs topic that the worker will not run.
 *
 * Whatever arrives (not JSON, a wrong version, missing fields, megabytes,
 * NaN, reversed segments, an unsigned or forged job, paths outside the
 * roots), the worker refuses it in one line and goes on: a failed status
 * marked "rejected", under the job id and run id the message carries when
 * they can be read, else its Kafka key, else its topic position, so the
 * producer can match it; a copy of the message (cut to VS_DEAD_MAX_BYTES)
 * on the dead-letter topic with the reason in headers; and its offset
 * stored once that copy is delivered, so a refused message is neither lost
 * nor read again. Nothing here trusts the message: sizes are checked
 * before anything is parsed. */
#include "reject.h"
#include "folder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "log.h"

/* An id as status messages carry it: 1..127 printable bytes. */
static int usable_id(const char *p, size_t n)
{
    if (!p || n == 0 || n >= VS_JOB_MAX_ID)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
            return 0;
    return 1;
}

static void copy_str_field(const cJSON *o, const char *key, char *dst, size_t sz)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsString(it) && it->valuestring && usable_id(it->valuestring, strlen(it->valuestring)))
        snprintf(dst, sz, "%s", it->valuestring);
}

/* Job id, run id and file name from a message that is not a valid job:
 * read as JSON when it is small enough to be one. */
static void salvage(const rd_kafka_message_t *m, vs_status *st)
{
    if (!m->payload || m->len == 0 || m->len > VS_JOB_MAX_BYTES)
        return;
    cJSON *o = cJSON_ParseWithLength(m->payload, m->len);
    if (cJSON_IsObject(o)) {
        copy_str_field(o, "job_id", st->job_id, sizeof st->job_id);
        copy_str_field(o, "run_id", st->run_id, sizeof st->run_id);
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(o, "input");
        if (cJSON_IsString(in) && in->valuestring) {
            const char *base = vs_base_name(in->valuestring);
            if (usable_id(base, strlen(base)))
                snprintf(st->file, sizeof st->file, "%s", base);
        }
    }
    cJSON_Delete(o);
}

static void add_header(rd_kafka_headers_t *h, const char *name, const char *val)
{
    rd_kafka_header_add(h, name, -1, val, -1);
}

/* Copies the message to the dead-letter topic. Returns 0 when the copy
 * is queued (its offset is stored on delivery), -1 otherwise. */
static int park(vs_worker *s, const rd_kafka_message_t *m, unsigned gen, const char *why)
{
    parked *p = calloc(1, sizeof(*p));
    rd_kafka_headers_t *h = rd_kafka_headers_new(6);
    if (!p || !h) {
        free(p);
        if (h)
            rd_kafka_headers_destroy(h);
        return -1;
    }
    size_t keep = m->len > VS_DEAD_MAX_BYTES ? VS_DEAD_MAX_BYTES : m->len;
    char num[32], src[400];
    add_header(h, "vs-error", why);
    add_header(h, "vs-worker", s->id);
    snprintf(src, sizeof src, "%s/%d@%lld", s->kc.jobs_topic, (int)m->partition,
             (long long)m->offset);
    add_header(h, "vs-source", src);
    snprintf(num, sizeof num, "%zu", m->len);
    add_header(h, "vs-original-bytes", num);
    add_header(h, "vs-truncated", keep < m->len ? "true" : "false");
    p->src = (task_src){m->partition, m->offset, gen};
    p->id = ++s->next_fwd;
    int rc = vs_sender_send(s->pub, s->dead_topic, RD_KAFKA_PARTITION_UA,
                               m->key, m->key_len, m->payload, keep, h, p->id);
    rd_kafka_headers_destroy(h);
    if (rc < 0) {
        free(p);
        return -1;
    }
    p->next = s->parked;
    s->parked = p;
    return 0;
}

void vs_reject(vs_worker *s, const rd_kafka_message_t *m, unsigned gen, const vs_job *job,
               const char *why)
{
    vs_status st;
    vs_worker_fill_status(s, &st, VS_ST_FAILED, NULL);
    if (job) {
        snprintf(st.job_id, sizeof st.job_id, "%s", job->job_id);
        snprintf(st.run_id, sizeof st.run_id, "%s", job->run_id ? job->run_id : "");
        snprintf(st.file, sizeof st.file, "%s", vs_base_name(job->input));
    } else {
        salvage(m, &st);
    }
    if (!st.job_id[0] && usable_id(m->key, m->key_len))
        snprintf(st.job_id, sizeof st.job_id, "%.*s", (int)m->key_len, (const char *)m->key);
    if (!st.job_id[0])
        snprintf(st.job_id, sizeof st.job_id, "%s/%d@%lld", s->kc.jobs_topic, (int)m->partition,
                 (long long)m->offset);
    snprintf(st.error, sizeof st.error, "%s", why);
    st.rejected = 1;
    vs_sender_status(s->pub, &st);
    vs_log(VS_LOG_ERROR, "%s (%s/%d@%lld): refused: %s; parked on %s", st.job_id,
           s->kc.jobs_topic, (int)m->partition, (long long)m->offset, why, s->dead_topic);
    vs_worker_count(s, &s->stats.failed);
    vs_worker_count(s, &s->stats.rejected);
    vs_worker_count(s, &s->stats.failed_by[VS_REASON_REJECTED]);
    if (park(s, m, gen, why) < 0) {
        /* Never jam the partition on a message nobody can run. */
        vs_log(VS_LOG_WARN, "%s: no dead-letter copy on %s; committed anyway", st.job_id,
               s->dead_topic);
        if (vs_ledger_close(s->ledger, m->partition, gen, m->offset))
            vs_worker_store(s, m->partition);
    }
}

int vs_reject_delivered(vs_worker *s, uint64_t id, rd_kafka_resp_err_t err)
{
    for (parked **pp = &s->parked; *pp; pp = &(*pp)->next) {
        parked *p = *pp;
        if (p->id != id)
            continue;
        *pp = p->next;
        if (err)
            vs_log(VS_LOG_WARN, "%s/%d@%lld: dead-letter copy not delivered (%s); committed anyway",
                   s->kc.jobs_topic, (int)p->src.partition, (long long)p->src.offset,
                   rd_kafka_err2str(err));
        if (vs_ledger_close(s->ledger, p->src.partition, p->src.gen, p->src.offset))
            vs_worker_store(s, p->src.partition);
        free(p);
        return 1;
    }
    return 0;
}

void vs_reject_free_all(vs_worker *s)
{
    while (s->parked) {
        parked *p = s->parked;
        s->parked = p->next;
        free(p);
    }
}
