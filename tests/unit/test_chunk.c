/* test_chunk.c - the split of a video into chunks (common/chunk.c) and
 * the "part" of a job message (common/job.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "chunk.h"
#include "job.h"
#include "plan.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Chunks tile [0, n) exactly, in order, sizes within one frame. */
static void test_bounds(void **state)
{
    (void)state;
    static const struct { int64_t n; int count; } rows[] = {
        {295, 8}, {1, 1}, {7, 8}, {1000, 3}, {216000, 1000}, {8, 8}, {9, 2},
    };
    for (size_t r = 0; r < N(rows); r++) {
        int64_t prev_end = 0, lo = INT64_MAX, hi = 0;
        for (int i = 0; i < rows[r].count; i++) {
            int64_t a, b;
            vs_chunk_bounds(rows[r].n, i, rows[r].count, &a, &b);
            assert_int_equal(a, prev_end);
            assert_true(b >= a);
            lo = b - a < lo ? b - a : lo;
            hi = b - a > hi ? b - a : hi;
            prev_end = b;
        }
        assert_int_equal(prev_end, rows[r].n);
        assert_true(hi - lo <= 1);
    }
}

static void test_count(void **state)
{
    (void)state;
    static const struct { double out, chunk; int want; const char *what; } rows[] = {
        {600, 0, 1, "0: never split"},
        {600, 300, 2, "twice the chunk: 2"},
        {449, 300, 1, "under 1.5 chunks: not split"},
        {451, 300, 2, "over 1.5 chunks: 2"},
        {300, 300, 1, "one chunk long: not split"},
        {47.06, 5, 9, "47 s in 5 s chunks: 9"},
        {1e9, 1, VS_JOB_MAX_CHUNKS, "capped"},
    };
    for (size_t r = 0; r < N(rows); r++) {
        int got = vs_chunk_count(rows[r].out, rows[r].chunk);
        if (got != rows[r].want) {
            print_error("%s: got %d, want %d\n", rows[r].what, got, rows[r].want);
            fail();
        }
    }
}

static vs_job *whole_job(void)
{
    vs_segment seg[] = {{0, 2, 1, 0}, {2, 10, 4, 1}, {10, 12, 1, 0}};
    vs_plan plan = {.seg = seg, .n = 3, .in_duration = 12, .out_duration = 6};
    vs_job *j = vs_job_new("video-1", "run-1", "/in/a.mp4", "/out/a.mp4", 0, &plan);
    assert_non_null(j);
    j->indicator = 1;
    return j;
}

/* Every part round-trips through the message, keeps the plan, and carries
 * version 2 (which older workers refuse). */
static void test_split_round_trip(void **state)
{
    (void)state;
    vs_job *w = whole_job(), *parts[5] = {0};
    char err[256];
    assert_int_equal(vs_chunk_split(w, "video-1", 4, parts, &parts[4]), 0);
    for (int i = 0; i <= 4; i++) {
        char *json = vs_job_to_json(parts[i]);
        assert_non_null(json);
        assert_non_null(strstr(json, "\"version\":2"));
        vs_job *back = NULL;
        assert_int_equal(vs_job_parse(json, strlen(json), &back, err, sizeof err), 0);
        assert_int_equal(back->part.kind, i < 4 ? VS_JOB_CHUNK : VS_JOB_JOIN);
        assert_string_equal(back->part.video, "video-1");
        assert_int_equal(back->part.count, 4);
        assert_int_equal(back->part.index, i < 4 ? i : 0);
        assert_int_equal(back->n_seg, 3);
        assert_int_equal(back->indicator, 1);
        assert_string_equal(back->output, "/out/a.mp4");
        free(json);
        vs_job_free(&back);
    }
    assert_string_equal(parts[2]->job_id, "video-1.c0002");
    assert_string_equal(parts[4]->job_id, "video-1.join");
    /* A whole job stays version 1, without "part". */
    char *json = vs_job_to_json(w);
    assert_non_null(strstr(json, "\"version\":1"));
    assert_null(strstr(json, "\"part\""));
    free(json);
    for (int i = 0; i <= 4; i++)
        vs_job_free(&parts[i]);
    assert_int_equal(vs_chunk_split(w, "video-1", 1, parts, &parts[1]), -1);
    vs_job_free(&w);
}

/* The reader refuses a part that does not add up. */
static void test_part_refused(void **state)
{
    (void)state;
    static const char *const base = "{\"type\":\"job\",\"version\":%d,\"job_id\":\"j\","
        "\"run_id\":\"r\",\"input\":\"/a.mp4\",\"output\":\"/o/a.mp4\",\"offset\":0,"
        "\"duration\":4,\"segments\":[[0,4,1]]%s}";
    static const struct { int version; const char *part; const char *want; } rows[] = {
        {1, ",\"part\":{\"kind\":\"join\",\"video\":\"v\",\"count\":2}", "needs version 2"},
        {2, "", "needs a \"part\""},
        {2, ",\"part\":{\"kind\":\"half\",\"video\":\"v\",\"count\":2}", "\"kind\""},
        {2, ",\"part\":{\"kind\":\"chunk\",\"video\":\"v\",\"count\":2,\"index\":2}", "\"index\""},
        {2, ",\"part\":{\"kind\":\"chunk\",\"video\":\"v\",\"count\":0,\"index\":0}", "\"count\""},
        {2, ",\"part\":{\"kind\":\"chunk\",\"video\":\"v\",\"count\":2,\"index\":0.5}", "\"index\""},
        {2, ",\"part\":{\"kind\":\"join\",\"count\":2}", "\"video\""},
        {2, ",\"part\":{\"kind\":\"join\",\"video\":\"v\",\"count\":1001}", "\"count\""},
        {3, ",\"part\":{\"kind\":\"join\",\"video\":\"v\",\"count\":2}", "version"},
    };
    for (size_t r = 0; r < N(rows); r++) {
        char msg[1024], err[256] = "";
        vs_job *j = NULL;
        snprintf(msg, sizeof msg, base, rows[r].version, rows[r].part);
        if (vs_job_parse(msg, strlen(msg), &j, err, sizeof err) == 0 || !strstr(err, rows[r].want)) {
            print_error("row %zu: %s (want a refusal naming %s)\n", r, err, rows[r].want);
            fail();
        }
        vs_job_free(&j);
    }
}

/* The pieces live in one hidden folder beside the output, per video. */
static void test_names(void **state)
{
    (void)state;
    char *d = vs_chunk_dir("/out/a.mp4", "v1"), *p = vs_chunk_piece("/out/a.mp4", "v1", 3),
         *d2 = vs_chunk_dir("/out/a.mp4", "v2");
    assert_non_null(d);
    assert_non_null(p);
    assert_int_equal(strncmp(d, "/out/.a.mp4.vs-pieces-", 22), 0);
    assert_int_equal(strncmp(p, d, strlen(d)), 0);
    assert_string_equal(p + strlen(d), "/0003.mp4");
    assert_string_not_equal(d, d2);
    free(d);
    free(d2);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_split_round_trip),
        cmocka_unit_test(test_part_refused),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
