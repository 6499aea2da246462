/* mux.c - writing the output safely: temp file, trailer, fsync, rename. */
#include "mux.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *vs_mux_temp_path(const char *final_path, const char *job_id)
{
    const char *slash = strrchr(final_path, '/');
    size_t dirlen = slash ? (size_t)(slash - final_path) + 1 : 0;
    const char *base = final_path + dirlen;
    char id[17];
    size_t k = 0;

    /* Only safe characters of the job id go into a file name. */
    for (const char *p = job_id ? job_id : ""; *p && k < sizeof(id) - 1; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-')
            id[k++] = *p;
    id[k] = 0;
    size_t sz = dirlen + strlen(base) + k + 16;
    char *t = malloc(sz);
    if (t)
        snprintf(t, sz, "%.*s.%s.vs-%s.part", (int)dirlen, final_path, base, id);
    return t;
}

int vs_mux_alloc(vs_mux *m, const char *final_path, const char *job_id,
                 char *errstr, size_t errsz)
{
    int ret;
    memset(m, 0, sizeof(*m));
    m->final_path = strdup(final_path);
    m->temp_path = vs_mux_temp_path(final_path, job_id);
    if (!m->final_path || !m->temp_path)
        return AVERROR(ENOMEM);
    /* The container comes from the real name; the temp name has none. */
    ret = avformat_alloc_output_context2(&m->oc, NULL, NULL, final_path);
    if (ret < 0 || !m->oc) {
        snprintf(errstr, errsz, "no output container for %s: %s", final_path,
                 av_err2str(ret < 0 ? ret : AVERROR_MUXER_NOT_FOUND));
        return ret < 0 ? ret : AVERROR_MUXER_NOT_FOUND;
    }
    return 0;
}

int vs_mux_begin(vs_mux *m, char *errstr, size_t errsz)
{
    int ret;
    unlink(m->temp_path); /* a killed earlier attempt of this job */
    if ((ret = avio_open(&m->oc->pb, m->temp_path, AVIO_FLAG_WRITE)) < 0) {
        snprintf(errstr, errsz, "cannot create %s: %s", m->temp_path, av_err2str(ret));
        return ret;
    }
    if ((ret = avformat_write_header(m->oc, NULL)) < 0) {
        snprintf(errstr, errsz, "cannot write header of %s: %s", m->final_path, av_err2str(ret));
        return ret;
    }
    m->header_written = 1;
    return 0;
}

int vs_mux_write(vs_mux *m, AVPacket *pkt, AVRational tb)
{
    av_packet_rescale_ts(pkt, tb, m->oc->streams[pkt->stream_index]->time_base);
    return av_interleaved_write_frame(m->oc, pkt);
}

int vs_mux_finish(vs_mux *m, int64_t *bytes, char *errstr, size_t errsz)
{
    int ret = av_write_trailer(m->oc);
    m->header_written = 0;
    if (ret < 0) {
        snprintf(errstr, errsz, "cannot finish %s: %s", m->final_path, av_err2str(ret));
        return ret;
    }
    if ((ret = avio_closep(&m->oc->pb)) < 0) {
        snprintf(errstr, errsz, "cannot close %s: %s", m->temp_path, av_err2str(ret));
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
    if (rename(m->temp_path, m->final_path) < 0) {
        snprintf(errstr, errsz, "cannot rename to %s: %s", m->final_path, strerror(errno));
        return AVERROR(errno);
    }
    return 0;
}

void vs_mux_close(vs_mux *m)
{
    if (m->oc) {
        if (m->oc->pb)
            avio_closep(&m->oc->pb);
        avformat_free_context(m->oc);
        m->oc = NULL;
    }
    if (m->temp_path)
        unlink(m->temp_path); /* gone already after a successful rename */
    free(m->temp_path);
    free(m->final_path);
    m->temp_path = m->final_path = NULL;
}
