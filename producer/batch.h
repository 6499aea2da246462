/* batch.h - from a session folder to the run's table of videos.
 *
 * The folder rules of SPEC §6 are applied here: videos found and sorted,
 * the sidecar chosen and loaded, the output folder checked and created,
 * existing outputs skipped unless overwrite. Every video that is not
 * skipped is probed and planned into a job message. The table then
 * carries each video's state through the run (follow.c updates it, the
 * progress and summary modules read it). */
#ifndef VS_PRODUCE_BATCH_H
#define VS_PRODUCE_BATCH_H
#include <stddef.h>
#include <stdint.h>

#include "job.h"
#include "options.h"

enum vs_file_state {
    VS_FILE_QUEUED = 0, /* job built (and published): waiting for a worker */
    VS_FILE_RUNNING,    /* a worker started it */
    VS_FILE_DONE,
    VS_FILE_SKIPPED,
    VS_FILE_FAILED,
};

struct vs_file;

/* One job message of a video and what became of it: the whole video, or
 * one chunk, or the join of a video split with --chunk (chunk.h). Flow
 * control, delivery and statuses are per task; the video's row
 * (vs_file) sums its tasks up (vs_file_sum_up). */
typedef struct vs_task {
    struct vs_file *file;
    vs_job *job;         /* the message (a whole video's is its file's job) */
    int ready;           /* may be published (a join: once every chunk is done) */
    enum vs_file_state state;
    char error[512];
    int delivered;       /* the broker acknowledged the job message */
    char worker[128];
    int attempts;
    double fraction, fps, started, last_news, seconds, out_duration;
    char encoder[32];
    /* Flow control (send_jobs.c): where the message went, and whether a
     * worker has read it (any status of the job). */
    int published;
    int read;
    int32_t partition;
    size_t bytes;
} vs_task;

typedef struct vs_file {
    char *name;          /* input file name, no folder */
    char *input;         /* absolute path as this machine sees it */
    char *output;        /* absolute path of the output, this machine */
    vs_job *job;         /* the whole video's job; NULL when skipped/failed here (a split
                            video's is never sent) */
    char *video_id;      /* a split video's id (chunk.h), which its output carries */
    vs_task *tasks;      /* one, or n_chunks chunks then the join */
    int n_tasks;
    int n_chunks;        /* 0: not split */
    int chunks_done;
    enum vs_file_state state;
    char error[512];     /* why it failed */
    /* What the status topic told (follow.c), summed over the tasks. */
    char worker[128];    /* the worker of the current/final attempt */
    int attempts;        /* attempts started */
    double fraction;     /* progress 0..1 */
    double fps;          /* output frames per wall second */
    double started;      /* monotonic seconds when the attempt started, 0 = not */
    double last_news;    /* monotonic seconds of the job's last status, 0 = none */
    double seconds;      /* time taken (the worker's, else measured here) */
    double out_duration; /* seconds written */
    char encoder[32];
    int abandoned;       /* failed here by an interruption or --timeout, not by a worker */
} vs_file;

typedef struct vs_batch {
    char run_id[64];     /* unique per run: UTC time + random hex */
    char *out_dir;       /* absolute output folder */
    char *sidecar;       /* absolute path of the sidecar used */
    vs_file *files;
    size_t n;
    /* Flow control: unread job bytes per partition of the jobs topic, kept
     * at most part_budget each (0 = no limit: a real broker keeps them). */
    size_t part_budget;
    size_t *part_bytes;
    int n_parts;
    int room_freed;      /* a worker read a job since the held-back ones were last tried */
} vs_batch;

/* Builds the table for o->folder. Setup problems (no folder, sidecar
 * missing or malformed, output folder refused) return -1 with a one-line
 * reason in errstr. A video that cannot be probed or planned is marked
 * VS_FILE_FAILED with its reason, logged, and the others go on. Paths in
 * the job messages go through o->kafka's --path-map rules. Returns 0 and a
 * new batch (free with vs_batch_free). */
int vs_batch_build(const vs_produce_opts *o, vs_batch **out, char *errstr, size_t errsz);
void vs_batch_free(vs_batch **b);

/* Counts per state. */
typedef struct vs_batch_counts {
    size_t total, queued, running, done, skipped, failed;
} vs_batch_counts;
void vs_batch_count(const vs_batch *b, vs_batch_counts *c);
/* Number of files still queued or running. */
size_t vs_batch_unfinished(const vs_batch *b);
/* Jobs published so far. */
size_t vs_batch_published(const vs_batch *b);
/* Queued files whose job is not published yet (held back by flow control). */
size_t vs_batch_unpublished(const vs_batch *b);
/* A status of t's job arrived: a worker read its message, so its bytes no
 * longer count against its partition's budget. */
void vs_batch_note_read(vs_batch *b, vs_task *t);
/* Marks every queued or running file failed, the reason starting with why. */
void vs_batch_fail_unfinished(vs_batch *b, const char *why);
/* The id the finished output carries in its metadata. */
static inline const char *vs_file_output_id(const vs_file *f)
{
    return f->video_id ? f->video_id : f->job ? f->job->job_id : NULL;
}
/* The task whose job has this id, or NULL. */
vs_task *vs_batch_find(vs_batch *b, const char *job_id);
/* A task failed before any worker had it (not published, not delivered). */
void vs_task_fail(vs_task *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The video's row from its tasks: a whole video's is its task's; a split
 * one is failed when a task failed, done when joined, running while any
 * part runs or is done. Makes the join ready (b->room_freed) once every
 * chunk is done. now: monotonic seconds. */
void vs_file_sum_up(vs_batch *b, vs_file *f, double now);
const char *vs_file_state_str(enum vs_file_state s);

#endif
