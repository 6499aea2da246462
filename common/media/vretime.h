/* vretime.h - video re-timing: constant frame rate output from any input.
 *
 * Output frame k shows the input picture current at the input time the
 * timeline maps k/fps to: the last decoded frame whose time is <= that
 * input time. Frames arrive in presentation order; each is held until a
 * later one supersedes it, so memory is one picture whatever the timeline
 * and variable frame rate inputs need nothing special. */
#ifndef VS_VRETIME_H
#define VS_VRETIME_H
#include <stdint.h>
#include <libavutil/frame.h>
#include "timeline.h"

/* Called once per output frame k with the picture to show (borrowed) and
 * the segment it falls in. serial changes only when the picture changes,
 * so the caller converts each input picture once. Returns < 0 to stop. */
typedef int (*vs_vemit_fn)(void *opaque, const AVFrame *pic, uint64_t serial,
                           int64_t k, size_t seg);

typedef struct vs_vretime {
    const vs_timeline *tl;
    AVRational fps;
    int64_t next_k, n_frames;
    size_t cursor;
    double next_t;   /* input time shown by frame next_k */
    AVFrame *cur;    /* the current picture */
    uint64_t serial;
    vs_vemit_fn emit;
    void *opaque;
} vs_vretime;

int vs_vretime_init(vs_vretime *r, const vs_timeline *tl, AVRational fps,
                    vs_vemit_fn emit, void *opaque);
void vs_vretime_release(vs_vretime *r);
/* Input time (window seconds) the next output frame needs; INFINITY when
 * every output frame has been emitted. A decoded frame whose successor is
 * also at or before this time is never shown - the decode stage's hint
 * for what it may skip. */
double vs_vretime_next_time(const vs_vretime *r);
/* Takes ownership of f (decoded picture at input time t). */
int vs_vretime_push(vs_vretime *r, AVFrame *f, double t);
/* End of input: the last picture fills the remaining output frames. */
int vs_vretime_flush(vs_vretime *r);
static inline int vs_vretime_done(const vs_vretime *r) { return r->next_k >= r->n_frames; }

#endif
