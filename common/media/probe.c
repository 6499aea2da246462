/* probe.c - the container duration the planner needs (SPEC §3.1).
 *
 * Opens the file with libavformat, reads the stream info and returns
 * AVFormatContext.duration in seconds. A file without a video stream (a
 * cover picture does not count) or without a known duration is refused:
 * the producer must not plan what the worker cannot re-time. */
#include "media/probe.h"
#include "folder.h"
#include "errstr.h"

#include <stdio.h>
#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/error.h>


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
    *duration = (double)fmt->duration / AV_TIME_BASE;
    rc = 0;
out:
    avformat_close_input(&fmt);
    return rc;
}
