/* FFmpeg version differences, in one place. vs builds against FFmpeg 5.1
 * (Debian 12) through 7.1 (Debian 13); the media code uses the APIs common
 * to all of them, and the few things that moved between those releases go
 * through the helpers below, chosen by the library versions at build time.
 *   - AVFrame.pkt_duration became AVFrame.duration (lavu 57.30, FFmpeg 6.0;
 *     pkt_duration is gone in 7.x).
 *   - Stream side data (the display matrix) moved from AVStream.side_data to
 *     AVCodecParameters.coded_side_data (lavc 60.29 / lavf 60.15, FFmpeg 6.1;
 *     av_stream_get_side_data is deprecated there).
 *   - AVCodec.pix_fmts / supported_samplerates / sample_fmts became
 *     avcodec_get_supported_config() (lavc 61.13, FFmpeg 7.1; the fields
 *     are deprecated there).
 *   - AVFrame.key_frame became the AV_FRAME_FLAG_KEY flag (lavu 58.7,
 *     FFmpeg 6.1; key_frame is deprecated there).
 *   - FF_PROFILE_* became AV_PROFILE_* (FFmpeg 6.1; the old names are
 *     deprecated there). */
#ifndef VS_MEDIA_COMPAT_H
#define VS_MEDIA_COMPAT_H

#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libavutil/version.h>

/* The frame's duration in its time base, as an lvalue:
 * VS_FRAME_DURATION(f) = 1; */
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 30, 100)
#define VS_FRAME_DURATION(f) ((f)->duration)
#else
#define VS_FRAME_DURATION(f) ((f)->pkt_duration)
#endif

/* AAC-LC's profile number. */
#ifdef AV_PROFILE_AAC_LOW
#define VS_PROFILE_AAC_LOW AV_PROFILE_AAC_LOW
#else
#define VS_PROFILE_AAC_LOW FF_PROFILE_AAC_LOW
#endif

/* Whether the decoded picture f is a keyframe (decodable on its own). */
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(58, 7, 100)
#define VS_FRAME_IS_KEY(f) (((f)->flags & AV_FRAME_FLAG_KEY) != 0)
#else
#define VS_FRAME_IS_KEY(f) ((f)->key_frame != 0)
#endif

#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 29, 100)
#define VS_HAVE_CODECPAR_SIDE_DATA 1
#else
#define VS_HAVE_CODECPAR_SIDE_DATA 0
#endif

#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(61, 13, 100)
/* One avcodec_get_supported_config() list of c, or NULL (any value). */
static inline const void *vs_codec_config(const AVCodec *c, enum AVCodecConfig what)
{
    const void *list = NULL;
    if (avcodec_get_supported_config(NULL, c, what, 0, &list, NULL) < 0)
        return NULL;
    return list;
}
#endif

/* What the encoder c accepts: lists ending in AV_PIX_FMT_NONE, 0 and
 * AV_SAMPLE_FMT_NONE, or NULL when it takes any value (or does not say). */
static inline const enum AVPixelFormat *vs_codec_pix_fmts(const AVCodec *c)
{
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(61, 13, 100)
    return vs_codec_config(c, AV_CODEC_CONFIG_PIX_FORMAT);
#else
    return c->pix_fmts;
#endif
}

static inline const int *vs_codec_sample_rates(const AVCodec *c)
{
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(61, 13, 100)
    return vs_codec_config(c, AV_CODEC_CONFIG_SAMPLE_RATE);
#else
    return c->supported_samplerates;
#endif
}

static inline const enum AVSampleFormat *vs_codec_sample_fmts(const AVCodec *c)
{
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(61, 13, 100)
    return vs_codec_config(c, AV_CODEC_CONFIG_SAMPLE_FORMAT);
#else
    return c->sample_fmts;
#endif
}

/* The stream-level side data of one type of st (e.g. the display matrix),
 * or NULL; its size in *size when size is not NULL. Owned by st. */
static inline const uint8_t *vs_stream_side_data(const AVStream *st,
                                                 enum AVPacketSideDataType type, size_t *size)
{
#if VS_HAVE_CODECPAR_SIDE_DATA
    const AVPacketSideData *sd = av_packet_side_data_get(
        st->codecpar->coded_side_data, st->codecpar->nb_coded_side_data, type);
    if (size)
        *size = sd ? sd->size : 0;
    return sd ? sd->data : NULL;
#else
    return av_stream_get_side_data(st, type, size);
#endif
}

/* Copies the stream-level side data of one type (if in has it) from in to
 * out. Returns 0 (also when in has none) or AVERROR(ENOMEM). */
static inline int vs_stream_copy_side_data(const AVStream *in, AVStream *out,
                                           enum AVPacketSideDataType type)
{
    size_t sz;
    const uint8_t *m = vs_stream_side_data(in, type, &sz);
    if (!m)
        return 0;
#if VS_HAVE_CODECPAR_SIDE_DATA
    AVPacketSideData *sd = av_packet_side_data_new(&out->codecpar->coded_side_data,
                                                   &out->codecpar->nb_coded_side_data,
                                                   type, sz, 0);
    uint8_t *dst = sd ? sd->data : NULL;
#else
    uint8_t *dst = av_stream_new_side_data(out, type, sz);
#endif
    if (!dst)
        return AVERROR(ENOMEM);
    memcpy(dst, m, sz);
    return 0;
}

#endif
