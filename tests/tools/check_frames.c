/* check_frames.c - vs-check-frames: is every output picture the right one?
 *
 * Usage: vs-check-frames JOB.json OUTPUT [--fps N/D] [--exact] [--dump FILE] [-q]
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
 *
 * --exact replaces the +-1 picture check with SPEC §4 to the letter, in
 * integer arithmetic of its own (not the worker's timeline code): the
 * planned input time of output picture k is computed as an exact rational
 * from the job's segments, and the picture shown must be the input picture
 * with the greatest timestamp <= that time (one stamped exactly at it
 * included), counted from the input's first presentation time (the
 * earliest audio or video start) plus the offset. Only where the planned
 * time falls within 1 ms of a picture's time (but not on it) may the
 * neighbour on the other side of that edge be shown instead. It also
 * counts the output pictures whose planned time is exactly a picture's
 * time (every 1x frame of a segment that starts on a picture), printed as
 * "on-picture N", so a test can make sure it exercised them.
 * --dump writes "k code" per output picture, for comparing angles.
 * Exit: 0 all good, 1 a check failed, 2 usage or unreadable files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "media/timeline.h"
#include "tmedia.h"

#define MAX_CODE 65536
#define MAX_REPORT 15
#define TIME_EPS 1e-4 /* seconds: a picture at t counts as current from t - eps */

typedef struct pics {
    int64_t n, cap;
    double *t;
    int64_t *ts;
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
        int64_t *nts = realloc(s->ts, (size_t)ncap * sizeof *nts);
        if (!nts)
            return -1;
        s->ts = nts;
        s->cap = ncap;
    }
    int c = vs_tmedia_read_code(p);
    if (c < 0)
        s->unreadable++;
    s->t[s->n] = p->t;
    s->code[s->n] = c;
    s->ts[s->n] = p->ts;
    s->n++;
    return 0;
}

static void pics_free(pics *s)
{
    free(s->t);
    free(s->code);
    free(s->ts);
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
    fprintf(stderr, "Usage: vs-check-frames JOB.json OUTPUT [--fps N/D] [--exact] [--dump FILE] [-q]\n");
}

/* ---- --exact ------------------------------------------------------------ */

typedef __int128 i128;
#define US 1000000

/* Index of the last input picture whose time a[] is <= b (0 when none). */
static int64_t last_at_or_before(const i128 *a, int64_t n, i128 b)
{
    int64_t lo = 0, hi = n - 1;
    if (a[0] > b)
        return 0;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo + 1) / 2;
        if (a[mid] <= b)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static double secs(i128 v, double unit)
{
    return (double)v / unit;
}

/* Output picture k must show exactly the planned input picture. Times are
 * counted in units of 1 / (US * fps_num * tb_den) s: the input picture
 * times (ts - origin) * tb - offset and the planned times k * den / num
 * mapped through the segments are then whole numbers (the segments' ends
 * are microseconds; a silent segment's output length L / speed is rounded
 * to a unit, which only moves times inside fast-forwarded stretches). */
static int check_exact(const vs_job *job, const pics *in, const pics *out,
                       const int *pos_of_code, const vs_tmedia_vinfo *ii,
                       int fps_num, int fps_den, int quiet)
{
    int64_t num = fps_num, den = fps_den, tbn = ii->tb_num, tbd = ii->tb_den;
    i128 per_s = (i128)US * num * tbd; /* units per second */
    i128 ms = per_s / 1000;
    double unit = (double)per_s;
    size_t n = job->n_seg;
    i128 *a = malloc((size_t)in->n * sizeof *a);
    i128 *out0 = malloc((n + 1) * sizeof *out0);
    int ret = 0;
    if (!a || !out0) {
        free(a);
        free(out0);
        fprintf(stderr, "vs-check-frames: out of memory\n");
        return 2;
    }
    int64_t off_us = llround(job->offset * US);
    for (int64_t j = 0; j < in->n; j++) {
        if (in->ts[j] == INT64_MIN) {
            fprintf(stderr, "vs-check-frames: %s: input picture %lld has no timestamp\n",
                    job->input, (long long)j);
            free(a);
            free(out0);
            return 2;
        }
        a[j] = (i128)(in->ts[j] - ii->origin_ts) * tbn * US * num - (i128)off_us * num * tbd;
    }
    /* Output start of each segment, in units. */
    out0[0] = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t len_us = llround(job->seg[i].end * US) - llround(job->seg[i].start * US);
        i128 len = (i128)len_us * num * tbd;
        out0[i + 1] = out0[i] + (job->seg[i].speed == 1.0
                                     ? len
                                     : (i128)llroundl((long double)len / job->seg[i].speed));
    }
    int64_t bad = 0, on_pic = 0, edge = 0;
    size_t si = 0;
    for (int64_t k = 0; k < out->n; k++) {
        i128 t = (i128)k * den * US * tbd;
        while (si + 1 < n && t >= out0[si + 1])
            si++;
        const vs_segment *s = &job->seg[si];
        i128 d = t - out0[si];
        i128 in0 = (i128)llround(s->start * US) * num * tbd;
        i128 in1 = (i128)llround(s->end * US) * num * tbd;
        i128 x = in0 + (s->speed == 1.0 ? d : (i128)llroundl((long double)d * s->speed));
        if (x > in1)
            x = in1;
        int64_t e = last_at_or_before(a, in->n, x);
        int64_t alt1 = -1, alt2 = -1; /* neighbours across an edge within 1 ms */
        if (a[e] == x) {
            on_pic++;
        } else if (a[e] < x) {
            if (x - a[e] < ms && e > 0)
                alt1 = e - 1;
            if (e + 1 < in->n && a[e + 1] - x < ms)
                alt2 = e + 1;
        }
        if (alt1 >= 0 || alt2 >= 0)
            edge++;
        int got = out->code[k];
        int64_t gp = got >= 0 ? pos_of_code[got] : -1;
        if (gp == e || (gp >= 0 && (gp == alt1 || gp == alt2)))
            continue;
        if (bad < MAX_REPORT)
            printf("FAIL: output picture %lld (segment %zu, %s %.4gx) shows %s %d (at %.6f s), "
                   "planned input time %.6f s is input picture %d (at %.6f s)\n",
                   (long long)k, si, s->silent ? "silent" : "speech", s->speed,
                   got < 0 ? "an unreadable picture" : "input picture", got,
                   gp >= 0 ? secs(a[gp], unit) : -1.0, secs(x, unit), in->code[e],
                   secs(a[e], unit));
        bad++;
    }
    if (bad) {
        printf("FAIL: %lld of %lld output pictures are not exactly the planned input picture\n",
               (long long)bad, (long long)out->n);
        ret = 1;
    }
    if (!quiet || ret)
        printf("%s: exact: %lld wrong, on-picture %lld, within 1 ms of an edge %lld, "
               "of %lld output pictures\n", ret ? "FAIL" : "OK", (long long)bad,
               (long long)on_pic, (long long)edge, (long long)out->n);
    free(a);
    free(out0);
    return ret;
}

int main(int argc, char **argv)
{
    const char *job_path = NULL, *out_path = NULL, *dump_path = NULL;
    int fps_num = 0, fps_den = 0, quiet = 0, exact = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--fps") && i + 1 < argc) {
            if (vs_tmedia_parse_rate(argv[++i], &fps_num, &fps_den) < 0) {
                usage();
                return 2;
            }
        } else if (!strcmp(argv[i], "--dump") && i + 1 < argc) {
            dump_path = argv[++i];
        } else if (!strcmp(argv[i], "--exact")) {
            exact = 1;
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

    if (exact) {
        int r = check_exact(job, &in, &out, pos_of_code, &iinfo, fps_num, fps_den, quiet);
        if (r > ret)
            ret = r;
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
