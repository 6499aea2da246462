/* test_plan.c - the planner against every rule of SPEC §3, one table row
 * per rule: short and long silences, silence at the start and at the end,
 * touching intervals, truncation (beyond and within 1 s), the speed rule
 * (4x, L/4, the 1000x cap), merging of speech and the output length.
 * Each row is its own cmocka test, named after the rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#define EPS 1e-9
#define MAXN 8

struct exp_seg {
    double start, end, speed;
};

struct plan_case {
    const char *name;
    vs_interval iv[MAXN];
    size_t n_iv;
    double analyzed, d;
    struct exp_seg seg[MAXN];
    size_t n_seg;
    int warn;           /* a warning is expected */
    double out_duration; /* 0 = only check the sum of the expected segments */
};

static const struct plan_case cases[] = {
    { "no silence: one speech segment", { { 0, 0 } }, 0, 10, 10,
      { { 0, 10, 1 } }, 1, 0, 10 },
    { "short silence (1.5 s) becomes speech, merged with both neighbours",
      { { 5, 6.5 } }, 1, 10, 10, { { 0, 10, 1 } }, 1, 0, 10 },
    { "silence of exactly 2.0 s becomes speech", { { 5, 7 } }, 1, 10, 10,
      { { 0, 10, 1 } }, 1, 0, 10 },
    { "long silence gives its last 2 s to the following speech",
      { { 5, 12 } }, 1, 20, 20, { { 0, 5, 1 }, { 5, 10, 4 }, { 10, 20, 1 } }, 3, 0, 16.25 },
    { "silence at the start", { { 0, 8 } }, 1, 15, 15,
      { { 0, 6, 4 }, { 6, 15, 1 } }, 2, 0, 10.5 },
    { "silence at the end stays whole (no lead-in)", { { 10, 20 } }, 1, 20, 20,
      { { 0, 10, 1 }, { 10, 20, 4 } }, 2, 0, 12.5 },
    { "long silence at the end stays whole at L/4", { { 10, 50 } }, 1, 50, 50,
      { { 0, 10, 1 }, { 10, 50, 10 } }, 2, 0, 14 },
    { "short silence at the end stays silent", { { 9, 10 } }, 1, 10, 10,
      { { 0, 9, 1 }, { 9, 10, 4 } }, 2, 0, 9.25 },
    { "whole window silent", { { 0, 20 } }, 1, 20, 20, { { 0, 20, 5 } }, 1, 0, 4 },
    { "touching intervals: no zero-length speech between, first stays whole",
      { { 1, 3 }, { 3, 8 } }, 2, 10, 10,
      { { 0, 1, 1 }, { 1, 3, 4 }, { 3, 6, 4 }, { 6, 10, 1 } }, 4, 0, 0 },
    { "silence followed by a short silence: decided on the walk, stays whole",
      { { 2, 10 }, { 10, 11 } }, 2, 20, 20,
      { { 0, 2, 1 }, { 2, 10, 4 }, { 10, 20, 1 } }, 3, 0, 0 },
    { "truncation: analyzed 30 s, window 20 s: dropped and clamped, warned",
      { { 5, 8 }, { 15, 25 }, { 26, 29 } }, 3, 30, 20,
      { { 0, 5, 1 }, { 5, 6, 4 }, { 6, 15, 1 }, { 15, 20, 4 } }, 4, 1, 0 },
    { "truncation: an interval starting exactly at d is dropped",
      { { 5, 9 }, { 20, 25 } }, 2, 25, 20,
      { { 0, 5, 1 }, { 5, 7, 4 }, { 7, 20, 1 } }, 3, 1, 0 },
    { "truncation: window longer than analyzed, nothing to cut, warned",
      { { 5, 9 } }, 1, 10, 20, { { 0, 5, 1 }, { 5, 7, 4 }, { 7, 20, 1 } }, 3, 1, 0 },
    { "within 1 s: last end clamped to d, no warning",
      { { 15, 20.4 } }, 1, 20.5, 20, { { 0, 15, 1 }, { 15, 20, 4 } }, 2, 0, 16.25 },
    { "within 1 s: an interval starting after d is dropped, no warning",
      { { 5, 9 }, { 20.2, 20.5 } }, 2, 20.5, 20,
      { { 0, 5, 1 }, { 5, 7, 4 }, { 7, 20, 1 } }, 3, 0, 0 },
    { "exactly 1 s apart is not a mismatch", { { 5, 9 } }, 1, 21, 20,
      { { 0, 5, 1 }, { 5, 7, 4 }, { 7, 20, 1 } }, 3, 0, 0 },
    { "4x up to 10 s (L after lead-in is exactly 10)", { { 0, 12 } }, 1, 20, 20,
      { { 0, 10, 4 }, { 10, 20, 1 } }, 2, 0, 12.5 },
    { "L/4 above 10 s (L = 40 plays 4 s)", { { 0, 42 } }, 1, 50, 50,
      { { 0, 40, 10 }, { 40, 50, 1 } }, 2, 0, 14 },
    { "1000x cap (5000 s silence)", { { 0, 5002 } }, 1, 5010, 5010,
      { { 0, 5000, 1000 }, { 5000, 5010, 1 } }, 2, 0, 15 },
    { "two short silences: all speech merged into one segment",
      { { 2, 3 }, { 4, 5.5 } }, 2, 10, 10, { { 0, 10, 1 } }, 1, 0, 10 },
    { "lead-in, gap and short silence merged into one speech segment",
      { { 2, 10 }, { 11, 12 } }, 2, 20, 20,
      { { 0, 2, 1 }, { 2, 8, 4 }, { 8, 20, 1 } }, 3, 0, 15.5 },
    { "several silences: out_duration sums every segment",
      { { 1, 4 }, { 6, 30 }, { 31, 31.5 }, { 40, 60 } }, 4, 60, 60,
      { { 0, 1, 1 }, { 1, 2, 4 }, { 2, 6, 1 }, { 6, 28, 5.5 }, { 28, 40, 1 }, { 40, 60, 5 } },
      6, 0, 1 + 0.25 + 4 + 4 + 12 + 4 },
};

static void run_case(void **state)
{
    const struct plan_case *c = *state;
    vs_plan *p = NULL;
    char warn[256] = "untouched", err[256] = "";

    int rc = vs_plan_build(c->n_iv ? c->iv : NULL, c->n_iv, c->analyzed, c->d, &p,
                           warn, sizeof warn, err, sizeof err);
    if (rc != 0)
        fail_msg("%s: unexpected error: %s", c->name, err);
    assert_non_null(p);
    if (p->n != c->n_seg) {
        for (size_t i = 0; i < p->n; i++)
            print_error("  got [%g, %g, %g]\n", p->seg[i].start, p->seg[i].end, p->seg[i].speed);
        fail_msg("%s: %zu segments, expected %zu", c->name, p->n, c->n_seg);
    }
    double sum = 0;
    for (size_t i = 0; i < c->n_seg; i++) {
        const vs_segment *g = &p->seg[i];
        const struct exp_seg *e = &c->seg[i];
        if (fabs(g->start - e->start) > EPS || fabs(g->end - e->end) > EPS ||
            fabs(g->speed - e->speed) > EPS)
            fail_msg("%s: segment %zu is [%g, %g, %g], expected [%g, %g, %g]", c->name, i,
                     g->start, g->end, g->speed, e->start, e->end, e->speed);
        assert_int_equal(g->silent, e->speed != 1.0);
        sum += (e->end - e->start) / e->speed;
    }
    assert_true(fabs(p->in_duration - c->d) < EPS);
    assert_true(fabs(p->out_duration - sum) < 1e-9);
    if (c->out_duration > 0 && fabs(p->out_duration - c->out_duration) > 1e-9)
        fail_msg("%s: out_duration %.9f, expected %.9f", c->name, p->out_duration,
                 c->out_duration);
    if (c->warn) {
        if (warn[0] == '\0' || strcmp(warn, "untouched") == 0)
            fail_msg("%s: expected a truncation warning", c->name);
    } else if (warn[0] != '\0') {
        fail_msg("%s: unexpected warning: %s", c->name, warn);
    }
    vs_plan_free(&p);
    assert_null(p);
}

static void test_speed_rule(void **state)
{
    static const struct { double len, speed; } t[] = {
        { 0.1, 4 }, { 2, 4 }, { 9.99, 4 }, { 10, 4 }, { 10.4, 2.6 }, { 16, 4 },
        { 40, 10 }, { 400, 100 }, { 4000, 1000 }, { 4004, 1000 }, { 1e6, 1000 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double s = vs_plan_silence_speed(t[i].len);
        if (fabs(s - t[i].speed) > EPS)
            fail_msg("speed(%g) = %g, expected %g", t[i].len, s, t[i].speed);
    }
}

static void test_window(void **state)
{
    static const struct { double dur, off, pd, d; } t[] = {
        { 100, 0, 0, 100 },  { 100, 10, 0, 90 },  { 100, 10, 30, 30 },
        { 100, 10, 200, 90 }, { 100, 0, -1, 100 }, { 5, 10, 0, 0 }, { 5, 10, 3, 0 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double d = vs_plan_window(t[i].dur, t[i].off, t[i].pd);
        if (fabs(d - t[i].d) > EPS)
            fail_msg("window(%g, %g, %g) = %g, expected %g", t[i].dur, t[i].off, t[i].pd,
                     d, t[i].d);
    }
}

static void test_refusals(void **state)
{
    static const struct { const char *name; vs_interval iv[3]; size_t n; double d; } t[] = {
        { "empty window", { { 1, 2 } }, 1, 0 },
        { "negative window", { { 1, 2 } }, 1, -5 },
        { "NaN window", { { 1, 2 } }, 1, NAN },
        { "negative start", { { -1, 2 } }, 1, 10 },
        { "reversed", { { 3, 2 } }, 1, 10 },
        { "zero length", { { 3, 3 } }, 1, 10 },
        { "overlapping", { { 1, 4 }, { 3, 5 } }, 2, 10 },
        { "unsorted", { { 5, 6 }, { 1, 2 } }, 2, 10 },
        { "not finite", { { 1, INFINITY } }, 1, 10 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        vs_plan *p = NULL;
        char warn[128], err[256] = "";
        int rc = vs_plan_build(t[i].iv, t[i].n, 10, t[i].d, &p, warn, sizeof warn,
                               err, sizeof err);
        if (rc != -1 || p != NULL)
            fail_msg("%s: accepted", t[i].name);
        if (err[0] == '\0')
            fail_msg("%s: no reason given", t[i].name);
    }
}

/* The segments tile [0, d] exactly whatever the input. */
static void test_contiguous(void **state)
{
    vs_interval iv[200];
    double t = 0.3;
    for (size_t i = 0; i < 200; i++) {
        double gap = (i % 3) * 0.7, len = 0.5 + (double)((i * 37) % 29);
        iv[i].start = t + gap;
        iv[i].end = iv[i].start + len;
        t = iv[i].end;
    }
    vs_plan *p = NULL;
    char warn[128], err[128];
    assert_int_equal(vs_plan_build(iv, 200, t + 50, t + 50, &p, warn, sizeof warn,
                                   err, sizeof err), 0);
    assert_true(p->seg[0].start == 0.0);
    double sum = 0;
    for (size_t i = 0; i < p->n; i++) {
        assert_true(p->seg[i].end > p->seg[i].start);
        if (i > 0) {
            assert_true(p->seg[i].start == p->seg[i - 1].end);
            /* merged: two speech segments never touch */
            assert_false(!p->seg[i].silent && !p->seg[i - 1].silent);
        }
        assert_true(p->seg[i].speed >= 1.0 && p->seg[i].speed <= VS_MAX_SPEED);
        sum += (p->seg[i].end - p->seg[i].start) / p->seg[i].speed;
    }
    assert_true(p->seg[p->n - 1].end == t + 50);
    assert_true(fabs(sum - p->out_duration) < 1e-9);
    vs_plan_free(&p);
    vs_plan_free(&p); /* NULL-safe */
}

int main(void)
{
    size_t n_cases = sizeof cases / sizeof cases[0];
    struct CMUnitTest *tests = calloc(n_cases + 4, sizeof *tests);
    if (!tests)
        return 1;
    for (size_t i = 0; i < n_cases; i++) {
        tests[i].name = cases[i].name;
        tests[i].test_func = run_case;
        tests[i].initial_state = (void *)&cases[i];
    }
    tests[n_cases + 0] = (struct CMUnitTest)cmocka_unit_test(test_speed_rule);
    tests[n_cases + 1] = (struct CMUnitTest)cmocka_unit_test(test_window);
    tests[n_cases + 2] = (struct CMUnitTest)cmocka_unit_test(test_refusals);
    tests[n_cases + 3] = (struct CMUnitTest)cmocka_unit_test(test_contiguous);
    int rc = _cmocka_run_group_tests("plan", tests, n_cases + 4, NULL, NULL);
    free(tests);
    return rc;
}
