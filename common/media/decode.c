/* decode.c - decoder set-up. Frames are pulled by the pipeline loop; the
 * video stage tells it (vs_vretime_next_ts) which input timestamp the next
 * output frame needs, which is where decoding of unseen frames can be
 * skipped. */
#include "decode.h"
#include "errstr.h"

#include <stdio.h>

int vs_decode_open(AVFormatContext *fmt, int st, int threads, AVCodecContext **dec,
                   char *errstr, size_t errsz)
{
    AVStream *s = fmt->streams[st];
    const AVCodec *codec = avcodec_find_decoder(s->codecpar->codec_id);
    int ret;

    if (!codec) {
        vs_set_err(errstr, errsz, "no decoder for %s (stream %d)",
                 avcodec_get_name(s->codecpar->codec_id), st);
        return AVERROR_DECODER_NOT_FOUND;
    }
    if (!(*dec = avcodec_alloc_context3(codec)))
        return AVERROR(ENOMEM);
    if ((ret = avcodec_parameters_to_context(*dec, s->codecpar)) < 0)
        return ret;
    (*dec)->pkt_timebase = s->time_base;
    (*dec)->thread_count = threads; /* 0: as many as the cores */
    if ((ret = avcodec_open2(*dec, codec, NULL)) < 0) {
        vs_set_err(errstr, errsz, "cannot open %s decoder: %s", codec->name, av_err2str(ret));
        return ret;
    }
    return 0;
}
