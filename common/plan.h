/* plan.h - from sidecar intervals to re-timed segments (SPEC §3).
 *
 * A segment is a stretch of input time played at one speed. Speech plays
 * at 1x; silence is fast-forwarded (4x up to 10 s, else L/4, capped at
 * 1000x) and muted. Times are seconds relative to the processed window
 * (the input's time minus the job's offset). */
#ifndef VS_PLAN_H
#define VS_PLAN_H
#include <stddef.h>
#include "sidecar.h"

#define VS_LEAD_IN_S    2.0
#define VS_MAX_SPEED    1000.0

typedef struct vs_segment {
    double start, end; /* input seconds within the window, start < end */
    double speed;      /* 1.0 for speech, > 1.0 for silence */
    int silent;        /* 1 when fast-forwarded and muted */
} vs_segment;

typedef struct vs_plan {
    vs_segment *seg;
    size_t n;
    double in_duration;  /* d: the window length that was planned */
    double out_duration; /* sum of (end - start) / speed */
} vs_plan;

/* Window length d per SPEC §3.1: container duration minus offset, then
 * limited to process_duration when that is > 0. */
double vs_plan_window(double file_duration, double offset, double process_duration);

/* Plans segments for a window of length d from the sidecar's silences.
 * When |analyzed_duration - d| > 1 s, writes a warning into warn (else
 * warn[0] = 0) and truncates the intervals to d. Returns 0 and a new plan
 * in *out (free with vs_plan_free), or -1 with errstr. */
int vs_plan_build(const vs_interval *silences, size_t n, double analyzed_duration,
                  double d, vs_plan **out, char *warn, size_t warnsz,
                  char *errstr, size_t errsz);
void vs_plan_free(vs_plan **plan);

/* Speed of a silent segment of input length len (SPEC §3.5). */
double vs_plan_silence_speed(double len);

#endif
