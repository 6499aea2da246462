/* aretime.h - audio re-timing of one track, exact to the sample.
 *
 * Segment i occupies output samples [round(out_start[i]*sr),
 * round(out_start[i+1]*sr)) - the same output clock as the video frames,
 * quantised once, so no drift accumulates. A speech segment copies input
 * samples at 1x from round(start*sr); a silent segment is digital silence
 * of exactly its length. Input gaps become silence; audio that ends early
 * is padded so the track ends with the video. */
#ifndef VS_ARETIME_H
#define VS_ARETIME_H
#include <stdint.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/samplefmt.h>
#include "media/timeline.h"

typedef struct vs_aretime {
    const vs_timeline *tl;
    int sr, channels;
    enum AVSampleFormat fmt;
    int64_t total;   /* output samples of this track */
    int64_t out_n;   /* next output sample */
    size_t seg;      /* segment holding out_n */
    AVAudioFifo *fifo; /* re-timed samples waiting for the encoder */
} vs_aretime;

/* total: output length in samples (the video's length, so all streams end
 * together). Returns 0 or AVERROR(ENOMEM). */
int vs_aretime_init(vs_aretime *r, const vs_timeline *tl, int sr, int channels,
                    enum AVSampleFormat fmt, int64_t total);
void vs_aretime_release(vs_aretime *r);
/* n input samples in data, the first at window sample position pos. */
int vs_aretime_push(vs_aretime *r, uint8_t *const *data, int n, int64_t pos);
/* End of input: silence up to total. */
int vs_aretime_flush(vs_aretime *r);
static inline int vs_aretime_done(const vs_aretime *r) { return r->out_n >= r->total; }

#endif
