/* vretime.c - see vretime.h. */
#include "vretime.h"

#include <math.h>

static void advance(vs_vretime *r)
{
    r->next_k++;
    if (r->next_k >= r->n_frames) {
        r->next_t = INFINITY;
        return;
    }
    double out_t = (double)r->next_k * r->fps.den / r->fps.num;
    r->next_t = vs_timeline_in_time(r->tl, out_t, &r->cursor);
}

int vs_vretime_init(vs_vretime *r, const vs_timeline *tl, AVRational fps,
                    vs_vemit_fn emit, void *opaque)
{
    *r = (vs_vretime){.tl = tl, .fps = fps, .emit = emit, .opaque = opaque};
    r->n_frames = vs_timeline_frame_count(tl, fps.num, fps.den);
    r->next_k = -1;
    advance(r);
    return 0;
}

void vs_vretime_release(vs_vretime *r)
{
    av_frame_free(&r->cur);
}

double vs_vretime_next_time(const vs_vretime *r)
{
    return r->next_t;
}

static int emit_current(vs_vretime *r)
{
    size_t seg = vs_timeline_segment_at(r->tl, (double)r->next_k * r->fps.den / r->fps.num,
                                        &(size_t){r->cursor});
    int ret = r->emit(r->opaque, r->cur, r->serial, r->next_k, seg);
    advance(r);
    return ret;
}

int vs_vretime_push(vs_vretime *r, AVFrame *f, double t)
{
    int ret = 0;
    /* Before the first picture there is nothing older to show: the first
     * picture stands in for any output frame that needs an earlier time. */
    if (!r->cur) {
        r->cur = f;
        r->serial++;
        return 0;
    }
    while (ret >= 0 && r->next_k < r->n_frames && r->next_t < t)
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
        return r->n_frames > 0 ? AVERROR_INVALIDDATA : 0;
    while (ret >= 0 && r->next_k < r->n_frames)
        ret = emit_current(r);
    return ret;
}
