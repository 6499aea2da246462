/* skip.c - see skip.h. */
#include "skip.h"

#include <stdlib.h>
#include <string.h>

static int env_set(const char *name)
{
    const char *e = getenv(name);
    return e && *e && strcmp(e, "0");
}

int vs_skip_enabled(void)
{
    return !env_set("VS_NO_SKIP");
}

int vs_audio_restart_enabled(void)
{
    return !env_set("VS_NO_AUDIO_RESTART");
}

void vs_vskip_init(vs_vskip *s, enum AVCodecID codec, int enabled)
{
    *s = (vs_vskip){0};
    switch (codec) {
    case AV_CODEC_ID_H264:
    case AV_CODEC_ID_MPEG4:
    case AV_CODEC_ID_MPEG2VIDEO:
    case AV_CODEC_ID_MPEG1VIDEO:
        s->on = enabled;
        break;
    default:
        s->on = 0;
    }
}

/* Output frames looked at, at most, to find the first one that could
 * show a packet's picture (a few in 1x segments: the decoder's lead). */
#define VS_VSKIP_SCAN 1024

int vs_vskip_decide(const vs_vskip_in *in)
{
    /* The first frame still to come that could show this picture already
     * shows the later picture q or one after it. */
    return in->allowed && in->has_pts && in->pts > in->first_ts && in->q != INT64_MAX &&
           in->need >= 0 && in->q <= in->need;
}

enum AVDiscard vs_vskip_packet(vs_vskip *s, int64_t pts, const vs_vretime *r)
{
    vs_vskip_in in = {.allowed = s->on && s->started, .has_pts = pts != AV_NOPTS_VALUE,
                      .pts = pts, .first_ts = s->first_ts, .q = INT64_MAX, .need = -1};
    if (!in.allowed || !in.has_pts || pts <= s->first_ts)
        return AVDISCARD_DEFAULT;
    for (int i = 0; i < s->n; i++) /* the earliest later picture already read */
        if (s->ring[i] > pts && s->ring[i] < in.q)
            in.q = s->ring[i];
    s->ring[s->head] = pts;
    s->head = (s->head + 1) % VS_VSKIP_RING;
    if (s->n < VS_VSKIP_RING)
        s->n++;
    if (in.q == INT64_MAX)
        return AVDISCARD_DEFAULT;
    in.need = vs_vretime_first_need(r, pts, VS_VSKIP_SCAN);
    if (!vs_vskip_decide(&in))
        return AVDISCARD_DEFAULT;
    s->dropped++;
    return AVDISCARD_NONREF;
}

void vs_vskip_picture(vs_vskip *s, const AVFrame *f, int64_t ts)
{
    if (!s->on)
        return;
    if (f->pts == AV_NOPTS_VALUE || f->pts != ts || (s->started && ts <= s->last_ts) ||
        (f->flags & AV_FRAME_FLAG_CORRUPT)) {
        s->on = 0;
        return;
    }
    if (!s->started) {
        s->started = 1;
        s->first_ts = ts;
    }
    s->last_ts = ts;
}

void vs_vskip_off(vs_vskip *s)
{
    s->on = 0;
}
