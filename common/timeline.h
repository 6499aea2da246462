/* timeline.h - the one output clock shared by audio and video.
 *
 * Output time is the concatenation of segments. Every boundary is placed
 * once on this clock and then quantised per stream (video frames, audio
 * samples of each track) from the same value, so nothing drifts however
 * many segments there are. Lookups take a cursor because output time only
 * moves forward: each call is amortised O(1), memory is O(segments). */
#ifndef VS_TIMELINE_H
#define VS_TIMELINE_H
#include <stddef.h>
#include <stdint.h>
#include "plan.h"

typedef struct vs_timeline {
    const vs_segment *seg; /* borrowed */
    size_t n;
    double *out_start;     /* n + 1 entries; out_start[n] = total */
    double total;          /* output seconds */
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

/* Number of output video frames at fps = num/den: round(total * fps). */
int64_t vs_timeline_frame_count(const vs_timeline *tl, int fps_num, int fps_den);
/* Output sample index where segment i starts, at sample rate sr
 * (i == n gives the total). round(out_start[i] * sr). */
int64_t vs_timeline_boundary_sample(const vs_timeline *tl, size_t i, int sr);
/* First output frame of segment i: ceil(out_start[i] * fps) (i == n: count). */
int64_t vs_timeline_boundary_frame(const vs_timeline *tl, size_t i, int fps_num, int fps_den);

#endif
