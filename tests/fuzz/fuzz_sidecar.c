/* fuzz_sidecar.c - libFuzzer target of the sidecar reader (vs_sidecar_parse).
 *
 * Beyond "no crash, no leak, no undefined behaviour": an accepted sidecar
 * keeps the promises of sidecar.h (version 1, finite analyzed duration
 * >= 0, intervals non-negative, non-empty, sorted, not overlapping), and
 * goes on the way the producer takes it: the planner turns it into
 * segments that tile the window, and for windows of realistic length
 * (up to VS_FUZZ_MAX_WINDOW seconds) the job built from them is one the
 * job reader accepts, unless it is over the job's own bounds (more than
 * VS_JOB_MAX_SEGMENTS segments or VS_JOB_MAX_BYTES bytes: a sidecar may
 * hold more intervals than a job may carry; the producer must refuse).
 * The document is read once more from a guarded copy (fuzz.h). */
#include "fuzz.h"

#include <math.h>
#include <string.h>

#include "job.h"
#include "plan.h"
#include "sidecar.h"

/* About 30 years; beyond, sums of segment lengths may overflow. */
#define VS_FUZZ_MAX_WINDOW 1e9

static void check_plan(const vs_plan *p, double d)
{
    VS_FUZZ_CHECK(p->n >= 1 && p->seg && p->in_duration == d);
    VS_FUZZ_CHECK(p->seg[0].start == 0.0 && p->seg[p->n - 1].end == d);
    for (size_t i = 0; i < p->n; i++) {
        const vs_segment *s = &p->seg[i];
        VS_FUZZ_CHECK(s->end > s->start);
        VS_FUZZ_CHECK(s->speed >= 1.0 && s->speed <= VS_MAX_SPEED);
        VS_FUZZ_CHECK(s->silent ? 1 : s->speed == 1.0);
        if (i > 0) {
            VS_FUZZ_CHECK(s->start == p->seg[i - 1].end);
            VS_FUZZ_CHECK(s->silent || p->seg[i - 1].silent); /* speech merged */
        }
    }
    VS_FUZZ_CHECK(p->out_duration >= 0 && p->out_duration <= d * (1 + 1e-9));
}

/* The producer's path: plan a window of length d, build the job, write it;
 * a worker must be able to read it. */
static void plan_and_job(const vs_sidecar *sc, double d)
{
    vs_plan *p = NULL;
    char warn[256], err[512];
    if (vs_plan_build(sc->silences, sc->n_silences, sc->analyzed_duration, d, &p,
                      warn, sizeof warn, err, sizeof err) != 0) {
        VS_FUZZ_CHECK(p == NULL);
        VS_FUZZ_CHECK(!(d > 0)); /* only an empty window is refused */
        return;
    }
    check_plan(p, d);
    if (d <= VS_FUZZ_MAX_WINDOW && p->n <= VS_JOB_MAX_SEGMENTS) {
        vs_job *j = vs_job_new("fuzz-0001", "fuzz", "/in/a.mp4", "/out/a.mp4", 0.0, p);
        VS_FUZZ_CHECK(j != NULL);
        char *s = vs_job_to_json(j);
        VS_FUZZ_CHECK(s != NULL);
        vs_job *k = NULL;
        if (strlen(s) <= VS_JOB_MAX_BYTES && vs_job_parse(s, strlen(s), &k, err, sizeof err) != 0) {
            fprintf(stderr, "planned job refused: %s\n%.2000s\n", err, s);
            VS_FUZZ_CHECK(!"the job reader accepts every planned job");
        }
        VS_FUZZ_CHECK(!k || k->n_seg == p->n);
        vs_job_free(&k);
        vs_job_free(&j);
        free(s);
    }
    vs_plan_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    vs_sidecar *sc = NULL;
    int rc = vs_sidecar_parse((const char *)data, size, "fuzz.vad.json", &sc, err, sizeof err);
    vs_sidecar *again = NULL;
    VS_FUZZ_CHECK(vs_sidecar_parse(vs_fuzz_guarded(data, size), size, "fuzz.vad.json", &again,
                                   err, sizeof err) == rc);
    vs_sidecar_free(&again);
    if (rc != 0) {
        VS_FUZZ_CHECK(sc == NULL && memchr(err, '\0', sizeof err) && err[0] != '\0');
        return 0;
    }
    VS_FUZZ_CHECK(sc->version == 1);
    VS_FUZZ_CHECK(isfinite(sc->analyzed_duration) && sc->analyzed_duration >= 0);
    VS_FUZZ_CHECK(sc->n_silences <= VS_SIDECAR_MAX_INTERVALS);
    VS_FUZZ_CHECK(sc->n_silences == 0 || sc->silences);
    for (size_t i = 0; i < sc->n_silences; i++) {
        const vs_interval *v = &sc->silences[i];
        VS_FUZZ_CHECK(isfinite(v->start) && isfinite(v->end));
        VS_FUZZ_CHECK(v->start >= 0 && v->end > v->start);
        if (i > 0)
            VS_FUZZ_CHECK(v->start >= sc->silences[i - 1].end);
    }
    /* The window as analysed, a shorter one (truncation) and a longer one. */
    double d = sc->analyzed_duration;
    plan_and_job(sc, d);
    plan_and_job(sc, d / 2);
    plan_and_job(sc, d + 5.0);
    vs_sidecar_free(&sc);
    VS_FUZZ_CHECK(sc == NULL);
    return 0;
}
