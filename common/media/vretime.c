/* vretime.c - see vretime.h. */
#include "vretime.h"

#include <libavutil/mathematics.h>

/* Moves to the next output frame and works out, exactly, the latest input
 * timestamp it may show: floor(planned input time / tb), counted from
 * zero. The planned time is a whole number of 1 / (HZ * fps.num) s. */
static void advance(vs_vretime *r)
{
    r->next_k++;
    if (r->next_k >= r->end_k) {
        r->next_ts = INT64_MAX;
        return;
    }
    r->next_seg = vs_timeline_frame_segment(r->tl, r->next_k, r->fps, &r->cursor);
    int64_t x = vs_timeline_frame_in(r->tl, r->next_k, r->fps, r->next_seg);
    int64_t unit_den = (int64_t)VS_TL_HZ * r->fps.num * r->tb.num;
    r->next_ts = r->zero + av_rescale_rnd(x, r->tb.den, unit_den, AV_ROUND_DOWN);
}

int vs_vretime_init(vs_vretime *r, const vs_timeline *tl, AVRational fps,
                    AVRational tb, int64_t zero, vs_vemit_fn emit, void *opaque)
{
    *r = (vs_vretime){.tl = tl, .fps = fps, .tb = tb, .zero = zero,
                      .emit = emit, .opaque = opaque};
    if (fps.num <= 0 || fps.den <= 0 || tb.num <= 0 || tb.den <= 0)
        return AVERROR(EINVAL);
    r->n_frames = r->end_k = vs_timeline_frame_count(tl, fps.num, fps.den);
    r->next_k = -1;
    advance(r);
    return 0;
}

int vs_vretime_set_range(vs_vretime *r, int64_t first, int64_t end)
{
    if (first < 0 || end < first || end > r->n_frames || r->cur)
        return AVERROR(EINVAL);
    r->end_k = end;
    r->cursor = 0;
    r->next_k = first - 1;
    advance(r);
    return 0;
}

void vs_vretime_release(vs_vretime *r)
{
    av_frame_free(&r->cur);
}

int64_t vs_vretime_next_ts(const vs_vretime *r)
{
    return r->next_ts;
}

static int emit_current(vs_vretime *r)
{
    int ret = r->emit(r->opaque, r->cur, r->serial, r->next_k, r->next_seg);
    advance(r);
    return ret;
}

int vs_vretime_push(vs_vretime *r, AVFrame *f, int64_t ts)
{
    int ret = 0;
    /* Before the first picture there is nothing older to show: the first
     * picture stands in for any output frame that needs an earlier time. */
    if (!r->cur) {
        r->cur = f;
        r->serial++;
        return 0;
    }
    /* The current picture is shown by every frame that may not show this
     * newer one yet (ts later than the frame's planned time). */
    while (ret >= 0 && r->next_k < r->end_k && ts > r->next_ts)
        ret = emit_current(r);
    av_frame_free(&r->cur);
    r->cur = f;
    r->serial++;
    return ret;
}

int vs_vretime_flush(vs_vretime *r)
{
    int ret = 0;
    if (!r->cur)
        return r->end_k > r->next_k ? AVERROR_INVALIDDATA : 0;
    while (ret >= 0 && r->next_k < r->end_k)
        ret = emit_current(r);
    return ret;
}
