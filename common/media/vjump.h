/* vjump.h - jumping the video decoder to a keyframe, without changing a
 * single output frame.
 *
 * Inside a fast-forwarded segment the next output frame needs the picture
 * with the greatest timestamp <= need (vs_vretime_next_ts), which may lie
 * many pictures past what was decoded so far. Demuxing is cheap, so every
 * packet is still read in file order (audio stays in order); what is saved
 * is decoding. A video packet that could be superseded is held back
 * instead of being sent to the decoder. If a keyframe K arrives with
 * K <= need while every packet sent since the last flush and every held
 * packet is stamped before K, none of their pictures can be shown: K (or a
 * later picture <= need) stands in for the next output frame, and frames
 * only move on. The decoder is then flushed, the held packets dropped, and
 * decoding restarts at K. Pictures stamped before K that come out after
 * the jump (an open GOP's leading pictures, which refer to the GOP jumped
 * over) are discarded. Pictures from K on decode as they would have: a
 * keyframe (IDR, or an I picture with a recovery point in an open GOP)
 * starts a picture sequence that refers to nothing before it.
 * Held packets that can no longer end in a jump (one is stamped > need,
 * or the buffer is full) are sent in order, as if never held.
 *
 * Jumps are used only where skip.h's non-reference skipping is (same
 * codecs, same switch, stopped by the same evidence of damage). */
#ifndef VS_VJUMP_H
#define VS_VJUMP_H
#include <stddef.h>
#include <stdint.h>
#include <libavcodec/packet.h>

enum vs_vjump_act {
    VS_VJUMP_SEND, /* send the held packets, then this one */
    VS_VJUMP_HOLD, /* hold this one back */
    VS_VJUMP_JUMP, /* flush the decoder, drop the held packets, send this one */
};

/* What the rule looks at for one video packet, in read order. */
typedef struct vs_vjump_in {
    int allowed;        /* skipping on, the decoder has delivered a picture */
    int has_pts;        /* the packet has a presentation time */
    int key;            /* it is a keyframe */
    int64_t pts;        /* its presentation time */
    int64_t need;       /* latest time the next output frame may show; INT64_MAX = none */
    int64_t max_before; /* greatest time among packets sent since the last flush
                           and packets held; INT64_MIN when none */
    int held;           /* packets held */
    int full;           /* the hold buffer is full */
} vs_vjump_in;

/* The rule (pure): see the top of this file. */
enum vs_vjump_act vs_vjump_decide(const vs_vjump_in *in);

/* The hold buffer: packets with the skip_frame value decided at read time. */
#define VS_VJUMP_MAX_PACKETS 4096
#define VS_VJUMP_MAX_BYTES (32 << 20)

typedef struct vs_vjump {
    AVPacket **pkt;
    int *skip;          /* enum AVDiscard for each held packet */
    int n;
    size_t bytes;
    int64_t max_sent;   /* greatest time sent since the last flush */
    int64_t max_held;
    int64_t floor;      /* pictures stamped before this are discarded (last jump) */
    int64_t expect;     /* the keyframe jumped to, until its picture came out */
    int64_t jumps, jumped; /* jumps made, packets dropped by them (statistics) */
} vs_vjump;

int vs_vjump_init(vs_vjump *j);
void vs_vjump_release(vs_vjump *j);
/* The rule's input for packet pkt. */
vs_vjump_in vs_vjump_input(const vs_vjump *j, const AVPacket *pkt, int allowed, int64_t need);
/* Takes a reference to pkt. */
int vs_vjump_hold(vs_vjump *j, const AVPacket *pkt, int skip);
/* Frees the held packets (after they were sent). */
void vs_vjump_clear(vs_vjump *j);
/* Drops the held packets (a jump to the keyframe stamped key). */
void vs_vjump_drop(vs_vjump *j, int64_t key);
/* A packet stamped pts goes to the decoder. */
void vs_vjump_sent(vs_vjump *j, int64_t pts);

#endif
