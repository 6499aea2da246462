/* test_timeline.c - the shared output clock: segment starts, frame count,
 * boundary samples and frames, the input time shown at an output time,
 * the forward-only cursor, and no drift over 10000 segments (boundaries
 * are quantised from one sum, never added up per stream). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/timeline.h"

/* out: [0,5) speech, [5,6.25) silence 5 s at 4x, [6.25,16.25) speech. */
static const vs_segment three[] = {
    { 0, 5, 1, 0 }, { 5, 10, 4, 1 }, { 10, 20, 1, 0 },
};

static void test_out_start(void **state)
{
    vs_timeline tl;
    char err[128];
    assert_int_equal(vs_timeline_init(&tl, three, 3, err, sizeof err), 0);
    const double want[] = { 0, 5, 6.25, 16.25 };
    for (size_t i = 0; i < 4; i++)
        assert_true(tl.out_start[i] == want[i]);
    assert_true(tl.total == 16.25);
    assert_int_equal(tl.n, 3);
    vs_timeline_release(&tl);
    assert_null(tl.out_start);
    vs_timeline_release(&tl);
}

static void test_refusals(void **state)
{
    vs_timeline tl;
    char err[128];
    const vs_segment rev[] = { { 0, 5, 1, 0 }, { 5, 5, 4, 1 } };
    const vs_segment slow[] = { { 0, 5, 0.5, 1 } };
    const vs_segment fast[] = { { 0, 5, 1001, 1 } };
    const vs_segment nan[] = { { 0, NAN, 1, 0 } };
    assert_int_equal(vs_timeline_init(&tl, NULL, 0, err, sizeof err), -1);
    assert_int_equal(vs_timeline_init(&tl, rev, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "segment 1"));
    assert_int_equal(vs_timeline_init(&tl, slow, 1, err, sizeof err), -1);
    assert_int_equal(vs_timeline_init(&tl, fast, 1, err, sizeof err), -1);
    assert_int_equal(vs_timeline_init(&tl, nan, 1, err, sizeof err), -1);
}

static void test_frame_count_and_boundaries(void **state)
{
    vs_timeline tl;
    char err[128];
    assert_int_equal(vs_timeline_init(&tl, three, 3, err, sizeof err), 0);
    static const struct {
        int num, den;
        int64_t count, f1, f2;
    } t[] = {
        /* 16.25 s: 30 fps -> 487.5 -> 488; boundary 5 s = frame 150,
         * 6.25 s = 187.5 -> first frame at or after is 188. */
        { 30, 1, 488, 150, 188 },
        { 25, 1, 406, 125, 157 },          /* 406.25; 156.25 -> 157 */
        { 30000, 1001, 487, 150, 188 },    /* 487.01; 149.85 -> 150; 187.31 -> 188 */
        { 60, 1, 975, 300, 375 },
        { 24000, 1001, 390, 120, 150 },    /* 389.61; 119.88 -> 120; 149.85 -> 150 */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int64_t c = vs_timeline_frame_count(&tl, t[i].num, t[i].den);
        int64_t b0 = vs_timeline_boundary_frame(&tl, 0, t[i].num, t[i].den);
        int64_t b1 = vs_timeline_boundary_frame(&tl, 1, t[i].num, t[i].den);
        int64_t b2 = vs_timeline_boundary_frame(&tl, 2, t[i].num, t[i].den);
        int64_t b3 = vs_timeline_boundary_frame(&tl, 3, t[i].num, t[i].den);
        if (c != t[i].count || b0 != 0 || b1 != t[i].f1 || b2 != t[i].f2 || b3 != c)
            fail_msg("%d/%d: count %lld b %lld %lld %lld %lld, expected %lld 0 %lld %lld %lld",
                     t[i].num, t[i].den, (long long)c, (long long)b0, (long long)b1,
                     (long long)b2, (long long)b3, (long long)t[i].count,
                     (long long)t[i].f1, (long long)t[i].f2, (long long)t[i].count);
    }
    /* Samples: round(out_start * sr). */
    assert_int_equal(vs_timeline_boundary_sample(&tl, 0, 48000), 0);
    assert_int_equal(vs_timeline_boundary_sample(&tl, 1, 48000), 240000);
    assert_int_equal(vs_timeline_boundary_sample(&tl, 2, 48000), 300000);
    assert_int_equal(vs_timeline_boundary_sample(&tl, 3, 48000), 780000);
    assert_int_equal(vs_timeline_boundary_sample(&tl, 3, 44100), 716625);
    assert_int_equal(vs_timeline_boundary_sample(&tl, 2, 22050), 137813); /* 137812.5 */
    vs_timeline_release(&tl);
}

/* A boundary that is a whole frame time but carries a rounding error in
 * double (0.1 + 0.2) is a whole number of ticks: it maps to that frame. */
static void test_boundary_frame_exact(void **state)
{
    vs_timeline tl;
    char err[128];
    const vs_segment s[2] = { { 0, 0.1 + 0.2, 1, 0 }, { 0.1 + 0.2, 1.0, 1, 0 } };
    assert_true(s[0].end > 0.3); /* the premise */
    assert_int_equal(vs_timeline_init(&tl, s, 2, err, sizeof err), 0);
    assert_int_equal(tl.out_t[1], 300000);
    assert_int_equal(vs_timeline_boundary_frame(&tl, 1, 10, 1), 3);
    assert_int_equal(vs_timeline_boundary_frame(&tl, 2, 10, 1), 10);
    vs_timeline_release(&tl);
    /* A boundary really past a frame time goes to the next frame. */
    const vs_segment p[2] = { { 0, 0.300001, 1, 0 }, { 0.300001, 1.0, 1, 0 } };
    assert_int_equal(vs_timeline_init(&tl, p, 2, err, sizeof err), 0);
    assert_int_equal(vs_timeline_boundary_frame(&tl, 1, 10, 1), 4);
    vs_timeline_release(&tl);
    /* A last segment shorter than half a frame: 0.92 s and 0.93 s at
     * 10 fps. The count is round(9.3) = 9; its first frame would be 10,
     * which is clamped to the count so boundaries never decrease. */
    const vs_segment q[2] = { { 0, 0.92, 1, 0 }, { 0.92, 0.93, 1, 0 } };
    assert_int_equal(vs_timeline_init(&tl, q, 2, err, sizeof err), 0);
    assert_int_equal(vs_timeline_frame_count(&tl, 10, 1), 9);
    assert_int_equal(vs_timeline_boundary_frame(&tl, 1, 10, 1), 9);
    assert_int_equal(vs_timeline_boundary_frame(&tl, 2, 10, 1), 9);
    vs_timeline_release(&tl);
}

/* The planned input time of a frame is exact: at 30000/1001 fps a 1x
 * segment maps frame k to k * 1001 / 30000 s to the unit, so comparing it
 * with a picture stamped k * 1001 in 1/30000 finds that picture (a double
 * computation is a hair off for about a third of the frames). */
static void test_frame_in_exact(void **state)
{
    /* speech 0-5, silence 5-9 at 4x (1 s out), speech 9-20 */
    const vs_segment s[3] = { { 0, 5, 1, 0 }, { 5, 9, 4, 1 }, { 9, 20, 1, 0 } };
    vs_timeline tl;
    char err[128];
    assert_int_equal(vs_timeline_init(&tl, s, 3, err, sizeof err), 0);
    const AVRational rates[] = { { 30000, 1001 }, { 24000, 1001 }, { 60000, 1001 },
                                 { 25, 1 }, { 30, 1 }, { 50, 1 }, { 60, 1 } };
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        AVRational fps = rates[r];
        int64_t unit = (int64_t)VS_TL_HZ * fps.num; /* units per second */
        size_t cur = 0;
        int64_t n = vs_timeline_frame_count(&tl, fps.num, fps.den);
        for (int64_t k = 0; k < n; k++) {
            size_t seg = vs_timeline_frame_segment(&tl, k, fps, &cur);
            int64_t x = vs_timeline_frame_in(&tl, k, fps, seg);
            /* out time of k in units: k * den * HZ; segment starts 0, 5, 6 s */
            int64_t out = k * fps.den * (int64_t)VS_TL_HZ;
            int64_t want;
            if (out < 5 * unit)
                want = out;
            else if (out < 6 * unit)
                want = 5 * unit + (out - 5 * unit) * 4;
            else
                want = 9 * unit + (out - 6 * unit);
            size_t want_seg = out < 5 * unit ? 0 : out < 6 * unit ? 1 : 2;
            if (x != want || seg != want_seg)
                fail_msg("%d/%d frame %lld: in %lld seg %zu, expected %lld seg %zu", fps.num,
                         fps.den, (long long)k, (long long)x, seg, (long long)want, want_seg);
        }
    }
    vs_timeline_release(&tl);
}

static void test_in_time(void **state)
{
    vs_timeline tl;
    char err[128];
    assert_int_equal(vs_timeline_init(&tl, three, 3, err, sizeof err), 0);
    static const struct { double out, in; size_t seg; } t[] = {
        { 0, 0, 0 },       { 2.5, 2.5, 0 },   { 4.999, 4.999, 0 },
        { 5, 5, 1 },       { 5.5, 7, 1 },     { 6.2, 9.8, 1 },
        { 6.25, 10, 2 },   { 10, 13.75, 2 },  { 16.25, 20, 2 },
        { 99, 20, 2 }, /* past the end: clamped to the last input time */
    };
    size_t cur = 0;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t prev = cur;
        double in = vs_timeline_in_time(&tl, t[i].out, &cur);
        if (fabs(in - t[i].in) > 1e-9)
            fail_msg("in_time(%g) = %.9g, expected %g", t[i].out, in, t[i].in);
        size_t c2 = cur;
        size_t seg = vs_timeline_segment_at(&tl, t[i].out, &c2);
        assert_int_equal(seg, t[i].seg);
        assert_true(cur >= prev);
    }
    /* Before the start: segment 0, input 0. */
    size_t c0 = 0;
    assert_true(vs_timeline_in_time(&tl, -1, &c0) == 0);
    assert_int_equal(c0, 0);
    vs_timeline_release(&tl);
}

/* The cursor only moves forward; a time behind it still gets the right
 * answer; a NULL cursor works. */
static void test_cursor(void **state)
{
    enum { N = 1000 };
    vs_segment *s = calloc(N, sizeof *s);
    for (size_t i = 0; i < N; i++)
        s[i] = (vs_segment){ (double)i, (double)i + 1, i % 2 ? 8 : 1, i % 2 };
    vs_timeline tl;
    char err[128];
    assert_int_equal(vs_timeline_init(&tl, s, N, err, sizeof err), 0);

    size_t cur = 0, last = 0;
    for (double t = 0; t < tl.total; t += 0.01) {
        size_t i = vs_timeline_segment_at(&tl, t, &cur);
        assert_true(cur >= last);
        last = cur;
        assert_true(tl.out_start[i] <= t && t < tl.out_start[i + 1]);
    }
    /* Jump far ahead then look behind: answer right, cursor unmoved. */
    cur = 0;
    size_t far = vs_timeline_segment_at(&tl, tl.out_start[900] + 0.01, &cur);
    assert_int_equal(far, 900);
    assert_int_equal(cur, 900);
    size_t back = vs_timeline_segment_at(&tl, tl.out_start[17] + 0.01, &cur);
    assert_int_equal(back, 17);
    assert_int_equal(cur, 900);
    assert_int_equal(vs_timeline_segment_at(&tl, tl.out_start[500], NULL), 500);
    /* Exactly on a boundary: the segment that starts there. */
    for (size_t i = 0; i < N; i += 37) {
        size_t c = 0;
        assert_int_equal(vs_timeline_segment_at(&tl, tl.out_start[i], &c), i);
    }
    vs_timeline_release(&tl);
    free(s);
}

/* 10000 segments whose output lengths are not whole samples or frames
 * (0.0123 s = 590.4 samples at 48 kHz): every boundary sits where the
 * exact sum puts it. Adding per-segment rounded sample counts instead
 * would be 4000 samples off at the end. */
static void test_no_drift(void **state)
{
    enum { N = 10000 };
    vs_segment *s = calloc(N, sizeof *s);
    /* speech 0.0123 s at 1x, silence 0.0492 s at 4x: both 0.0123 s out. */
    double t = 0;
    for (size_t i = 0; i < N; i++) {
        double len = i % 2 ? 0.0492 : 0.0123;
        s[i] = (vs_segment){ t, t + len, i % 2 ? 4 : 1, (int)(i % 2) };
        t += len;
    }
    vs_timeline tl;
    char err[128];
    assert_int_equal(vs_timeline_init(&tl, s, N, err, sizeof err), 0);

    double sum = 0;
    for (size_t i = 0; i < N; i++)
        sum += (s[i].end - s[i].start) / s[i].speed;
    assert_int_equal(vs_timeline_boundary_sample(&tl, N, 48000), llround(sum * 48000));
    /* Against exact arithmetic: i * 0.0123 s = i * 590.4 samples. */
    for (size_t i = 0; i <= N; i++) {
        long double exact = (long double)i * 5904.0L / 10.0L;
        int64_t want = (int64_t)llroundl(exact);
        int64_t got = vs_timeline_boundary_sample(&tl, i, 48000);
        if (got != want)
            fail_msg("boundary %zu at sample %lld, expected %lld", i, (long long)got,
                     (long long)want);
    }
    assert_int_equal(vs_timeline_boundary_sample(&tl, N, 48000), 5904000);
    /* Video from the same clock: 123 s at 30 fps. */
    assert_int_equal(vs_timeline_frame_count(&tl, 30, 1), 3690);
    for (size_t i = 0; i <= N; i += 7) {
        int64_t f = vs_timeline_boundary_frame(&tl, i, 30, 1);
        double bt = (double)i * 0.0123; /* seconds */
        /* first frame at or after the boundary */
        assert_true((double)f / 30.0 >= bt - 1e-6);
        assert_true((double)(f - 1) / 30.0 < bt + 1e-6);
    }
    vs_timeline_release(&tl);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_start),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_frame_count_and_boundaries),
        cmocka_unit_test(test_boundary_frame_exact),
        cmocka_unit_test(test_frame_in_exact),
        cmocka_unit_test(test_in_time),
        cmocka_unit_test(test_cursor),
        cmocka_unit_test(test_no_drift),
    };
    return cmocka_run_group_tests_name("timeline", tests, NULL, NULL);
}
