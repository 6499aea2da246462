/* check_audio.c - vs-check-audio: does the sound land where the plan says?
 *
 * Usage: vs-check-audio JOB.json OUTPUT [--track N] [--fps N/D] [--tolerance-ms MS]
 *                       [--no-end] [-q]
 *
 * The fixtures (tests/media/gen_fixtures.sh) have a tone burst exactly at
 * the start of every speech segment that follows a silent one (and at 0
 * when the input opens with speech), digital silence in the rest of the
 * speech, and a steady hum in the silent segments, which the output must
 * mute. On audio track N of OUTPUT (0 = first) this checks SPEC §4:
 *   - each burst starts at its segment's planned output time, +- one video
 *     frame (or +- MS milliseconds with --tolerance-ms), the first as well
 *     as the last (no drift);
 *   - no sound starts anywhere else (an unmuted hum would);
 *   - silent segments are silent (away from their edges);
 *   - the track starts and ends with the video, within one audio frame
 *     (1024 samples for AAC, 960 for Opus); --no-end skips the end, for
 *     containers that cannot mark the encoder's padding (AVI).
 * Times count from the output's first picture.
 * Exit: 0 all good, 1 a check failed, 2 usage or unreadable files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "media/timeline.h"
#include "tmedia.h"

#define ONSET_LEVEL 0.1f     /* a burst has started (bursts peak at 0.5) */
#define QUIET_LEVEL 0.01f    /* -40 dBFS: silence, after lossy coding */
#define QUIET_BEFORE 0.020   /* seconds of quiet that must precede an onset */
#define MAX_ONSETS 100000
#define MAX_REPORT 15

/* Times where the level rises to ONSET_LEVEL after QUIET_BEFORE of quiet
 * (the start of the track counts as quiet). Returns how many were found. */
static size_t find_onsets(const vs_tmedia_audio *a, double *onset, size_t max)
{
    int64_t need = (int64_t)(QUIET_BEFORE * a->rate), quiet = need;
    int armed = 1; /* QUIET_BEFORE of quiet seen since the last onset */
    size_t n = 0;
    for (int64_t i = 0; i < a->n; i++) {
        float v = a->peak[i];
        if (v >= ONSET_LEVEL && armed) {
            if (n < max)
                onset[n] = a->start + (double)i / a->rate;
            n++;
            armed = 0;
        }
        if (v < QUIET_LEVEL) {
            quiet++;
            if (quiet >= need)
                armed = 1;
        } else {
            quiet = 0;
        }
    }
    return n < max ? n : max;
}

static void usage(void)
{
    fprintf(stderr, "Usage: vs-check-audio JOB.json OUTPUT [--track N] [--fps N/D] "
                    "[--tolerance-ms MS] [--no-end] [-q]\n");
}

int main(int argc, char **argv)
{
    const char *job_path = NULL, *out_path = NULL;
    int track = 0, fps_num = 0, fps_den = 0, quiet = 0, no_end = 0;
    double tol_ms = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--track") && i + 1 < argc) {
            track = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--fps") && i + 1 < argc) {
            if (vs_tmedia_parse_rate(argv[++i], &fps_num, &fps_den) < 0) {
                usage();
                return 2;
            }
        } else if (!strcmp(argv[i], "--tolerance-ms") && i + 1 < argc) {
            tol_ms = atof(argv[++i]);
        } else if (!strcmp(argv[i], "--no-end")) {
            no_end = 1;
        } else if (!strcmp(argv[i], "-q")) {
            quiet = 1;
        } else if (argv[i][0] == '-') {
            usage();
            return 2;
        } else if (!job_path) {
            job_path = argv[i];
        } else if (!out_path) {
            out_path = argv[i];
        } else {
            usage();
            return 2;
        }
    }
    if (!job_path || !out_path || track < 0) {
        usage();
        return 2;
    }

    char err[1024];
    vs_job *job = NULL;
    vs_timeline tl = {0};
    vs_tmedia_audio au = {0};
    vs_tmedia_vinfo vi;
    double *onset = NULL;
    int ret = 2;

    if (vs_job_load(job_path, &job, err, sizeof err) < 0 ||
        vs_timeline_init(&tl, job->seg, job->n_seg, err, sizeof err) < 0 ||
        vs_tmedia_video_scan(out_path, NULL, NULL, &vi, err, sizeof err) < 0 ||
        vs_tmedia_audio_read(out_path, track, &au, err, sizeof err) < 0) {
        fprintf(stderr, "vs-check-audio: %s\n", err);
        goto out;
    }
    if (!fps_num) {
        fps_num = vi.fps_num;
        fps_den = vi.fps_den;
    }
    if (fps_num <= 0 || fps_den <= 0 || !(onset = malloc(MAX_ONSETS * sizeof *onset))) {
        fprintf(stderr, "vs-check-audio: %s: no frame rate, or out of memory\n", out_path);
        goto out;
    }
    /* Times count from the first picture (an MKV muxer shifts everything
     * by the AAC priming delay, for instance). */
    au.start -= vi.first_t;
    au.packet_end -= vi.first_t;
    ret = 0;
    double vframe = (double)fps_den / fps_num;
    double tol = tol_ms > 0 ? tol_ms / 1000 : vframe;
    double aframe = (double)au.frame_size / au.rate;

    /* Bursts: one per speech segment that follows silence (or opens). */
    size_t found = find_onsets(&au, onset, MAX_ONSETS);
    char *used = calloc(found ? found : 1, 1);
    if (!used) {
        fprintf(stderr, "vs-check-audio: out of memory\n");
        ret = 2;
        goto out;
    }
    size_t expected = 0, missing = 0;
    double first_err = NAN, last_err = NAN, worst = 0.0;
    for (size_t i = 0; i < tl.n; i++) {
        if (job->seg[i].silent || (i > 0 && !job->seg[i - 1].silent))
            continue;
        double want = tl.out_start[i];
        size_t best = found;
        for (size_t j = 0; j < found; j++)
            if (best == found || fabs(onset[j] - want) < fabs(onset[best] - want))
                best = j;
        expected++;
        double e = best < found ? onset[best] - want : INFINITY;
        if (fabs(e) > tol) {
            if (missing < MAX_REPORT) {
                if (best < found)
                    printf("FAIL: segment %zu: burst at %.4f s, planned %.4f s (%+.1f ms, "
                           "tolerance %.1f ms)\n", i, onset[best], want, e * 1000, tol * 1000);
                else
                    printf("FAIL: segment %zu: no burst near %.4f s\n", i, want);
            }
            missing++;
            continue;
        }
        used[best] = 1;
        if (isnan(first_err))
            first_err = e;
        last_err = e;
        if (fabs(e) > worst)
            worst = fabs(e);
    }
    if (missing) {
        printf("FAIL: %zu of %zu bursts not at their planned time +- %.1f ms\n", missing,
               expected, tol * 1000);
        ret = 1;
    }
    size_t extra = 0;
    for (size_t j = 0; j < found; j++) {
        if (used[j])
            continue;
        if (extra < MAX_REPORT)
            printf("FAIL: sound starts at %.4f s where the plan has no speech start\n", onset[j]);
        extra++;
    }
    free(used);
    if (extra) {
        printf("FAIL: %zu unexpected sound onsets\n", extra);
        ret = 1;
    }

    /* Silent segments are silent, away from their edges. */
    double margin = vframe + aframe;
    size_t checked = 0, loud = 0;
    float loudest = 0.0f;
    for (size_t i = 0; i < tl.n; i++) {
        if (!job->seg[i].silent)
            continue;
        int64_t a0 = (int64_t)ceil((tl.out_start[i] + margin - au.start) * au.rate);
        int64_t a1 = (int64_t)floor((tl.out_start[i + 1] - margin - au.start) * au.rate);
        if (a0 < 0)
            a0 = 0;
        if (a1 > au.n)
            a1 = au.n;
        if (a1 <= a0)
            continue;
        checked++;
        float peak = 0.0f;
        for (int64_t s = a0; s < a1; s++)
            if (au.peak[s] > peak)
                peak = au.peak[s];
        if (peak > loudest)
            loudest = peak;
        if (peak >= QUIET_LEVEL) {
            if (loud < MAX_REPORT)
                printf("FAIL: silent segment %zu (%.4f-%.4f s) is not silent: peak %.1f dBFS\n",
                       i, tl.out_start[i], tl.out_start[i + 1], 20 * log10(peak));
            loud++;
        }
    }
    if (loud) {
        printf("FAIL: %zu of %zu silent segments have sound\n", loud, checked);
        ret = 1;
    }

    /* The track spans the video: starts at 0, ends with it. */
    double aend = vs_tmedia_audio_end(&au);
    double vend = vi.last_t - vi.first_t + vframe;
    if (fabs(au.start) > aframe + 1e-4) { /* timestamps are rounded (1/90000 s in MPEG-TS) */
        printf("FAIL: audio starts at %+.4f s from the first picture\n", au.start);
        ret = 1;
    }
    if (!no_end && fabs(aend - vend) > aframe + 1e-3) {
        printf("FAIL: audio ends at %.4f s, video at %.4f s (%+.1f ms, tolerance one audio "
               "frame = %.1f ms)\n", aend, vend, (aend - vend) * 1000, aframe * 1000);
        ret = 1;
    }
    if (au.gaps) {
        printf("FAIL: %lld audio frames do not follow on from the previous one\n",
               (long long)au.gaps);
        ret = 1;
    }
    char first_s[32] = "-", last_s[32] = "-";
    if (!isnan(first_err)) {
        snprintf(first_s, sizeof first_s, "%+.1f ms", first_err * 1000);
        snprintf(last_s, sizeof last_s, "%+.1f ms", last_err * 1000);
    }
    if (!quiet || ret)
        printf("%s: %s track %d (%s, %d Hz, %d ch): %zu/%zu bursts on time (first %s, "
               "last %s, worst %.1f ms), %zu silent segments checked (peak %.1f dBFS), "
               "audio %.4f-%.4f s, video %.4f-%.4f s\n",
               ret ? "FAIL" : "OK", out_path, track, au.codec, au.rate, au.channels,
               expected - missing, expected, first_s, last_s, worst * 1000,
               checked, loudest > 0 ? 20 * log10(loudest) : -INFINITY, au.start, aend,
               0.0, vend);
out:
    free(onset);
    vs_tmedia_audio_release(&au);
    vs_timeline_release(&tl);
    vs_job_free(&job);
    return ret;
}
