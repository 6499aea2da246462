/* job.c - the job message (docs/protocol.md): build, serialise, parse.
 *
 * A job may come from a shared broker, so the reader trusts nothing: the
 * size is bounded before parsing, every field is type-checked, strings
 * and the segment count are bounded (the array size is checked before it
 * is walked), numbers must be finite, and the segments must tile the
 * window [0, duration] exactly. Each refusal is one line naming the field.
 *
 * Numbers are written with the shortest of %.15g/%.16g/%.17g that reads
 * back to the same double: cJSON's own printer accepts a 15-digit form
 * that is merely close, which would move segment boundaries by an ulp. */
#include "job.h"
#include "errstr.h"

#include <errno.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

int vs_job_input_is_url(const char *input)
{
    return input && (!strncasecmp(input, "http://", 7) || !strncasecmp(input, "https://", 8));
}

/* An input URL: printable, no spaces, and no user:password before the
 * host (credentials belong to the worker's environment, never to a
 * message that every worker and the dead-letter topic see). */
static int check_url(const char *url, char *errstr, size_t errsz)
{
    const char *host = strstr(url, "://") + 3;
    size_t auth = strcspn(host, "/?#");
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= ' ' || *p == 0x7f) {
            vs_set_err(errstr, errsz, "job: \"input\" URL has a space or control character");
            return -1;
        }
    if (auth == 0 || memchr(host, '@', auth)) {
        vs_set_err(errstr, errsz, auth ? "job: \"input\" URL must not carry credentials"
                                       : "job: \"input\" URL has no host");
        return -1;
    }
    return 0;
}

size_t vs_job_url_name(const char *url, char *out, size_t sz)
{
    const char *host = strstr(url, "://");
    const char *p = host ? host + 3 : url;
    size_t end = strcspn(p, "?#");
    const char *seg = p;
    for (size_t i = 0; i < end; i++)
        if (p[i] == '/')
            seg = p + i + 1;
    size_t n = 0;
    for (const char *q = seg; q < p + end && n + 1 < sz; q++) {
        int c = (unsigned char)*q;
        if (c == '%' && isxdigit((unsigned char)q[1]) && isxdigit((unsigned char)q[2])) {
            char hex[3] = {q[1], q[2], 0};
            c = (int)strtol(hex, NULL, 16);
            q += 2;
        }
        /* A name for logs and scratch files: nothing that walks folders. */
        out[n++] = (c == '/' || c == '\\' || c < ' ' || c == 0x7f) ? '_' : (char)c;
    }
    if (n == 0 || (n <= 2 && strspn(out, ".") == n)) {
        n = 0;
        for (const char *d = "download"; *d && n + 1 < sz; d++)
            out[n++] = *d;
    }
    if (sz)
        out[n < sz ? n : sz - 1] = '\0';
    return n;
}


/* Tolerance for the contiguity of segments (seconds). */
#define VS_JOB_TIME_EPS 1e-6
/* Longest signature accepted (hex HMAC-SHA256 is 64 characters). */
#define VS_JOB_MAX_SIGNATURE 512

static const char *const vs_job_codecs[] = { "h264", "hevc", "av1", "vp9" };

static int codec_known(const char *c)
{
    for (size_t i = 0; i < sizeof vs_job_codecs / sizeof vs_job_codecs[0]; i++)
        if (strcmp(c, vs_job_codecs[i]) == 0)
            return 1;
    return 0;
}

void vs_job_free(vs_job **job)
{
    if (!job || !*job)
        return;
    vs_job *j = *job;
    free(j->job_id);
    free(j->run_id);
    free(j->input);
    free(j->output);
    free(j->codec);
    free(j->seg);
    free(j->signature);
    free(j->part.video);
    free(j);
    *job = NULL;
}

vs_job *vs_job_new(const char *job_id, const char *run_id, const char *input,
                   const char *output, double offset, const vs_plan *plan)
{
    vs_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->job_id = strdup(job_id ? job_id : "");
    j->run_id = strdup(run_id ? run_id : "");
    j->input = strdup(input ? input : "");
    j->output = strdup(output ? output : "");
    j->offset = offset;
    if (!j->job_id || !j->run_id || !j->input || !j->output)
        goto oom;
    if (plan) {
        j->duration = plan->in_duration;
        j->out_duration = plan->out_duration;
        if (plan->n > 0) {
            j->seg = malloc(plan->n * sizeof *j->seg);
            if (!j->seg)
                goto oom;
            memcpy(j->seg, plan->seg, plan->n * sizeof *j->seg);
            j->n_seg = plan->n;
        }
    }
    return j;
oom:
    vs_job_free(&j);
    return NULL;
}

/* ---- writer ---- */

/* Shortest decimal form that reads back as exactly v. */
static void fmt_double(double v, char *buf, size_t sz)
{
    if (!isfinite(v)) {
        snprintf(buf, sz, "null");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sz, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
}

/* New raw cJSON number printed exactly. Caller owns (or hands it to a parent). */
static cJSON *num(double v)
{
    char b[40];
    fmt_double(v, b, sizeof b);
    return cJSON_CreateRaw(b);
}

static int add_num(cJSON *obj, const char *key, double v)
{
    cJSON *n = num(v);
    if (!n)
        return -1;
    if (!cJSON_AddItemToObject(obj, key, n)) {
        cJSON_Delete(n);
        return -1;
    }
    return 0;
}

static int add_str_or_null(cJSON *obj, const char *key, const char *v)
{
    return (v ? cJSON_AddStringToObject(obj, key, v) : cJSON_AddNullToObject(obj, key))
        ? 0 : -1;
}

/* "part": {"kind": "chunk", "video": ID, "index": I, "count": N} or
 * {"kind": "join", "video": ID, "count": N}. */
static int add_part(cJSON *root, const vs_job_part *p)
{
    cJSON *o = cJSON_AddObjectToObject(root, "part");
    if (!o || !cJSON_AddStringToObject(o, "kind", p->kind == VS_JOB_CHUNK ? "chunk" : "join") ||
        add_str_or_null(o, "video", p->video) < 0)
        return -1;
    if (p->kind == VS_JOB_CHUNK && !cJSON_AddNumberToObject(o, "index", p->index))
        return -1;
    return cJSON_AddNumberToObject(o, "count", p->count) ? 0 : -1;
}

char *vs_job_to_json(const vs_job *job)
{
    cJSON *root = cJSON_CreateObject();
    char *out = NULL;
    if (!root)
        return NULL;
    int parts = job->part.kind != VS_JOB_WHOLE;
    if (!cJSON_AddStringToObject(root, "type", "job") ||
        !cJSON_AddNumberToObject(root, "version", parts ? VS_JOB_VERSION_PARTS : VS_JOB_VERSION) ||
        add_str_or_null(root, "job_id", job->job_id) < 0 ||
        add_str_or_null(root, "run_id", job->run_id) < 0 ||
        add_str_or_null(root, "input", job->input) < 0 ||
        add_str_or_null(root, "output", job->output) < 0 ||
        add_num(root, "offset", job->offset) < 0 ||
        add_num(root, "duration", job->duration) < 0 ||
        !cJSON_AddBoolToObject(root, "indicator", job->indicator != 0) ||
        !cJSON_AddBoolToObject(root, "overwrite", job->overwrite != 0) ||
        add_str_or_null(root, "codec", job->codec) < 0 ||
        add_num(root, "out_duration", job->out_duration) < 0)
        goto out;
    cJSON *segs = cJSON_AddArrayToObject(root, "segments");
    if (!segs)
        goto out;
    for (size_t i = 0; i < job->n_seg; i++) {
        cJSON *t = cJSON_CreateArray();
        if (!t || !cJSON_AddItemToArray(segs, t)) {
            cJSON_Delete(t);
            goto out;
        }
        cJSON *a = num(job->seg[i].start), *b = num(job->seg[i].end),
              *c = num(job->seg[i].speed);
        int ok = a && cJSON_AddItemToArray(t, a);
        if (!ok)
            cJSON_Delete(a);
        ok = ok && b && cJSON_AddItemToArray(t, b);
        if (!ok)
            cJSON_Delete(b);
        ok = ok && c && cJSON_AddItemToArray(t, c);
        if (!ok) {
            cJSON_Delete(c);
            goto out;
        }
    }
    if (parts && add_part(root, &job->part) < 0)
        goto out;
    if (add_str_or_null(root, "signature", job->signature) < 0)
        goto out;
    out = cJSON_PrintUnformatted(root);
out:
    cJSON_Delete(root);
    return out;
}

/* ---- reader ---- */

/* A string field: present, a string, non-empty, at most max bytes, no
 * control characters (ids and paths end up in logs and file names).
 * On success *dst is a new copy, owned by the caller. */
static int get_string(const cJSON *root, const char *key, size_t max, char **dst,
                      char *errstr, size_t errsz)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!it) {
        vs_set_err(errstr, errsz, "job: missing \"%s\"", key);
        return -1;
    }
    if (!cJSON_IsString(it) || !it->valuestring) {
        vs_set_err(errstr, errsz, "job: \"%s\" must be a string", key);
        return -1;
    }
    const char *s = it->valuestring;
    size_t len = strlen(s);
    if (len == 0) {
        vs_set_err(errstr, errsz, "job: \"%s\" is empty", key);
        return -1;
    }
    if (len > max) {
        vs_set_err(errstr, errsz, "job: \"%s\" is longer than %zu bytes", key, max);
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            vs_set_err(errstr, errsz, "job: \"%s\" contains a control character", key);
            return -1;
        }
    }
    if (!(*dst = strdup(s))) {
        vs_set_err(errstr, errsz, "job: out of memory");
        return -1;
    }
    return 0;
}

/* A finite number field. Required unless dflt is given (non-NULL). */
static int get_number(const cJSON *root, const char *key, const double *dflt, double *dst,
                      char *errstr, size_t errsz)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!it && dflt) {
        *dst = *dflt;
        return 0;
    }
    if (!it) {
        vs_set_err(errstr, errsz, "job: missing \"%s\"", key);
        return -1;
    }
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble)) {
        vs_set_err(errstr, errsz, "job: \"%s\" must be a finite number", key);
        return -1;
    }
    *dst = it->valuedouble;
    return 0;
}

/* An optional boolean field (absent = false). */
static int get_bool(const cJSON *root, const char *key, int *dst, char *errstr, size_t errsz)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!it) {
        *dst = 0;
        return 0;
    }
    if (!cJSON_IsBool(it)) {
        vs_set_err(errstr, errsz, "job: \"%s\" must be true or false", key);
        return -1;
    }
    *dst = cJSON_IsTrue(it) ? 1 : 0;
    return 0;
}

static int get_segments(const cJSON *root, vs_job *j, char *errstr, size_t errsz)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "segments");
    if (!arr) {
        vs_set_err(errstr, errsz, "job: missing \"segments\"");
        return -1;
    }
    if (!cJSON_IsArray(arr)) {
        vs_set_err(errstr, errsz, "job: \"segments\" must be an array");
        return -1;
    }
    int count = cJSON_GetArraySize(arr);
    if (count <= 0) {
        vs_set_err(errstr, errsz, "job: \"segments\" is empty");
        return -1;
    }
    if (count > VS_JOB_MAX_SEGMENTS) {
        vs_set_err(errstr, errsz, "job: %d segments (at most %d)", count, VS_JOB_MAX_SEGMENTS);
        return -1;
    }
    j->seg = calloc((size_t)count, sizeof *j->seg);
    if (!j->seg) {
        vs_set_err(errstr, errsz, "job: out of memory");
        return -1;
    }
    size_t i = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, arr) {
        const cJSON *a = cJSON_GetArrayItem(t, 0), *b = cJSON_GetArrayItem(t, 1),
                    *c = cJSON_GetArrayItem(t, 2);
        if (!cJSON_IsArray(t) || cJSON_GetArraySize(t) != 3 ||
            !cJSON_IsNumber(a) || !cJSON_IsNumber(b) || !cJSON_IsNumber(c)) {
            vs_set_err(errstr, errsz, "job: segments[%zu] is not a [start, end, speed] "
                    "array of 3 numbers", i);
            return -1;
        }
        double s = a->valuedouble, e = b->valuedouble, v = c->valuedouble;
        if (!isfinite(s) || !isfinite(e) || !isfinite(v)) {
            vs_set_err(errstr, errsz, "job: segments[%zu] has a non-finite number", i);
            return -1;
        }
        if (s < 0 || e < 0) {
            vs_set_err(errstr, errsz, "job: segments[%zu] has a negative time [%.17g, %.17g]",
                    i, s, e);
            return -1;
        }
        if (!(e > s)) {
            vs_set_err(errstr, errsz, "job: segments[%zu] ends at or before its start "
                    "[%.17g, %.17g]", i, s, e);
            return -1;
        }
        if (v < 1.0 || v > VS_MAX_SPEED) {
            vs_set_err(errstr, errsz, "job: segments[%zu] speed %g is outside [1, %g]",
                    i, v, VS_MAX_SPEED);
            return -1;
        }
        double want = i == 0 ? 0.0 : j->seg[i - 1].end;
        if (fabs(s - want) > VS_JOB_TIME_EPS) {
            if (i == 0)
                vs_set_err(errstr, errsz, "job: segments[0] starts at %.17g, not at 0", s);
            else
                vs_set_err(errstr, errsz, "job: segments[%zu] starts at %.17g but "
                        "segments[%zu] ends at %.17g (not contiguous)", i, s, i - 1, want);
            return -1;
        }
        /* Snap to the previous end so the timeline has no gap at all. */
        s = want;
        if (!(e > s)) {
            vs_set_err(errstr, errsz, "job: segments[%zu] is empty", i);
            return -1;
        }
        j->seg[i] = (vs_segment){ .start = s, .end = e, .speed = v, .silent = v != 1.0 };
        i++;
    }
    j->n_seg = i;
    return 0;
}

/* A whole number field within [lo, hi]. */
static int get_int(const cJSON *o, const char *key, int lo, int hi, int *dst,
                   char *errstr, size_t errsz)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < lo ||
        it->valuedouble > hi || it->valuedouble != (double)(int)it->valuedouble) {
        vs_set_err(errstr, errsz, "job: \"part\".\"%s\" must be a whole number in [%d, %d]",
                   key, lo, hi);
        return -1;
    }
    *dst = (int)it->valuedouble;
    return 0;
}

/* "part" is present exactly in version 2 jobs. */
static int get_part(const cJSON *root, int parts, vs_job_part *p, char *errstr, size_t errsz)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "part");
    if (!parts) {
        if (o) {
            vs_set_err(errstr, errsz, "job: \"part\" needs version %d", VS_JOB_VERSION_PARTS);
            return -1;
        }
        return 0;
    }
    if (!cJSON_IsObject(o)) {
        vs_set_err(errstr, errsz, "job: version %d needs a \"part\" object", VS_JOB_VERSION_PARTS);
        return -1;
    }
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
    if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "chunk"))
        p->kind = VS_JOB_CHUNK;
    else if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "join"))
        p->kind = VS_JOB_JOIN;
    else {
        vs_set_err(errstr, errsz, "job: \"part\".\"kind\" must be \"chunk\" or \"join\"");
        return -1;
    }
    if (get_string(o, "video", VS_JOB_MAX_ID, &p->video, errstr, errsz) < 0 ||
        get_int(o, "count", 1, VS_JOB_MAX_CHUNKS, &p->count, errstr, errsz) < 0)
        return -1;
    if (p->kind == VS_JOB_CHUNK &&
        get_int(o, "index", 0, p->count - 1, &p->index, errstr, errsz) < 0)
        return -1;
    return 0;
}

static int from_json(const cJSON *root, vs_job **out, char *errstr, size_t errsz)
{
    vs_job *j = NULL;
    if (!cJSON_IsObject(root)) {
        vs_set_err(errstr, errsz, "job: not a JSON object");
        return -1;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "job") != 0) {
        vs_set_err(errstr, errsz, "job: \"type\" is not \"job\"");
        return -1;
    }
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (!ver) {
        vs_set_err(errstr, errsz, "job: missing \"version\"");
        return -1;
    }
    if (!cJSON_IsNumber(ver) ||
        (ver->valuedouble != VS_JOB_VERSION && ver->valuedouble != VS_JOB_VERSION_PARTS)) {
        vs_set_err(errstr, errsz, "job: unsupported version (only %d and %d are supported)",
                VS_JOB_VERSION, VS_JOB_VERSION_PARTS);
        return -1;
    }
    int parts = ver->valuedouble == VS_JOB_VERSION_PARTS;
    if (!(j = calloc(1, sizeof *j))) {
        vs_set_err(errstr, errsz, "job: out of memory");
        return -1;
    }
    if (get_string(root, "job_id", VS_JOB_MAX_ID, &j->job_id, errstr, errsz) < 0 ||
        get_string(root, "run_id", VS_JOB_MAX_ID, &j->run_id, errstr, errsz) < 0 ||
        get_string(root, "input", VS_JOB_MAX_PATH, &j->input, errstr, errsz) < 0 ||
        get_string(root, "output", VS_JOB_MAX_PATH, &j->output, errstr, errsz) < 0)
        goto fail;
    if (vs_job_input_is_url(j->input)) {
        if (check_url(j->input, errstr, errsz) < 0)
            goto fail;
    } else if (j->input[0] != '/') {
        vs_set_err(errstr, errsz, "job: \"input\" must be an absolute path or an http(s) URL");
        goto fail;
    }
    if (j->output[0] != '/') {
        vs_set_err(errstr, errsz, "job: \"output\" must be an absolute path");
        goto fail;
    }
    if (get_number(root, "offset", NULL, &j->offset, errstr, errsz) < 0)
        goto fail;
    if (j->offset < 0) {
        vs_set_err(errstr, errsz, "job: \"offset\" is negative");
        goto fail;
    }
    if (get_number(root, "duration", NULL, &j->duration, errstr, errsz) < 0)
        goto fail;
    if (!(j->duration > 0)) {
        vs_set_err(errstr, errsz, "job: \"duration\" must be > 0");
        goto fail;
    }
    if (get_bool(root, "indicator", &j->indicator, errstr, errsz) < 0 ||
        get_bool(root, "overwrite", &j->overwrite, errstr, errsz) < 0)
        goto fail;

    const cJSON *codec = cJSON_GetObjectItemCaseSensitive(root, "codec");
    if (codec && !cJSON_IsNull(codec)) {
        if (!cJSON_IsString(codec) || !codec_known(codec->valuestring)) {
            vs_set_err(errstr, errsz, "job: \"codec\" must be null or one of h264, hevc, av1, vp9");
            goto fail;
        }
        if (!(j->codec = strdup(codec->valuestring)))
            goto oom;
    }
    const cJSON *sig = cJSON_GetObjectItemCaseSensitive(root, "signature");
    if (sig && !cJSON_IsNull(sig)) {
        if (!cJSON_IsString(sig) || strlen(sig->valuestring) > VS_JOB_MAX_SIGNATURE) {
            vs_set_err(errstr, errsz, "job: \"signature\" must be null or a string of at most "
                    "%d characters", VS_JOB_MAX_SIGNATURE);
            goto fail;
        }
        if (!(j->signature = strdup(sig->valuestring)))
            goto oom;
    }

    if (get_part(root, parts, &j->part, errstr, errsz) < 0 ||
        get_segments(root, j, errstr, errsz) < 0)
        goto fail;
    double last = j->seg[j->n_seg - 1].end;
    if (fabs(last - j->duration) > VS_JOB_TIME_EPS) {
        vs_set_err(errstr, errsz, "job: segments end at %.17g but \"duration\" is %.17g",
                last, j->duration);
        goto fail;
    }
    double sum = 0.0;
    for (size_t i = 0; i < j->n_seg; i++)
        sum += (j->seg[i].end - j->seg[i].start) / j->seg[i].speed;
    if (get_number(root, "out_duration", &sum, &j->out_duration, errstr, errsz) < 0)
        goto fail;
    if (j->out_duration < 0) {
        vs_set_err(errstr, errsz, "job: \"out_duration\" is negative");
        goto fail;
    }
    *out = j;
    return 0;
oom:
    vs_set_err(errstr, errsz, "job: out of memory");
fail:
    vs_job_free(&j);
    return -1;
}

int vs_job_parse(const char *buf, size_t len, vs_job **out, char *errstr, size_t errsz)
{
    *out = NULL;
    if (!buf) {
        vs_set_err(errstr, errsz, "job: empty message");
        return -1;
    }
    if (len > VS_JOB_MAX_BYTES) {
        vs_set_err(errstr, errsz, "job: message of %zu bytes is larger than %d bytes",
                len, VS_JOB_MAX_BYTES);
        return -1;
    }
    /* A terminating NUL counted in len is tolerated; one inside is not. */
    while (len > 0 && buf[len - 1] == '\0')
        len--;
    if (len == 0) {
        vs_set_err(errstr, errsz, "job: empty message");
        return -1;
    }
    if (memchr(buf, '\0', len)) {
        vs_set_err(errstr, errsz, "job: not JSON (contains a NUL byte)");
        return -1;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
    if (!root) {
        size_t at = end && end >= buf ? (size_t)(end - buf) : 0;
        vs_set_err(errstr, errsz, "job: not JSON (error near byte %zu)", at);
        return -1;
    }
    for (const char *p = end; p && p < buf + len; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            vs_set_err(errstr, errsz, "job: not JSON (trailing data at byte %zu)",
                    (size_t)(p - buf));
            cJSON_Delete(root);
            return -1;
        }
    }
    int rc = from_json(root, out, errstr, errsz);
    cJSON_Delete(root);
    return rc;
}

int vs_job_load(const char *path, vs_job **out, char *errstr, size_t errsz)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        vs_set_err(errstr, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* Read at most one byte past the bound, to tell "too large" apart. */
    size_t cap = (size_t)VS_JOB_MAX_BYTES + 1;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        vs_set_err(errstr, errsz, "%s: out of memory", path);
        return -1;
    }
    size_t len = fread(buf, 1, cap, f);
    int rd_err = ferror(f);
    fclose(f);
    if (rd_err) {
        free(buf);
        vs_set_err(errstr, errsz, "%s: read error", path);
        return -1;
    }
    int rc = vs_job_parse(buf, len, out, errstr, errsz);
    free(buf);
    if (rc < 0 && errstr && errsz) {
        /* Name the file in front of the reason. */
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s", errstr);
        vs_set_err(errstr, errsz, "%s: %s", path, tmp);
    }
    return rc;
}
