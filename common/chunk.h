/* chunk.h - one video split into chunks that any worker encodes, joined
 * into the output without re-encoding (docs/protocol.md "Chunks").
 *
 * The split is a pure function of the output frame count, which every
 * worker computes the same way from the job's plan and the input's frame
 * rate: chunk i of n covers output frames [n_frames * i / n,
 * n_frames * (i + 1) / n). The pieces live in a hidden folder beside the
 * output, named from the output and the video's id, so a job message
 * carries no extra path for the worker's roots to check. */
#ifndef VS_CHUNK_H
#define VS_CHUNK_H
#include <stdint.h>
#include "job.h"

/* Output frames [*first, *end) of chunk index of count. */
void vs_chunk_bounds(int64_t n_frames, int index, int count, int64_t *first, int64_t *end);

/* The pieces' folder: OUTDIR/.NAME.vs-pieces-<hash of video id> (shortened
 * like every side name when NAME is long). Caller frees; NULL on OOM. */
char *vs_chunk_dir(const char *output, const char *video_id);
/* Piece index in that folder: DIR/NNNN.mp4 (MP4 keeps every decode time). Caller frees. */
char *vs_chunk_piece(const char *output, const char *video_id, int index);

/* Splits WHOLE (a VS_JOB_WHOLE job) into count chunk jobs and one join
 * job of the video VIDEO_ID, each a deep copy with its own job id
 * (<whole's id>.cNNNN, <whole's id>.join: a job id is one run's, as the
 * workers' "a job id runs once" rule needs) and its part set. chunks must
 * hold count pointers. Returns 0, or -1 (OOM or count outside
 * [2, VS_JOB_MAX_CHUNKS]). */
int vs_chunk_split(const vs_job *whole, const char *video_id, int count, vs_job **chunks,
                   vs_job **join);

/* What a piece's metadata carries, "<video id>.cNNNN": the same in every
 * run of the video, so a re-run finds the pieces a killed run finished
 * (the output itself carries the video id). */
void vs_chunk_tag(const char *video_id, int index, char *buf, size_t sz);

/* How many chunks an output of out_seconds gets with chunks of about
 * chunk_s seconds (chunk_s <= 0: 1, not split), at most VS_JOB_MAX_CHUNKS. */
int vs_chunk_count(double out_seconds, double chunk_s);

#endif
