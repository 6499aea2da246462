/* indicator.c - see indicator.h. One small filter graph per label:
 * buffer -> drawbox (black@0.5, filled) -> drawtext ("▶▶ 12x") -> buffersink. */
#include "indicator.h"
#include "errstr.h"

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vs_indicator {
    int w, h;
    enum AVPixelFormat fmt;
    int rotation;       /* clockwise degrees players turn the picture */
    char label[32];
    AVFilterGraph *graph;
    AVFilterContext *src, *sink;
};

void vs_indicator_label(double speed, char *buf, size_t sz)
{
    if (fabs(speed - round(speed)) < 0.05 || speed >= 10)
        snprintf(buf, sz, "%.0fx", speed);
    else
        snprintf(buf, sz, "%.1fx", speed);
}

void vs_indicator_box(int w, int h, int *x, int *y, int *bw, int *bh)
{
    int base = w < h ? w : h;
    *bh = base / 8 > 12 ? base / 8 : 12;
    *bw = *bh * 3;
    if (*bw > w / 2) *bw = w / 2;
    if (*bh > h / 2) *bh = h / 2;
    *x = base / 40;
    *y = base / 40;
}

int vs_indicator_rotation(const int32_t *m)
{
    if (!m)
        return 0;
    double theta = -av_display_rotation_get(m);
    if (isnan(theta))
        return 0;
    int r = (int)lround(theta / 90.0) * 90 % 360;
    return r < 0 ? r + 360 : r;
}

vs_indicator *vs_indicator_new(int w, int h, enum AVPixelFormat pix_fmt, int rotation,
                               char *errstr, size_t errsz)
{
    vs_indicator *ind = calloc(1, sizeof(*ind));
    if (!ind) {
        vs_set_err(errstr, errsz, "out of memory");
        return NULL;
    }
    ind->w = w;
    ind->h = h;
    ind->fmt = pix_fmt;
    ind->rotation = rotation == 90 || rotation == 180 || rotation == 270 ? rotation : 0;
    return ind;
}

void vs_indicator_free(vs_indicator **ind)
{
    if (!*ind)
        return;
    avfilter_graph_free(&(*ind)->graph);
    free(*ind);
    *ind = NULL;
}

static int add_filter(AVFilterGraph *g, const char *name, AVFilterContext **out)
{
    const AVFilter *f = avfilter_get_by_name(name);
    if (!f)
        return AVERROR_FILTER_NOT_FOUND;
    *out = avfilter_graph_alloc_filter(g, f, name);
    return *out ? 0 : AVERROR(ENOMEM);
}

/* Appends the filters that turn the picture clockwise by deg to the
 * chain ending at *last. */
static int add_turn(AVFilterGraph *g, int deg, const char *tag, AVFilterContext **last)
{
    const char *names[2] = {NULL, NULL}, *dir = NULL;
    char inst[32];
    int ret;
    if (deg == 90) {
        names[0] = "transpose";
        dir = "clock";
    } else if (deg == 270) {
        names[0] = "transpose";
        dir = "cclock";
    } else if (deg == 180) {
        names[0] = "hflip";
        names[1] = "vflip";
    }
    for (int i = 0; i < 2 && names[i]; i++) {
        const AVFilter *f = avfilter_get_by_name(names[i]);
        AVFilterContext *ctx;
        if (!f)
            return AVERROR_FILTER_NOT_FOUND;
        snprintf(inst, sizeof inst, "%s_%s", names[i], tag);
        if (!(ctx = avfilter_graph_alloc_filter(g, f, inst)))
            return AVERROR(ENOMEM);
        if (dir)
            av_opt_set(ctx, "dir", dir, AV_OPT_SEARCH_CHILDREN);
        if ((ret = avfilter_init_str(ctx, NULL)) < 0 ||
            (ret = avfilter_link(*last, 0, ctx, 0)) < 0)
            return ret;
        *last = ctx;
    }
    return 0;
}

static int build(vs_indicator *ind, const char *label)
{
    AVFilterContext *box, *text, *last;
    char num[32], txt[64];
    int x, y, bw, bh, ret;
    int quarter = ind->rotation == 90 || ind->rotation == 270;
    int dw = quarter ? ind->h : ind->w, dh = quarter ? ind->w : ind->h; /* as shown */

    avfilter_graph_free(&ind->graph);
    if (!(ind->graph = avfilter_graph_alloc()))
        return AVERROR(ENOMEM);
    ind->graph->nb_threads = 1;
    vs_indicator_box(dw, dh, &x, &y, &bw, &bh);

    if ((ret = add_filter(ind->graph, "buffer", &ind->src)) < 0)
        return ret;
    av_opt_set_int(ind->src, "width", ind->w, AV_OPT_SEARCH_CHILDREN);
    av_opt_set_int(ind->src, "height", ind->h, AV_OPT_SEARCH_CHILDREN);
    av_opt_set_pixel_fmt(ind->src, "pix_fmt", ind->fmt, AV_OPT_SEARCH_CHILDREN);
    av_opt_set_q(ind->src, "time_base", (AVRational){1, 1}, AV_OPT_SEARCH_CHILDREN);
    if ((ret = avfilter_init_str(ind->src, NULL)) < 0)
        return ret;

    if ((ret = add_filter(ind->graph, "drawbox", &box)) < 0)
        return ret;
    snprintf(num, sizeof(num), "%d", x); av_opt_set(box, "x", num, AV_OPT_SEARCH_CHILDREN);
    snprintf(num, sizeof(num), "%d", y); av_opt_set(box, "y", num, AV_OPT_SEARCH_CHILDREN);
    snprintf(num, sizeof(num), "%d", bw); av_opt_set(box, "w", num, AV_OPT_SEARCH_CHILDREN);
    snprintf(num, sizeof(num), "%d", bh); av_opt_set(box, "h", num, AV_OPT_SEARCH_CHILDREN);
    av_opt_set(box, "color", "black@0.5", AV_OPT_SEARCH_CHILDREN);
    av_opt_set(box, "t", "fill", AV_OPT_SEARCH_CHILDREN);
    if ((ret = avfilter_init_str(box, NULL)) < 0)
        return ret;

    if ((ret = add_filter(ind->graph, "drawtext", &text)) < 0)
        return ret;
    /* U+25B6 twice: the fast-forward icon, from the same font as the text. */
    snprintf(txt, sizeof(txt), "\xE2\x96\xB6\xE2\x96\xB6 %s", label);
    av_opt_set(text, "text", txt, AV_OPT_SEARCH_CHILDREN);
    av_opt_set(text, "font", "DejaVu Sans", AV_OPT_SEARCH_CHILDREN);
    av_opt_set(text, "fontcolor", "white", AV_OPT_SEARCH_CHILDREN);
    snprintf(num, sizeof(num), "%d", bh * 11 / 20 > 6 ? bh * 11 / 20 : 6);
    av_opt_set(text, "fontsize", num, AV_OPT_SEARCH_CHILDREN);
    snprintf(num, sizeof(num), "%d", x + bh / 5); av_opt_set(text, "x", num, AV_OPT_SEARCH_CHILDREN);
    /* Centre the text's height in the box. */
    char ybuf[64];
    snprintf(ybuf, sizeof(ybuf), "%d+(%d-th)/2", y, bh);
    av_opt_set(text, "y", ybuf, AV_OPT_SEARCH_CHILDREN);
    if ((ret = avfilter_init_str(text, NULL)) < 0)
        return ret;

    if ((ret = add_filter(ind->graph, "buffersink", &ind->sink)) < 0)
        return ret;
    if ((ret = avfilter_init_str(ind->sink, NULL)) < 0)
        return ret;
    /* Turn the picture as players will, draw, turn it back. */
    last = ind->src;
    if ((ret = add_turn(ind->graph, ind->rotation, "show", &last)) < 0 ||
        (ret = avfilter_link(last, 0, box, 0)) < 0 ||
        (ret = avfilter_link(box, 0, text, 0)) < 0)
        return ret;
    last = text;
    if ((ret = add_turn(ind->graph, (360 - ind->rotation) % 360, "back", &last)) < 0 ||
        (ret = avfilter_link(last, 0, ind->sink, 0)) < 0)
        return ret;
    if ((ret = avfilter_graph_config(ind->graph, NULL)) < 0)
        return ret;
    snprintf(ind->label, sizeof(ind->label), "%s", label);
    return 0;
}

int vs_indicator_apply(vs_indicator *ind, const AVFrame *in, double speed, AVFrame **out)
{
    char label[32];
    int ret;

    vs_indicator_label(speed, label, sizeof(label));
    if (!ind->graph || strcmp(label, ind->label)) {
        ind->label[0] = 0;
        if ((ret = build(ind, label)) < 0)
            return ret;
    }
    AVFrame *copy = av_frame_clone(in);
    if (!copy)
        return AVERROR(ENOMEM);
    copy->pts = 0;
    ret = av_buffersrc_add_frame_flags(ind->src, copy, AV_BUFFERSRC_FLAG_KEEP_REF);
    av_frame_free(&copy);
    if (ret < 0)
        return ret;
    if (!(*out = av_frame_alloc()))
        return AVERROR(ENOMEM);
    if ((ret = av_buffersink_get_frame(ind->sink, *out)) < 0)
        av_frame_free(out);
    return ret;
}
