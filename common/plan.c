/* plan.c - the planner of SPEC §3: silence intervals in, segments out.
 *
 * Steps, as in the original tool:
 *   2. truncate the intervals to the window d (warning when the sidecar's
 *      analyzed duration differs from d by more than 1 s);
 *   3. walk: speech gap, silent interval, ..., trailing speech;
 *   4. lead-in: a silence directly followed by speech gives its last
 *      2.0 s to speech (all of it when it is 2.0 s or shorter); a silence
 *      at the end, or followed by another silence, stays whole;
 *   5. speed of each silence from its length after step 4.
 * Adjacent speech pieces are merged into one segment, so two speech
 * segments never touch (two silences may: touching intervals keep their
 * own speeds), and no segment has zero length. */
#include "plan.h"
#include "errstr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double vs_plan_window(double file_duration, double offset, double process_duration)
{
    double d = file_duration - (offset > 0 ? offset : 0.0);
    if (!(d > 0)) /* also catches NaN */
        d = 0.0;
    if (process_duration > 0 && process_duration < d)
        d = process_duration;
    return d;
}

double vs_plan_silence_speed(double len)
{
    double s = len <= 10.0 ? 4.0 : len / 4.0;
    if (!(s >= 1.0)) /* also catches NaN */
        s = 1.0;
    if (s > VS_MAX_SPEED)
        s = VS_MAX_SPEED;
    return s;
}

void vs_plan_free(vs_plan **plan)
{
    if (!plan || !*plan)
        return;
    free((*plan)->seg);
    free(*plan);
    *plan = NULL;
}

/* Raw piece of the step-3 walk. */
struct piece {
    double start, end;
    int silent;
};

/* Appends a segment, merging a speech piece into a preceding speech
 * segment that it touches. seg has room for every piece. */
static void push(vs_plan *p, double start, double end, int silent)
{
    if (!(end > start))
        return;
    if (!silent && p->n > 0) {
        vs_segment *last = &p->seg[p->n - 1];
        if (!last->silent && last->end == start) {
            last->end = end;
            return;
        }
    }
    vs_segment *s = &p->seg[p->n++];
    s->start = start;
    s->end = end;
    s->silent = silent;
    s->speed = 1.0;
}

int vs_plan_build(const vs_interval *silences, size_t n, double analyzed_duration,
                  double d, vs_plan **out, char *warn, size_t warnsz,
                  char *errstr, size_t errsz)
{
    struct piece *pc = NULL;
    vs_plan *p = NULL;

    *out = NULL;
    if (warn && warnsz)
        warn[0] = '\0';
    if (!isfinite(d) || d <= 0) {
        vs_set_err(errstr, errsz, "nothing to process: the window is %g s long", d);
        return -1;
    }
    if (!isfinite(analyzed_duration) || analyzed_duration < 0) {
        vs_set_err(errstr, errsz, "analyzed duration must be a number >= 0");
        return -1;
    }
    if (n > 0 && !silences) {
        vs_set_err(errstr, errsz, "no silence intervals given");
        return -1;
    }
    /* The sidecar reader has checked these; the planner must not rely on
     * every caller having used it. */
    for (size_t i = 0; i < n; i++) {
        double s = silences[i].start, e = silences[i].end;
        if (!isfinite(s) || !isfinite(e) || s < 0 || e <= s ||
            (i > 0 && s < silences[i - 1].end)) {
            vs_set_err(errstr, errsz, "silence interval %zu [%g, %g] is negative, reversed, "
                    "overlapping or unsorted", i, s, e);
            return -1;
        }
    }

    /* Step 2. The warning is the SPEC's rule (|analyzed - d| > 1 s). The
     * truncation itself is applied in every case: within 1 s the sidecar
     * may still reach a little past d (rounding, a shorter angle), and a
     * segment beyond the end of the window would be meaningless. Intervals
     * starting at or after d are dropped, the last end is clamped to d. */
    double diff = fabs(analyzed_duration - d);
    if (diff > 1.0 && warn && warnsz)
        snprintf(warn, warnsz, "sidecar analyzed %.3f s but the video's window is %.3f s "
                 "(diff %.3f s): silence intervals truncated to %.3f s",
                 analyzed_duration, d, diff, d);
    size_t kept = 0;
    while (kept < n && silences[kept].start < d)
        kept++;

    /* Step 3: at most 2 * kept + 1 pieces. */
    pc = calloc(2 * kept + 1, sizeof *pc);
    if (!pc)
        goto oom;
    size_t np = 0;
    double prev = 0.0;
    for (size_t i = 0; i < kept; i++) {
        double s = silences[i].start;
        double e = silences[i].end < d ? silences[i].end : d;
        if (s > prev) /* a zero-length gap (touching intervals) is no speech */
            pc[np++] = (struct piece){ prev, s, 0 };
        pc[np++] = (struct piece){ s, e, 1 };
        prev = e;
    }
    if (prev < d)
        pc[np++] = (struct piece){ prev, d, 0 };

    /* Step 4. "Directly followed by speech" is decided on the step-3 walk,
     * as the original did: a silence followed by a short silence (which
     * itself turns into speech) stays whole. Each piece yields at most two
     * segments. */
    p = calloc(1, sizeof *p);
    if (!p || !(p->seg = calloc(2 * np + 1, sizeof *p->seg)))
        goto oom;
    for (size_t i = 0; i < np; i++) {
        const struct piece *c = &pc[i];
        int lead_in = c->silent && i + 1 < np && !pc[i + 1].silent;
        if (!lead_in) {
            push(p, c->start, c->end, c->silent);
        } else if (c->end - c->start > VS_LEAD_IN_S) {
            double cut = c->end - VS_LEAD_IN_S;
            push(p, c->start, cut, 1);
            push(p, cut, c->end, 0);
        } else {
            push(p, c->start, c->end, 0);
        }
    }

    /* Step 5, and the output length. */
    double total = 0.0;
    for (size_t i = 0; i < p->n; i++) {
        vs_segment *s = &p->seg[i];
        if (s->silent)
            s->speed = vs_plan_silence_speed(s->end - s->start);
        total += (s->end - s->start) / s->speed;
    }
    p->in_duration = d;
    p->out_duration = total;
    free(pc);
    *out = p;
    return 0;
oom:
    vs_set_err(errstr, errsz, "out of memory");
    free(pc);
    vs_plan_free(&p);
    return -1;
}
