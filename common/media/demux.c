/* demux.c - input side of the pipeline: open, probe, choose streams, seek.
 *
 * All streams share one origin, the input's first presentation time (the
 * earliest start of the streams kept), so the input's own audio/video
 * alignment is kept when both are re-timed, and times count on the media's
 * own clock (SPEC §3.1): a recording whose first picture is stamped 1.4 s
 * has its time 0 there. The origin is kept as a timestamp of the stream
 * that starts first, so that stream's times are exact. */
#include "demux.h"
#include "errstr.h"
#include "folder.h"

#include <libavutil/avstring.h>
#include <libavutil/mathematics.h>
#include <math.h>
#include <stdio.h>

/* Dimensions past this are refused before any decoder allocates them. */
#define VS_MAX_DIM 16384

static AVRational pick_fps(AVFormatContext *fmt, AVStream *st)
{
    AVRational r = av_guess_frame_rate(fmt, st, NULL);
    if (r.num <= 0 || r.den <= 0 || av_q2d(r) > 240.0)
        r = st->avg_frame_rate;
    if (r.num <= 0 || r.den <= 0 || av_q2d(r) > 240.0 || av_q2d(r) < 1.0)
        r = (AVRational){25, 1};
    return r;
}

int vs_demux_open(vs_demux *d, const char *path, double offset, char *errstr, size_t errsz)
{
    const char *name = vs_base_name(path);
    int ret;

    memset(d, 0, sizeof(*d));
    d->video = -1;
    if ((ret = avformat_open_input(&d->fmt, path, NULL, NULL)) < 0) {
        if (ret == AVERROR(ENOENT) || ret == AVERROR(EACCES) || ret == AVERROR(EISDIR) ||
            ret == AVERROR_INVALIDDATA)
            vs_set_err(errstr, errsz, "%s: %s", name, av_err2str(ret));
        else /* e.g. a header claiming an impossible picture size */
            vs_set_err(errstr, errsz, "%s: not a readable media file (%s)", name, av_err2str(ret));
        return ret;
    }
    if ((ret = avformat_find_stream_info(d->fmt, NULL)) < 0) {
        vs_set_err(errstr, errsz, "%s: cannot read stream info: %s", name, av_err2str(ret));
        return ret;
    }
    ret = av_find_best_stream(d->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (ret < 0) {
        vs_set_err(errstr, errsz, "%s: no video stream", name);
        return AVERROR_INVALIDDATA;
    }
    d->video = ret;
    AVStream *vst = d->fmt->streams[d->video];
    AVCodecParameters *vp = vst->codecpar;
    if (vp->width <= 0 || vp->height <= 0 || vp->width > VS_MAX_DIM || vp->height > VS_MAX_DIM) {
        vs_set_err(errstr, errsz, "%s: unsupported picture size %dx%d", name, vp->width, vp->height);
        return AVERROR_INVALIDDATA;
    }
    for (unsigned i = 0; i < d->fmt->nb_streams; i++) {
        AVStream *st = d->fmt->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO && d->n_audio < VS_MAX_AUDIO &&
            st->codecpar->sample_rate > 0 && st->codecpar->ch_layout.nb_channels > 0)
            d->audio[d->n_audio++] = (int)i;
        else if ((int)i != d->video)
            st->discard = AVDISCARD_ALL;
    }
    d->origin_st = -1;
    for (unsigned i = 0; i < d->fmt->nb_streams; i++) {
        AVStream *st = d->fmt->streams[i];
        if (st->discard == AVDISCARD_ALL || st->start_time == AV_NOPTS_VALUE)
            continue;
        if (d->origin_st < 0 ||
            av_compare_ts(st->start_time, st->time_base, d->origin_ts,
                          d->fmt->streams[d->origin_st]->time_base) < 0 ||
            ((int)i == d->video && av_compare_ts(st->start_time, st->time_base, d->origin_ts,
                                                 d->fmt->streams[d->origin_st]->time_base) == 0)) {
            d->origin_st = (int)i;
            d->origin_ts = st->start_time;
        }
    }
    if (d->origin_st >= 0)
        d->origin = d->origin_ts * av_q2d(d->fmt->streams[d->origin_st]->time_base);
    else
        d->origin = d->fmt->start_time != AV_NOPTS_VALUE ? d->fmt->start_time / (double)AV_TIME_BASE : 0.0;
    d->offset_us = offset > 0 ? llround(offset * 1e6) : 0;
    d->fps = pick_fps(d->fmt, vst);
    if (offset > 0) {
        int64_t ts = (int64_t)((d->origin + offset) * AV_TIME_BASE);
        if ((ret = avformat_seek_file(d->fmt, -1, INT64_MIN, ts, ts, 0)) < 0) {
            vs_set_err(errstr, errsz, "%s: cannot seek to %.3f s: %s", name, offset, av_err2str(ret));
            return ret;
        }
    }
    return 0;
}

void vs_demux_close(vs_demux *d)
{
    avformat_close_input(&d->fmt);
}

double vs_demux_seconds(const vs_demux *d, int st, int64_t ts)
{
    return ts * av_q2d(d->fmt->streams[st]->time_base) - d->origin;
}

int64_t vs_demux_zero(const vs_demux *d, int st)
{
    AVRational tb = d->fmt->streams[st]->time_base;
    int64_t z;
    if (d->origin_st == st)
        z = d->origin_ts;
    else if (d->origin_st >= 0)
        z = av_rescale_q_rnd(d->origin_ts, d->fmt->streams[d->origin_st]->time_base, tb,
                             AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX);
    else
        z = av_rescale_q_rnd(llround(d->origin * AV_TIME_BASE), AV_TIME_BASE_Q, tb,
                             AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX);
    return z + av_rescale_q_rnd(d->offset_us, (AVRational){1, 1000000}, tb, AV_ROUND_NEAR_INF);
}
