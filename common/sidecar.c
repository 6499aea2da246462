/* sidecar.c - reads and writes the speech-detection sidecar (SPEC §2).
 *
 * The reader is strict: version 1 only, detection.analyzed_duration a
 * finite number >= 0, silence_intervals an array of [start, end] pairs of
 * finite numbers, each non-negative, end after start, sorted and not
 * overlapping (touching is fine). Every refusal is one line naming the
 * file and, for an interval, its index. Sizes are bounded since a sidecar
 * is user input. The writer produces what the reader accepts, atomically
 * (temporary file in the same folder, then rename). */
#include "sidecar.h"
#include "folder.h"
#include "errstr.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

/* Formats a time the way a person wrote it: at most 3 decimals, trailing
 * zeros dropped but one kept ("12.5", "11.0", "-0.25"). */
static const char *fmt_time(double v, char *buf, size_t sz)
{
    if (!isfinite(v)) {
        snprintf(buf, sz, "%g", v);
        return buf;
    }
    snprintf(buf, sz, "%.3f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *end = buf + strlen(buf) - 1;
        while (end > dot + 1 && *end == '0')
            *end-- = '\0';
    }
    return buf;
}


/* Checks one interval against the previous one. Returns 0 or -1 with a
 * message "NAME: silence_intervals[i]: ...". */
static int check_interval(const char *name, size_t i, double s, double e,
                          const vs_interval *prev, char *errstr, size_t errsz)
{
    char a[64], b[64], c[64], d[64];
    if (s < 0 || e < 0) {
        vs_set_err(errstr, errsz, "%s: silence_intervals[%zu]: negative time [%s, %s]",
                name, i, fmt_time(s, a, sizeof a), fmt_time(e, b, sizeof b));
        return -1;
    }
    if (e <= s) {
        vs_set_err(errstr, errsz, "%s: silence_intervals[%zu]: reversed interval [%s, %s] "
                "(end must be after start)",
                name, i, fmt_time(s, a, sizeof a), fmt_time(e, b, sizeof b));
        return -1;
    }
    if (prev && s < prev->end) {
        const char *what = s < prev->start ? "unsorted" : "overlapping";
        vs_set_err(errstr, errsz, "%s: silence_intervals[%zu]: %s interval [%s, %s] "
                "starts before the end of silence_intervals[%zu] [%s, %s]",
                name, i, what, fmt_time(s, a, sizeof a), fmt_time(e, b, sizeof b),
                i - 1, fmt_time(prev->start, c, sizeof c), fmt_time(prev->end, d, sizeof d));
        return -1;
    }
    return 0;
}

void vs_sidecar_free(vs_sidecar **sc)
{
    if (!sc || !*sc)
        return;
    free((*sc)->backend);
    free((*sc)->source_file);
    free((*sc)->silences);
    free(*sc);
    *sc = NULL;
}

/* Copy of obj[key] when it is a string, else NULL. Caller frees. */
static char *dup_string_item(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(it) || !it->valuestring)
        return NULL;
    return strdup(it->valuestring);
}

/* Walks the parsed document into a new sidecar. */
static int from_json(const cJSON *root, const char *name, vs_sidecar **out,
                     char *errstr, size_t errsz)
{
    vs_sidecar *sc = NULL;

    if (!cJSON_IsObject(root)) {
        vs_set_err(errstr, errsz, "%s: not a JSON object", name);
        return -1;
    }
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (!ver) {
        vs_set_err(errstr, errsz, "%s: missing \"version\"", name);
        return -1;
    }
    if (!cJSON_IsNumber(ver)) {
        vs_set_err(errstr, errsz, "%s: \"version\" must be a number", name);
        return -1;
    }
    if (ver->valuedouble != 1.0) {
        vs_set_err(errstr, errsz, "%s: unsupported version %g (only version 1 is supported)",
                name, ver->valuedouble);
        return -1;
    }
    const cJSON *det = cJSON_GetObjectItemCaseSensitive(root, "detection");
    if (!cJSON_IsObject(det)) {
        vs_set_err(errstr, errsz, "%s: missing \"detection\" object", name);
        return -1;
    }
    const cJSON *ad = cJSON_GetObjectItemCaseSensitive(det, "analyzed_duration");
    if (!ad) {
        vs_set_err(errstr, errsz, "%s: missing \"detection.analyzed_duration\"", name);
        return -1;
    }
    if (!cJSON_IsNumber(ad) || !isfinite(ad->valuedouble) || ad->valuedouble < 0) {
        vs_set_err(errstr, errsz, "%s: \"detection.analyzed_duration\" must be a number >= 0",
                name);
        return -1;
    }
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "silence_intervals");
    if (!arr) {
        vs_set_err(errstr, errsz, "%s: missing \"silence_intervals\"", name);
        return -1;
    }
    if (!cJSON_IsArray(arr)) {
        vs_set_err(errstr, errsz, "%s: \"silence_intervals\" must be an array", name);
        return -1;
    }
    int count = cJSON_GetArraySize(arr);
    if (count < 0 || (size_t)count > VS_SIDECAR_MAX_INTERVALS) {
        vs_set_err(errstr, errsz, "%s: too many silence_intervals (%d, at most %d)",
                name, count, VS_SIDECAR_MAX_INTERVALS);
        return -1;
    }

    sc = calloc(1, sizeof *sc);
    if (!sc)
        goto oom;
    sc->version = 1;
    sc->analyzed_duration = ad->valuedouble;
    if (count > 0) {
        sc->silences = calloc((size_t)count, sizeof *sc->silences);
        if (!sc->silences)
            goto oom;
    }
    size_t i = 0;
    const cJSON *pair;
    cJSON_ArrayForEach(pair, arr) {
        const cJSON *s = cJSON_GetArrayItem(pair, 0);
        const cJSON *e = cJSON_GetArrayItem(pair, 1);
        if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2 ||
            !cJSON_IsNumber(s) || !cJSON_IsNumber(e) ||
            !isfinite(s->valuedouble) || !isfinite(e->valuedouble)) {
            vs_set_err(errstr, errsz, "%s: silence_intervals[%zu]: not a [start, end] pair "
                    "of finite numbers", name, i);
            goto fail;
        }
        if (check_interval(name, i, s->valuedouble, e->valuedouble,
                           i > 0 ? &sc->silences[i - 1] : NULL, errstr, errsz) < 0)
            goto fail;
        sc->silences[i].start = s->valuedouble;
        sc->silences[i].end = e->valuedouble;
        i++;
    }
    sc->n_silences = i;

    const cJSON *backend = cJSON_GetObjectItemCaseSensitive(det, "backend");
    if (cJSON_IsString(backend) && !(sc->backend = strdup(backend->valuestring)))
        goto oom;
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(root, "source");
    if (cJSON_IsObject(src) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(src, "file")) &&
        !(sc->source_file = dup_string_item(src, "file")))
        goto oom;

    *out = sc;
    return 0;
oom:
    vs_set_err(errstr, errsz, "%s: out of memory", name);
fail:
    vs_sidecar_free(&sc);
    return -1;
}

int vs_sidecar_parse(const char *json, size_t len, const char *name,
                     vs_sidecar **out, char *errstr, size_t errsz)
{
    if (!name)
        name = "sidecar";
    *out = NULL;
    if (!json) {
        vs_set_err(errstr, errsz, "%s: no data", name);
        return -1;
    }
    if (len > VS_SIDECAR_MAX_BYTES) {
        vs_set_err(errstr, errsz, "%s: larger than %d MiB", name, VS_SIDECAR_MAX_BYTES >> 20);
        return -1;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        size_t at = end && end >= json ? (size_t)(end - json) : 0;
        vs_set_err(errstr, errsz, "%s: not valid JSON (near byte %zu)", name, at);
        return -1;
    }
    /* Only whitespace (or NULs) may follow the document. */
    for (const char *p = end; p && p < json + len; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\0') {
            vs_set_err(errstr, errsz, "%s: not valid JSON (trailing data at byte %zu)",
                    name, (size_t)(p - json));
            cJSON_Delete(root);
            return -1;
        }
    }
    int rc = from_json(root, name, out, errstr, errsz);
    cJSON_Delete(root);
    return rc;
}

int vs_sidecar_load(const char *path, vs_sidecar **out, char *errstr, size_t errsz)
{
    *out = NULL;
    const char *name = vs_base_name(path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        vs_set_err(errstr, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
        vs_set_err(errstr, errsz, "%s: not a regular file", path);
        fclose(f);
        return -1;
    }
    if (st.st_size > VS_SIDECAR_MAX_BYTES) {
        vs_set_err(errstr, errsz, "%s: larger than %d MiB", name, VS_SIDECAR_MAX_BYTES >> 20);
        fclose(f);
        return -1;
    }
    size_t cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap);
    if (!buf) {
        vs_set_err(errstr, errsz, "%s: out of memory", name);
        fclose(f);
        return -1;
    }
    /* Read up to the bound even if the file grew after fstat. */
    size_t len = fread(buf, 1, cap, f);
    int rd_err = ferror(f);
    fclose(f);
    if (rd_err) {
        vs_set_err(errstr, errsz, "%s: read error", path);
        free(buf);
        return -1;
    }
    if (len == cap) {
        vs_set_err(errstr, errsz, "%s: file changed while reading", path);
        free(buf);
        return -1;
    }
    int rc = vs_sidecar_parse(buf, len, name, out, errstr, errsz);
    free(buf);
    return rc;
}

/* ---- writer ---- */

static double round3(double v)
{
    return round(v * 1000.0) / 1000.0;
}

/* New [s, e] array, or NULL on OOM. Caller owns (or hands it to a parent). */
static cJSON *pair_json(double s, double e)
{
    cJSON *p = cJSON_CreateArray();
    if (!p)
        return NULL;
    cJSON *a = cJSON_CreateNumber(s), *b = cJSON_CreateNumber(e);
    if (!a || !b || !cJSON_AddItemToArray(p, a) || !cJSON_AddItemToArray(p, b)) {
        cJSON_Delete(a);
        cJSON_Delete(b);
        cJSON_Delete(p);
        return NULL;
    }
    return p;
}

/* Writes text to PATH via a temporary file in the same folder. */
static int write_atomic(const char *path, const char *text, char *errstr, size_t errsz)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        vs_set_err(errstr, errsz, "%s: out of memory", path);
        return -1;
    }
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        vs_set_err(errstr, errsz, "%s: cannot create temporary file: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    size_t len = strlen(text), off = 0;
    int rc = -1;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            vs_set_err(errstr, errsz, "%s: write failed: %s", tmp, strerror(errno));
            goto out;
        }
        off += (size_t)w;
    }
    if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
        vs_set_err(errstr, errsz, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) < 0) {
        fd = -1;
        vs_set_err(errstr, errsz, "%s: close failed: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        vs_set_err(errstr, errsz, "%s: rename failed: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc < 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

int vs_sidecar_write(const char *path, const char *source_file,
                     const char *backend, double analyzed_duration,
                     const vs_interval *silences, size_t n, const char *params_json,
                     char *errstr, size_t errsz)
{
    const char *name = vs_base_name(path);
    cJSON *root = NULL, *params = NULL;
    char *text = NULL;
    int rc = -1;

    if (!backend || !*backend) {
        vs_set_err(errstr, errsz, "%s: no detection backend given", name);
        return -1;
    }
    if (!isfinite(analyzed_duration) || analyzed_duration < 0) {
        vs_set_err(errstr, errsz, "%s: analyzed duration must be a number >= 0", name);
        return -1;
    }
    if (n > VS_SIDECAR_MAX_INTERVALS) {
        vs_set_err(errstr, errsz, "%s: too many silence intervals (%zu, at most %d)",
                name, n, VS_SIDECAR_MAX_INTERVALS);
        return -1;
    }
    /* Refuse what the reader would refuse, before rounding. */
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(silences[i].start) || !isfinite(silences[i].end)) {
            vs_set_err(errstr, errsz, "%s: silence_intervals[%zu]: not finite", name, i);
            return -1;
        }
        if (check_interval(name, i, silences[i].start, silences[i].end,
                           i > 0 ? &silences[i - 1] : NULL, errstr, errsz) < 0)
            return -1;
    }
    if (params_json) {
        params = cJSON_Parse(params_json);
        if (!cJSON_IsObject(params)) {
            vs_set_err(errstr, errsz, "%s: detection params are not a JSON object", name);
            goto out;
        }
    } else if (!(params = cJSON_CreateObject())) {
        goto oom;
    }

    double ad = round3(analyzed_duration);
    /* Keys in SPEC order: version, source, detection, speech, silence. */
    root = cJSON_CreateObject();
    if (!root || !cJSON_AddNumberToObject(root, "version", 1))
        goto oom;
    cJSON *src = cJSON_AddObjectToObject(root, "source");
    cJSON *det = cJSON_AddObjectToObject(root, "detection");
    if (!src || !det ||
        !(source_file ? cJSON_AddStringToObject(src, "file", source_file)
                      : cJSON_AddNullToObject(src, "file")) ||
        !cJSON_AddStringToObject(det, "backend", backend) ||
        !cJSON_AddNumberToObject(det, "analyzed_duration", ad))
        goto oom;
    cJSON_AddItemToObject(det, "params", params);
    params = NULL;

    cJSON *speech = cJSON_AddArrayToObject(root, "speech_segments");
    cJSON *silence = cJSON_AddArrayToObject(root, "silence_intervals");
    if (!speech || !silence)
        goto oom;
    /* Rounding to 3 decimals is monotone, so sorted intervals stay sorted
     * and non-overlapping; one that rounds to zero length is dropped. */
    double prev = 0.0;
    for (size_t i = 0; i < n; i++) {
        double s = round3(silences[i].start), e = round3(silences[i].end);
        if (e <= s)
            continue;
        double gap_end = s < ad ? s : ad;
        if (gap_end > prev) {
            cJSON *p = pair_json(prev, gap_end);
            if (!p || !cJSON_AddItemToArray(speech, p)) {
                cJSON_Delete(p);
                goto oom;
            }
        }
        cJSON *p = pair_json(s, e);
        if (!p || !cJSON_AddItemToArray(silence, p)) {
            cJSON_Delete(p);
            goto oom;
        }
        if (e > prev)
            prev = e;
    }
    if (prev < ad) {
        cJSON *p = pair_json(prev, ad);
        if (!p || !cJSON_AddItemToArray(speech, p)) {
            cJSON_Delete(p);
            goto oom;
        }
    }

    text = cJSON_Print(root);
    if (!text)
        goto oom;
    size_t tl = strlen(text);
    char *withnl = realloc(text, tl + 2);
    if (!withnl)
        goto oom;
    text = withnl;
    text[tl] = '\n';
    text[tl + 1] = '\0';
    rc = write_atomic(path, text, errstr, errsz);
    goto out;
oom:
    vs_set_err(errstr, errsz, "%s: out of memory", name);
out:
    cJSON_Delete(params);
    cJSON_Delete(root);
    free(text);
    return rc;
}
