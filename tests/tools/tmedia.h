/* tmedia.h - decoding helpers shared by the media test checkers.
 *
 * The checkers look at files the way a player does: pictures as 8-bit
 * luma in presentation order, audio as one peak value per sample. Times
 * are the stream's own timestamps in seconds (pts 0 = time 0); the test
 * fixtures and every output the worker writes start at 0.
 *
 * Fixture pictures carry their frame number in a strip at the bottom
 * (see tests/media/gen_fixtures.sh): 16 blocks across the width, bit b in
 * block b (least significant bit left), row A in [0.70 H, 0.85 H) holds the
 * bits, row B in [0.85 H, H) their complement, so a misread is detected. */
#ifndef VS_TMEDIA_H
#define VS_TMEDIA_H
#include <stddef.h>
#include <stdint.h>

/* One decoded picture, valid only during the callback. */
typedef struct vs_tmedia_pic {
    int64_t index;       /* presentation order, from 0 */
    double t;            /* seconds */
    int64_t ts;          /* best-effort timestamp in the stream's time base (or INT64_MIN) */
    const uint8_t *y;    /* 8-bit luma */
    int w, h, stride;
} vs_tmedia_pic;

/* Return 0 to go on, 1 to stop early, < 0 to stop with an error. */
typedef int (*vs_tmedia_pic_cb)(const vs_tmedia_pic *p, void *opaque);

typedef struct vs_tmedia_vinfo {
    int fps_num, fps_den;  /* stream r_frame_rate */
    int avg_num, avg_den;  /* stream avg_frame_rate (0/0 when unknown) */
    int tb_num, tb_den;    /* the video stream's time base */
    int64_t origin_ts;     /* earliest start of the audio and video streams,
                              in the video time base (rounded when another
                              stream starts first) */
    int origin_exact;      /* origin_ts is the video stream's own start */
    int width, height;
    int rotation;          /* clockwise degrees players turn pictures (display matrix) */
    int n_audio;           /* audio streams in the file */
    int64_t frames;        /* pictures decoded */
    double first_t, last_t;/* times of the first and the last picture */
    char codec[32];
} vs_tmedia_vinfo;

/* Decodes the first video stream of PATH, calling cb (may be NULL) for each
 * picture. Returns 0, or -1 with errstr. */
int vs_tmedia_video_scan(const char *path, vs_tmedia_pic_cb cb, void *opaque,
                         vs_tmedia_vinfo *info, char *errstr, size_t errsz);

/* The frame number coded in a fixture picture, or -1 when unreadable. */
int vs_tmedia_read_code(const vs_tmedia_pic *p);

typedef struct vs_tmedia_audio {
    float *peak;        /* per sample: the largest |x| over channels; owned */
    int64_t n;          /* samples decoded */
    int rate, channels;
    int frame_size;     /* the codec's frame size (1024 AAC, 960 Opus) */
    double start;       /* time of the first decoded sample */
    double packet_end;  /* largest pts + duration of the stream's packets */
    int64_t gaps;       /* decoded frames whose pts did not follow on (> 1 ms) */
    char codec[32];
} vs_tmedia_audio;

/* Decodes audio stream number track (0 = first audio stream) of PATH.
 * Returns 0 and fills a (release with vs_tmedia_audio_release), or -1. */
int vs_tmedia_audio_read(const char *path, int track, vs_tmedia_audio *a,
                         char *errstr, size_t errsz);
void vs_tmedia_audio_release(vs_tmedia_audio *a);
/* End of the audio as a player sees it: decoded samples, cut to the
 * packets' stated end (AAC in MP4 decodes its last frame's padding). */
double vs_tmedia_audio_end(const vs_tmedia_audio *a);

/* Parses "N/D" or "N" into a rational. Returns 0 or -1. */
int vs_tmedia_parse_rate(const char *s, int *num, int *den);

#endif
