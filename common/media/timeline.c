/* timeline.c - the output clock shared by audio and video (SPEC §4).
 *
 * out_t[i] is where segment i begins on the output clock, in ticks,
 * summed once in segment order from whole-tick segment lengths (a silent
 * segment's output length is its input length / speed, rounded to a tick).
 * Every stream quantises these same values - samples with round(), frames
 * with ceil(), both in integer arithmetic - instead of adding up
 * per-segment durations of its own, which is what made the original
 * tool's audio drift from its video. */
#include "media/timeline.h"
#include "errstr.h"

#include <libavutil/mathematics.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t to_ticks(double s)
{
    return llround(s * VS_TL_HZ);
}

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
    int64_t *ticks = malloc((3 * n + 1) * sizeof *ticks);
    if (!os || !ticks) {
        free(os);
        free(ticks);
        vs_set_err(errstr, errsz, "timeline: out of memory");
        return -1;
    }
    tl->out_t = ticks;
    tl->in_t = ticks + n + 1;
    tl->in_len = ticks + 2 * n + 1;
    int64_t t = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t a = to_ticks(seg[i].start), b = to_ticks(seg[i].end);
        int64_t len = b > a ? b - a : 1;
        int64_t out = seg[i].speed == 1.0 ? len : llround((double)len / seg[i].speed);
        tl->out_t[i] = t;
        tl->in_t[i] = a;
        tl->in_len[i] = len;
        t += out > 0 ? out : 1;
    }
    tl->out_t[n] = t;
    for (size_t i = 0; i <= n; i++)
        os[i] = (double)tl->out_t[i] / VS_TL_HZ;
    tl->seg = seg;
    tl->n = n;
    tl->out_start = os;
    tl->total = os[n];
    return 0;
}

void vs_timeline_release(vs_timeline *tl)
{
    if (!tl)
        return;
    free(tl->out_start);
    free(tl->out_t);
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
    if (fps_num <= 0 || fps_den <= 0 || !tl->out_t)
        return 0;
    return av_rescale_rnd(tl->out_t[tl->n], fps_num, (int64_t)fps_den * VS_TL_HZ,
                          AV_ROUND_NEAR_INF);
}

int64_t vs_timeline_boundary_sample(const vs_timeline *tl, size_t i, int sr)
{
    if (i > tl->n)
        i = tl->n;
    if (sr <= 0 || !tl->out_t)
        return 0;
    return av_rescale_rnd(tl->out_t[i], sr, VS_TL_HZ, AV_ROUND_NEAR_INF);
}

int64_t vs_timeline_in_sample(const vs_timeline *tl, size_t i, int sr)
{
    if (sr <= 0 || !tl->in_t || i >= tl->n)
        return 0;
    return av_rescale_rnd(tl->in_t[i], sr, VS_TL_HZ, AV_ROUND_NEAR_INF);
}

/* The first frame whose time k/fps is at or after the boundary. Clamped to
 * the frame count, so the boundaries never decrease and boundary n equals
 * the count even when the last segment is shorter than half a frame. */
int64_t vs_timeline_boundary_frame(const vs_timeline *tl, size_t i, int fps_num, int fps_den)
{
    if (fps_num <= 0 || fps_den <= 0 || !tl->out_t)
        return 0;
    int64_t count = vs_timeline_frame_count(tl, fps_num, fps_den);
    if (i >= tl->n)
        return count;
    int64_t k = av_rescale_rnd(tl->out_t[i], fps_num, (int64_t)fps_den * VS_TL_HZ, AV_ROUND_UP);
    if (k < 0)
        k = 0;
    return k < count ? k : count;
}

size_t vs_timeline_frame_segment(const vs_timeline *tl, int64_t k, AVRational fps, size_t *cursor)
{
    size_t c = cursor && *cursor < tl->n ? *cursor : 0;
    if (c > 0 && vs_timeline_boundary_frame(tl, c, fps.num, fps.den) > k)
        c = 0; /* behind the hint: search from the start */
    while (c + 1 < tl->n && vs_timeline_boundary_frame(tl, c + 1, fps.num, fps.den) <= k)
        c++;
    if (cursor && c >= *cursor)
        *cursor = c;
    return c;
}

/* Output frame k is at k * den / num s; in units u = 1 / (HZ * num) s that
 * is k * den * HZ exactly, and segment seg starts at out_t * num. The
 * offset into the segment is scaled by in_len / out_len (1 for speech, so
 * speech maps frame time to input time with no rounding at all). */
int64_t vs_timeline_frame_in(const vs_timeline *tl, int64_t k, AVRational fps, size_t seg)
{
    if (tl->n == 0 || fps.num <= 0 || fps.den <= 0)
        return 0;
    if (seg >= tl->n)
        seg = tl->n - 1;
    int64_t num = fps.num;
    int64_t u = k * (int64_t)fps.den * VS_TL_HZ - tl->out_t[seg] * num;
    int64_t out_len = tl->out_t[seg + 1] - tl->out_t[seg], in_len = tl->in_len[seg];
    if (u < 0)
        u = 0;
    int64_t v = in_len == out_len ? u : av_rescale_rnd(u, in_len, out_len, AV_ROUND_DOWN);
    if (v > in_len * num)
        v = in_len * num;
    return tl->in_t[seg] * num + v;
}
