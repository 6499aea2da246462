/* demux.h - open the input and pick the streams the pipeline keeps:
 * the best video stream and every audio stream. */
#ifndef VS_DEMUX_H
#define VS_DEMUX_H
#include <stddef.h>
#include <libavformat/avformat.h>

#define VS_MAX_AUDIO 8

typedef struct vs_demux {
    AVFormatContext *fmt;
    int video;                  /* stream index */
    int audio[VS_MAX_AUDIO];    /* stream indices, in file order */
    int n_audio;
    double origin;              /* seconds: the container's start time */
    AVRational fps;             /* output frame rate */
} vs_demux;

/* Opens PATH, finds streams, and seeks to offset seconds (backward to a
 * keyframe). Returns 0, or a negative AVERROR with errstr. */
int vs_demux_open(vs_demux *d, const char *path, double offset, char *errstr, size_t errsz);
void vs_demux_close(vs_demux *d);
/* Seconds since the container's start for ts in stream st's time base. */
double vs_demux_seconds(const vs_demux *d, int st, int64_t ts);

#endif
