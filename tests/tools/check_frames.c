/* check_frames.c - vs-check-frames: is every output picture the right one?
 *
 * Usage: vs-check-frames JOB.json OUTPUT [--fps N/D] [--dump FILE] [-q]
 *
 * Decodes the job's input and OUTPUT, reads the frame number coded in each
 * picture (fixtures from tests/media/gen_fixtures.sh), and checks SPEC §4:
 *   - OUTPUT is constant frame rate at the input's frame rate (r_frame_rate,
 *     or --fps);
 *   - it has round(total * fps) pictures, +-1;
 *   - output picture k shows the input picture current at input time
 *     offset + in_time(k / fps), +-1 input picture (by position in the
 *     input's own list of pictures, so variable frame rate inputs work).
 * Times count from each file's first picture.
 * --dump writes "k code" per output picture, for comparing angles.
 * Exit: 0 all good, 1 a check failed, 2 usage or unreadable files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "timeline.h"
#include "tmedia.h"

#define MAX_CODE 65536
#define MAX_REPORT 15
#define TIME_EPS 1e-4 /* seconds: a picture at t counts as current from t - eps */

typedef struct pics {
    int64_t n, cap;
    double *t;
    int *code;
    int64_t unreadable;
} pics;

static int collect(const vs_tmedia_pic *p, void *opaque)
{
    pics *s = opaque;
    if (s->n == s->cap) {
        int64_t ncap = s->cap ? s->cap * 2 : 1024;
        double *nt = realloc(s->t, (size_t)ncap * sizeof *nt);
        if (!nt)
            return -1;
        s->t = nt;
        int *nc = realloc(s->code, (size_t)ncap * sizeof *nc);
        if (!nc)
            return -1;
        s->code = nc;
        s->cap = ncap;
    }
    int c = vs_tmedia_read_code(p);
    if (c < 0)
        s->unreadable++;
    s->t[s->n] = p->t;
    s->code[s->n] = c;
    s->n++;
    return 0;
}

static void pics_free(pics *s)
{
    free(s->t);
    free(s->code);
    memset(s, 0, sizeof *s);
}

/* Index of the last input picture with t <= x + eps (0 when none). */
static int64_t current_at(const pics *in, double x)
{
    int64_t lo = 0, hi = in->n - 1;
    if (in->t[0] > x + TIME_EPS)
        return 0;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo + 1) / 2;
        if (in->t[mid] <= x + TIME_EPS)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static int sorted_by_time(const pics *s)
{
    for (int64_t i = 1; i < s->n; i++)
        if (s->t[i] < s->t[i - 1])
            return 0;
    return 1;
}

static void usage(void)
{
    fprintf(stderr, "Usage: vs-check-frames JOB.json OUTPUT [--fps N/D] [--dump FILE] [-q]\n");
}

int main(int argc, char **argv)
{
    const char *job_path = NULL, *out_path = NULL, *dump_path = NULL;
    int fps_num = 0, fps_den = 0, quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--fps") && i + 1 < argc) {
            if (vs_tmedia_parse_rate(argv[++i], &fps_num, &fps_den) < 0) {
                usage();
                return 2;
            }
        } else if (!strcmp(argv[i], "--dump") && i + 1 < argc) {
            dump_path = argv[++i];
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
    if (!job_path || !out_path) {
        usage();
        return 2;
    }

    char err[1024];
    vs_job *job = NULL;
    vs_timeline tl = {0};
    pics in = {0}, out = {0};
    int *pos_of_code = NULL;
    int ret = 2;
    vs_tmedia_vinfo iinfo, oinfo;

    if (vs_job_load(job_path, &job, err, sizeof err) < 0 ||
        vs_timeline_init(&tl, job->seg, job->n_seg, err, sizeof err) < 0 ||
        vs_tmedia_video_scan(job->input, collect, &in, &iinfo, err, sizeof err) < 0 ||
        vs_tmedia_video_scan(out_path, collect, &out, &oinfo, err, sizeof err) < 0) {
        fprintf(stderr, "vs-check-frames: %s\n", err);
        goto out;
    }
    if (in.unreadable || !sorted_by_time(&in)) {
        fprintf(stderr, "vs-check-frames: %s: %lld input pictures without a readable "
                "frame number%s (not a test fixture?)\n", job->input,
                (long long)in.unreadable, sorted_by_time(&in) ? "" : ", or out of order");
        goto out;
    }
    if (!(pos_of_code = malloc(MAX_CODE * sizeof *pos_of_code))) {
        fprintf(stderr, "vs-check-frames: out of memory\n");
        goto out;
    }
    for (int c = 0; c < MAX_CODE; c++)
        pos_of_code[c] = -1;
    for (int64_t i = 0; i < in.n; i++)
        pos_of_code[in.code[i]] = (int)i;
    /* Times count from each file's first picture (an MKV muxer shifts
     * everything by the AAC priming delay, for instance). */
    for (int64_t i = in.n - 1; i >= 0; i--)
        in.t[i] -= in.t[0];
    for (int64_t k = out.n - 1; k >= 0; k--)
        out.t[k] -= out.t[0];
    if (!fps_num) {
        fps_num = iinfo.fps_num;
        fps_den = iinfo.fps_den;
    }
    if (fps_num <= 0 || fps_den <= 0) {
        fprintf(stderr, "vs-check-frames: %s: no frame rate\n", job->input);
        goto out;
    }
    ret = 0;
    double fps = (double)fps_num / fps_den, step = 1.0 / fps;

    /* Constant frame rate at the input's rate. */
    int64_t cfr_bad = 0, first_bad = -1;
    for (int64_t k = 0; k < out.n; k++) {
        if (fabs(out.t[k] - (double)k * fps_den / fps_num) > 0.5 * step) {
            if (first_bad < 0)
                first_bad = k;
            cfr_bad++;
        }
    }
    if (cfr_bad) {
        printf("FAIL: %lld output pictures off the %d/%d fps grid (first: picture %lld at "
               "%.4f s, grid %.4f s; output r_frame_rate %d/%d)\n",
               (long long)cfr_bad, fps_num, fps_den, (long long)first_bad,
               out.t[first_bad], (double)first_bad * step, oinfo.fps_num, oinfo.fps_den);
        ret = 1;
    }

    /* Frame count. */
    int64_t want = vs_timeline_frame_count(&tl, fps_num, fps_den);
    if (llabs(out.n - want) > 1) {
        printf("FAIL: %lld output pictures, expected %lld +-1 (%.4f s at %d/%d fps)\n",
               (long long)out.n, (long long)want, tl.total, fps_num, fps_den);
        ret = 1;
    }

    /* Every picture. */
    int64_t bad = 0, worst = 0;
    size_t cur = 0;
    for (int64_t k = 0; k < out.n; k++) {
        double t = (double)k * fps_den / fps_num;
        size_t si = vs_timeline_segment_at(&tl, t, &cur);
        size_t c2 = si;
        double tin = job->offset + vs_timeline_in_time(&tl, t, &c2);
        int64_t exp_pos = current_at(&in, tin);
        int got = out.code[k];
        int64_t got_pos = got >= 0 ? pos_of_code[got] : -1;
        int64_t dev = got_pos >= 0 ? llabs(got_pos - exp_pos) : INT64_MAX;
        if (got_pos >= 0 && dev > worst)
            worst = dev;
        if (dev > 1) {
            if (bad < MAX_REPORT)
                printf("FAIL: output picture %lld (%.4f s, segment %zu %s %.3gx) shows %s%d, "
                       "expected input picture %d (input time %.4f s)\n",
                       (long long)k, t, si, job->seg[si].silent ? "silent" : "speech",
                       job->seg[si].speed, got < 0 ? "an unreadable picture " : "input picture ",
                       got, in.code[exp_pos], tin);
            bad++;
        }
    }
    if (bad) {
        printf("FAIL: %lld of %lld output pictures are not the planned input picture +-1\n",
               (long long)bad, (long long)out.n);
        ret = 1;
    }

    if (dump_path) {
        FILE *f = fopen(dump_path, "w");
        if (!f) {
            perror(dump_path);
            ret = 2;
            goto out;
        }
        for (int64_t k = 0; k < out.n; k++)
            fprintf(f, "%lld %d\n", (long long)k, out.code[k]);
        fclose(f);
    }
    if (!quiet || ret)
        printf("%s: %s: %lld pictures (expected %lld) at %d/%d fps (%s), %zu segments, "
               "%lld wrong, worst error %lld picture(s)\n",
               ret ? "FAIL" : "OK", out_path, (long long)out.n, (long long)want,
               oinfo.fps_num, oinfo.fps_den, oinfo.codec, job->n_seg, (long long)bad,
               (long long)worst);
out:
    free(pos_of_code);
    pics_free(&in);
    pics_free(&out);
    vs_timeline_release(&tl);
    vs_job_free(&job);
    return ret;
}
