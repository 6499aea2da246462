/* pieces.c - see pieces.h. */
#include "pieces.h"
#include "chunk.h"
#include "errstr.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

static int same_stream(const AVCodecParameters *a, const AVCodecParameters *b)
{
    return a->codec_id == b->codec_id && a->width == b->width && a->height == b->height &&
           a->format == b->format && a->extradata_size == b->extradata_size &&
           (!a->extradata_size || !memcmp(a->extradata, b->extradata, (size_t)a->extradata_size));
}

/* Opens piece p->index; checks it against the first. */
static int open_piece(vs_pieces *p, char *errstr, size_t errsz)
{
    char *path = vs_chunk_piece(p->output, p->video, p->index);
    int ret;
    if (!path)
        return AVERROR(ENOMEM);
    if ((ret = avformat_open_input(&p->fmt, path, NULL, NULL)) < 0 ||
        (ret = avformat_find_stream_info(p->fmt, NULL)) < 0) {
        vs_set_err(errstr, errsz, "piece %d of %d (%s): %s", p->index + 1, p->count, path,
                   av_err2str(ret));
        free(path);
        return ret;
    }
    free(path);
    if (p->fmt->nb_streams != 1 || p->fmt->streams[0]->codecpar->codec_type != AVMEDIA_TYPE_VIDEO) {
        vs_set_err(errstr, errsz, "piece %d of %d is not one video stream", p->index + 1, p->count);
        return AVERROR_INVALIDDATA;
    }
    AVStream *st = p->fmt->streams[0];
    if (p->index == 0) {
        if (!(p->par = avcodec_parameters_alloc()) ||
            (ret = avcodec_parameters_copy(p->par, st->codecpar)) < 0)
            return ret < 0 ? ret : AVERROR(ENOMEM);
        p->tb = st->time_base;
    } else if (!same_stream(p->par, st->codecpar) || av_cmp_q(p->tb, st->time_base)) {
        vs_set_err(errstr, errsz, "piece %d of %d was encoded differently from piece 1 "
                   "(codec, size or parameter sets differ: every worker must use the same "
                   "encoder for split videos): it cannot be joined",
                   p->index + 1, p->count);
        return AVERROR_INVALIDDATA;
    }
    p->packets = 0;
    return 0;
}

int vs_pieces_open(vs_pieces *p, const char *output, const char *video, int count,
                   int64_t n_frames, AVRational fps, char *errstr, size_t errsz)
{
    *p = (vs_pieces){.count = count, .n_frames = n_frames, .fps = fps, .last_dts = INT64_MIN};
    if (!(p->output = strdup(output)) || !(p->video = strdup(video)) ||
        !(p->pkt = av_packet_alloc()))
        return AVERROR(ENOMEM);
    return open_piece(p, errstr, errsz);
}

/* Ends the open piece: it must have held exactly its chunk's frames. */
static int end_piece(vs_pieces *p, char *errstr, size_t errsz)
{
    int64_t first, end;
    vs_chunk_bounds(p->n_frames, p->index, p->count, &first, &end);
    avformat_close_input(&p->fmt);
    if (p->packets != end - first) {
        vs_set_err(errstr, errsz, "piece %d of %d holds %" PRId64 " frames, its chunk %" PRId64,
                   p->index + 1, p->count, p->packets, end - first);
        return AVERROR_INVALIDDATA;
    }
    return 0;
}

/* Reads the next packet in piece order into p->pkt, placed on the output's
 * frame numbers. Returns 0, AVERROR_EOF after the last piece, < 0. */
static int next_packet(vs_pieces *p, char *errstr, size_t errsz)
{
    int ret;
    for (;;) {
        if (!p->fmt)
            return AVERROR_EOF;
        ret = av_read_frame(p->fmt, p->pkt);
        if (ret == AVERROR_EOF) {
            if ((ret = end_piece(p, errstr, errsz)) < 0)
                return ret;
            if (++p->index == p->count)
                return AVERROR_EOF;
            if ((ret = open_piece(p, errstr, errsz)) < 0)
                return ret;
            continue;
        }
        if (ret < 0) {
            vs_set_err(errstr, errsz, "piece %d of %d: %s", p->index + 1, p->count, av_err2str(ret));
            return ret;
        }
        break;
    }
    int64_t first, end;
    vs_chunk_bounds(p->n_frames, p->index, p->count, &first, &end);
    AVRational frame = av_inv_q(p->fps);
    if (p->packets == 0) {
        /* The chunk's first frame opens the piece as a keyframe; the
         * muxer may have moved the piece's clock (no times below 0 in
         * some containers), so place it by that frame. */
        if (!(p->pkt->flags & AV_PKT_FLAG_KEY) || p->pkt->pts == AV_NOPTS_VALUE) {
            vs_set_err(errstr, errsz, "piece %d of %d does not open with a keyframe",
                       p->index + 1, p->count);
            return AVERROR_INVALIDDATA;
        }
        p->shift = av_rescale_q(first, frame, p->tb) - p->pkt->pts;
    }
    p->packets++;
    p->pkt->pts += p->shift;
    if (p->pkt->dts != AV_NOPTS_VALUE)
        p->pkt->dts += p->shift;
    int64_t k = av_rescale_q(p->pkt->pts, p->tb, frame);
    if (k < first || k >= end || (p->pkt->dts != AV_NOPTS_VALUE && p->pkt->dts <= p->last_dts)) {
        vs_set_err(errstr, errsz, "piece %d of %d: a frame outside its chunk or out of order "
                   "(frame %" PRId64 " of [%" PRId64 ", %" PRId64 "))",
                   p->index + 1, p->count, k, first, end);
        return AVERROR_INVALIDDATA;
    }
    if (p->pkt->dts != AV_NOPTS_VALUE)
        p->last_dts = p->pkt->dts;
    return 0;
}

int vs_pieces_feed(vs_pieces *p, vs_mux *m, int si, double until, int *io,
                   char *errstr, size_t errsz)
{
    int ret;
    *io = 0;
    for (;;) {
        if (!p->have_pkt) {
            ret = next_packet(p, errstr, errsz);
            if (ret == AVERROR_EOF)
                return 0;
            if (ret < 0)
                return ret;
            p->have_pkt = 1;
        }
        int64_t t = p->pkt->dts != AV_NOPTS_VALUE ? p->pkt->dts : p->pkt->pts;
        if (isfinite(until) && t * av_q2d(p->tb) >= until)
            return 0;
        p->pkt->stream_index = si;
        p->pkt->pos = -1;
        p->have_pkt = 0;
        p->frames++;
        if ((ret = vs_mux_write(m, p->pkt, p->tb)) < 0) {
            vs_set_err(errstr, errsz, "cannot write %s: %s", m->final_path, av_err2str(ret));
            *io = 1;
            return ret;
        }
    }
}

int vs_pieces_done(const vs_pieces *p)
{
    return !p->fmt && !p->have_pkt && p->index >= p->count;
}

void vs_pieces_close(vs_pieces *p)
{
    avformat_close_input(&p->fmt);
    avcodec_parameters_free(&p->par);
    av_packet_free(&p->pkt);
    free(p->output);
    free(p->video);
    p->output = p->video = NULL;
}

void vs_pieces_remove(const char *output, const char *video)
{
    char *dir = vs_chunk_dir(output, video);
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    if (d) {
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
        rmdir(dir);
    }
    free(dir);
}
