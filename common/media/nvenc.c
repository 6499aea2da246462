/* nvenc.c - the NVENC probe; see nvenc.h. */
#include "media/nvenc.h"

#include <errno.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/error.h>

#include "errstr.h"

enum vs_nvenc_probe_result vs_nvenc_probe(const char *fault, char *why, size_t whysz)
{
    if (fault && !strcmp(fault, "nvenc-busy"))
        return VS_NVENC_BUSY;
    const AVCodec *c = avcodec_find_encoder_by_name("h264_nvenc");
    if (!c) {
        vs_set_err(why, whysz, "this FFmpeg has no h264_nvenc");
        return VS_NVENC_NONE;
    }
    AVCodecContext *e = avcodec_alloc_context3(c);
    if (!e) {
        vs_set_err(why, whysz, "out of memory");
        return VS_NVENC_NONE;
    }
    e->width = 256;
    e->height = 144;
    e->pix_fmt = AV_PIX_FMT_YUV420P;
    e->time_base = (AVRational){1, 25};
    e->framerate = (AVRational){25, 1};
    int ret = avcodec_open2(e, c, NULL);
    avcodec_free_context(&e);
    if (ret >= 0)
        return VS_NVENC_OK;
    if (ret == AVERROR(ENOMEM))
        return VS_NVENC_BUSY; /* OpenEncodeSessionEx: out of memory (10) */
    vs_set_err(why, whysz, "h264_nvenc does not open: %s", av_err2str(ret));
    return VS_NVENC_NONE;
}
