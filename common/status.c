/* status.c - status messages (docs/protocol.md, "Status messages").
 *
 * One small JSON object per message: {"type": KIND, "version": 1, ...}
 * with only the fields that KIND uses, so a status topic stays small (the
 * embedded broker keeps about 5 MiB per partition). The reader bounds the
 * message size, type-checks every field it knows, refuses strings longer
 * than their field and ignores unknown fields, so newer senders can add
 * some without breaking older readers. */
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "errstr.h"

static const char *const kind_names[] = {
    [VS_ST_STARTED] = "started",   [VS_ST_PROGRESS] = "progress",
    [VS_ST_DONE] = "done",         [VS_ST_SKIPPED] = "skipped",
    [VS_ST_FAILED] = "failed",     [VS_ST_RETRY] = "retry",
    [VS_ST_HEARTBEAT] = "heartbeat",
};
#define N_KINDS (sizeof(kind_names) / sizeof(kind_names[0]))

/* Which optional fields each kind carries. */
enum {
    F_JOB = 1, F_PROGRESS = 2, F_RESULT = 4, F_ERROR = 8, F_HEARTBEAT = 16,
    F_ATTEMPTS = 32, F_REJECTED = 64,
    F_REASON = 128, /* "error" written only when there is one (a skip's reason) */
};
static const int kind_fields[] = {
    [VS_ST_STARTED] = F_JOB | F_ATTEMPTS,
    [VS_ST_PROGRESS] = F_JOB | F_PROGRESS,
    [VS_ST_DONE] = F_JOB | F_RESULT,
    [VS_ST_SKIPPED] = F_JOB | F_REASON,
    [VS_ST_FAILED] = F_JOB | F_ERROR | F_ATTEMPTS | F_REJECTED,
    [VS_ST_RETRY] = F_JOB | F_ERROR | F_ATTEMPTS,
    [VS_ST_HEARTBEAT] = F_HEARTBEAT,
};

const char *vs_status_kind_str(enum vs_status_kind k)
{
    return (unsigned)k < N_KINDS ? kind_names[k] : "unknown";
}

/* ---- writer ---- */

static int add_num(cJSON *o, const char *key, double v, int decimals)
{
    char b[48];
    if (!isfinite(v))
        v = 0;
    snprintf(b, sizeof b, "%.*f", decimals, v);
    cJSON *n = cJSON_CreateRaw(b);
    if (!n || !cJSON_AddItemToObject(o, key, n)) {
        cJSON_Delete(n);
        return -1;
    }
    return 0;
}

static int add_int(cJSON *o, const char *key, int64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)v);
    cJSON *n = cJSON_CreateRaw(b);
    if (!n || !cJSON_AddItemToObject(o, key, n)) {
        cJSON_Delete(n);
        return -1;
    }
    return 0;
}

static int add_str(cJSON *o, const char *key, const char *v)
{
    return cJSON_AddStringToObject(o, key, v) ? 0 : -1;
}

char *vs_status_to_json(const vs_status *st)
{
    if ((unsigned)st->kind >= N_KINDS)
        return NULL;
    int f = kind_fields[st->kind];
    cJSON *o = cJSON_CreateObject();
    char *out = NULL;
    if (!o)
        return NULL;
    if (add_str(o, "type", kind_names[st->kind]) < 0 ||
        add_int(o, "version", VS_STATUS_VERSION) < 0 ||
        add_str(o, "worker", st->worker) < 0 ||
        add_str(o, "host", st->host) < 0 ||
        add_num(o, "ts", st->ts, 3) < 0)
        goto out;
    if ((f & F_JOB) &&
        (add_str(o, "run_id", st->run_id) < 0 || add_str(o, "job_id", st->job_id) < 0 ||
         add_str(o, "file", st->file) < 0))
        goto out;
    if ((f & F_PROGRESS) &&
        (add_num(o, "fraction", st->fraction, 4) < 0 || add_num(o, "fps", st->fps, 1) < 0))
        goto out;
    if ((f & F_RESULT) &&
        (add_num(o, "out_duration", st->out_duration, 3) < 0 ||
         add_int(o, "frames", st->frames) < 0 || add_int(o, "bytes", st->bytes) < 0 ||
         add_str(o, "encoder", st->encoder) < 0 || add_num(o, "seconds", st->seconds, 3) < 0 ||
         (st->url[0] && add_str(o, "url", st->url) < 0)))
        goto out;
    if (((f & F_ERROR) || ((f & F_REASON) && st->error[0])) && add_str(o, "error", st->error) < 0)
        goto out;
    if ((f & F_ATTEMPTS) && add_int(o, "attempts", st->attempts) < 0)
        goto out;
    if ((f & F_REJECTED) && !cJSON_AddBoolToObject(o, "rejected", st->rejected != 0))
        goto out;
    if ((f & F_HEARTBEAT) &&
        (add_int(o, "slots", st->slots) < 0 || add_int(o, "busy", st->busy) < 0 ||
         add_str(o, "encoders", st->encoders) < 0 || add_str(o, "vs_version", st->version) < 0 ||
         add_num(o, "paused_s", st->paused_s, 1) < 0 || add_str(o, "group", st->group) < 0 ||
         add_str(o, "partitions", st->partitions) < 0 ||
         !cJSON_AddBoolToObject(o, "stopping", st->stopping != 0)))
        goto out;
    out = cJSON_PrintUnformatted(o);
out:
    cJSON_Delete(o);
    return out;
}

/* ---- reader ---- */

/* Copies string field KEY into dst (size dsz). Absent: left empty unless
 * required. Longer than the field or not a string: refused. */
static int get_str(const cJSON *o, const char *key, char *dst, size_t dsz, int required,
                   char *errstr, size_t errsz)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    dst[0] = 0;
    if (!it || cJSON_IsNull(it)) {
        if (required) {
            vs_set_err(errstr, errsz, "status: missing \"%s\"", key);
            return -1;
        }
        return 0;
    }
    if (!cJSON_IsString(it) || !it->valuestring) {
        vs_set_err(errstr, errsz, "status: \"%s\" must be a string", key);
        return -1;
    }
    size_t n = strlen(it->valuestring);
    if (n >= dsz) {
        vs_set_err(errstr, errsz, "status: \"%s\" longer than %zu bytes", key, dsz - 1);
        return -1;
    }
    memcpy(dst, it->valuestring, n + 1);
    return 0;
}

static int get_num(const cJSON *o, const char *key, double *dst, char *errstr, size_t errsz)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!it)
        return 0;
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble)) {
        vs_set_err(errstr, errsz, "status: \"%s\" must be a number", key);
        return -1;
    }
    *dst = it->valuedouble;
    return 0;
}

static int get_i64(const cJSON *o, const char *key, int64_t *dst, char *errstr, size_t errsz)
{
    double d = 0;
    if (get_num(o, key, &d, errstr, errsz) < 0)
        return -1;
    if (d < -9e15 || d > 9e15) {
        vs_set_err(errstr, errsz, "status: \"%s\" out of range", key);
        return -1;
    }
    *dst = (int64_t)d;
    return 0;
}

static int get_int(const cJSON *o, const char *key, int *dst, char *errstr, size_t errsz)
{
    int64_t v = *dst;
    if (get_i64(o, key, &v, errstr, errsz) < 0)
        return -1;
    if (v < -1000000 || v > 1000000) {
        vs_set_err(errstr, errsz, "status: \"%s\" out of range", key);
        return -1;
    }
    *dst = (int)v;
    return 0;
}

/* Absent: false. Anything but true / false: refused. */
static int get_bool(const cJSON *o, const char *key, int *dst, char *errstr, size_t errsz)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    *dst = 0;
    if (!it)
        return 0;
    if (!cJSON_IsBool(it)) {
        vs_set_err(errstr, errsz, "status: \"%s\" must be true or false", key);
        return -1;
    }
    *dst = cJSON_IsTrue(it) ? 1 : 0;
    return 0;
}

int vs_status_parse(const char *buf, size_t len, vs_status *out, char *errstr, size_t errsz)
{
    memset(out, 0, sizeof(*out));
    if (len > VS_STATUS_MAX_BYTES) {
        vs_set_err(errstr, errsz, "status: message of %zu bytes (limit %d)", len,
                VS_STATUS_MAX_BYTES);
        return -1;
    }
    cJSON *o = cJSON_ParseWithLength(buf, len);
    int rc = -1;
    if (!o || !cJSON_IsObject(o)) {
        vs_set_err(errstr, errsz, "status: not a JSON object");
        goto out;
    }
    char type[32];
    if (get_str(o, "type", type, sizeof type, 1, errstr, errsz) < 0)
        goto out;
    size_t k = 0;
    while (k < N_KINDS && strcmp(kind_names[k], type))
        k++;
    if (k == N_KINDS) {
        vs_set_err(errstr, errsz, "status: unknown type \"%s\"", type);
        goto out;
    }
    out->kind = (enum vs_status_kind)k;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "version");
    if (!cJSON_IsNumber(v) || v->valuedouble != VS_STATUS_VERSION) {
        vs_set_err(errstr, errsz, "status: version must be %d", VS_STATUS_VERSION);
        goto out;
    }
    int f = kind_fields[k];
    if (get_str(o, "worker", out->worker, sizeof out->worker, 1, errstr, errsz) < 0 ||
        get_str(o, "host", out->host, sizeof out->host, 0, errstr, errsz) < 0 ||
        get_num(o, "ts", &out->ts, errstr, errsz) < 0)
        goto out;
    if ((f & F_JOB) &&
        (get_str(o, "job_id", out->job_id, sizeof out->job_id, 1, errstr, errsz) < 0 ||
         get_str(o, "run_id", out->run_id, sizeof out->run_id, 0, errstr, errsz) < 0 ||
         get_str(o, "file", out->file, sizeof out->file, 0, errstr, errsz) < 0))
        goto out;
    if ((f & F_PROGRESS) &&
        (get_num(o, "fraction", &out->fraction, errstr, errsz) < 0 ||
         get_num(o, "fps", &out->fps, errstr, errsz) < 0))
        goto out;
    if ((f & F_RESULT) &&
        (get_num(o, "out_duration", &out->out_duration, errstr, errsz) < 0 ||
         get_i64(o, "frames", &out->frames, errstr, errsz) < 0 ||
         get_i64(o, "bytes", &out->bytes, errstr, errsz) < 0 ||
         get_str(o, "encoder", out->encoder, sizeof out->encoder, 0, errstr, errsz) < 0 ||
         get_num(o, "seconds", &out->seconds, errstr, errsz) < 0 ||
         get_str(o, "url", out->url, sizeof out->url, 0, errstr, errsz) < 0))
        goto out;
    if ((f & (F_ERROR | F_REASON)) &&
        get_str(o, "error", out->error, sizeof out->error, 0, errstr, errsz) < 0)
        goto out;
    if ((f & F_ATTEMPTS) && get_int(o, "attempts", &out->attempts, errstr, errsz) < 0)
        goto out;
    if (out->attempts < 0) {
        vs_set_err(errstr, errsz, "status: \"attempts\" is negative");
        goto out;
    }
    if ((f & F_REJECTED) && get_bool(o, "rejected", &out->rejected, errstr, errsz) < 0)
        goto out;
    if (f & F_HEARTBEAT) {
        if (get_int(o, "slots", &out->slots, errstr, errsz) < 0 ||
            get_int(o, "busy", &out->busy, errstr, errsz) < 0 ||
            get_str(o, "encoders", out->encoders, sizeof out->encoders, 0, errstr, errsz) < 0 ||
            get_str(o, "vs_version", out->version, sizeof out->version, 0, errstr, errsz) < 0 ||
            get_num(o, "paused_s", &out->paused_s, errstr, errsz) < 0 ||
            get_str(o, "group", out->group, sizeof out->group, 0, errstr, errsz) < 0 ||
            get_str(o, "partitions", out->partitions, sizeof out->partitions, 0,
                    errstr, errsz) < 0 ||
            get_bool(o, "stopping", &out->stopping, errstr, errsz) < 0)
            goto out;
    }
    if (out->fraction < 0 || out->fraction > 1) {
        vs_set_err(errstr, errsz, "status: \"fraction\" outside 0..1");
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(o);
    return rc;
}
