/* mux.c - writing the output safely: temp file, trailer, fsync, rename. */
#include "mux.h"
#include "errstr.h"
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <libavutil/random_seed.h>
#include <sys/file.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Room each attempt appends to the prefix: "<pid>-<8 hex>.part". */
#define VS_MUX_ATTEMPT_TAG_MAX 24

char *vs_mux_temp_prefix(const char *final_path, const char *job_id)
{
    char suffix[32];
    snprintf(suffix, sizeof suffix, "vs-%016" PRIx64 "-", vs_output_hash(job_id));
    return vs_output_side_name(final_path, suffix, VS_MUX_ATTEMPT_TAG_MAX);
}

/* Deletes OUTDIR/<prefix>*.part files nobody holds a lock on: attempts of
 * this job that were killed. A live attempt keeps its flock until it ends. */
static void remove_stale(const char *prefix)
{
    const char *slash = strrchr(prefix, '/');
    char dir[4096];
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - prefix) : 1, slash ? prefix : ".");
    const char *pbase = slash ? slash + 1 : prefix;
    size_t plen = strlen(pbase);
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n <= plen + 5 || strncmp(e->d_name, pbase, plen) || strcmp(e->d_name + n - 5, ".part"))
            continue;
        int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            unlinkat(dirfd(d), e->d_name, 0);
        close(fd);
    }
    closedir(d);
}

int vs_mux_alloc(vs_mux *m, const char *final_path, const char *job_id,
                 char *errstr, size_t errsz)
{
    int ret;
    memset(m, 0, sizeof(*m));
    m->lock_fd = -1;
    m->final_path = strdup(final_path);
    m->temp_prefix = vs_mux_temp_prefix(final_path, job_id);
    if (m->temp_prefix) {
        size_t sz = strlen(m->temp_prefix) + 48;
        if ((m->temp_path = malloc(sz)))
            snprintf(m->temp_path, sz, "%s%ld-%08x.part", m->temp_prefix, (long)getpid(),
                     (unsigned)(av_get_random_seed() & 0xffffffffu));
    }
    if (!m->final_path || !m->temp_path)
        return AVERROR(ENOMEM);
    /* The container comes from the real name; the temp name has none. */
    ret = avformat_alloc_output_context2(&m->oc, NULL, NULL, final_path);
    if (ret < 0 || !m->oc) {
        vs_set_err(errstr, errsz, "no output container for %s: %s", final_path,
                 av_err2str(ret < 0 ? ret : AVERROR_MUXER_NOT_FOUND));
        return ret < 0 ? ret : AVERROR_MUXER_NOT_FOUND;
    }
    return 0;
}

/* Output time 0 is the first picture in every container (SPEC §4). The
 * encoders put their priming before it: audio packets start at minus the
 * encoder delay (1024 samples of AAC), and B-frames give video decode
 * times below 0. MP4 and MOV hide that with an edit list. Matroska, WebM
 * and MPEG-TS store timestamps below 0 as they are, but by default
 * libavformat shifts every stream later instead, so the whole output ran
 * 7-43 ms late: keep them as they are (but see stamp_priming_from_zero). */
static int keeps_negative_ts(const AVOutputFormat *f)
{
    return !strcmp(f->name, "matroska") || !strcmp(f->name, "webm") || !strcmp(f->name, "mpegts");
}

/* Streams whose encoder priming is stamped from 0 rather than below it:
 * Opus in Matroska (its CodecDelay is subtracted by readers, so the first
 * decoded sample lands at 0), and every audio stream in AVI, which stores
 * no times below 0 - libavformat would shift the video instead, and
 * pictures in AVI have no presentation times to shift (the first picture
 * stayed at 0 and the second jumped a frame). There the sound plays one
 * encoder delay late (21 ms for AAC), under a frame. */
static int stamp_priming_from_zero(const AVOutputFormat *f, const AVCodecParameters *par)
{
    if (par->codec_type != AVMEDIA_TYPE_AUDIO)
        return 0;
    if (!strcmp(f->name, "avi"))
        return 1;
#if LIBAVFORMAT_VERSION_MAJOR < 61
    return par->codec_id == AV_CODEC_ID_OPUS &&
           (!strcmp(f->name, "matroska") || !strcmp(f->name, "webm"));
#else
    /* FFmpeg 7's Matroska muxer and demuxer handle Opus's CodecDelay
     * themselves (checked with FFmpeg 7.1: stamping from 0 there made the
     * sound 7 ms late). */
    return 0;
#endif
}

int vs_mux_begin(vs_mux *m, char *errstr, size_t errsz)
{
    int ret;
    remove_stale(m->temp_prefix); /* what killed attempts of this job left */
    m->lock_fd = open(m->temp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (m->lock_fd < 0 || flock(m->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        m->sys_errno = errno;
        ret = AVERROR(errno);
        vs_set_err(errstr, errsz, "cannot create %s: %s", m->temp_path, strerror(errno));
        return ret;
    }
    if ((ret = avio_open(&m->oc->pb, m->temp_path, AVIO_FLAG_WRITE)) < 0) {
        m->sys_errno = AVUNERROR(ret);
        vs_set_err(errstr, errsz, "cannot create %s: %s", m->temp_path, av_err2str(ret));
        return ret;
    }
    if (keeps_negative_ts(m->oc->oformat))
        m->oc->avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED;
    if ((ret = avformat_write_header(m->oc, NULL)) < 0) {
        vs_set_err(errstr, errsz, "cannot write header of %s: %s", m->final_path, av_err2str(ret));
        return ret;
    }
    m->header_written = 1;
    return 0;
}

int vs_mux_write(vs_mux *m, AVPacket *pkt, AVRational tb)
{
    const AVCodecParameters *par = m->oc->streams[pkt->stream_index]->codecpar;
    if (par->initial_padding > 0 && par->sample_rate > 0 &&
        stamp_priming_from_zero(m->oc->oformat, par)) {
        int64_t d = av_rescale_q(par->initial_padding, (AVRational){1, par->sample_rate}, tb);
        if (pkt->pts != AV_NOPTS_VALUE)
            pkt->pts += d;
        if (pkt->dts != AV_NOPTS_VALUE)
            pkt->dts += d;
    }
    av_packet_rescale_ts(pkt, tb, m->oc->streams[pkt->stream_index]->time_base);
    return av_interleaved_write_frame(m->oc, pkt);
}

int vs_mux_finish(vs_mux *m, int overwrite, int64_t *bytes, char *errstr, size_t errsz)
{
    int ret = av_write_trailer(m->oc);
    m->header_written = 0;
    if (ret < 0) {
        vs_set_err(errstr, errsz, "cannot finish %s: %s", m->final_path, av_err2str(ret));
        return ret;
    }
    if ((ret = avio_closep(&m->oc->pb)) < 0) {
        vs_set_err(errstr, errsz, "cannot close %s: %s", m->temp_path, av_err2str(ret));
        return ret;
    }
    /* Data on disk before the name: a power cut never shows a torn file. */
    int fd = open(m->temp_path, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    struct stat stt;
    if (stat(m->temp_path, &stt) == 0 && bytes)
        *bytes = (int64_t)stt.st_size;
    int pub = vs_output_publish(m->temp_path, m->final_path, overwrite);
    if (pub < 0) {
        m->sys_errno = errno;
        vs_set_err(errstr, errsz, "cannot rename to %s: %s", m->final_path, strerror(errno));
        return AVERROR(errno);
    }
    if (pub > 0)
        vs_set_err(errstr, errsz, "a file appeared at %s during the encode; it was left as it "
                   "is (no --overwrite)", m->final_path);
    return pub;
}

void vs_mux_close(vs_mux *m)
{
    if (m->oc) {
        if (m->oc->pb)
            avio_closep(&m->oc->pb);
        avformat_free_context(m->oc);
        m->oc = NULL;
    }
    if (m->temp_path && m->lock_fd >= 0)
        unlink(m->temp_path); /* gone already after a successful rename */
    if (m->lock_fd >= 0)
        close(m->lock_fd);
    m->lock_fd = -1;
    free(m->temp_path);
    free(m->temp_prefix);
    free(m->final_path);
    m->temp_path = m->temp_prefix = m->final_path = NULL;
}
