/* media/timeline.h - the one output clock shared by audio and video.
 *
 * Output time is the concatenation of segments. Every boundary is placed
 * once on this clock and then quantised per stream (video frames, audio
 * samples of each track) from the same value, so nothing drifts however
 * many segments there are. Lookups take a cursor because output time only
 * moves forward: each call is amortised O(1), memory is O(segments).
 *
 * Times are kept exact: every boundary is a whole number of ticks
 * (VS_TL_HZ per second; sidecar times have 3 decimals, so they are exact),
 * and frame and sample decisions are integer arithmetic on those ticks and
 * the rational frame rate - never a floating-point comparison, which put a
 * 1x frame one frame late whenever its time came out a hair too big. The
 * doubles below are for reports and the checkers only. */
#ifndef VS_TIMELINE_H
#define VS_TIMELINE_H
#include <stddef.h>
#include <stdint.h>
#include <libavutil/rational.h>
#include "plan.h"

/* Ticks per second of the exact output clock. */
#define VS_TL_HZ 1000000

typedef struct vs_timeline {
    const vs_segment *seg; /* borrowed */
    size_t n;
    double *out_start;     /* n + 1 entries; out_start[n] = total */
    double total;          /* output seconds */
    /* Exact clock, in ticks (1 / VS_TL_HZ s): segment i maps output
     * [out_t[i], out_t[i+1]) onto input [in_t[i], in_t[i+1]) linearly, so a
     * 1x segment (equal lengths) maps time to time exactly. Input times are
     * window times (0 = the input's first presentation time + offset). */
    int64_t *out_t;        /* n + 1 entries */
    int64_t *in_t;         /* n entries: start of each segment's input */
    int64_t *in_len;       /* n entries: input length of each segment */
} vs_timeline;

/* Borrows seg (must outlive the timeline). Returns 0 or -1 (errstr). */
int vs_timeline_init(vs_timeline *tl, const vs_segment *seg, size_t n,
                     char *errstr, size_t errsz);
void vs_timeline_release(vs_timeline *tl);

/* Index of the segment that holds output time t (clamped to [0, n-1]).
 * *cursor is a hint that only moves forward; start it at 0. */
size_t vs_timeline_segment_at(const vs_timeline *tl, double t, size_t *cursor);
/* Input time (window seconds) shown at output time t. */
double vs_timeline_in_time(const vs_timeline *tl, double t, size_t *cursor);

/* Planned input time of output video frame k at frame rate fps, as a
 * count of units of 1 / (VS_TL_HZ * fps.num) s (window time, exact for
 * 1x segments). seg is the frame's segment (vs_timeline_frame_segment). */
int64_t vs_timeline_frame_in(const vs_timeline *tl, int64_t k, AVRational fps, size_t seg);
/* Segment of output frame k: the last i with boundary_frame(i) <= k.
 * *cursor only moves forward; start it at 0. */
size_t vs_timeline_frame_segment(const vs_timeline *tl, int64_t k, AVRational fps, size_t *cursor);
/* Input sample (at sr) where segment i's input starts: round(in * sr). */
int64_t vs_timeline_in_sample(const vs_timeline *tl, size_t i, int sr);

/* Number of output video frames at fps = num/den: round(total * fps). */
int64_t vs_timeline_frame_count(const vs_timeline *tl, int fps_num, int fps_den);
/* Output sample index where segment i starts, at sample rate sr
 * (i == n gives the total). round(out_start[i] * sr). */
int64_t vs_timeline_boundary_sample(const vs_timeline *tl, size_t i, int sr);
/* First output frame of segment i: ceil(out_start[i] * fps) (i == n: count). */
int64_t vs_timeline_boundary_frame(const vs_timeline *tl, size_t i, int fps_num, int fps_den);

#endif
