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
    double origin;              /* seconds: the input's first presentation time */
    int origin_st;              /* the stream that starts first (-1: none known) */
    int64_t origin_ts;          /* its start time, in its time base */
    int64_t offset_us;          /* the job's offset, microseconds */
    AVRational fps;             /* output frame rate */
} vs_demux;

/* Opens PATH, finds streams, and seeks to offset seconds (backward to a
 * keyframe). Returns 0, or a negative AVERROR with errstr. */
int vs_demux_open(vs_demux *d, const char *path, double offset, char *errstr, size_t errsz);
void vs_demux_close(vs_demux *d);
/* Seconds since the input's first presentation time for ts in stream st's
 * time base. */
double vs_demux_seconds(const vs_demux *d, int st, int64_t ts);
/* Timestamp in stream st's time base of window time 0: the input's first
 * presentation time plus the offset (exact when they are representable in
 * that time base, as they are for the stream that starts first). */
int64_t vs_demux_zero(const vs_demux *d, int st);

#endif
