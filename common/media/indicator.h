/* indicator.h - the opt-in fast-forward indicator (SPEC §4): during
 * silent segments, a half-transparent dark box in the top-left corner
 * with a fast-forward icon and the speed ("12x"), sized to the picture.
 * Drawn by libavfilter (drawbox + drawtext). A picture that players turn
 * (display matrix) gets it in the top-left corner of what they show,
 * upright: the graph turns the picture, draws, and turns it back. */
#ifndef VS_INDICATOR_H
#define VS_INDICATOR_H
#include <stddef.h>
#include <libavutil/frame.h>

typedef struct vs_indicator vs_indicator;

/* For pictures of w x h in pix_fmt (as coded), which players turn by
 * rotation degrees clockwise (0, 90, 180 or 270; see
 * vs_indicator_rotation). Returns NULL on error (errstr). */
vs_indicator *vs_indicator_new(int w, int h, enum AVPixelFormat pix_fmt, int rotation,
                               char *errstr, size_t errsz);
/* Clockwise turn (0, 90, 180, 270) players give a picture with display
 * matrix m (9 int32; NULL for none), as the ffmpeg tool's autorotate. */
int vs_indicator_rotation(const int32_t *m);
void vs_indicator_free(vs_indicator **ind);
/* Draws the indicator for speed onto a copy of in; *out is a new frame.
 * The filter graph is rebuilt only when the label changes. */
int vs_indicator_apply(vs_indicator *ind, const AVFrame *in, double speed, AVFrame **out);
/* The label shown for a speed: "4x", "2.5x", "12x". */
void vs_indicator_label(double speed, char *buf, size_t sz);
/* Box geometry in pixels for a w x h picture (for tests and docs). */
void vs_indicator_box(int w, int h, int *x, int *y, int *bw, int *bh);

#endif
