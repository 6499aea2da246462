/* timeline.c - the output clock shared by audio and video (SPEC §4).
 *
 * out_start[i] is where segment i begins in output seconds, summed once
 * in segment order (the same order and formula as the planner's
 * out_duration, so both agree to the bit). Every stream quantises these
 * same values - samples with round(), frames with ceil() - instead of
 * adding up per-segment durations of its own, which is what made the
 * original tool's audio drift from its video. */
#include "timeline.h"
#include "errstr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Slack for ceil() on a boundary that should be an exact frame time but
 * carries a rounding error from the sum (e.g. 2.0000000000000004 * 30). */
#define VS_FRAME_EPS 1e-9

int vs_timeline_init(vs_timeline *tl, const vs_segment *seg, size_t n,
                     char *errstr, size_t errsz)
{
    memset(tl, 0, sizeof *tl);
    if (!seg || n == 0) {
        vs_set_err(errstr, errsz, "timeline: no segments");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const vs_segment *s = &seg[i];
        if (!isfinite(s->start) || !isfinite(s->end) || !(s->end > s->start) ||
            !isfinite(s->speed) || s->speed < 1.0 || s->speed > VS_MAX_SPEED) {
            vs_set_err(errstr, errsz, "timeline: segment %zu [%g, %g] at %gx is invalid",
                    i, s->start, s->end, s->speed);
            return -1;
        }
    }
    double *os = malloc((n + 1) * sizeof *os);
    if (!os) {
        vs_set_err(errstr, errsz, "timeline: out of memory");
        return -1;
    }
    double t = 0.0;
    for (size_t i = 0; i < n; i++) {
        os[i] = t;
        t += (seg[i].end - seg[i].start) / seg[i].speed;
    }
    os[n] = t;
    tl->seg = seg;
    tl->n = n;
    tl->out_start = os;
    tl->total = t;
    return 0;
}

void vs_timeline_release(vs_timeline *tl)
{
    if (!tl)
        return;
    free(tl->out_start);
    memset(tl, 0, sizeof *tl);
}

/* Segments are half-open [out_start[i], out_start[i+1]): a time exactly on
 * a boundary belongs to the segment that starts there. */
size_t vs_timeline_segment_at(const vs_timeline *tl, double t, size_t *cursor)
{
    if (tl->n == 0)
        return 0;
    size_t c = cursor && *cursor < tl->n ? *cursor : 0;
    if (!(t >= tl->out_start[c])) {
        /* Behind the hint (or NaN): binary search from the start, and leave
         * the cursor where it is - it only ever moves forward. */
        size_t lo = 0, hi = c; /* answer in [lo, hi) ... or 0 */
        if (!(t > 0))
            return 0;
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (t >= tl->out_start[mid])
                lo = mid;
            else
                hi = mid;
        }
        return lo;
    }
    /* Forward: step, then gallop when far away, so a sequence of calls is
     * amortised O(1) and a jump is O(log n). */
    size_t step = 1;
    while (c + 1 < tl->n && t >= tl->out_start[c + 1]) {
        size_t next = c + step < tl->n ? c + step : tl->n - 1;
        if (t >= tl->out_start[next]) {
            c = next;
            step *= 2;
        } else {
            step = step > 1 ? step / 2 : 1;
        }
    }
    if (cursor)
        *cursor = c;
    return c;
}

double vs_timeline_in_time(const vs_timeline *tl, double t, size_t *cursor)
{
    if (tl->n == 0)
        return 0.0;
    size_t i = vs_timeline_segment_at(tl, t, cursor);
    const vs_segment *s = &tl->seg[i];
    double in = s->start + (t - tl->out_start[i]) * s->speed;
    if (!(in >= s->start))
        in = s->start;
    if (in > s->end)
        in = s->end;
    return in;
}

int64_t vs_timeline_frame_count(const vs_timeline *tl, int fps_num, int fps_den)
{
    if (fps_num <= 0 || fps_den <= 0)
        return 0;
    return (int64_t)llround(tl->total * (double)fps_num / (double)fps_den);
}

int64_t vs_timeline_boundary_sample(const vs_timeline *tl, size_t i, int sr)
{
    if (i > tl->n)
        i = tl->n;
    if (sr <= 0 || !tl->out_start)
        return 0;
    return (int64_t)llround(tl->out_start[i] * (double)sr);
}

/* The first frame whose time k/fps is at or after the boundary. Clamped to
 * the frame count, so the boundaries never decrease and boundary n equals
 * the count even when the last segment is shorter than half a frame. */
int64_t vs_timeline_boundary_frame(const vs_timeline *tl, size_t i, int fps_num, int fps_den)
{
    if (fps_num <= 0 || fps_den <= 0 || !tl->out_start)
        return 0;
    int64_t count = vs_timeline_frame_count(tl, fps_num, fps_den);
    if (i >= tl->n)
        return count;
    double f = tl->out_start[i] * (double)fps_num / (double)fps_den;
    int64_t k = (int64_t)ceil(f - VS_FRAME_EPS);
    if (k < 0)
        k = 0;
    return k < count ? k : count;
}
