/* job.h - the job message: one video to re-time, segments embedded.
 *
 * JSON through cJSON, versioned (VS_JOB_VERSION). The reader refuses
 * anything malformed with a one-line reason and bounds every size, since
 * jobs may come from a shared broker. See docs/protocol.md. */
#ifndef VS_JOB_H
#define VS_JOB_H
#include <stddef.h>
#include "plan.h"

#define VS_JOB_VERSION       1
#define VS_JOB_VERSION_PARTS 2     /* a chunk or join job (older workers refuse it) */
#define VS_JOB_MAX_CHUNKS    1000
#define VS_JOB_MAX_BYTES     (1024 * 1024)  /* whole message */
#define VS_JOB_MAX_SEGMENTS  20000
#define VS_JOB_MAX_PATH      4096
#define VS_JOB_MAX_ID        128

/* What a job writes: the whole video, or one part of a video split across
 * workers (docs/protocol.md "Chunks"): a chunk encodes output frames
 * [first, end) of the video, video only, into a piece beside the output
 * (chunk.h names it); the join copies the pieces into the output and
 * re-times the audio whole. first and end follow from the frame count
 * the worker computes, index and count (vs_chunk_bounds). */
enum vs_job_kind { VS_JOB_WHOLE = 0, VS_JOB_CHUNK, VS_JOB_JOIN };

typedef struct vs_job_part {
    enum vs_job_kind kind;
    char *video;       /* the video's id, shared by its chunks and join; NULL for WHOLE */
    int index, count;  /* chunk index of count; join: count pieces */
} vs_job_part;

typedef struct vs_job {
    char *job_id;      /* unique per video per run */
    char *run_id;      /* the producer run this job belongs to */
    char *input;       /* absolute path, or an http(s):// URL the worker downloads */
    char *output;      /* absolute path of the final output file */
    double offset;     /* seconds skipped at the start of the input */
    double duration;   /* window length d that was planned */
    int indicator;     /* draw the fast-forward indicator on silences */
    int overwrite;     /* replace an existing output */
    char *codec;       /* NULL = follow the input; else "h264","hevc","av1","vp9" */
    vs_segment *seg;
    size_t n_seg;
    double out_duration; /* informational: planned output seconds */
    char *signature;   /* hex HMAC-SHA256 or NULL (see issue on security) */
    vs_job_part part;  /* kind VS_JOB_WHOLE unless the video was split */
} vs_job;

/* 1 when a job's input is an http:// or https:// URL (case-insensitive). */
int vs_job_input_is_url(const char *input);
/* The file name an input URL names (its last path segment, percent-
 * decoded, no query; "/" and control characters made "_"; "download"
 * when empty) into out. Returns its length. */
size_t vs_job_url_name(const char *url, char *out, size_t sz);

/* Takes copies of every string and of the segments. Returns NULL on OOM. */
vs_job *vs_job_new(const char *job_id, const char *run_id, const char *input,
                   const char *output, double offset, const vs_plan *plan);
void vs_job_free(vs_job **job);

/* Serialises to a compact one-line JSON string (caller frees with free()). */
char *vs_job_to_json(const vs_job *job);
/* Parses and checks a message of len bytes (need not be NUL-terminated).
 * Returns 0 and a new job, or -1 with a one-line reason in errstr. */
int vs_job_parse(const char *buf, size_t len, vs_job **out, char *errstr, size_t errsz);
/* Reads FILE and parses it. */
int vs_job_load(const char *path, vs_job **out, char *errstr, size_t errsz);

#endif
