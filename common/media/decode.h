/* decode.h - one decoder per kept input stream. */
#ifndef VS_DECODE_H
#define VS_DECODE_H
#include <stddef.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

/* Opens a decoder for stream st of fmt into *dec. 0 or AVERROR + errstr. */
int vs_decode_open(AVFormatContext *fmt, int st, int threads, AVCodecContext **dec,
                   char *errstr, size_t errsz);

#endif
