/* skip.h - decoding only what the output shows, without changing it.
 *
 * Video: output frame k shows the decoded picture with the greatest
 * timestamp <= its planned input time T(k), and T only grows with k. Take
 * a packet P and the first frame still to come that could show it, the
 * first k with T(k) >= P (vs_vretime_first_need). If a packet Q already
 * read has P < Q <= T(k), then every frame to come that could show P
 * shows Q or a later picture instead: P is never shown. Such a P is sent
 * with AVDISCARD_NONREF, which drops it only when no other picture
 * refers to it, so no other picture changes. If Q was itself dropped, it
 * was for a Q' > Q under a bound no later than P's (frames only move
 * on), and the chain only climbs, so a decoded picture always stands in.
 * Only codecs whose "non-reference" means that no picture refers to it
 * are used (H.264 nal_ref_idc 0, MPEG-4 part 2 / MPEG-1/2 B-pictures);
 * HEVC's sub-layer non-reference pictures may be referred to by higher
 * temporal layers, so HEVC is left alone.
 *
 * The argument needs every kept packet to come out as a picture stamped
 * with the packet's own timestamp; skipping starts after the decoder's
 * first picture (no start-up drops of an open GOP's leading pictures
 * count) and stops for good at the first picture that breaks it (a
 * damaged packet, a missing or guessed timestamp, pictures out of order).
 *
 * Jumping the decoder to a keyframe inside long fast-forwards builds on
 * this (vjump.h): it is allowed exactly when this skipping is.
 *
 * VS_NO_SKIP=1 in the environment turns all skipping off, jumps included
 * (the proof switch of tests/media/skip.sh). */
#ifndef VS_SKIP_H
#define VS_SKIP_H
#include <stdint.h>
#include <libavcodec/avcodec.h>
#include "vretime.h"

#define VS_VSKIP_RING 64

typedef struct vs_vskip {
    int on;                 /* skipping still allowed */
    int started;            /* the decoder delivered its first picture */
    int64_t first_ts;       /* its timestamp */
    int64_t last_ts;        /* the latest delivered picture's timestamp */
    int64_t ring[VS_VSKIP_RING]; /* timestamps of the latest packets read */
    int n, head;
    int64_t dropped;        /* packets decoded as skipped (statistics) */
} vs_vskip;

/* Whether skipping is allowed for this job: not VS_NO_SKIP=1. */
int vs_skip_enabled(void);
/* Whether an AAC-LC decoder may restart after a silence (pipeline.c,
 * VS_GAP_RESTART): not VS_NO_AUDIO_RESTART=1, a debug switch that keeps
 * one decoder throughout, so tests can compare the two. */
int vs_audio_restart_enabled(void);

/* codec: the video stream's codec; enabled: vs_skip_enabled(). */
void vs_vskip_init(vs_vskip *s, enum AVCodecID codec, int enabled);
/* What the non-reference rule looks at for one video packet. */
typedef struct vs_vskip_in {
    int allowed;      /* skipping on, the decoder has delivered a picture */
    int has_pts;
    int64_t pts;      /* the packet's presentation time */
    int64_t first_ts; /* the decoder's first picture's */
    int64_t q;        /* earliest later time among packets read; INT64_MAX = none */
    int64_t need;     /* earliest planned time still to come >= pts (vs_vretime_first_need);
                         -1 = not known within the frames looked at */
} vs_vskip_in;

/* The rule (pure): whether the packet's picture, should it be a
 * non-reference one, is provably never shown (see the top of this file). */
int vs_vskip_decide(const vs_vskip_in *in);

/* A video packet stamped pts is about to be sent; r is the re-timer.
 * Returns the skip_frame value for the decoder: AVDISCARD_NONREF when
 * the packet's picture, should it be a non-reference one, is provably
 * never shown, else AVDISCARD_DEFAULT. */
enum AVDiscard vs_vskip_packet(vs_vskip *s, int64_t pts, const vs_vretime *r);
/* A picture came out of the decoder: f as decoded, ts the timestamp the
 * re-timer uses. Stops skipping when the picture breaks the argument. */
void vs_vskip_picture(vs_vskip *s, const AVFrame *f, int64_t ts);
/* A damaged packet: skipping stops for good. */
void vs_vskip_off(vs_vskip *s);

#endif
