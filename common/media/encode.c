/* encode.c - encoder choice and set-up: codec follows input, container
 * rules, CPU vs NVENC with a clear busy-GPU signal. */
#include "encode.h"
#include "errstr.h"

#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "log.h"

static int is_webm(const AVOutputFormat *ofmt)
{
    return ofmt && !strcmp(ofmt->name, "webm");
}

/* Codec family for the output: "h264", "hevc", "av1" or "vp9". */
static const char *pick_family(const AVOutputFormat *ofmt, const vs_video_params *p)
{
    const char *fam = p->codec;
    if (!fam) {
        switch (p->in_codec) {
        case AV_CODEC_ID_HEVC: fam = "hevc"; break;
        case AV_CODEC_ID_AV1: fam = "av1"; break;
        case AV_CODEC_ID_VP9: fam = is_webm(ofmt) ? "vp9" : "h264"; break;
        default: fam = "h264"; break;
        }
    }
    if (is_webm(ofmt) && strcmp(fam, "vp9") && strcmp(fam, "av1"))
        fam = "vp9";
    return fam;
}

static const char *cpu_encoder(const char *fam)
{
    if (!strcmp(fam, "hevc")) return "libx265";
    if (!strcmp(fam, "av1")) return "libsvtav1";
    if (!strcmp(fam, "vp9")) return "libvpx-vp9";
    return "libx264";
}

static const char *gpu_encoder(const char *fam)
{
    if (!strcmp(fam, "hevc")) return "hevc_nvenc";
    if (!strcmp(fam, "h264")) return "h264_nvenc";
    return NULL; /* FFmpeg 5.1 has no AV1/VP9 NVENC encoder we rely on */
}

static enum AVPixelFormat pick_pix_fmt(const AVCodec *c, enum AVPixelFormat want)
{
    if (!vs_codec_pix_fmts(c))
        return want;
    for (const enum AVPixelFormat *f = vs_codec_pix_fmts(c); *f != AV_PIX_FMT_NONE; f++)
        if (*f == want)
            return want;
    return avcodec_find_best_pix_fmt_of_list(vs_codec_pix_fmts(c), want, 0, NULL);
}

/* Quality settings: CRF 23 on CPU, constant quality 23 on NVENC. */
static void set_quality(AVCodecContext *enc, const char *name)
{
    if (!strcmp(name, "libx264") || !strcmp(name, "libx265")) {
        av_opt_set(enc->priv_data, "crf", "23", 0);
        /* VS_BENCH_X264_PRESET: bench/run.sh's stand-in for a GPU encoder
         * (ultrafast), never set in production. */
        const char *bench = getenv("VS_BENCH_X264_PRESET");
        av_opt_set(enc->priv_data, "preset", bench && *bench ? bench : "medium", 0);
        /* With x264's threaded lookahead (sync-lookahead, on by default
         * with frame threads) the same pictures encoded to different bytes
         * under CPU contention, about one run in six here (the ffmpeg CLI
         * too); without it 30 of 30 encodes matched. Reproducible output is
         * what tests/media/skip.sh compares (docs/benchmarks.md); it cost
         * no measurable speed. */
        if (!strcmp(name, "libx264"))
            av_opt_set(enc->priv_data, "x264-params", "sync-lookahead=0", 0);
        if (!strcmp(name, "libx265"))
            av_opt_set(enc->priv_data, "x265-params", "log-level=error", 0);
    } else if (!strcmp(name, "libsvtav1")) {
        av_opt_set(enc->priv_data, "crf", "23", 0);
        av_opt_set(enc->priv_data, "preset", "8", 0);
    } else if (!strcmp(name, "libvpx-vp9")) {
        av_opt_set(enc->priv_data, "crf", "31", 0);
        av_opt_set(enc->priv_data, "deadline", "good", 0);
        av_opt_set(enc->priv_data, "cpu-used", "4", 0);
        av_opt_set(enc->priv_data, "row-mt", "1", 0);
        enc->bit_rate = 0;
    } else if (strstr(name, "_nvenc")) {
        av_opt_set(enc->priv_data, "preset", "p4", 0);
        av_opt_set(enc->priv_data, "rc", "vbr", 0);
        av_opt_set(enc->priv_data, "cq", "23", 0);
        enc->bit_rate = 0;
    }
}

static int open_one(const char *name, const vs_video_params *p, const char *fault,
                    AVCodecContext **enc, char *errstr, size_t errsz)
{
    const AVCodec *c = avcodec_find_encoder_by_name(name);
    int ret;

    if (!c) {
        vs_set_err(errstr, errsz, "encoder %s is not available in this FFmpeg", name);
        return AVERROR_ENCODER_NOT_FOUND;
    }
    if (!(*enc = avcodec_alloc_context3(c)))
        return AVERROR(ENOMEM);
    AVCodecContext *e = *enc;
    e->width = p->width;
    e->height = p->height;
    e->pix_fmt = pick_pix_fmt(c, p->pix_fmt);
    e->time_base = av_inv_q(p->fps);
    e->framerate = p->fps;
    e->sample_aspect_ratio = p->sar;
    e->color_range = p->range;
    e->color_primaries = p->primaries;
    e->color_trc = p->trc;
    e->colorspace = p->space;
    e->chroma_sample_location = p->chroma;
    e->thread_count = p->threads; /* 0: auto, as the ffmpeg tool (the API's default is 1) */
    if (p->global_header)
        e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    set_quality(e, name);
    /* Without presentation times (AVI) a player shows pictures in decode
     * order from the first packet: B-frames would put the video two
     * frames behind its sound. */
    if (p->no_bframes)
        e->max_b_frames = 0;
    /* Interlaced input is labelled with its field order, never passed off
     * as progressive, and libx264 codes it as interlaced (taking the field
     * order of each picture from its flags). The others code it as
     * frames: x265 would want separate fields, and NVENC since Turing has
     * no field coding (the session would not open). */
    if (p->field_order > AV_FIELD_PROGRESSIVE) {
        e->field_order = p->field_order;
        if (!strcmp(name, "libx264"))
            e->flags |= AV_CODEC_FLAG_INTERLACED_DCT | AV_CODEC_FLAG_INTERLACED_ME;
    }
    if (fault && !strcmp(fault, "nvenc-busy") && strstr(name, "_nvenc"))
        ret = AVERROR(ENOMEM); /* test fault point: the driver's session limit */
    else
        ret = avcodec_open2(e, c, NULL);
    vs_log_drain_libraries(); /* what the library printed while opening */
    if (ret < 0) {
        vs_set_err(errstr, errsz, "cannot open %s: %s", name, av_err2str(ret));
        avcodec_free_context(enc);
    }
    return ret;
}

int vs_encode_open_video(const AVOutputFormat *ofmt, const vs_video_params *p,
                         enum vs_encoder_pref pref, const char *fault,
                         AVCodecContext **enc, char *errstr, size_t errsz)
{
    const char *fam = pick_family(ofmt, p);
    const char *gpu = gpu_encoder(fam), *cpu = cpu_encoder(fam);
    int ret;

    if (pref != VS_ENCODER_CPU && gpu) {
        ret = open_one(gpu, p, fault, enc, errstr, errsz);
        if (ret >= 0)
            return 0;
        /* ENOMEM from OpenEncodeSessionEx is the per-machine session cap. */
        if (ret == AVERROR(ENOMEM))
            return VS_ENCODE_GPU_BUSY;
        if (pref == VS_ENCODER_NVENC)
            return ret;
        vs_log(VS_LOG_INFO, "%s did not open (%s); using the CPU encoder %s", gpu, errstr, cpu);
        errstr[0] = 0; /* the fallback's own outcome is what counts */
    } else if (pref == VS_ENCODER_NVENC) {
        vs_set_err(errstr, errsz, "no NVENC encoder for %s output", fam);
        return AVERROR_ENCODER_NOT_FOUND;
    }
    return open_one(cpu, p, fault, enc, errstr, errsz);
}

static int pick_sample_rate(const AVCodec *c, int want)
{
    if (!vs_codec_sample_rates(c))
        return want;
    int best = vs_codec_sample_rates(c)[0];
    for (const int *r = vs_codec_sample_rates(c); *r; r++) {
        if (*r == want)
            return want;
        if (abs(*r - want) < abs(best - want))
            best = *r;
    }
    return best;
}

int vs_encode_open_audio(const AVOutputFormat *ofmt, const AVCodecContext *dec,
                         int global_header, AVCodecContext **enc,
                         char *errstr, size_t errsz)
{
    const char *name = is_webm(ofmt) ? "libopus" : "aac";
    const AVCodec *c = avcodec_find_encoder_by_name(name);
    int ret;

    if (!c) {
        vs_set_err(errstr, errsz, "encoder %s is not available in this FFmpeg", name);
        return AVERROR_ENCODER_NOT_FOUND;
    }
    if (!(*enc = avcodec_alloc_context3(c)))
        return AVERROR(ENOMEM);
    AVCodecContext *e = *enc;
    e->sample_fmt = vs_codec_sample_fmts(c) ? vs_codec_sample_fmts(c)[0] : AV_SAMPLE_FMT_FLTP;
    e->sample_rate = pick_sample_rate(c, dec->sample_rate);
    if (dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&e->ch_layout, dec->ch_layout.nb_channels);
    else if ((ret = av_channel_layout_copy(&e->ch_layout, &dec->ch_layout)) < 0)
        return ret;
    if (!strcmp(name, "libopus") && e->ch_layout.nb_channels > 2) {
        /* Opus in WebM handles mono/stereo without a mapping table. */
        av_channel_layout_uninit(&e->ch_layout);
        av_channel_layout_default(&e->ch_layout, 2);
    }
    e->bit_rate = 128000;
    e->time_base = (AVRational){1, e->sample_rate};
    if (global_header)
        e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((ret = avcodec_open2(e, c, NULL)) < 0) {
        vs_set_err(errstr, errsz, "cannot open %s: %s", name, av_err2str(ret));
        avcodec_free_context(enc);
    }
    return ret;
}
