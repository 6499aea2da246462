/* probe.c - the duration the planner needs (SPEC §3.1).
 *
 * Opens the file with libavformat and measures the media on its own
 * clock: t = 0 is the earliest start of its audio and video streams, and
 * the end is where its last audio or video packet ends, found by reading
 * the packets of the last seconds of the file (the container's duration
 * counts any start offset in MP4, MOV and MKV, and only estimates some
 * formats). When the end cannot be read, the container's duration less
 * the start offset stands in. A file without a video stream (a cover
 * picture does not count) or without a known duration is refused: the
 * producer must not plan what the worker cannot re-time. */
#include "media/probe.h"
#include "errstr.h"
#include "folder.h"

#include <stdio.h>
#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/mathematics.h>

/* How far before the container's stated end the last packets are read. */
#define VS_PROBE_TAIL_US (10 * (int64_t)AV_TIME_BASE)

static int counts(const AVStream *st)
{
    enum AVMediaType t = st->codecpar->codec_type;
    return (t == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) ||
           t == AVMEDIA_TYPE_AUDIO;
}

/* Earliest start of the audio and video streams, microseconds (the
 * container's start time when no stream states one). */
static int64_t media_start(const AVFormatContext *fmt)
{
    int64_t best = AV_NOPTS_VALUE;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVStream *st = fmt->streams[i];
        if (!counts(st) || st->start_time == AV_NOPTS_VALUE)
            continue;
        int64_t s = av_rescale_q(st->start_time, st->time_base, AV_TIME_BASE_Q);
        if (best == AV_NOPTS_VALUE || s < best)
            best = s;
    }
    if (best == AV_NOPTS_VALUE)
        best = fmt->start_time != AV_NOPTS_VALUE ? fmt->start_time : 0;
    return best;
}

/* End of the last audio or video packet, microseconds, read from the last
 * VS_PROBE_TAIL_US of the file; AV_NOPTS_VALUE when it cannot be read. */
static int64_t media_end(AVFormatContext *fmt, int64_t start)
{
    int64_t end = AV_NOPTS_VALUE;
    if (fmt->duration == AV_NOPTS_VALUE || fmt->duration <= 0)
        return end;
    /* The stated end is start + duration or, where the container counts
     * from 0, duration: seek before the earlier one. */
    int64_t target = (fmt->duration < start + fmt->duration ? fmt->duration : start + fmt->duration)
                     - VS_PROBE_TAIL_US;
    if (target < start)
        target = start;
    if (avformat_seek_file(fmt, -1, INT64_MIN, target, target, 0) < 0 &&
        avformat_seek_file(fmt, -1, INT64_MIN, start, start, AVSEEK_FLAG_ANY) < 0)
        return end;
    AVPacket *pkt = av_packet_alloc();
    if (!pkt)
        return end;
    while (av_read_frame(fmt, pkt) >= 0) {
        const AVStream *st = fmt->streams[pkt->stream_index];
        int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
        if (counts(st) && ts != AV_NOPTS_VALUE) {
            int64_t e = av_rescale_q(ts + (pkt->duration > 0 ? pkt->duration : 0), st->time_base,
                                     AV_TIME_BASE_Q);
            if (end == AV_NOPTS_VALUE || e > end)
                end = e;
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    return end;
}


int vs_probe_duration(const char *path, double *duration, char *errstr, size_t errsz)
{
    AVFormatContext *fmt = NULL;
    const char *name = vs_base_name(path);
    char msg[AV_ERROR_MAX_STRING_SIZE];
    int rc = -1, err;

    *duration = 0.0;
    err = avformat_open_input(&fmt, path, NULL, NULL);
    if (err < 0) {
        av_strerror(err, msg, sizeof msg);
        vs_set_err(errstr, errsz, "%s: %s", name, msg);
        return -1;
    }
    err = avformat_find_stream_info(fmt, NULL);
    if (err < 0) {
        av_strerror(err, msg, sizeof msg);
        vs_set_err(errstr, errsz, "%s: cannot read stream info: %s", name, msg);
        goto out;
    }
    int has_video = 0;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVStream *st = fmt->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
            has_video = 1;
            break;
        }
    }
    if (!has_video) {
        vs_set_err(errstr, errsz, "%s: no video stream", name);
        goto out;
    }
    if (fmt->duration == AV_NOPTS_VALUE || fmt->duration <= 0) {
        vs_set_err(errstr, errsz, "%s: the container states no duration", name);
        goto out;
    }
    int64_t start = media_start(fmt), end = media_end(fmt, start);
    int64_t d = end != AV_NOPTS_VALUE && end > start ? end - start : fmt->duration;
    if (end == AV_NOPTS_VALUE && fmt->start_time != AV_NOPTS_VALUE && fmt->start_time > 0 &&
        d > fmt->start_time)
        d -= fmt->start_time; /* assume the container counted from 0 */
    *duration = (double)d / AV_TIME_BASE;
    rc = 0;
out:
    avformat_close_input(&fmt);
    return rc;
}
