/* sidecar.h - reader for the speech-detection sidecar (*.vad.json, version 1).
 *
 * See SPEC §2. Only version, detection.analyzed_duration and
 * silence_intervals are needed for processing; everything else is kept
 * as information. Every check names the file and the interval index. */
#ifndef VS_SIDECAR_H
#define VS_SIDECAR_H
#include <stddef.h>

/* Bounds on a sidecar, which is user input: the file's size and the
 * number of silence intervals (a real hour of speech has a few hundred). */
#define VS_SIDECAR_MAX_BYTES      (16 * 1024 * 1024)
#define VS_SIDECAR_MAX_INTERVALS  100000

typedef struct vs_interval {
    double start, end; /* seconds */
} vs_interval;

typedef struct vs_sidecar {
    int version;                 /* always 1 */
    char *backend;               /* "silero" or "silencedetect" */
    char *source_file;           /* may be NULL */
    double analyzed_duration;    /* seconds */
    vs_interval *silences;       /* sorted, non-overlapping */
    size_t n_silences;
} vs_sidecar;

/* Reads and checks PATH. Returns 0 and a new sidecar in *out (free with
 * vs_sidecar_free), or -1 with a one-line reason in errstr. */
int vs_sidecar_load(const char *path, vs_sidecar **out, char *errstr, size_t errsz);
/* Same checks on an in-memory document; NAME is used in messages. */
int vs_sidecar_parse(const char *json, size_t len, const char *name,
                     vs_sidecar **out, char *errstr, size_t errsz);
void vs_sidecar_free(vs_sidecar **sc);

/* Writes a version 1 sidecar (backend given) with the speech segments
 * derived as the gaps between silences. Returns 0 or -1 with errstr. */
int vs_sidecar_write(const char *path, const char *source_file,
                     const char *backend, double analyzed_duration,
                     const vs_interval *silences, size_t n, const char *params_json,
                     char *errstr, size_t errsz);

#endif
