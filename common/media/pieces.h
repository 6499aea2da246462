/* pieces.h - the join's video: the pieces of a split video (chunk.h),
 * read in order and copied into the output without re-encoding.
 *
 * Each piece is checked as it is copied: one video stream with the same
 * codec and parameter sets as the first piece (a piece from another
 * encoder would not decode after the first), a first packet that is a
 * keyframe, and exactly its chunk's frames. Piece timestamps are placed on
 * the output frame numbers of their chunk, so the joined stream has every
 * output frame once, in order. */
#ifndef VS_PIECES_H
#define VS_PIECES_H
#include <stddef.h>
#include <stdint.h>
#include <libavformat/avformat.h>
#include "mux.h"

typedef struct vs_pieces {
    char *output, *video;   /* what chunk.h names the pieces from */
    int count, index;       /* pieces in all; the one open now */
    int64_t n_frames;       /* output frames of the whole video */
    AVRational fps;
    AVFormatContext *fmt;   /* piece `index`, NULL before the first or after the last */
    AVCodecParameters *par; /* the first piece's stream */
    AVRational tb;          /* the first piece's stream time base */
    AVPacket *pkt;          /* read ahead, not yet written (valid when have_pkt) */
    int have_pkt;
    int64_t shift;          /* added to this piece's timestamps (tb) */
    int64_t packets;        /* of this piece so far */
    int64_t frames;         /* written in all */
    int64_t last_dts;
} vs_pieces;

/* Opens the first piece of OUTPUT's video VIDEO (count pieces in all,
 * n_frames output frames at fps). Returns 0, or < 0 with errstr. */
int vs_pieces_open(vs_pieces *p, const char *output, const char *video, int count,
                   int64_t n_frames, AVRational fps, char *errstr, size_t errsz);
/* Writes packets whose decode time is before `until` seconds (INFINITY:
 * all that remain) to stream si of m. Returns 0, or < 0 with errstr
 * (*io set when writing the output failed rather than a piece). */
int vs_pieces_feed(vs_pieces *p, vs_mux *m, int si, double until, int *io,
                   char *errstr, size_t errsz);
/* Whether every piece has been copied. */
int vs_pieces_done(const vs_pieces *p);
void vs_pieces_close(vs_pieces *p);
/* Removes the pieces' folder and everything in it (after the join). */
void vs_pieces_remove(const char *output, const char *video);

#endif
