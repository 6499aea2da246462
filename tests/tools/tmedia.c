/* tmedia.c - decoding helpers shared by the media test checkers.
 *
 * Plain libavformat/libavcodec loops: open, pick a stream, decode every
 * packet, hand each picture (as 8-bit luma) or each audio sample (as its
 * peak over channels) to the checker. Nothing here judges a file; that is
 * the checkers' job. */
#include "tmedia.h"
#include "errstr.h"
#include "media/compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

static int open_input(const char *path, AVFormatContext **ic, char *errstr, size_t errsz)
{
    int rc = avformat_open_input(ic, path, NULL, NULL);
    if (rc < 0) {
        vs_set_err(errstr, errsz, "%s: %s", path, av_err2str(rc));
        return -1;
    }
    if ((rc = avformat_find_stream_info(*ic, NULL)) < 0) {
        vs_set_err(errstr, errsz, "%s: %s", path, av_err2str(rc));
        return -1;
    }
    return 0;
}

static int open_decoder(const char *path, AVStream *st, AVCodecContext **dec,
                        char *errstr, size_t errsz)
{
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec) {
        vs_set_err(errstr, errsz, "%s: no decoder for %s", path,
                avcodec_get_name(st->codecpar->codec_id));
        return -1;
    }
    if (!(*dec = avcodec_alloc_context3(codec)) ||
        avcodec_parameters_to_context(*dec, st->codecpar) < 0) {
        vs_set_err(errstr, errsz, "%s: out of memory", path);
        return -1;
    }
    (*dec)->pkt_timebase = st->time_base;
    int rc = avcodec_open2(*dec, codec, NULL);
    if (rc < 0) {
        vs_set_err(errstr, errsz, "%s: cannot open %s decoder: %s", path, codec->name,
                av_err2str(rc));
        return -1;
    }
    return 0;
}

/* ---- video ------------------------------------------------------------ */

typedef struct vscan {
    const char *path;
    vs_tmedia_pic_cb cb;
    void *opaque;
    vs_tmedia_vinfo *info;
    AVRational tb;
    struct SwsContext *sws;
    uint8_t *gray;
    int gray_w, gray_h;
    int stop;      /* 1 = stop early, -1 = error */
} vscan;

/* True when plane 0 of fmt already is 8-bit luma, one byte per pixel. */
static int has_plain_luma(enum AVPixelFormat fmt)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    if (!d || (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL |
                           AV_PIX_FMT_FLAG_BITSTREAM | AV_PIX_FMT_FLAG_HWACCEL)))
        return 0;
    return d->nb_components >= 1 && d->comp[0].plane == 0 && d->comp[0].step == 1 &&
           d->comp[0].offset == 0 && d->comp[0].shift == 0 && d->comp[0].depth == 8;
}

static int on_picture(vscan *s, const AVFrame *f, char *errstr, size_t errsz)
{
    vs_tmedia_vinfo *info = s->info;
    int64_t ts = f->best_effort_timestamp;
    double t;
    if (ts == AV_NOPTS_VALUE) {
        double step = info->fps_num > 0 ? (double)info->fps_den / info->fps_num : 0.04;
        t = info->frames ? info->last_t + step : 0.0;
    } else {
        t = ts * av_q2d(s->tb);
    }
    if (info->frames == 0)
        info->first_t = t;
    info->last_t = t;
    vs_tmedia_pic p = {.index = info->frames, .t = t, .w = f->width, .h = f->height,
                       .ts = ts == AV_NOPTS_VALUE ? INT64_MIN : ts};
    info->frames++;
    if (!s->cb)
        return 0;
    if (has_plain_luma(f->format)) {
        p.y = f->data[0];
        p.stride = f->linesize[0];
    } else {
        if (!s->gray || s->gray_w != f->width || s->gray_h != f->height) {
            free(s->gray);
            if (!(s->gray = malloc((size_t)f->width * f->height))) {
                vs_set_err(errstr, errsz, "out of memory");
                return -1;
            }
            s->gray_w = f->width;
            s->gray_h = f->height;
        }
        s->sws = sws_getCachedContext(s->sws, f->width, f->height, f->format,
                                      f->width, f->height, AV_PIX_FMT_GRAY8,
                                      SWS_POINT, NULL, NULL, NULL);
        if (!s->sws) {
            vs_set_err(errstr, errsz, "%s: cannot convert %s to gray", s->path,
                    av_get_pix_fmt_name(f->format));
            return -1;
        }
        uint8_t *dst[4] = {s->gray};
        int dst_stride[4] = {f->width};
        sws_scale(s->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
                  dst, dst_stride);
        p.y = s->gray;
        p.stride = f->width;
    }
    int rc = s->cb(&p, s->opaque);
    if (rc < 0) {
        vs_set_err(errstr, errsz, "%s: stopped at picture %lld", s->path, (long long)p.index);
        return -1;
    }
    if (rc > 0)
        s->stop = 1;
    return 0;
}

static int drain_video(vscan *s, AVCodecContext *dec, AVFrame *f, char *errstr, size_t errsz)
{
    for (;;) {
        int rc = avcodec_receive_frame(dec, f);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return 0;
        if (rc < 0) {
            vs_set_err(errstr, errsz, "%s: decoding: %s", s->path, av_err2str(rc));
            return -1;
        }
        rc = on_picture(s, f, errstr, errsz);
        av_frame_unref(f);
        if (rc < 0)
            return -1;
        if (s->stop)
            return 0;
    }
}

int vs_tmedia_video_scan(const char *path, vs_tmedia_pic_cb cb, void *opaque,
                         vs_tmedia_vinfo *info, char *errstr, size_t errsz)
{
    AVFormatContext *ic = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    vscan s = {.path = path, .cb = cb, .opaque = opaque, .info = info};
    int ret = -1;

    memset(info, 0, sizeof *info);
    if (!pkt || !f) {
        vs_set_err(errstr, errsz, "out of memory");
        goto out;
    }
    if (open_input(path, &ic, errstr, errsz) < 0)
        goto out;
    int vi = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (vi < 0) {
        vs_set_err(errstr, errsz, "%s: no video stream", path);
        goto out;
    }
    for (unsigned i = 0; i < ic->nb_streams; i++)
        if (ic->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
            info->n_audio++;
    AVStream *st = ic->streams[vi];
    s.tb = st->time_base;
    info->fps_num = st->r_frame_rate.num;
    info->fps_den = st->r_frame_rate.den;
    info->avg_num = st->avg_frame_rate.num;
    info->avg_den = st->avg_frame_rate.den;
    info->tb_num = st->time_base.num;
    info->tb_den = st->time_base.den;
    info->origin_ts = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
    info->origin_exact = 1;
    for (unsigned i = 0; i < ic->nb_streams; i++) {
        AVStream *o = ic->streams[i];
        if ((int)i == vi || o->codecpar->codec_type != AVMEDIA_TYPE_AUDIO ||
            o->start_time == AV_NOPTS_VALUE)
            continue;
        if (av_compare_ts(o->start_time, o->time_base, info->origin_ts, st->time_base) < 0) {
            info->origin_ts = av_rescale_q(o->start_time, o->time_base, st->time_base);
            info->origin_exact = 0;
        }
    }
    const uint8_t *dm = vs_stream_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (dm) { /* as the ffmpeg tool's autorotate: theta = -rotation_get */
        double theta = -av_display_rotation_get((const int32_t *)dm);
        int r = isnan(theta) ? 0 : (int)lround(theta / 90.0) * 90 % 360;
        info->rotation = r < 0 ? r + 360 : r;
    }
    info->width = st->codecpar->width;
    info->height = st->codecpar->height;
    snprintf(info->codec, sizeof info->codec, "%s", avcodec_get_name(st->codecpar->codec_id));
    if (open_decoder(path, st, &dec, errstr, errsz) < 0)
        goto out;

    int rc;
    while (!s.stop && (rc = av_read_frame(ic, pkt)) >= 0) {
        if (pkt->stream_index == vi) {
            rc = avcodec_send_packet(dec, pkt);
            if (rc < 0 && rc != AVERROR(EAGAIN)) {
                vs_set_err(errstr, errsz, "%s: decoding: %s", path, av_err2str(rc));
                av_packet_unref(pkt);
                goto out;
            }
            if (drain_video(&s, dec, f, errstr, errsz) < 0) {
                av_packet_unref(pkt);
                goto out;
            }
        }
        av_packet_unref(pkt);
    }
    if (!s.stop) {
        avcodec_send_packet(dec, NULL);
        if (drain_video(&s, dec, f, errstr, errsz) < 0)
            goto out;
    }
    if (info->frames == 0) {
        vs_set_err(errstr, errsz, "%s: no picture decoded", path);
        goto out;
    }
    ret = 0;
out:
    sws_freeContext(s.sws);
    free(s.gray);
    av_frame_free(&f);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&ic);
    return ret;
}

/* Mean luma of the rectangle [x0, x1) x [y0, y1). */
static double mean_luma(const vs_tmedia_pic *p, int x0, int x1, int y0, int y1)
{
    int64_t sum = 0, n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++, n++)
            sum += p->y[(size_t)y * p->stride + x];
    return n ? (double)sum / n : 0.0;
}

int vs_tmedia_read_code(const vs_tmedia_pic *p)
{
    int ya0 = p->h * 70 / 100, ya1 = p->h * 85 / 100, yb1 = p->h;
    int qa = (ya1 - ya0) / 4, qb = (yb1 - ya1) / 4;
    int code = 0;
    for (int b = 0; b < 16; b++) {
        int x0 = b * p->w / 16, x1 = (b + 1) * p->w / 16, q = (x1 - x0) / 4;
        double a = mean_luma(p, x0 + q, x1 - q, ya0 + qa, ya1 - qa);
        double c = mean_luma(p, x0 + q, x1 - q, ya1 + qb, yb1 - qb);
        int bit = a >= 128.0, inv = c >= 128.0;
        if (bit == inv)
            return -1;
        code |= bit << b;
    }
    return code;
}

/* ---- audio ------------------------------------------------------------ */

/* |sample| of channel ch at index i of frame f, as a float in [0, 1]. */
static float sample_abs(const AVFrame *f, enum AVSampleFormat fmt, int channels, int ch, int i)
{
    int planar = av_sample_fmt_is_planar(fmt);
    const uint8_t *base = planar ? f->extended_data[ch] : f->extended_data[0];
    size_t idx = planar ? (size_t)i : (size_t)i * channels + ch;
    switch (av_get_packed_sample_fmt(fmt)) {
    case AV_SAMPLE_FMT_U8: return fabsf(((const uint8_t *)base)[idx] - 128.0f) / 128.0f;
    case AV_SAMPLE_FMT_S16: return fabsf(((const int16_t *)base)[idx] / 32768.0f);
    case AV_SAMPLE_FMT_S32: return (float)fabs(((const int32_t *)base)[idx] / 2147483648.0);
    case AV_SAMPLE_FMT_FLT: return fabsf(((const float *)base)[idx]);
    case AV_SAMPLE_FMT_DBL: return (float)fabs(((const double *)base)[idx]);
    default: return 0.0f;
    }
}

static int on_samples(vs_tmedia_audio *a, const AVFrame *f, AVRational tb, int64_t *cap,
                      char *errstr, size_t errsz)
{
    enum AVSampleFormat fmt = f->format;
    enum AVSampleFormat packed = av_get_packed_sample_fmt(fmt);
    if (packed != AV_SAMPLE_FMT_U8 && packed != AV_SAMPLE_FMT_S16 &&
        packed != AV_SAMPLE_FMT_S32 && packed != AV_SAMPLE_FMT_FLT &&
        packed != AV_SAMPLE_FMT_DBL) {
        vs_set_err(errstr, errsz, "unsupported sample format %s", av_get_sample_fmt_name(fmt));
        return -1;
    }
    int64_t ts = f->best_effort_timestamp;
    if (ts != AV_NOPTS_VALUE) {
        double t = ts * av_q2d(tb);
        if (a->n == 0)
            a->start = t;
        else if (fabs(t - (a->start + (double)a->n / a->rate)) > 0.001)
            a->gaps++;
    }
    if (a->n + f->nb_samples > *cap) {
        int64_t ncap = (*cap ? *cap * 2 : 48000 * 16) + f->nb_samples;
        float *np = realloc(a->peak, (size_t)ncap * sizeof *np);
        if (!np) {
            vs_set_err(errstr, errsz, "out of memory");
            return -1;
        }
        a->peak = np;
        *cap = ncap;
    }
    int channels = f->ch_layout.nb_channels;
    for (int i = 0; i < f->nb_samples; i++) {
        float m = 0.0f;
        for (int ch = 0; ch < channels; ch++) {
            float v = sample_abs(f, fmt, channels, ch, i);
            if (v > m)
                m = v;
        }
        a->peak[a->n++] = m;
    }
    return 0;
}

static int drain_audio(vs_tmedia_audio *a, AVCodecContext *dec, AVFrame *f, AVRational tb,
                       int64_t *cap, const char *path, char *errstr, size_t errsz)
{
    for (;;) {
        int rc = avcodec_receive_frame(dec, f);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return 0;
        if (rc < 0) {
            vs_set_err(errstr, errsz, "%s: decoding audio: %s", path, av_err2str(rc));
            return -1;
        }
        rc = on_samples(a, f, tb, cap, errstr, errsz);
        av_frame_unref(f);
        if (rc < 0)
            return -1;
    }
}

int vs_tmedia_audio_read(const char *path, int track, vs_tmedia_audio *a,
                         char *errstr, size_t errsz)
{
    AVFormatContext *ic = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    int64_t cap = 0;
    int ret = -1, ai = -1, seen = 0;

    memset(a, 0, sizeof *a);
    a->packet_end = -INFINITY;
    if (!pkt || !f) {
        vs_set_err(errstr, errsz, "out of memory");
        goto out;
    }
    if (open_input(path, &ic, errstr, errsz) < 0)
        goto out;
    for (unsigned i = 0; i < ic->nb_streams && ai < 0; i++)
        if (ic->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO && seen++ == track)
            ai = (int)i;
    if (ai < 0) {
        vs_set_err(errstr, errsz, "%s: no audio track %d (%d audio streams)", path, track, seen);
        goto out;
    }
    AVStream *st = ic->streams[ai];
    snprintf(a->codec, sizeof a->codec, "%s", avcodec_get_name(st->codecpar->codec_id));
    if (open_decoder(path, st, &dec, errstr, errsz) < 0)
        goto out;
    a->rate = dec->sample_rate;
    a->channels = dec->ch_layout.nb_channels;
    a->frame_size = st->codecpar->frame_size > 0 ? st->codecpar->frame_size
                    : st->codecpar->codec_id == AV_CODEC_ID_OPUS ? 960 : 1024;
    if (a->rate <= 0) {
        vs_set_err(errstr, errsz, "%s: audio track %d has no sample rate", path, track);
        goto out;
    }

    int rc;
    while ((rc = av_read_frame(ic, pkt)) >= 0) {
        if (pkt->stream_index == ai) {
            if (pkt->pts != AV_NOPTS_VALUE) {
                double end = (pkt->pts + pkt->duration) * av_q2d(st->time_base);
                if (end > a->packet_end)
                    a->packet_end = end;
            }
            rc = avcodec_send_packet(dec, pkt);
            if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_INVALIDDATA) {
                vs_set_err(errstr, errsz, "%s: decoding audio: %s", path, av_err2str(rc));
                av_packet_unref(pkt);
                goto out;
            }
            if (drain_audio(a, dec, f, st->time_base, &cap, path, errstr, errsz) < 0) {
                av_packet_unref(pkt);
                goto out;
            }
        }
        av_packet_unref(pkt);
    }
    avcodec_send_packet(dec, NULL);
    if (drain_audio(a, dec, f, st->time_base, &cap, path, errstr, errsz) < 0)
        goto out;
    ret = 0;
out:
    if (ret < 0)
        vs_tmedia_audio_release(a);
    av_frame_free(&f);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&ic);
    return ret;
}

void vs_tmedia_audio_release(vs_tmedia_audio *a)
{
    if (!a)
        return;
    free(a->peak);
    a->peak = NULL;
    a->n = 0;
}

double vs_tmedia_audio_end(const vs_tmedia_audio *a)
{
    double end = a->start + (a->rate > 0 ? (double)a->n / a->rate : 0.0);
    return isfinite(a->packet_end) && a->packet_end < end ? a->packet_end : end;
}

int vs_tmedia_parse_rate(const char *s, int *num, int *den)
{
    char *end;
    long n = strtol(s, &end, 10), d = 1;
    if (end == s || n <= 0 || n > 1000000)
        return -1;
    if (*end == '/') {
        const char *p = end + 1;
        d = strtol(p, &end, 10);
        if (end == p || d <= 0 || d > 1000000)
            return -1;
    }
    if (*end)
        return -1;
    *num = (int)n;
    *den = (int)d;
    return 0;
}
