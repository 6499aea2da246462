/* detect.c - silences of one recording through libavfilter's silencedetect.
 *
 * The first audio stream is decoded and pushed through
 *   abuffer -> [atrim -> asetpts] -> silencedetect -> abuffersink
 * with timestamps counted in samples, so the filter reports window time
 * directly. silencedetect attaches "lavfi.silence_start" to the frame on
 * which a silence has lasted long enough and "lavfi.silence_end" to the
 * frame where sound resumes; they are paired here. A silence still open
 * at the end of the window ends at the window's length (the original
 * tool's ffmpeg run printed that end at exit). The window is the one the
 * planner uses: container duration, minus offset, limited to
 * process_duration. */
#include "detect.h"
#include "folder.h"
#include "errstr.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>

#include "log.h"
#include "plan.h"


static const char *averr(int err, char *buf, size_t sz)
{
    av_strerror(err, buf, sz);
    return buf;
}

/* One detection: the decoder, the filter graph and what was found. */
typedef struct detect_ctx {
    const char *name;       /* file name for messages */
    const vs_detect_params *p;
    double window;          /* d, seconds */
    AVFormatContext *fmt;
    AVCodecContext *dec;
    int stream;
    AVFilterGraph *graph;
    AVFilterContext *src, *sink;
    AVFrame *frame, *filtered;
    AVPacket *pkt;
    int sr;                 /* sample rate of the graph */
    int64_t next_pts;       /* samples since the start of the file */
    int64_t stop_pts;       /* samples: nothing after this is needed */
    int started;            /* first frame seen (graph built) */
    vs_interval *sil;
    size_t n, cap;
    double open_start;      /* start of a silence not yet ended, or < 0 */
} detect_ctx;

static int push_silence(detect_ctx *c, double s, double e)
{
    if (s < 0)
        s = 0;
    if (e > c->window)
        e = c->window;
    if (!(e > s))
        return 0;
    if (c->n > 0 && s < c->sil[c->n - 1].end)
        s = c->sil[c->n - 1].end; /* never overlap (should not happen) */
    if (!(e > s))
        return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        vs_interval *grown = realloc(c->sil, cap * sizeof *grown);
        if (!grown)
            return AVERROR(ENOMEM);
        c->sil = grown;
        c->cap = cap;
    }
    c->sil[c->n++] = (vs_interval){ s, e };
    return 0;
}

/* Reads silencedetect's marks off one filtered frame. */
static int collect(detect_ctx *c, const AVFrame *f)
{
    const AVDictionaryEntry *e;
    if ((e = av_dict_get(f->metadata, "lavfi.silence_start", NULL, 0))) {
        double t = strtod(e->value, NULL);
        if (isfinite(t))
            c->open_start = t < 0 ? 0 : t;
    }
    if ((e = av_dict_get(f->metadata, "lavfi.silence_end", NULL, 0))) {
        double t = strtod(e->value, NULL);
        if (isfinite(t) && c->open_start >= 0) {
            int rc = push_silence(c, c->open_start, t);
            if (rc < 0)
                return rc;
        }
        c->open_start = -1;
    }
    return 0;
}

static int drain(detect_ctx *c)
{
    for (;;) {
        int rc = av_buffersink_get_frame(c->sink, c->filtered);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return 0;
        if (rc < 0)
            return rc;
        rc = collect(c, c->filtered);
        av_frame_unref(c->filtered);
        if (rc < 0)
            return rc;
    }
}

/* Builds the graph for the format of the first decoded frame. */
static int build_graph(detect_ctx *c, const AVFrame *f, char *errstr, size_t errsz)
{
    char layout[128], args[512], desc[512], eb[128];
    AVFilterInOut *in = NULL, *out = NULL;
    int rc;

    AVChannelLayout ch;
    memset(&ch, 0, sizeof ch);
    if (f->ch_layout.order != AV_CHANNEL_ORDER_UNSPEC && f->ch_layout.nb_channels > 0)
        rc = av_channel_layout_copy(&ch, &f->ch_layout);
    else {
        av_channel_layout_default(&ch, f->ch_layout.nb_channels > 0 ?
                                  f->ch_layout.nb_channels : 1);
        rc = 0;
    }
    if (rc < 0 || av_channel_layout_describe(&ch, layout, sizeof layout) < 0) {
        av_channel_layout_uninit(&ch);
        vs_set_err(errstr, errsz, "%s: unusable audio channel layout", c->name);
        return -1;
    }
    av_channel_layout_uninit(&ch);
    c->sr = f->sample_rate;
    snprintf(args, sizeof args, "time_base=1/%d:sample_rate=%d:sample_fmt=%s:channel_layout=%s",
             c->sr, c->sr, av_get_sample_fmt_name(f->format), layout);

    int64_t first = (int64_t)llround(c->p->offset * c->sr);
    int n = 0;
    if (first > 0 || c->p->process_duration > 0) {
        int64_t last = (int64_t)llround((c->p->offset + c->window) * c->sr);
        n = snprintf(desc, sizeof desc,
                     "atrim=start_sample=%lld:end_sample=%lld,asetpts=PTS-%lld,",
                     (long long)first, (long long)last, (long long)first);
    }
    snprintf(desc + n, sizeof desc - (size_t)n, "silencedetect=n=%.6gdB:d=%.6g",
             c->p->threshold_db, c->p->min_silence_s);

    c->graph = avfilter_graph_alloc();
    if (!c->graph)
        goto oom;
    rc = avfilter_graph_create_filter(&c->src, avfilter_get_by_name("abuffer"), "in", args,
                                      NULL, c->graph);
    if (rc >= 0)
        rc = avfilter_graph_create_filter(&c->sink, avfilter_get_by_name("abuffersink"), "out",
                                          NULL, NULL, c->graph);
    if (rc < 0) {
        vs_set_err(errstr, errsz, "%s: audio filter setup: %s", c->name, averr(rc, eb, sizeof eb));
        return -1;
    }
    out = avfilter_inout_alloc();
    in = avfilter_inout_alloc();
    if (!out || !in)
        goto oom;
    out->name = av_strdup("in");
    out->filter_ctx = c->src;
    in->name = av_strdup("out");
    in->filter_ctx = c->sink;
    if (!out->name || !in->name)
        goto oom;
    rc = avfilter_graph_parse_ptr(c->graph, desc, &in, &out, NULL);
    if (rc >= 0)
        rc = avfilter_graph_config(c->graph, NULL);
    avfilter_inout_free(&in);
    avfilter_inout_free(&out);
    if (rc < 0) {
        vs_set_err(errstr, errsz, "%s: silencedetect graph '%s': %s", c->name, desc,
                averr(rc, eb, sizeof eb));
        return -1;
    }
    vs_log(VS_LOG_DEBUG, "%s: detecting with %s (%s)", c->name, desc, args);
    return 0;
oom:
    avfilter_inout_free(&in);
    avfilter_inout_free(&out);
    vs_set_err(errstr, errsz, "%s: out of memory", c->name);
    return -1;
}

/* Stamps a decoded frame with its sample position and feeds it. */
static int feed(detect_ctx *c, AVFrame *f, char *errstr, size_t errsz)
{
    char eb[128];
    if (!c->started) {
        if (build_graph(c, f, errstr, errsz) < 0)
            return -1;
        /* Where the audio starts within the file (it may begin late). */
        int64_t ts = f->best_effort_timestamp;
        double t0 = 0;
        if (ts != AV_NOPTS_VALUE) {
            t0 = (double)ts * av_q2d(c->fmt->streams[c->stream]->time_base);
            if (c->fmt->start_time != AV_NOPTS_VALUE)
                t0 -= (double)c->fmt->start_time / AV_TIME_BASE;
        }
        c->next_pts = t0 > 0 ? (int64_t)llround(t0 * c->sr) : 0;
        c->stop_pts = (int64_t)llround((c->p->offset + c->window) * c->sr);
        c->started = 1;
    }
    if (f->sample_rate != c->sr) {
        vs_set_err(errstr, errsz, "%s: the audio sample rate changes mid-stream (%d -> %d Hz)",
                c->name, c->sr, f->sample_rate);
        return -1;
    }
    f->pts = c->next_pts;
    c->next_pts += f->nb_samples;
    int rc = av_buffersrc_add_frame_flags(c->src, f, 0);
    if (rc < 0) {
        vs_set_err(errstr, errsz, "%s: silencedetect: %s", c->name, averr(rc, eb, sizeof eb));
        return -1;
    }
    rc = drain(c);
    if (rc < 0) {
        vs_set_err(errstr, errsz, "%s: silencedetect: %s", c->name, averr(rc, eb, sizeof eb));
        return -1;
    }
    return 0;
}

/* Receives every frame the decoder has; returns 1 once past the window. */
static int receive(detect_ctx *c, char *errstr, size_t errsz)
{
    char eb[128];
    for (;;) {
        int rc = avcodec_receive_frame(c->dec, c->frame);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return 0;
        if (rc < 0) {
            vs_set_err(errstr, errsz, "%s: audio decoding: %s", c->name, averr(rc, eb, sizeof eb));
            return -1;
        }
        rc = feed(c, c->frame, errstr, errsz);
        av_frame_unref(c->frame);
        if (rc < 0)
            return -1;
        if (c->next_pts >= c->stop_pts)
            return 1;
    }
}

static int open_input(detect_ctx *c, const char *path, char *errstr, size_t errsz)
{
    char eb[128];
    int rc = avformat_open_input(&c->fmt, path, NULL, NULL);
    if (rc >= 0)
        rc = avformat_find_stream_info(c->fmt, NULL);
    if (rc < 0) {
        vs_set_err(errstr, errsz, "%s: %s", c->name, averr(rc, eb, sizeof eb));
        return -1;
    }
    const AVCodec *codec = NULL;
    c->stream = av_find_best_stream(c->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (c->stream < 0 || !codec) {
        vs_set_err(errstr, errsz, "%s: no audio stream to detect silences in", c->name);
        return -1;
    }
    c->dec = avcodec_alloc_context3(codec);
    if (!c->dec) {
        vs_set_err(errstr, errsz, "%s: out of memory", c->name);
        return -1;
    }
    rc = avcodec_parameters_to_context(c->dec, c->fmt->streams[c->stream]->codecpar);
    if (rc >= 0)
        rc = avcodec_open2(c->dec, codec, NULL);
    if (rc < 0) {
        vs_set_err(errstr, errsz, "%s: cannot open the %s audio decoder: %s", c->name,
                codec->name, averr(rc, eb, sizeof eb));
        return -1;
    }
    for (unsigned i = 0; i < c->fmt->nb_streams; i++)
        if ((int)i != c->stream)
            c->fmt->streams[i]->discard = AVDISCARD_ALL;
    return 0;
}

static int run(detect_ctx *c, char *errstr, size_t errsz)
{
    char eb[128];
    int done = 0, rc;
    while (!done) {
        if (c->p->cancel && *c->p->cancel) {
            vs_set_err(errstr, errsz, "%s: detection interrupted", c->name);
            return -1;
        }
        rc = av_read_frame(c->fmt, c->pkt);
        if (rc == AVERROR_EOF)
            break;
        if (rc < 0) {
            vs_set_err(errstr, errsz, "%s: reading: %s", c->name, averr(rc, eb, sizeof eb));
            return -1;
        }
        if (c->pkt->stream_index == c->stream) {
            rc = avcodec_send_packet(c->dec, c->pkt);
            if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_INVALIDDATA) {
                av_packet_unref(c->pkt);
                vs_set_err(errstr, errsz, "%s: audio decoding: %s", c->name,
                        averr(rc, eb, sizeof eb));
                return -1;
            }
            if (rc == AVERROR_INVALIDDATA)
                vs_log(VS_LOG_DEBUG, "%s: skipping a damaged audio packet", c->name);
        }
        av_packet_unref(c->pkt);
        rc = receive(c, errstr, errsz);
        if (rc < 0)
            return -1;
        done = rc > 0;
    }
    if (!done) { /* flush the decoder */
        avcodec_send_packet(c->dec, NULL);
        if (receive(c, errstr, errsz) < 0)
            return -1;
    }
    if (!c->started) {
        vs_set_err(errstr, errsz, "%s: the audio stream has no decodable samples", c->name);
        return -1;
    }
    rc = av_buffersrc_add_frame_flags(c->src, NULL, 0);
    if (rc >= 0)
        rc = drain(c);
    if (rc < 0) {
        vs_set_err(errstr, errsz, "%s: silencedetect: %s", c->name, averr(rc, eb, sizeof eb));
        return -1;
    }
    if (c->open_start >= 0 && push_silence(c, c->open_start, c->window) < 0) {
        vs_set_err(errstr, errsz, "%s: out of memory", c->name);
        return -1;
    }
    return 0;
}

int vs_detect_silences(const char *path, const vs_detect_params *p,
                       vs_interval **out, size_t *n, double *analyzed,
                       char *errstr, size_t errsz)
{
    detect_ctx c;
    double dur = 0;
    int rc = -1;

    memset(&c, 0, sizeof c);
    c.name = vs_base_name(path);
    c.p = p;
    c.open_start = -1;
    *out = NULL;
    *n = 0;
    c.frame = av_frame_alloc();
    c.filtered = av_frame_alloc();
    c.pkt = av_packet_alloc();
    if (!c.frame || !c.filtered || !c.pkt) {
        vs_set_err(errstr, errsz, "%s: out of memory", c.name);
        goto out;
    }
    if (open_input(&c, path, errstr, errsz) < 0)
        goto out;
    /* The container's duration, as the planner uses it (SPEC §3.1); an
     * audio-only recording is fine here. */
    if (c.fmt->duration == AV_NOPTS_VALUE || c.fmt->duration <= 0) {
        vs_set_err(errstr, errsz, "%s: the container states no duration", c.name);
        goto out;
    }
    dur = (double)c.fmt->duration / AV_TIME_BASE;
    c.window = vs_plan_window(dur, p->offset, p->process_duration);
    if (!(c.window > 0)) {
        vs_set_err(errstr, errsz, "%s: nothing to analyse: the file lasts %.3f s, offset %.3f s",
                c.name, dur, p->offset);
        goto out;
    }
    if (run(&c, errstr, errsz) < 0)
        goto out;
    *out = c.sil;
    *n = c.n;
    *analyzed = c.window;
    c.sil = NULL;
    rc = 0;
out:
    free(c.sil);
    avfilter_graph_free(&c.graph);
    avcodec_free_context(&c.dec);
    avformat_close_input(&c.fmt);
    av_frame_free(&c.frame);
    av_frame_free(&c.filtered);
    av_packet_free(&c.pkt);
    return rc;
}

char *vs_detect_sidecar_path(const char *media_path)
{
    const char *base = vs_base_name(media_path);
    const char *dot = strrchr(base, '.');
    size_t stem = dot && dot != base ? (size_t)(dot - media_path) : strlen(media_path);
    size_t sz = stem + sizeof ".vad.json";
    char *p = malloc(sz);
    if (p)
        snprintf(p, sz, "%.*s.vad.json", (int)stem, media_path);
    return p;
}

int vs_detect_write_sidecar(const char *path, const vs_detect_params *p,
                            char **sidecar_out, char *errstr, size_t errsz)
{
    vs_interval *sil = NULL;
    size_t n = 0;
    double analyzed = 0;
    char params[256], pd[32];
    char *sidecar = NULL;
    int rc = -1;

    if (sidecar_out)
        *sidecar_out = NULL;
    vs_log(VS_LOG_INFO, "detecting silences in %s (silencedetect, %g dB, %g s)",
           path, p->threshold_db, p->min_silence_s);
    if (vs_detect_silences(path, p, &sil, &n, &analyzed, errstr, errsz) < 0)
        return -1;
    sidecar = vs_detect_sidecar_path(path);
    if (!sidecar) {
        vs_set_err(errstr, errsz, "out of memory");
        goto out;
    }
    if (p->process_duration > 0)
        snprintf(pd, sizeof pd, "%.17g", p->process_duration);
    else
        snprintf(pd, sizeof pd, "null");
    /* The original tool's parameter names for this backend. */
    snprintf(params, sizeof params,
             "{\"silence_threshold\": %.17g, \"silence_duration\": %.17g, "
             "\"offset\": %.17g, \"process_duration\": %s}",
             p->threshold_db, p->min_silence_s, p->offset, pd);
    if (vs_sidecar_write(sidecar, vs_base_name(path), "silencedetect", analyzed, sil, n, params,
                         errstr, errsz) < 0)
        goto out;
    double silent = 0;
    for (size_t i = 0; i < n; i++)
        silent += sil[i].end - sil[i].start;
    vs_log(VS_LOG_INFO, "wrote %s (%.1f%% speech, %zu silence interval%s, %.1f s analyzed)",
           sidecar, analyzed > 0 ? 100.0 * (analyzed - silent) / analyzed : 0.0, n,
           n == 1 ? "" : "s", analyzed);
    if (sidecar_out) {
        *sidecar_out = sidecar;
        sidecar = NULL;
    }
    rc = 0;
out:
    free(sil);
    free(sidecar);
    return rc;
}
