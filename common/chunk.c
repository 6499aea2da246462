/* chunk.c - see chunk.h. */
#include "chunk.h"
#include "output.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vs_chunk_bounds(int64_t n_frames, int index, int count, int64_t *first, int64_t *end)
{
    if (count < 1)
        count = 1;
    /* n_frames * index stays far below 2^63: frames are bounded by the
     * plan (hours at most 1000 fps) and count by VS_JOB_MAX_CHUNKS. */
    *first = n_frames * index / count;
    *end = n_frames * (index + 1) / count;
}

char *vs_chunk_dir(const char *output, const char *video_id)
{
    char suffix[48];
    snprintf(suffix, sizeof suffix, "vs-pieces-%016" PRIx64, vs_output_hash(video_id));
    return vs_output_side_name(output, suffix, 0);
}

char *vs_chunk_piece(const char *output, const char *video_id, int index)
{
    char *dir = vs_chunk_dir(output, video_id);
    if (!dir)
        return NULL;
    size_t n = strlen(dir) + 16;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%04d.mp4", dir, index);
    free(dir);
    return p;
}

void vs_chunk_tag(const char *video_id, int index, char *buf, size_t sz)
{
    snprintf(buf, sz, "%s.c%04d", video_id, index);
}

static vs_job *copy_part(const vs_job *w, const char *video_id, const char *suffix,
                         enum vs_job_kind kind, int index, int count)
{
    char id[VS_JOB_MAX_ID + 16];
    snprintf(id, sizeof id, "%s.%s", w->job_id, suffix);
    vs_job *j = vs_job_new(id, w->run_id, w->input, w->output, w->offset, NULL);
    if (!j)
        return NULL;
    j->duration = w->duration;
    j->out_duration = w->out_duration;
    j->indicator = w->indicator;
    j->overwrite = w->overwrite;
    j->part = (vs_job_part){.kind = kind, .index = index, .count = count};
    if ((w->codec && !(j->codec = strdup(w->codec))) || !(j->part.video = strdup(video_id)) ||
        (w->n_seg && !(j->seg = malloc(w->n_seg * sizeof *j->seg)))) {
        vs_job_free(&j);
        return NULL;
    }
    if (w->n_seg)
        memcpy(j->seg, w->seg, w->n_seg * sizeof *j->seg);
    j->n_seg = w->n_seg;
    return j;
}

int vs_chunk_split(const vs_job *whole, const char *video_id, int count, vs_job **chunks,
                   vs_job **join)
{
    if (count < 2 || count > VS_JOB_MAX_CHUNKS || whole->part.kind != VS_JOB_WHOLE)
        return -1;
    char suffix[16];
    for (int i = 0; i < count; i++) {
        snprintf(suffix, sizeof suffix, "c%04d", i);
        if (!(chunks[i] = copy_part(whole, video_id, suffix, VS_JOB_CHUNK, i, count)))
            goto oom;
    }
    if ((*join = copy_part(whole, video_id, "join", VS_JOB_JOIN, 0, count)))
        return 0;
oom:
    for (int i = 0; i < count; i++)
        vs_job_free(&chunks[i]);
    return -1;
}

int vs_chunk_count(double out_seconds, double chunk_s)
{
    if (!(chunk_s > 0) || !(out_seconds > chunk_s))
        return 1;
    double n = floor(out_seconds / chunk_s + 0.5);
    if (n < 1)
        n = 1;
    return n > VS_JOB_MAX_CHUNKS ? VS_JOB_MAX_CHUNKS : (int)n;
}
