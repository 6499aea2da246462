/* pipeline.c - one job, one pass: demux -> decode -> re-time -> encode -> mux.
 *
 * The loop reads packets in file order and feeds each kept stream's
 * decoder; decoded pictures go to the video re-timer (vretime.c), decoded
 * audio is converted to the encoder's format and goes to that track's
 * audio re-timer (aretime.c). Both re-timers work from one timeline
 * (timeline.h), so audio and video boundaries agree. The loop stops as
 * soon as every output stream is complete.
 *
 * A split video (chunk.h) runs the same pass in two other ways: a chunk
 * starts decoding at the keyframe before its first picture and encodes
 * only its output frames, video only, into a piece; the join re-times the
 * audio whole and copies the pieces in as the video (pieces.h). */
#include "pipeline.h"
#include "output.h"
#include "errstr.h"

#include <libavutil/time.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aretime.h"
#include "chunk.h"
#include "compat.h"
#include "decode.h"
#include "demux.h"
#include "encode.h"
#include "folder.h"
#include "indicator.h"
#include "log.h"
#include "mux.h"
#include "pieces.h"
#include "skip.h"
#include "media/timeline.h"
#include "vjump.h"
#include "vretime.h"

/* Up to this many pixels the video decoder gets one thread (open_video). */
#define VS_ONE_DECODE_THREAD_PIXELS (960 * 544)

/* finish_streams: the keyframe a chunk landed on came too late and the
 * input ended before run_loop could seek again. */
#define VS_PIPE_SEEK_AGAIN 100

/* Audio packets wholly inside a silence are never heard. Whether they
 * can be left undecoded depends on the decoder:
 *  - VS_GAP_DECODE: all decoded (stateful decoders: MP3's bit reservoir,
 *    Opus, HE-AAC's SBR, ...);
 *  - VS_GAP_STATELESS: PCM, every packet decodes alone: skipped;
 *  - VS_GAP_RESTART: AAC-LC. A packet's samples depend on itself and the
 *    one before (overlapped transforms) and on a random state that noise
 *    substitution advances. So after a silence the decoder is replaced by
 *    a fresh one fed the last VS_AUDIO_PREROLL packets of the silence
 *    (their output dropped), with VS_NO_SKIP=1 too: the samples then
 *    depend only on the packets, whether the silence was decoded or not. */
enum { VS_GAP_DECODE, VS_GAP_STATELESS, VS_GAP_RESTART };
#define VS_AUDIO_PREROLL 2

typedef struct vs_atrack {
    int in;                 /* input stream index */
    AVCodecContext *dec, *enc;
    AVStream *out;
    SwrContext *swr;
    vs_aretime rt;
    int64_t enc_pts;        /* next output sample handed to the encoder */
    int64_t next_pos;       /* window sample position of the next input sample */
    int64_t zero;           /* timestamp of window time 0 in the input stream's time base */
    int pos_known;
    int gap_rule;           /* VS_GAP_*: what packets inside silences may do */
    int in_gap;             /* VS_GAP_RESTART: packets inside a silence came since the
                               last one decoded for its samples */
    AVPacket *pre[VS_AUDIO_PREROLL]; /* the last of those, oldest first */
    int n_pre;
    int64_t skipped;        /* packets left undecoded (statistics) */
    int64_t restarts;       /* VS_GAP_RESTART: decoder restarts (statistics) */
    int lc_seen;            /* VS_GAP_RESTART: a frame showed plain AAC-LC */
    int skip_on;            /* vs_skip_enabled(): packets inside silences are not decoded */
    size_t seg_at;          /* first timeline segment not wholly before the last packet */
    uint8_t **buf;          /* converted samples */
    int buf_cap;
    int eof;
} vs_atrack;

typedef struct vs_ctx {
    const vs_job *job;
    const char *out_path;   /* the output (a chunk: its piece) */
    const AVOutputFormat *final_fmt; /* the output's container, which the encoder suits */
    int64_t first_k;        /* first output frame this job writes */
    /* a chunk: seeking to the keyframe before its first picture */
    int64_t seek_target;    /* video timestamp sought */
    int64_t seek_missed;    /* > 0: the keyframe landed on was at this later time */
    int wait_key, seek_tries;
    /* the join */
    vs_pieces pieces;
    int have_pieces;
    const vs_pipeline_opts *opts;
    vs_timeline tl;
    vs_demux dm;
    vs_mux mux;
    /* video */
    AVCodecContext *vdec, *venc;
    AVStream *vout;
    vs_vretime vr;
    vs_vskip vsk;           /* which video packets need no decoding (skip.h) */
    vs_vjump vj;            /* held packets and keyframe jumps (vjump.h) */
    struct SwsContext *sws;
    AVFrame *conv;          /* current picture in the encoder's format */
    uint64_t conv_serial;
    vs_indicator *ind;
    /* audio */
    vs_atrack at[VS_MAX_AUDIO];
    int n_at;
    /* bookkeeping */
    AVPacket *pkt;
    double last_vt;         /* window time of the last decoded picture */
    int64_t last_ts;        /* its timestamp (input time base) */
    int have_ts;
    int io_error;           /* writing the output failed (transient) */
    int decode_errors;      /* damaged video packets so far */
    int64_t t_start, t_last_progress, frames_at_last;
    char *errstr;
    size_t errsz;
    int out_lock;      /* the output's lock (output.h), -1 = not held */
} vs_ctx;

const char *vs_pipeline_rc_str(int rc)
{
    switch (rc) {
    case VS_PIPE_OK: return "ok";
    case VS_PIPE_SKIPPED: return "skipped";
    case VS_PIPE_ALREADY_DONE: return "already done";
    case VS_PIPE_ERR_INPUT: return "bad input";
    case VS_PIPE_ERR_IO: return "i/o error";
    case VS_PIPE_ERR_GPU_BUSY: return "gpu busy";
    case VS_PIPE_ERR_CANCELLED: return "cancelled";
    case VS_PIPE_ERR_OUTPUT: return "output cannot be written";
    default: return "internal error";
    }
}

static int cancelled(const vs_ctx *c)
{
    return c->opts->cancel && *c->opts->cancel;
}

/* Drains an encoder into the muxer. */
static int drain(vs_ctx *c, AVCodecContext *enc, AVStream *out)
{
    int ret;
    while ((ret = avcodec_receive_packet(enc, c->pkt)) >= 0) {
        c->pkt->stream_index = out->index;
        if ((ret = vs_mux_write(&c->mux, c->pkt, enc->time_base)) < 0) {
            snprintf(c->errstr, c->errsz, "cannot write %s: %s", c->out_path, av_err2str(ret));
            c->io_error = 1;
            return ret;
        }
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

static int encode(vs_ctx *c, AVCodecContext *enc, AVStream *out, AVFrame *f)
{
    int ret = avcodec_send_frame(enc, f);
    if (ret < 0) {
        snprintf(c->errstr, c->errsz, "%s encoder: %s", enc->codec->name, av_err2str(ret));
        return ret;
    }
    return drain(c, enc, out);
}

static void report_progress(vs_ctx *c, int force)
{
    if (!c->opts->progress)
        return;
    int64_t now = av_gettime_relative();
    if (!force && now - c->t_last_progress < 1000000)
        return;
    double dt = (now - c->t_last_progress) / 1e6;
    /* The join's frames are the pieces' it has copied. */
    int64_t done = c->have_pieces ? c->pieces.frames : c->vr.next_k - c->first_k;
    vs_progress p = {
        .frames_done = done,
        .frames_total = c->have_pieces ? c->vr.n_frames : c->vr.end_k - c->first_k,
        .fps = dt > 0 ? (done - c->frames_at_last) / dt : 0,
    };
    c->t_last_progress = now;
    c->frames_at_last = done;
    c->opts->progress(&p, c->opts->progress_opaque);
}

/* Converts the current input picture to the encoder's format, once per picture. */
static int convert(vs_ctx *c, const AVFrame *pic)
{
    AVCodecContext *e = c->venc;
    av_frame_free(&c->conv);
    if (pic->format == e->pix_fmt && pic->width == e->width && pic->height == e->height) {
        c->conv = av_frame_clone(pic);
        return c->conv ? 0 : AVERROR(ENOMEM);
    }
    c->sws = sws_getCachedContext(c->sws, pic->width, pic->height, pic->format,
                                  e->width, e->height, e->pix_fmt, SWS_BICUBIC, NULL, NULL, NULL);
    if (!c->sws)
        return AVERROR(EINVAL);
    AVFrame *f = av_frame_alloc();
    if (!f)
        return AVERROR(ENOMEM);
    f->format = e->pix_fmt;
    f->width = e->width;
    f->height = e->height;
    int ret = av_frame_get_buffer(f, 0);
    if (ret >= 0)
        ret = av_frame_copy_props(f, pic);
    if (ret >= 0)
        ret = sws_scale_frame(c->sws, f, pic);
    if (ret < 0) {
        av_frame_free(&f);
        return ret;
    }
    c->conv = f;
    return 0;
}

/* vretime's output: encode picture pic as output frame k. */
static int emit_video(void *opaque, const AVFrame *pic, uint64_t serial, int64_t k, size_t seg)
{
    vs_ctx *c = opaque;
    const vs_segment *s = &c->tl.seg[seg];
    AVFrame *out = NULL;
    int ret;

    if (serial != c->conv_serial || !c->conv) {
        if ((ret = convert(c, pic)) < 0) {
            snprintf(c->errstr, c->errsz, "cannot convert picture: %s", av_err2str(ret));
            return ret;
        }
        c->conv_serial = serial;
    }
    if (c->ind && s->silent) {
        if ((ret = vs_indicator_apply(c->ind, c->conv, s->speed, &out)) < 0) {
            snprintf(c->errstr, c->errsz, "indicator: %s", av_err2str(ret));
            return ret;
        }
    } else if (!(out = av_frame_clone(c->conv))) {
        return AVERROR(ENOMEM);
    }
    out->pts = k;
    out->pict_type = AV_PICTURE_TYPE_NONE;
    VS_FRAME_DURATION(out) = 1;
    ret = encode(c, c->venc, c->vout, out);
    av_frame_free(&out);
    report_progress(c, 0);
    return ret;
}

/* Hands every whole encoder frame waiting in a track's FIFO to the encoder
 * (and the partial last one when final). */
static int feed_audio_encoder(vs_ctx *c, vs_atrack *t, int final)
{
    int fs = t->enc->frame_size > 0 ? t->enc->frame_size : 1024;
    int ret = 0;
    while (ret >= 0) {
        int avail = av_audio_fifo_size(t->rt.fifo);
        if (avail == 0 || (avail < fs && !final))
            break;
        AVFrame *f = av_frame_alloc();
        if (!f)
            return AVERROR(ENOMEM);
        f->nb_samples = avail < fs ? avail : fs;
        f->format = t->enc->sample_fmt;
        f->sample_rate = t->enc->sample_rate;
        if ((ret = av_channel_layout_copy(&f->ch_layout, &t->enc->ch_layout)) >= 0 &&
            (ret = av_frame_get_buffer(f, 0)) >= 0 &&
            (ret = av_audio_fifo_read(t->rt.fifo, (void **)f->data, f->nb_samples)) >= 0) {
            f->pts = t->enc_pts;
            t->enc_pts += f->nb_samples;
            ret = encode(c, t->enc, t->out, f);
        }
        av_frame_free(&f);
    }
    return ret;
}

/* Converts decoded audio to the encoder's format and re-times it.
 * frame NULL flushes the resampler. */
static int push_audio(vs_ctx *c, vs_atrack *t, const AVFrame *frame)
{
    int in_n = frame ? frame->nb_samples : 0;
    int need = swr_get_out_samples(t->swr, in_n);
    int ret;

    if (need > t->buf_cap) {
        if (t->buf)
            av_freep(&t->buf[0]);
        av_freep(&t->buf);
        if ((ret = av_samples_alloc_array_and_samples(&t->buf, NULL, t->enc->ch_layout.nb_channels,
                                                      need, t->enc->sample_fmt, 0)) < 0)
            return ret;
        t->buf_cap = need;
    }
    if (frame && frame->pts != AV_NOPTS_VALUE) {
        AVRational tb = c->dm.fmt->streams[t->in]->time_base;
        int64_t pos = av_rescale_q_rnd(frame->pts - t->zero, tb, (AVRational){1, t->enc->sample_rate},
                                       AV_ROUND_NEAR_INF);
        /* Trust the running count unless the stream jumps (a gap or overlap
         * of more than 40 ms): then follow the timestamps. */
        if (!t->pos_known || llabs(pos - t->next_pos) > t->enc->sample_rate / 25) {
            t->next_pos = pos;
            t->pos_known = 1;
        }
    }
    int n = swr_convert(t->swr, t->buf, t->buf_cap,
                        frame ? (const uint8_t **)frame->extended_data : NULL, in_n);
    if (n < 0)
        return n;
    if ((ret = vs_aretime_push(&t->rt, t->buf, n, t->next_pos)) < 0)
        return ret;
    t->next_pos += n;
    return feed_audio_encoder(c, t, 0);
}

/* A damaged packet costs its own picture (the previous one stays on
 * screen, as players do); only a stream that is mostly damage fails. */
#define VS_MAX_DECODE_ERRORS 50

static int decode_error(vs_ctx *c, int ret)
{
    vs_vskip_off(&c->vsk);
    if (++c->decode_errors <= VS_MAX_DECODE_ERRORS)
        return 0;
    snprintf(c->errstr, c->errsz, "%s: video decoding failed %d times, last: %s",
             c->job->input, c->decode_errors, av_err2str(ret));
    return ret;
}

static int decode_video(vs_ctx *c, const AVPacket *pkt)
{
    int ret = avcodec_send_packet(c->vdec, pkt);
    if (ret < 0 && ret != AVERROR_EOF && ret != AVERROR(EAGAIN) && (ret = decode_error(c, ret)) < 0)
        return ret;
    for (;;) {
        AVFrame *f = av_frame_alloc();
        if (!f)
            return AVERROR(ENOMEM);
        ret = avcodec_receive_frame(c->vdec, f);
        if (ret < 0) {
            av_frame_free(&f);
            if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
                return 0;
            if ((ret = decode_error(c, ret)) < 0)
                return ret;
            continue;
        }
        AVRational tb = c->dm.fmt->streams[c->dm.video]->time_base;
        int64_t ts = f->best_effort_timestamp;
        if (ts == AV_NOPTS_VALUE) /* no timestamp: the next frame */
            ts = c->have_ts ? c->last_ts + av_rescale_q(1, av_inv_q(c->dm.fps), tb) : c->vr.zero;
        if (c->wait_key) {
            /* After a seek, what comes out before the keyframe landed on
             * (the leading pictures of an open GOP) may reference pictures
             * never decoded: it is never shown. A keyframe later than the
             * chunk's first planned time would be shown too early: seek
             * again, further back (run_loop). */
            if (VS_FRAME_IS_KEY(f) && ts > c->vr.next_ts) {
                c->seek_missed = ts;
                av_frame_free(&f);
                return 0;
            }
            if (!VS_FRAME_IS_KEY(f)) {
                av_frame_free(&f);
                continue;
            }
            c->wait_key = 0;
            vs_log(VS_LOG_DEBUG, "%s: chunk %d of %d decodes from the keyframe at %.3f s",
                   c->job->input, c->job->part.index + 1, c->job->part.count,
                   vs_demux_seconds(&c->dm, c->dm.video, ts));
        }
        if (ts < c->vj.floor) { /* a leading picture of the GOP jumped to (vjump.h) */
            av_frame_free(&f);
            continue;
        }
        /* The jump's argument needs the keyframe itself to come out: were
         * it missing, the output would silently differ, so the job fails. */
        if (c->vj.expect != AV_NOPTS_VALUE) {
            int64_t want = c->vj.expect;
            c->vj.expect = AV_NOPTS_VALUE;
            if (ts != want) {
                av_frame_free(&f);
                snprintf(c->errstr, c->errsz, "%s: the decoder gave no picture for the keyframe jumped to "
                         "(%lld, then %lld); run with VS_NO_SKIP=1", c->job->input, (long long)want,
                         (long long)ts);
                return AVERROR_BUG;
            }
        }
        c->last_ts = ts;
        c->have_ts = 1;
        c->last_vt = (ts - c->vr.zero) * av_q2d(tb);
        vs_vskip_picture(&c->vsk, f, ts);
        if ((ret = vs_vretime_push(&c->vr, f, ts)) < 0)
            return ret;
    }
}

/* Sends one video packet with its skip_frame value (skip.h). */
static int send_video(vs_ctx *c, const AVPacket *pkt, int skip)
{
    if (vs_vretime_done(&c->vr))
        return 0;
    c->vdec->skip_frame = skip;
    vs_vjump_sent(&c->vj, pkt->pts);
    return decode_video(c, pkt);
}

/* Sends the held video packets in read order, as if never held. */
static int send_held(vs_ctx *c)
{
    int ret = 0;
    for (int i = 0; i < c->vj.n && ret >= 0; i++)
        ret = send_video(c, c->vj.pkt[i], c->vj.skip[i]);
    vs_vjump_clear(&c->vj);
    return ret;
}

/* A video packet read: sent, held back, or the keyframe jumped to (vjump.h). */
static int video_packet(vs_ctx *c, const AVPacket *pkt)
{
    int skip = vs_vskip_packet(&c->vsk, pkt->pts, &c->vr);
    vs_vjump_in in = vs_vjump_input(&c->vj, pkt, c->vsk.on && c->vsk.started,
                                    vs_vretime_next_ts(&c->vr));
    int ret;
    switch (vs_vjump_decide(&in)) {
    case VS_VJUMP_HOLD:
        return vs_vjump_hold(&c->vj, pkt, skip);
    case VS_VJUMP_JUMP:
        vs_vjump_drop(&c->vj, pkt->pts);
        avcodec_flush_buffers(c->vdec);
        return send_video(c, pkt, skip);
    default:
        if ((ret = send_held(c)) < 0)
            return ret;
        return send_video(c, pkt, skip);
    }
}

static int decode_audio(vs_ctx *c, vs_atrack *t, const AVPacket *pkt)
{
    int ret = avcodec_send_packet(t->dec, pkt);
    if (ret < 0 && ret != AVERROR_EOF)
        return 0; /* a damaged audio packet only costs its own samples */
    AVFrame *f = av_frame_alloc();
    if (!f)
        return AVERROR(ENOMEM);
    while ((ret = avcodec_receive_frame(t->dec, f)) >= 0) {
        if (t->gap_rule == VS_GAP_RESTART && !t->lc_seen) {
            /* SBR (implicit HE-AAC) shows as 2048 samples or a doubled rate */
            AVCodecParameters *par = c->dm.fmt->streams[t->in]->codecpar;
            if (f->nb_samples != 1024 || f->sample_rate != par->sample_rate)
                t->gap_rule = VS_GAP_DECODE;
            t->lc_seen = 1;
        }
        if (!vs_aretime_done(&t->rt))
            ret = push_audio(c, t, f);
        av_frame_unref(f);
        if (ret < 0)
            break;
    }
    av_frame_free(&f);
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

static int all_done(const vs_ctx *c)
{
    if (!vs_vretime_done(&c->vr))
        return 0;
    for (int i = 0; i < c->n_at; i++)
        if (!vs_aretime_done(&c->at[i].rt))
            return 0;
    return 1;
}

static int seek_video(vs_ctx *c, int64_t target);

/* What the output's video stream says beyond the encoder's parameters. */
static int output_video_props(vs_ctx *c)
{
    AVStream *in = c->dm.fmt->streams[c->dm.video];
    if (c->vout->codecpar->field_order == AV_FIELD_UNKNOWN &&
        in->codecpar->field_order > AV_FIELD_PROGRESSIVE)
        c->vout->codecpar->field_order = in->codecpar->field_order; /* the encoder dropped it */
    /* HEVC in MP4 and MOV is tagged hvc1 (parameter sets in the sample
     * description), which Apple players require; libavformat's default
     * is hev1. */
    c->vout->codecpar->codec_tag = 0;
    if (c->vout->codecpar->codec_id == AV_CODEC_ID_HEVC &&
        (!strcmp(c->mux.oc->oformat->name, "mp4") || !strcmp(c->mux.oc->oformat->name, "mov")))
        c->vout->codecpar->codec_tag = MKTAG('h', 'v', 'c', '1');
    c->vout->avg_frame_rate = c->dm.fps;
    c->vout->sample_aspect_ratio = c->vout->codecpar->sample_aspect_ratio;
    /* Rotation travels as the display matrix. */
    if (vs_stream_copy_side_data(in, c->vout, AV_PKT_DATA_DISPLAYMATRIX) < 0)
        return VS_PIPE_ERR_INTERNAL;
    return 0;
}

/* The join's video: the pieces, copied. The re-timer still counts the
 * output frames (the audio lasts exactly as long) but shows none. */
static int open_pieces(vs_ctx *c)
{
    AVStream *in = c->dm.fmt->streams[c->dm.video];
    in->discard = AVDISCARD_ALL;
    if (vs_vretime_init(&c->vr, &c->tl, c->dm.fps, in->time_base,
                        vs_demux_zero(&c->dm, c->dm.video), emit_video, c) < 0)
        return VS_PIPE_ERR_INPUT;
    if (vs_pieces_open(&c->pieces, c->job->output, c->job->part.video, c->job->part.count,
                       c->vr.n_frames, c->dm.fps, c->errstr, c->errsz) < 0) {
        vs_pieces_close(&c->pieces);
        return VS_PIPE_ERR_INPUT;
    }
    c->have_pieces = 1;
    vs_vretime_set_range(&c->vr, c->vr.n_frames, c->vr.n_frames);
    if (!(c->vout = avformat_new_stream(c->mux.oc, NULL)) ||
        avcodec_parameters_copy(c->vout->codecpar, c->pieces.par) < 0)
        return VS_PIPE_ERR_INTERNAL;
    c->vout->time_base = c->pieces.tb;
    return output_video_props(c);
}

/* A chunk: only its output frames, from the keyframe before its first. */
static int open_chunk(vs_ctx *c)
{
    int64_t first, end;
    vs_chunk_bounds(c->vr.n_frames, c->job->part.index, c->job->part.count, &first, &end);
    if (vs_vretime_set_range(&c->vr, first, end) < 0)
        return VS_PIPE_ERR_INTERNAL;
    c->first_k = first;
    for (int i = 0; i < c->dm.n_audio; i++)
        c->dm.fmt->streams[c->dm.audio[i]]->discard = AVDISCARD_ALL;
    c->dm.n_audio = 0;
    if (first == 0 || end == first)
        return 0;
    return seek_video(c, c->vr.next_ts);
}

static int open_video(vs_ctx *c)
{
    AVStream *in = c->dm.fmt->streams[c->dm.video];
    int ret;

    /* Up to 960x544 one thread decodes far faster than any encoder takes
     * the pictures, and frame threads cost CPU of their own (27% more at
     * 180p, 10% at 540p: docs/benchmarks.md). */
    int threads = c->opts->threads;
    if ((int64_t)in->codecpar->width * in->codecpar->height <= VS_ONE_DECODE_THREAD_PIXELS)
        threads = 1;
    if ((ret = vs_decode_open(c->dm.fmt, c->dm.video, threads, &c->vdec, c->errstr, c->errsz)) < 0)
        return VS_PIPE_ERR_INPUT;
    if (c->vdec->pix_fmt == AV_PIX_FMT_NONE) {
        snprintf(c->errstr, c->errsz, "unknown pixel format in the video stream");
        return VS_PIPE_ERR_INPUT;
    }
    vs_video_params p = {
        .in_codec = in->codecpar->codec_id,
        .codec = c->job->codec,
        .width = c->vdec->width,
        .height = c->vdec->height,
        .pix_fmt = c->vdec->pix_fmt,
        .fps = c->dm.fps,
        .sar = c->vdec->sample_aspect_ratio,
        .range = c->vdec->color_range,
        .primaries = c->vdec->color_primaries,
        .trc = c->vdec->color_trc,
        .space = c->vdec->colorspace,
        .chroma = c->vdec->chroma_sample_location,
        .global_header = !!(c->final_fmt->flags & AVFMT_GLOBALHEADER),
        .no_bframes = !strcmp(c->final_fmt->name, "avi"),
        .field_order = in->codecpar->field_order,
        .threads = c->opts->threads,
    };
    ret = vs_encode_open_video(c->final_fmt, &p, c->opts->encoder, c->opts->fault,
                               &c->venc, c->errstr, c->errsz);
    if (ret == VS_ENCODE_GPU_BUSY)
        return VS_PIPE_ERR_GPU_BUSY;
    if (ret < 0)
        return VS_PIPE_ERR_INTERNAL;
    vs_log(VS_LOG_DEBUG, "%s: video decoder threads %d, %s threads %d (0: automatic)", c->job->input,
           c->vdec->thread_count, c->venc->codec->name, c->venc->thread_count);
    if (!(c->vout = avformat_new_stream(c->mux.oc, NULL)))
        return VS_PIPE_ERR_INTERNAL;
    if (avcodec_parameters_from_context(c->vout->codecpar, c->venc) < 0)
        return VS_PIPE_ERR_INTERNAL;
    c->vout->time_base = c->venc->time_base;
    if ((ret = output_video_props(c)) != 0)
        return ret;
    const uint8_t *m = vs_stream_side_data(in, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (c->job->indicator &&
        !(c->ind = vs_indicator_new(c->venc->width, c->venc->height, c->venc->pix_fmt,
                                    vs_indicator_rotation((const int32_t *)m),
                                    c->errstr, c->errsz)))
        return VS_PIPE_ERR_INTERNAL;
    /* AVI has no presentation times for reordered pictures: the proof
     * needs them (skip.h). */
    if (vs_vjump_init(&c->vj) < 0)
        return VS_PIPE_ERR_INTERNAL;
    vs_vskip_init(&c->vsk, in->codecpar->codec_id,
                  vs_skip_enabled() && strcmp(c->dm.fmt->iformat->name, "avi"));
    if (vs_vretime_init(&c->vr, &c->tl, c->dm.fps, in->time_base,
                        vs_demux_zero(&c->dm, c->dm.video), emit_video, c) < 0)
        return VS_PIPE_ERR_INPUT;
    return 0;
}

static int open_audio(vs_ctx *c, vs_atrack *t, int in_index, int64_t total_video_frames)
{
    AVStream *in = c->dm.fmt->streams[in_index];
    int gh = !!(c->mux.oc->oformat->flags & AVFMT_GLOBALHEADER);
    int ret;

    t->in = in_index;
    t->zero = vs_demux_zero(&c->dm, in_index);
    if (vs_decode_open(c->dm.fmt, in_index, 1, &t->dec, c->errstr, c->errsz) < 0)
        return VS_PIPE_ERR_INPUT;
    if (vs_encode_open_audio(c->mux.oc->oformat, t->dec, gh, &t->enc, c->errstr, c->errsz) < 0)
        return VS_PIPE_ERR_INTERNAL;
    if (!(t->out = avformat_new_stream(c->mux.oc, NULL)) ||
        avcodec_parameters_from_context(t->out->codecpar, t->enc) < 0)
        return VS_PIPE_ERR_INTERNAL;
    t->out->time_base = t->enc->time_base;
    AVDictionaryEntry *lang = av_dict_get(in->metadata, "language", NULL, 0);
    if (lang)
        av_dict_set(&t->out->metadata, "language", lang->value, 0);
    ret = swr_alloc_set_opts2(&t->swr, &t->enc->ch_layout, t->enc->sample_fmt, t->enc->sample_rate,
                              &t->dec->ch_layout, t->dec->sample_fmt, t->dec->sample_rate, 0, NULL);
    if (ret < 0 || (ret = swr_init(t->swr)) < 0) {
        snprintf(c->errstr, c->errsz, "cannot set up audio conversion: %s", av_err2str(ret));
        return VS_PIPE_ERR_INTERNAL;
    }
    /* Every track lasts exactly as long as the video. */
    int64_t total = av_rescale_q(total_video_frames, av_inv_q(c->dm.fps),
                                 (AVRational){1, t->enc->sample_rate});
    /* PCM: every packet decodes alone (libavcodec marks most audio codecs
     * intra-only, stateful ones such as AAC included, so the id decides).
     * Resampling keeps state of its own: no skipping then. */
    enum AVCodecID id = in->codecpar->codec_id;
    int same_rate = t->dec->sample_rate == t->enc->sample_rate;
    t->gap_rule = VS_GAP_DECODE;
    if (same_rate && id >= AV_CODEC_ID_FIRST_AUDIO && id < AV_CODEC_ID_ADPCM_IMA_QT)
        t->gap_rule = VS_GAP_STATELESS;
    else if (same_rate && id == AV_CODEC_ID_AAC && in->codecpar->profile == VS_PROFILE_AAC_LOW &&
             vs_audio_restart_enabled())
        t->gap_rule = VS_GAP_RESTART;
    t->skip_on = vs_skip_enabled();
    if (vs_aretime_init(&t->rt, &c->tl, t->enc->sample_rate, t->enc->ch_layout.nb_channels,
                        t->enc->sample_fmt, total) < 0)
        return VS_PIPE_ERR_INTERNAL;
    return 0;
}

/* A chunk starts at the keyframe at or before target (a video timestamp);
 * INT64_MIN: where the whole job would start (the input reopened). */
static int seek_video(vs_ctx *c, int64_t target)
{
    int ret;
    avcodec_flush_buffers(c->vdec);
    /* What skip.h and vjump.h learnt of the stream before the seek no
     * longer holds: start them afresh (still off if damage turned them off). */
    vs_vjump_release(&c->vj);
    if (vs_vjump_init(&c->vj) < 0)
        return VS_PIPE_ERR_INTERNAL;
    vs_vskip_init(&c->vsk, c->dm.fmt->streams[c->dm.video]->codecpar->codec_id, c->vsk.on);
    c->have_ts = 0;
    c->seek_missed = 0;
    c->seek_target = target;
    if (target == INT64_MIN) {
        c->wait_key = 0;
        vs_log(VS_LOG_DEBUG, "%s: chunk %d of %d decodes from the start", c->job->input,
               c->job->part.index + 1, c->job->part.count);
        vs_demux_close(&c->dm);
        if ((ret = vs_demux_open(&c->dm, c->job->input, c->job->offset, c->errstr, c->errsz)) < 0)
            return VS_PIPE_ERR_INPUT;
        for (int i = 0; i < c->dm.n_audio; i++)
            c->dm.fmt->streams[c->dm.audio[i]]->discard = AVDISCARD_ALL;
        c->dm.n_audio = 0;
        return 0;
    }
    c->wait_key = 1;
    ret = avformat_seek_file(c->dm.fmt, c->dm.video, INT64_MIN, target, target, 0);
    if (ret < 0) /* no index to seek with: decode from the start */
        return seek_video(c, INT64_MIN);
    return 0;
}

/* The keyframe landed on came after the chunk's first planned time (a
 * container indexes keyframes by decode time, or a coarse index): seek
 * again twice as far back each time, then from the start. */
static int seek_again(vs_ctx *c)
{
    AVRational tb = c->dm.fmt->streams[c->dm.video]->time_base;
    int64_t back = c->seek_missed - c->seek_target + av_rescale_q(1, (AVRational){1, 1}, tb);
    int64_t target = c->seek_target - back * (1 << c->seek_tries);
    if (++c->seek_tries > 4 || target <= c->vr.zero)
        return seek_video(c, INT64_MIN);
    vs_log(VS_LOG_DEBUG, "%s: keyframe after the chunk's start, seeking further back",
           c->job->input);
    return seek_video(c, target);
}

/* The join: copies the pieces in up to a second past the audio written. */
static int feed_pieces(vs_ctx *c, double until)
{
    if (!c->have_pieces)
        return 0;
    int io = 0;
    if (vs_pieces_feed(&c->pieces, &c->mux, c->vout->index, until, &io, c->errstr, c->errsz) < 0)
        return io ? VS_PIPE_ERR_IO : VS_PIPE_ERR_INPUT;
    return 0;
}

static double audio_written(const vs_ctx *c)
{
    double t = INFINITY;
    for (int i = 0; i < c->n_at; i++) {
        double ti = (double)c->at[i].enc_pts / c->at[i].enc->sample_rate;
        t = ti < t ? ti : t;
    }
    return t;
}

/* Whether the audio packet pkt of track t lies inside a silent segment's
 * input with a margin on both sides (no speech segment copies its
 * samples); if so, *end is the running sample position after it, which
 * push_audio would reach by decoding it (its resynchronisation rule,
 * applied to the packet's own timestamp and length). Only where the track's
 * gap rule allows leaving packets out (see VS_GAP_*). Audio past the last
 * speech is never decoded anyway (the track is complete by then). */
static int audio_in_silence(vs_ctx *c, vs_atrack *t, const AVPacket *pkt, int64_t *end)
{
    if (t->gap_rule == VS_GAP_DECODE || (t->gap_rule == VS_GAP_RESTART && !t->lc_seen) ||
        pkt->pts == AV_NOPTS_VALUE)
        return 0;
    AVStream *st = c->dm.fmt->streams[t->in];
    int sr = t->enc->sample_rate;
    int n = av_get_audio_frame_duration2(st->codecpar, pkt->size);
    if (n <= 0 || av_packet_get_side_data(pkt, AV_PKT_DATA_SKIP_SAMPLES, NULL))
        return 0;
    int64_t pos = av_rescale_q_rnd(pkt->pts - t->zero, st->time_base, (AVRational){1, sr},
                                   AV_ROUND_NEAR_INF);
    int64_t p = (!t->pos_known || llabs(pos - t->next_pos) > sr / 25) ? pos : t->next_pos;
    int64_t margin = sr / 50; /* 20 ms: segment boundaries are rounded per stream */
    const vs_timeline *tl = &c->tl;
    size_t i = t->seg_at; /* packets come in order: segments ended before p stay behind */
    if (i < tl->n && p < vs_timeline_in_sample(tl, i, sr))
        i = 0; /* the stream went back */
    for (; i < tl->n; i++) {
        int64_t a = vs_timeline_in_sample(tl, i, sr);
        if (a > p)
            break;
        int64_t b = a + av_rescale(tl->in_len[i], sr, VS_TL_HZ);
        if (b <= p) {
            t->seg_at = i + 1;
            continue;
        }
        if (tl->seg[i].silent && p >= a + margin && p + n <= b - margin) {
            *end = p + n;
            return 1;
        }
    }
    return 0;
}

/* VS_GAP_RESTART: a fresh decoder, fed the silence's last packets. */
static int restart_audio(vs_ctx *c, vs_atrack *t)
{
    AVCodecContext *fresh = NULL;
    int ret = vs_decode_open(c->dm.fmt, t->in, 1, &fresh, c->errstr, c->errsz);
    if (ret < 0) {
        avcodec_free_context(&fresh);
        return ret;
    }
    avcodec_free_context(&t->dec);
    t->dec = fresh;
    AVFrame *f = av_frame_alloc();
    if (!f)
        return AVERROR(ENOMEM);
    for (int i = 0; i < t->n_pre; i++) {
        if (avcodec_send_packet(t->dec, t->pre[i]) >= 0)
            while (avcodec_receive_frame(t->dec, f) >= 0)
                av_frame_unref(f); /* only primes the overlap */
        av_packet_free(&t->pre[i]);
    }
    av_frame_free(&f);
    t->n_pre = 0;
    t->in_gap = 0;
    t->restarts++;
    return 0;
}

/* One audio packet of track t: decoded, or left out inside a silence. */
static int audio_packet(vs_ctx *c, vs_atrack *t, AVPacket *pkt)
{
    int64_t end;
    int ret;
    if (audio_in_silence(c, t, pkt, &end)) {
        if (t->gap_rule == VS_GAP_RESTART) {
            if (t->n_pre == VS_AUDIO_PREROLL) {
                av_packet_free(&t->pre[0]);
                memmove(t->pre, t->pre + 1, (VS_AUDIO_PREROLL - 1) * sizeof *t->pre);
                t->n_pre--;
            }
            if (!(t->pre[t->n_pre] = av_packet_clone(pkt)))
                return AVERROR(ENOMEM);
            t->n_pre++;
            t->in_gap = 1;
        }
        if (t->skip_on) {
            t->next_pos = end;
            t->pos_known = 1;
            t->skipped++;
            return 0;
        }
    } else if (t->in_gap && (ret = restart_audio(c, t)) < 0) {
        return ret;
    }
    return decode_audio(c, t, pkt);
}

/* Reads packets until every output stream is complete or the input ends. */
static int run_loop(vs_ctx *c)
{
    int ret = 0;
    while (!all_done(c)) {
        if (cancelled(c)) {
            snprintf(c->errstr, c->errsz, "cancelled");
            return VS_PIPE_ERR_CANCELLED;
        }
        ret = av_read_frame(c->dm.fmt, c->pkt);
        if (ret == AVERROR_EOF)
            break;
        if (ret < 0) {
            snprintf(c->errstr, c->errsz, "cannot read %s: %s", c->job->input, av_err2str(ret));
            return VS_PIPE_ERR_INPUT;
        }
        int si = c->pkt->stream_index;
        if (si == c->dm.video) {
            if (!vs_vretime_done(&c->vr) && (ret = video_packet(c, c->pkt)) < 0) {
                av_packet_unref(c->pkt);
                if (!c->errstr[0])
                    snprintf(c->errstr, c->errsz, "%s: video decoding failed: %s",
                             c->job->input, av_err2str(ret));
                return c->io_error ? VS_PIPE_ERR_IO : VS_PIPE_ERR_INPUT;
            }
            if (c->seek_missed) {
                av_packet_unref(c->pkt);
                if ((ret = seek_again(c)) != 0)
                    return ret;
                continue;
            }
        } else {
            for (int i = 0; i < c->n_at; i++)
                if (c->at[i].in == si && !vs_aretime_done(&c->at[i].rt) &&
                    (ret = audio_packet(c, &c->at[i], c->pkt)) < 0)
                    break;
            if (ret < 0) {
                av_packet_unref(c->pkt);
                snprintf(c->errstr, c->errsz, "audio: %s", av_err2str(ret));
                return VS_PIPE_ERR_INTERNAL;
            }
            if (c->have_pieces && (ret = feed_pieces(c, audio_written(c) + 1.0)) != 0) {
                av_packet_unref(c->pkt);
                return ret;
            }
        }
        av_packet_unref(c->pkt);
    }
    return 0;
}

/* End of input: flush decoders and re-timers, then the encoders. */
static int finish_streams(vs_ctx *c)
{
    int ret;
    if (!vs_vretime_done(&c->vr)) {
        if ((ret = send_held(c)) < 0 || (ret = decode_video(c, NULL)) < 0) {
            if (!c->errstr[0])
                snprintf(c->errstr, c->errsz, "%s: video decoding failed: %s",
                         c->job->input, av_err2str(ret));
            return c->io_error ? VS_PIPE_ERR_IO : VS_PIPE_ERR_INPUT;
        }
        if (!c->vr.cur) {
            snprintf(c->errstr, c->errsz, "%s: no decodable video frame", c->job->input);
            return VS_PIPE_ERR_INPUT;
        }
        if (c->seek_missed)
            return VS_PIPE_SEEK_AGAIN;
        /* Far less picture than the container promised: a truncated file. */
        if (c->last_vt < c->job->duration - 2.0 && c->last_vt < c->job->duration * 0.9) {
            snprintf(c->errstr, c->errsz, "%s: video ends at %.3f s of the planned %.3f s (truncated or damaged file)",
                     c->job->input, c->last_vt, c->job->duration);
            return VS_PIPE_ERR_INPUT;
        }
        if ((ret = vs_vretime_flush(&c->vr)) < 0)
            return VS_PIPE_ERR_IO;
    }
    for (int i = 0; i < c->n_at; i++) {
        vs_atrack *t = &c->at[i];
        if (!vs_aretime_done(&t->rt)) {
            decode_audio(c, t, NULL);
            if ((ret = push_audio(c, t, NULL)) < 0 || (ret = vs_aretime_flush(&t->rt)) < 0)
                return VS_PIPE_ERR_INTERNAL;
        }
        if (feed_audio_encoder(c, t, 1) < 0 || encode(c, t->enc, t->out, NULL) < 0)
            return VS_PIPE_ERR_IO;
    }
    if (c->have_pieces) {
        if ((ret = feed_pieces(c, INFINITY)) != 0)
            return ret;
        if (!vs_pieces_done(&c->pieces) || c->pieces.frames != c->vr.n_frames) {
            vs_set_err(c->errstr, c->errsz, "the pieces hold %" PRId64 " frames, the video %" PRId64,
                       c->pieces.frames, c->vr.n_frames);
            return VS_PIPE_ERR_INPUT;
        }
        return 0;
    }
    if (encode(c, c->venc, c->vout, NULL) < 0)
        return VS_PIPE_ERR_IO;
    return 0;
}

static void ctx_free(vs_ctx *c)
{
    vs_vretime_release(&c->vr);
    vs_vjump_release(&c->vj);
    avcodec_free_context(&c->vdec);
    avcodec_free_context(&c->venc);
    vs_log_drain_libraries(); /* what the encoder library printed on closing */
    sws_freeContext(c->sws);
    av_frame_free(&c->conv);
    vs_indicator_free(&c->ind);
    for (int i = 0; i < c->n_at; i++) {
        vs_atrack *t = &c->at[i];
        avcodec_free_context(&t->dec);
        avcodec_free_context(&t->enc);
        for (int j = 0; j < t->n_pre; j++)
            av_packet_free(&t->pre[j]);
        swr_free(&t->swr);
        vs_aretime_release(&t->rt);
        if (t->buf)
            av_freep(&t->buf[0]);
        av_freep(&t->buf);
    }
    av_packet_free(&c->pkt);
    if (c->have_pieces)
        vs_pieces_close(&c->pieces);
    vs_mux_close(&c->mux);
    vs_demux_close(&c->dm);
    vs_timeline_release(&c->tl);
}

int vs_pipeline_output_is_job(const char *path, const char *job_id, vs_pipeline_result *res)
{
    AVFormatContext *fmt = NULL;
    char want[VS_JOB_MAX_ID + 16];
    struct stat st;
    int match = 0;

    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || avformat_open_input(&fmt, path, NULL, NULL) < 0)
        return 0;
    snprintf(want, sizeof(want), "vs-job:%s", job_id);
    AVDictionaryEntry *e = av_dict_get(fmt->metadata, "comment", NULL, 0);
    if (e && !strcmp(e->value, want) && avformat_find_stream_info(fmt, NULL) >= 0) {
        match = 1;
        memset(res, 0, sizeof(*res));
        res->bytes = (int64_t)st.st_size;
        if (fmt->duration != AV_NOPTS_VALUE)
            res->out_duration = fmt->duration / (double)AV_TIME_BASE;
        int v = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
        if (v >= 0) {
            AVStream *vs = fmt->streams[v];
            res->frames = vs->nb_frames > 0 ? vs->nb_frames
                                            : llround(res->out_duration * av_q2d(vs->avg_frame_rate));
            snprintf(res->encoder, sizeof(res->encoder), "%s", avcodec_get_name(vs->codecpar->codec_id));
        }
    }
    avformat_close_input(&fmt);
    return match;
}

static int output_dir_ready(const char *output, char *errstr, size_t errsz)
{
    char dir[VS_JOB_MAX_PATH + 1];
    const char *slash = strrchr(output, '/');
    size_t blen = strlen(slash ? slash + 1 : output);
    if (blen > VS_OUTPUT_NAME_MAX) {
        vs_set_err(errstr, errsz, "output name too long for a folder (%zu bytes, at most %d)",
                   blen, VS_OUTPUT_NAME_MAX);
        errno = ENAMETOOLONG;
        return -1;
    }
    if (!slash || slash == output)
        return 0;
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - output), output);
    if (vs_mkdir_p(dir) < 0) {
        int e = errno;
        vs_set_err(errstr, errsz, "cannot create output folder %s: %s", dir, strerror(e));
        errno = e;
        return -1;
    }
    return 0;
}

/* A failure on the output folder: the job's own (permanent) or the
 * worker's (transient), by errno (output.h). */
static int output_rc(int err)
{
    return vs_output_err_is_jobs(err) ? VS_PIPE_ERR_OUTPUT : VS_PIPE_ERR_IO;
}

/* A chunk of a video already joined (a redelivery after the join), or
 * whose output is someone else's file: nothing to encode. */
static int chunk_needless(const vs_job *job, vs_pipeline_result *res)
{
    struct stat st;
    if (stat(job->output, &st) < 0)
        return 0;
    if (vs_pipeline_output_is_job(job->output, job->part.video, res))
        return VS_PIPE_ALREADY_DONE;
    return job->overwrite ? 0 : VS_PIPE_SKIPPED;
}

/* Runs the pass from the open streams to the output's last packet. */
static int run_pass(vs_ctx *c, int overwrite, vs_pipeline_result *res)
{
    int rc;
    for (;;) {
        if ((rc = run_loop(c)) != 0)
            return rc;
        rc = finish_streams(c);
        if (rc != VS_PIPE_SEEK_AGAIN)
            break;
        if ((rc = seek_again(c)) != 0)
            return rc;
    }
    if (rc != 0)
        return rc;
    int64_t askip = 0, arestarts = 0;
    for (int i = 0; i < c->n_at; i++) {
        askip += c->at[i].skipped;
        arestarts += c->at[i].restarts;
    }
    vs_log(VS_LOG_DEBUG, "%s: left undecoded: %lld video packets marked (non-reference ones skipped), "
           "%lld jumped over in %lld jumps to a keyframe, %lld audio packets%s; "
           "%lld audio decoder restarts after silences",
           c->out_path, (long long)c->vsk.dropped, (long long)c->vj.jumped, (long long)c->vj.jumps,
           (long long)askip, vs_skip_enabled() ? "" : " (VS_NO_SKIP)", (long long)arestarts);
    if ((rc = vs_mux_finish(&c->mux, overwrite, &res->bytes, c->errstr, c->errsz)) != 0)
        return rc > 0 ? VS_PIPE_SKIPPED : output_rc(c->mux.sys_errno);
    report_progress(c, 1);
    res->frames = c->have_pieces ? c->pieces.frames : c->vr.next_k - c->first_k;
    res->out_duration = (double)res->frames * c->dm.fps.den / c->dm.fps.num;
    snprintf(res->encoder, sizeof(res->encoder), "%s",
             c->have_pieces ? avcodec_get_name(c->pieces.par->codec_id) : c->venc->codec->name);
    res->seconds = (av_gettime_relative() - c->t_start) / 1e6;
    return VS_PIPE_OK;
}

int vs_pipeline_run(const vs_job *job, const vs_pipeline_opts *opts,
                    vs_pipeline_result *res, char *errstr, size_t errsz)
{
    static const vs_pipeline_opts defaults = {.nvenc_session = -1};
    /* lock_fd -1: an early exit must not make vs_mux_close close fd 0. */
    vs_ctx c = {.job = job, .opts = opts ? opts : &defaults, .errstr = errstr, .errsz = errsz,
                .out_lock = -1, .mux = {.lock_fd = -1}};
    enum vs_job_kind kind = job->part.kind;
    char *piece = NULL;
    struct stat st;
    int rc;

    errstr[0] = 0;
    memset(res, 0, sizeof(*res));
    c.t_start = c.t_last_progress = av_gettime_relative();
    if (kind == VS_JOB_CHUNK) {
        if ((rc = chunk_needless(job, res)) != 0)
            return rc;
        memset(res, 0, sizeof(*res));
        if (!(piece = vs_chunk_piece(job->output, job->part.video, job->part.index)))
            return VS_PIPE_ERR_INTERNAL;
    }
    /* A chunk writes its piece, whatever was there (the folder is the
     * video's own); the join's output carries the video's id, which is
     * what the producer and a redelivered chunk look for. */
    c.out_path = piece ? piece : job->output;
    int overwrite = kind == VS_JOB_CHUNK ? 1 : job->overwrite;
    char piece_tag[VS_JOB_MAX_ID + 16];
    const char *tag_id = job->job_id;
    if (kind == VS_JOB_JOIN)
        tag_id = job->part.video;
    else if (kind == VS_JOB_CHUNK) {
        vs_chunk_tag(job->part.video, job->part.index, piece_tag, sizeof piece_tag);
        tag_id = piece_tag;
    }
    /* One attempt at a time writes this output, whoever sent it; a second
     * one waits here, then finds the output done (output.h). */
    int waited = 0;
    if (output_dir_ready(c.out_path, errstr, errsz) < 0) {
        free(piece);
        return output_rc(errno);
    }
    c.out_lock = vs_output_lock(c.out_path, c.opts->cancel, &waited, errstr, errsz);
    if (c.out_lock < 0) {
        rc = c.out_lock == -2 ? VS_PIPE_ERR_CANCELLED : output_rc(errno);
        free(piece);
        return rc;
    }
    if (waited)
        vs_log(VS_LOG_DEBUG, "%s: waited for another attempt writing it", c.out_path);
    if (stat(c.out_path, &st) == 0) {
        /* A redelivered job whose output is already there: acknowledge it,
         * never encode it twice. Another run's output is the user's file. */
        rc = VS_PIPE_SKIPPED;
        if (vs_pipeline_output_is_job(c.out_path, tag_id, res))
            rc = VS_PIPE_ALREADY_DONE;
        else if (waited && !overwrite)
            vs_set_err(errstr, errsz, "%s was written meanwhile by another job", c.out_path);
        if (rc == VS_PIPE_ALREADY_DONE || !overwrite)
            goto out;
    }
    for (double w = 0; w < c.opts->delay_s && !cancelled(&c); w += 0.05)
        av_usleep(50000);
    if (cancelled(&c)) {
        rc = VS_PIPE_ERR_CANCELLED;
        goto out;
    }
    if (vs_timeline_init(&c.tl, job->seg, job->n_seg, errstr, errsz) < 0) {
        rc = VS_PIPE_ERR_INPUT;
        goto out;
    }
    if (vs_demux_open(&c.dm, job->input, job->offset, errstr, errsz) < 0) {
        rc = VS_PIPE_ERR_INPUT;
        goto out;
    }
    if (vs_mux_alloc(&c.mux, c.out_path, job->job_id, errstr, errsz) < 0) {
        rc = VS_PIPE_ERR_IO;
        goto out;
    }
    c.final_fmt = kind == VS_JOB_CHUNK ? av_guess_format(NULL, job->output, NULL) : c.mux.oc->oformat;
    if (!c.final_fmt) {
        vs_set_err(errstr, errsz, "no output container for %s", job->output);
        rc = VS_PIPE_ERR_OUTPUT;
        goto out;
    }
    if (!(c.pkt = av_packet_alloc())) {
        rc = VS_PIPE_ERR_INTERNAL;
        goto out;
    }
    if (kind == VS_JOB_JOIN)
        rc = open_pieces(&c);
    else if ((rc = open_video(&c)) == 0 && kind == VS_JOB_CHUNK)
        rc = open_chunk(&c);
    if (rc != 0)
        goto out;
    for (int i = 0; i < c.dm.n_audio; i++, c.n_at++)
        if ((rc = open_audio(&c, &c.at[i], c.dm.audio[i], c.vr.n_frames)) != 0) {
            c.n_at++;
            goto out;
        }
    /* The job id in the output's metadata lets a redelivered job be recognised. */
    char tag[VS_JOB_MAX_ID + 32];
    snprintf(tag, sizeof(tag), "vs-job:%s", tag_id);
    av_dict_set(&c.mux.oc->metadata, "comment", tag, 0);
    if (vs_mux_begin(&c.mux, errstr, errsz) < 0) {
        rc = output_rc(c.mux.sys_errno);
        goto out;
    }
    rc = run_pass(&c, overwrite, res);
out:
    if (rc != VS_PIPE_OK && rc != VS_PIPE_SKIPPED && rc != VS_PIPE_ALREADY_DONE && !errstr[0])
        vs_set_err(errstr, errsz, "%s", vs_pipeline_rc_str(rc));
    ctx_free(&c);
    vs_output_unlock(c.out_path, c.out_lock);
    /* The pieces go once the output that holds them is there. */
    if (kind == VS_JOB_JOIN && (rc == VS_PIPE_OK || rc == VS_PIPE_ALREADY_DONE))
        vs_pieces_remove(job->output, job->part.video);
    free(piece);
    return rc;
}
