/* vretime.h - video re-timing: constant frame rate output from any input.
 *
 * Output frame k shows the input picture current at the input time the
 * timeline maps k/fps to: the decoded picture with the greatest
 * presentation time <= that time (a picture stamped exactly at that time
 * is the one shown). The decision is integer arithmetic on the stream's
 * own timestamps (see timeline.h), never a floating-point comparison, so
 * at 29.97 or 25 fps every 1x frame appears once, in order. Frames arrive
 * in presentation order; each is held until a later one supersedes it, so
 * memory is one picture whatever the timeline and variable frame rate
 * inputs need nothing special. */
#ifndef VS_VRETIME_H
#define VS_VRETIME_H
#include <stdint.h>
#include <libavutil/frame.h>
#include "media/timeline.h"

/* Called once per output frame k with the picture to show (borrowed) and
 * the segment it falls in. serial changes only when the picture changes,
 * so the caller converts each input picture once. Returns < 0 to stop. */
typedef int (*vs_vemit_fn)(void *opaque, const AVFrame *pic, uint64_t serial,
                           int64_t k, size_t seg);

typedef struct vs_vretime {
    const vs_timeline *tl;
    AVRational fps;
    AVRational tb;   /* the input stream's time base */
    int64_t zero;    /* window time 0 as a timestamp in tb */
    int64_t next_k, n_frames; /* n_frames: the whole output's */
    int64_t end_k;   /* frames [.., end_k) are emitted (n_frames unless a range is set) */
    size_t cursor;
    size_t next_seg; /* segment of frame next_k */
    int64_t next_ts; /* latest timestamp (in tb) frame next_k may show */
    AVFrame *cur;    /* the current picture */
    uint64_t serial;
    vs_vemit_fn emit;
    void *opaque;
} vs_vretime;

/* tb is the input stream's time base; zero is the timestamp (in tb) of
 * window time 0 (the input's first presentation time plus the offset). */
int vs_vretime_init(vs_vretime *r, const vs_timeline *tl, AVRational fps,
                    AVRational tb, int64_t zero, vs_vemit_fn emit, void *opaque);
/* Emits only output frames [first, end) (one chunk of the video,
 * chunk.h); before any picture is pushed. */
int vs_vretime_set_range(vs_vretime *r, int64_t first, int64_t end);
void vs_vretime_release(vs_vretime *r);
/* Latest timestamp (in tb) the next output frame may show; INT64_MAX when
 * every output frame has been emitted. A decoded frame whose successor is
 * also at or before this is never shown - the decode stage's hint for
 * what it may skip. */
int64_t vs_vretime_next_ts(const vs_vretime *r);
/* Takes ownership of f (decoded picture with timestamp ts in tb). */
int vs_vretime_push(vs_vretime *r, AVFrame *f, int64_t ts);
/* End of input: the last picture fills the remaining output frames. */
int vs_vretime_flush(vs_vretime *r);
static inline int vs_vretime_done(const vs_vretime *r) { return r->next_k >= r->end_k; }

#endif
