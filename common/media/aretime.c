/* aretime.c - see aretime.h. */
#include "aretime.h"

#include <libavutil/error.h>
#include <libavutil/mem.h>
#include <math.h>
#include <string.h>

#define VS_ZERO_CHUNK 4096

int vs_aretime_init(vs_aretime *r, const vs_timeline *tl, int sr, int channels,
                    enum AVSampleFormat fmt, int64_t total)
{
    *r = (vs_aretime){.tl = tl, .sr = sr, .channels = channels, .fmt = fmt, .total = total};
    r->fifo = av_audio_fifo_alloc(fmt, channels, VS_ZERO_CHUNK);
    return r->fifo ? 0 : AVERROR(ENOMEM);
}

void vs_aretime_release(vs_aretime *r)
{
    if (r->fifo)
        av_audio_fifo_free(r->fifo);
    r->fifo = NULL;
}

/* End of the current segment in output samples, never past total. */
static int64_t seg_end(const vs_aretime *r)
{
    if (r->seg + 1 >= r->tl->n)
        return r->total;
    int64_t e = vs_timeline_boundary_sample(r->tl, r->seg + 1, r->sr);
    return e < r->total ? e : r->total;
}

static int write_silence(vs_aretime *r, int64_t n)
{
    uint8_t *planes[64] = {0};
    int ret = av_samples_alloc(planes, NULL, r->channels, VS_ZERO_CHUNK, r->fmt, 0);
    if (ret < 0)
        return ret;
    av_samples_set_silence(planes, 0, VS_ZERO_CHUNK, r->channels, r->fmt);
    while (n > 0 && ret >= 0) {
        int k = n > VS_ZERO_CHUNK ? VS_ZERO_CHUNK : (int)n;
        ret = av_audio_fifo_write(r->fifo, (void **)planes, k);
        n -= k;
        r->out_n += k;
    }
    av_freep(&planes[0]);
    return ret < 0 ? ret : 0;
}

static int write_samples(vs_aretime *r, uint8_t *const *data, int off, int n)
{
    uint8_t *planes[64];
    int planar = av_sample_fmt_is_planar(r->fmt);
    int bps = av_get_bytes_per_sample(r->fmt);
    int nplanes = planar ? r->channels : 1;
    size_t step = (size_t)off * bps * (planar ? 1 : r->channels);
    for (int c = 0; c < nplanes; c++)
        planes[c] = data[c] + step;
    int ret = av_audio_fifo_write(r->fifo, (void **)planes, n);
    if (ret < 0)
        return ret;
    r->out_n += n;
    return 0;
}

/* Moves to the next segment once out_n reached the current one's end. */
static void next_segment(vs_aretime *r)
{
    while (r->seg + 1 < r->tl->n && r->out_n >= seg_end(r))
        r->seg++;
}

int vs_aretime_push(vs_aretime *r, uint8_t *const *data, int n, int64_t pos)
{
    int ret;
    if (r->channels > 64)
        return AVERROR(EINVAL);
    while (r->out_n < r->total) {
        const vs_segment *s = &r->tl->seg[r->seg];
        int64_t b0 = vs_timeline_boundary_sample(r->tl, r->seg, r->sr);
        int64_t b1 = seg_end(r);
        if (s->silent) {
            /* Silence needs no input: write all of it now. */
            if ((ret = write_silence(r, b1 - r->out_n)) < 0)
                return ret;
            next_segment(r);
            continue;
        }
        int64_t src0 = vs_timeline_in_sample(r->tl, r->seg, r->sr);
        int64_t need0 = src0 + (r->out_n - b0);  /* input sample wanted next */
        int64_t need1 = src0 + (b1 - b0);        /* end of this segment's input */
        if (pos + n <= need0)
            return 0; /* all of this chunk lies before what is needed */
        if (pos > need0) {
            /* A hole in the input: silence until the chunk (or segment end). */
            int64_t gap = (pos < need1 ? pos : need1) - need0;
            if ((ret = write_silence(r, gap)) < 0)
                return ret;
            if (r->out_n >= b1) {
                next_segment(r);
                continue;
            }
            need0 = pos;
        }
        int64_t take = (pos + n < need1 ? pos + n : need1) - need0;
        if ((ret = write_samples(r, data, (int)(need0 - pos), (int)take)) < 0)
            return ret;
        if (r->out_n < b1)
            return 0; /* chunk used up; the segment wants more */
        next_segment(r);
    }
    return 0;
}

int vs_aretime_flush(vs_aretime *r)
{
    int ret = write_silence(r, r->total - r->out_n);
    r->seg = r->tl->n ? r->tl->n - 1 : 0;
    return ret;
}
