/* encode.h - choosing and opening the output encoders (SPEC §5).
 *
 * The output codec follows the input (H.264, HEVC, AV1; anything else
 * H.264) unless the job names one or the container forbids it (WebM gets
 * VP9/AV1 + Opus). CPU encoders use CRF 23; NVENC uses constant quality. */
#ifndef VS_ENCODE_H
#define VS_ENCODE_H
#include <stddef.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include "media/encoder_pref.h"

/* Session-limit failure of an NVENC open ("OpenEncodeSessionEx failed:
 * out of memory (10)" arrives as ENOMEM): a busy GPU, not a bad job. */
#define VS_ENCODE_GPU_BUSY   (-0x7653) /* returned by vs_encode_open_video */

typedef struct vs_video_params {
    enum AVCodecID in_codec;  /* the input's codec */
    const char *codec;        /* job override or NULL */
    int width, height;
    enum AVPixelFormat pix_fmt; /* decoder's format */
    AVRational fps, sar;
    enum AVColorRange range;
    enum AVColorPrimaries primaries;
    enum AVColorTransferCharacteristic trc;
    enum AVColorSpace space;
    enum AVChromaLocation chroma;
    int global_header;         /* the muxer wants extradata */
    int no_bframes;            /* the container has no presentation times (AVI) */
    enum AVFieldOrder field_order; /* the input's: interlaced stays interlaced */
    int threads;               /* CPU encoders; 0 = as many as the cores */
} vs_video_params;

/* Opens the video encoder for the container ofmt. pref says CPU, NVENC or
 * auto (NVENC first, CPU when it does not open). fault "nvenc-busy" makes
 * every NVENC open fail as a session limit. Returns 0, VS_ENCODE_GPU_BUSY,
 * or another negative AVERROR with errstr. */
int vs_encode_open_video(const AVOutputFormat *ofmt, const vs_video_params *p,
                         enum vs_encoder_pref pref, const char *fault,
                         AVCodecContext **enc, char *errstr, size_t errsz);

/* Opens the audio encoder (AAC 128 kb/s, Opus in WebM) keeping the input's
 * channel layout and, where the encoder allows, its sample rate. */
int vs_encode_open_audio(const AVOutputFormat *ofmt, const AVCodecContext *dec,
                         int global_header, AVCodecContext **enc,
                         char *errstr, size_t errsz);

#endif
