/* vjump.c - see vjump.h. */
#include "vjump.h"

#include <errno.h>

#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

enum vs_vjump_act vs_vjump_decide(const vs_vjump_in *in)
{
    if (!in->allowed || !in->has_pts || in->need == INT64_MAX)
        return VS_VJUMP_SEND;
    /* Everything before this keyframe is stamped before it, and it is
     * not past the next needed time: nothing held or in the decoder can
     * be shown. A jump with nothing held saves nothing. */
    if (in->key && in->held > 0 && in->max_before < in->pts && in->pts <= in->need)
        return VS_VJUMP_JUMP;
    /* A later keyframe would have to be stamped after this packet and
     * after everything before it, yet not after need: once that is
     * impossible, holding on gains nothing. */
    int64_t max = in->pts > in->max_before ? in->pts : in->max_before;
    if (max >= in->need || in->full)
        return VS_VJUMP_SEND;
    return VS_VJUMP_HOLD;
}

int vs_vjump_init(vs_vjump *j)
{
    *j = (vs_vjump){.max_sent = INT64_MIN, .max_held = INT64_MIN, .floor = INT64_MIN,
                    .expect = AV_NOPTS_VALUE};
    j->pkt = av_calloc(VS_VJUMP_MAX_PACKETS, sizeof(*j->pkt));
    j->skip = av_calloc(VS_VJUMP_MAX_PACKETS, sizeof(*j->skip));
    return j->pkt && j->skip ? 0 : AVERROR(ENOMEM);
}

void vs_vjump_release(vs_vjump *j)
{
    if (j->pkt)
        vs_vjump_clear(j);
    av_freep(&j->pkt);
    av_freep(&j->skip);
    j->n = 0;
}

vs_vjump_in vs_vjump_input(const vs_vjump *j, const AVPacket *pkt, int allowed, int64_t need)
{
    return (vs_vjump_in){
        .allowed = allowed,
        .has_pts = pkt->pts != AV_NOPTS_VALUE,
        .key = !!(pkt->flags & AV_PKT_FLAG_KEY),
        .pts = pkt->pts,
        .need = need,
        .max_before = j->max_sent > j->max_held ? j->max_sent : j->max_held,
        .held = j->n,
        .full = j->n >= VS_VJUMP_MAX_PACKETS || j->bytes >= VS_VJUMP_MAX_BYTES,
    };
}

int vs_vjump_hold(vs_vjump *j, const AVPacket *pkt, int skip)
{
    if (j->n >= VS_VJUMP_MAX_PACKETS || !(j->pkt[j->n] = av_packet_clone(pkt)))
        return AVERROR(ENOMEM);
    j->skip[j->n++] = skip;
    j->bytes += pkt->size;
    if (pkt->pts > j->max_held)
        j->max_held = pkt->pts;
    return 0;
}

void vs_vjump_clear(vs_vjump *j)
{
    for (int i = 0; i < j->n; i++)
        av_packet_free(&j->pkt[i]);
    j->n = 0;
    j->bytes = 0;
    j->max_held = INT64_MIN;
}

void vs_vjump_drop(vs_vjump *j, int64_t key)
{
    j->jumped += j->n;
    j->jumps++;
    vs_vjump_clear(j);
    j->max_sent = INT64_MIN;
    j->floor = key;
    j->expect = key;
}

void vs_vjump_sent(vs_vjump *j, int64_t pts)
{
    /* A picture of unknown time could be any: no jump until skipping
     * stops (skip.h stops at its picture). */
    if (pts == AV_NOPTS_VALUE)
        j->max_sent = INT64_MAX;
    else if (pts > j->max_sent)
        j->max_sent = pts;
}
