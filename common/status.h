/* status.h - status messages: what workers tell the producer.
 *
 * Workers publish to the status topic: a job started, progress about once
 * a second, its final state (done / skipped / failed / retry), and a
 * heartbeat per worker. Every job status carries the run id, so a producer
 * counts only its own run. JSON through cJSON, versioned; the reader
 * bounds sizes and refuses anything malformed. See docs/protocol.md. */
#ifndef VS_STATUS_H
#define VS_STATUS_H
#include <stddef.h>
#include <stdint.h>

#define VS_STATUS_VERSION   1
#define VS_STATUS_MAX_BYTES (64 * 1024)

enum vs_status_kind {
    VS_ST_STARTED = 0, /* a worker began an attempt */
    VS_ST_PROGRESS,    /* fraction and fps */
    VS_ST_DONE,        /* output written (result filled) */
    VS_ST_SKIPPED,     /* output existed, overwrite off (or same job already done) */
    VS_ST_FAILED,      /* final failure: error filled, no more attempts */
    VS_ST_RETRY,       /* transient failure: the job goes back to the queue */
    VS_ST_HEARTBEAT,   /* worker alive: slots, busy, encoders */
};

typedef struct vs_status {
    enum vs_status_kind kind;
    char run_id[128];
    char job_id[128];
    char worker[128];   /* unique per process: host:pid:random */
    char host[128];
    char file[256];     /* input file name (no folder) */
    double fraction;    /* progress 0..1 */
    double fps;
    /* result (DONE) */
    double out_duration;
    int64_t frames, bytes;
    char encoder[32];
    double seconds;
    char url[1024];     /* DONE, optional: where --upload put the output (no query,
                         * no credentials); "" = not uploaded */
    /* failure (FAILED / RETRY) */
    char error[512];
    /* STARTED / RETRY / FAILED: failed attempts of the job so far (a
     * started message counts those before it; retry and failed include
     * the one that just ended; a hand-back at shutdown is not a failure) */
    int attempts;
    int rejected;       /* FAILED: the message was refused before running
                         * (not a job, unsigned, paths outside the roots) */
    /* heartbeat */
    int slots, busy;
    char encoders[128]; /* comma list, e.g. "libx264,h264_nvenc" */
    char version[32];
    double paused_s;    /* >0: worker has stopped taking jobs for this long */
    char group[128];    /* heartbeat: the worker's consumer group */
    char partitions[256]; /* heartbeat: jobs-topic partitions it holds, "0,3,7" */
    int stopping;       /* heartbeat: the worker is shutting down */
    double ts;          /* sender's wall clock, seconds since the epoch */
} vs_status;

const char *vs_status_kind_str(enum vs_status_kind k);
/* Serialises to compact JSON (caller frees with free()). */
char *vs_status_to_json(const vs_status *st);
/* Parses a message of len bytes. Returns 0, or -1 with a reason. */
int vs_status_parse(const char *buf, size_t len, vs_status *out, char *errstr, size_t errsz);

#endif
