/* test_job.c - the job message: exact round trip (every double comes back
 * bit for bit), every refusal of the reader with its reason, the bounds,
 * and the example in docs/protocol.md, which must parse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "job.h"

#ifndef VS_SRC_DIR
#error "VS_SRC_DIR must name the source tree"
#endif

/* A job whose segments have awkward doubles (0.1 + 0.2, one ulp off). */
static vs_job *make_job(void)
{
    static vs_segment seg[4];
    double a = 0.1 + 0.2, b = nextafter(12.017, 20.0), c = 945.5 - 1e-13;
    seg[0] = (vs_segment){ 0.0, a, 1.0, 0 };
    seg[1] = (vs_segment){ a, b, 4.0, 1 };
    seg[2] = (vs_segment){ b, c, 233.37333333333333, 1 };
    seg[3] = (vs_segment){ c, 945.5, 1.0, 0 };
    vs_plan plan = { seg, 4, 945.5, 0 };
    for (size_t i = 0; i < 4; i++)
        plan.out_duration += (seg[i].end - seg[i].start) / seg[i].speed;
    vs_job *j = vs_job_new("run1-0003", "run1", "/nas/session/facecam.mp4",
                           "/nas/session/out/facecam.mp4", 12.5, &plan);
    assert_non_null(j);
    return j;
}

static void test_round_trip(void **state)
{
    vs_job *j = make_job(), *k = NULL;
    j->indicator = 1;
    j->codec = strdup("hevc");
    j->signature = strdup("00ff");
    char *s = vs_job_to_json(j);
    assert_non_null(s);
    assert_null(strchr(s, '\n')); /* one line */
    char err[256] = "";
    if (vs_job_parse(s, strlen(s), &k, err, sizeof err) != 0)
        fail_msg("own output refused: %s\n%s", err, s);
    assert_string_equal(k->job_id, j->job_id);
    assert_string_equal(k->run_id, j->run_id);
    assert_string_equal(k->input, j->input);
    assert_string_equal(k->output, j->output);
    assert_true(k->offset == j->offset);
    assert_true(k->duration == j->duration);
    assert_true(k->out_duration == j->out_duration);
    assert_int_equal(k->indicator, 1);
    assert_int_equal(k->overwrite, 0);
    assert_string_equal(k->codec, "hevc");
    assert_string_equal(k->signature, "00ff");
    assert_int_equal(k->n_seg, j->n_seg);
    for (size_t i = 0; i < j->n_seg; i++) {
        if (memcmp(&k->seg[i].start, &j->seg[i].start, sizeof(double)) ||
            memcmp(&k->seg[i].end, &j->seg[i].end, sizeof(double)) ||
            k->seg[i].speed != j->seg[i].speed)
            fail_msg("segment %zu changed: [%.17g, %.17g, %.17g] -> [%.17g, %.17g, %.17g]", i,
                     j->seg[i].start, j->seg[i].end, j->seg[i].speed,
                     k->seg[i].start, k->seg[i].end, k->seg[i].speed);
        assert_int_equal(k->seg[i].silent, j->seg[i].silent);
    }
    /* Serialising again gives the same text. */
    char *s2 = vs_job_to_json(k);
    assert_string_equal(s, s2);
    free(s2);
    free(s);
    vs_job_free(&j);
    vs_job_free(&k);
    assert_null(j);
    vs_job_free(&k);

    /* codec, signature null; short literal numbers stay short. */
    j = make_job();
    s = vs_job_to_json(j);
    assert_non_null(strstr(s, "\"codec\":null"));
    assert_non_null(strstr(s, "\"signature\":null"));
    assert_non_null(strstr(s, "\"offset\":12.5"));
    assert_non_null(strstr(s, "\"type\":\"job\",\"version\":1"));
    assert_int_equal(vs_job_parse(s, strlen(s), &k, err, sizeof err), 0);
    assert_null(k->codec);
    assert_null(k->signature);
    free(s);
    vs_job_free(&j);
    vs_job_free(&k);
}

#define J_HEAD "{\"type\":\"job\",\"version\":1,\"job_id\":\"j1\",\"run_id\":\"r1\"," \
               "\"input\":\"/in/a.mp4\",\"output\":\"/out/a.mp4\","
#define J_NUMS "\"offset\":0,\"duration\":20,"
#define J_SEGS "\"segments\":[[0,5,1],[5,10,4],[10,20,1]]"
#define J_OK   J_HEAD J_NUMS J_SEGS "}"

struct bad_case {
    const char *name;
    const char *json;
    const char *want; /* substring of the reason */
};

static const struct bad_case bad[] = {
    { "not JSON", "{\"type\":", "not JSON" },
    { "trailing data", J_OK "{}", "not JSON" },
    { "not an object", "[1,2,3]", "not a JSON object" },
    { "type missing", "{\"version\":1}", "\"type\"" },
    { "type status", "{\"type\":\"status\",\"version\":1}", "\"type\"" },
    { "version missing", "{\"type\":\"job\",\"job_id\":\"j\"}", "missing \"version\"" },
    { "version 3", "{\"type\":\"job\",\"version\":3}", "version" },
    { "version string", "{\"type\":\"job\",\"version\":\"1\"}", "version" },
    { "job_id missing", "{\"type\":\"job\",\"version\":1,\"run_id\":\"r\"}", "missing \"job_id\"" },
    { "job_id number", "{\"type\":\"job\",\"version\":1,\"job_id\":5}", "\"job_id\" must be a string" },
    { "job_id empty", "{\"type\":\"job\",\"version\":1,\"job_id\":\"\"}", "\"job_id\" is empty" },
    { "job_id control char", "{\"type\":\"job\",\"version\":1,\"job_id\":\"a\\nb\"}",
      "control character" },
    { "run_id missing", "{\"type\":\"job\",\"version\":1,\"job_id\":\"j\"}", "missing \"run_id\"" },
    { "input missing", "{\"type\":\"job\",\"version\":1,\"job_id\":\"j\",\"run_id\":\"r\"}",
      "missing \"input\"" },
    { "input relative", "{\"type\":\"job\",\"version\":1,\"job_id\":\"j\",\"run_id\":\"r\","
      "\"input\":\"in/a.mp4\",\"output\":\"/out/a.mp4\"}", "\"input\" must be an absolute path" },
    { "input ftp URL", "{\"type\":\"job\",\"version\":1,\"job_id\":\"j\",\"run_id\":\"r\","
      "\"input\":\"ftp://h/a.mp4\",\"output\":\"/out/a.mp4\"}", "absolute path or an http(s) URL" },
    { "input URL with credentials", "{\"type\":\"job\",\"version\":1,\"job_id\":\"j\","
      "\"run_id\":\"r\",\"input\":\"https://u:pw@h/a.mp4\",\"output\":\"/out/a.mp4\"}",
      "must not carry credentials" },
    { "input URL with a space", "{\"type\":\"job\",\"version\":1,\"job_id\":\"j\","
      "\"run_id\":\"r\",\"input\":\"http://h/a b.mp4\",\"output\":\"/out/a.mp4\"}",
      "space or control character" },
    { "input URL without host", "{\"type\":\"job\",\"version\":1,\"job_id\":\"j\","
      "\"run_id\":\"r\",\"input\":\"http:///a.mp4\",\"output\":\"/out/a.mp4\"}", "no host" },
    { "output relative", "{\"type\":\"job\",\"version\":1,\"job_id\":\"j\",\"run_id\":\"r\","
      "\"input\":\"/in/a.mp4\",\"output\":\"a.mp4\"}", "\"output\" must be an absolute path" },
    { "output null", "{\"type\":\"job\",\"version\":1,\"job_id\":\"j\",\"run_id\":\"r\","
      "\"input\":\"/in/a.mp4\",\"output\":null}", "\"output\" must be a string" },
    { "offset missing", J_HEAD "\"duration\":20," J_SEGS "}", "missing \"offset\"" },
    { "offset negative", J_HEAD "\"offset\":-1,\"duration\":20," J_SEGS "}", "\"offset\" is negative" },
    { "offset infinite", J_HEAD "\"offset\":1e999,\"duration\":20," J_SEGS "}", "\"offset\"" },
    { "offset string", J_HEAD "\"offset\":\"0\",\"duration\":20," J_SEGS "}", "\"offset\"" },
    { "duration missing", J_HEAD "\"offset\":0," J_SEGS "}", "missing \"duration\"" },
    { "duration zero", J_HEAD "\"offset\":0,\"duration\":0," J_SEGS "}", "\"duration\"" },
    { "indicator not bool", J_HEAD J_NUMS "\"indicator\":1," J_SEGS "}", "\"indicator\"" },
    { "overwrite not bool", J_HEAD J_NUMS "\"overwrite\":\"yes\"," J_SEGS "}", "\"overwrite\"" },
    { "codec unknown", J_HEAD J_NUMS "\"codec\":\"mpeg2\"," J_SEGS "}", "\"codec\"" },
    { "codec number", J_HEAD J_NUMS "\"codec\":264," J_SEGS "}", "\"codec\"" },
    { "signature number", J_HEAD J_NUMS "\"signature\":5," J_SEGS "}", "\"signature\"" },
    { "segments missing", J_HEAD J_NUMS "\"x\":0}", "missing \"segments\"" },
    { "segments not array", J_HEAD J_NUMS "\"segments\":{}}", "\"segments\" must be an array" },
    { "segments empty", J_HEAD J_NUMS "\"segments\":[]}", "\"segments\" is empty" },
    { "segment not an array", J_HEAD J_NUMS "\"segments\":[[0,5,1],7]}", "segments[1]" },
    { "segment of 2 numbers", J_HEAD J_NUMS "\"segments\":[[0,5,1],[5,20]]}", "segments[1]" },
    { "segment of 4 numbers", J_HEAD J_NUMS "\"segments\":[[0,5,1,1]]}", "segments[0]" },
    { "segment with a string", J_HEAD J_NUMS "\"segments\":[[0,\"5\",1]]}", "segments[0]" },
    { "segment infinite", J_HEAD J_NUMS "\"segments\":[[0,5,1],[5,1e999,1]]}",
      "segments[1] has a non-finite number" },
    { "segment negative", J_HEAD J_NUMS "\"segments\":[[-1,5,1]]}", "segments[0] has a negative" },
    { "segment reversed", J_HEAD J_NUMS "\"segments\":[[0,5,1],[5,4,1]]}", "segments[1] ends" },
    { "segment empty", J_HEAD J_NUMS "\"segments\":[[0,5,1],[5,5,1]]}", "segments[1] ends" },
    { "speed below 1", J_HEAD J_NUMS "\"segments\":[[0,5,1],[5,20,0.5]]}", "segments[1] speed" },
    { "speed above 1000", J_HEAD J_NUMS "\"segments\":[[0,5,1],[5,20,1001]]}", "segments[1] speed" },
    { "not starting at 0", J_HEAD J_NUMS "\"segments\":[[1,5,1],[5,20,1]]}", "not at 0" },
    { "gap", J_HEAD J_NUMS "\"segments\":[[0,5,1],[6,20,1]]}", "not contiguous" },
    { "overlap", J_HEAD J_NUMS "\"segments\":[[0,5,1],[4,20,1]]}", "not contiguous" },
    { "end not at duration", J_HEAD J_NUMS "\"segments\":[[0,5,1],[5,19,1]]}", "\"duration\"" },
    { "out_duration negative", J_HEAD J_NUMS "\"out_duration\":-3," J_SEGS "}", "out_duration" },
};

static void test_refusals(void **state)
{
    /* The base document itself is fine. */
    vs_job *j = NULL;
    char err[512] = "";
    if (vs_job_parse(J_OK, strlen(J_OK), &j, err, sizeof err) != 0)
        fail_msg("base document refused: %s", err);
    assert_int_equal(j->n_seg, 3);
    assert_int_equal(j->seg[1].silent, 1);
    assert_int_equal(j->seg[0].silent, 0);
    assert_true(j->out_duration == 5 + 1.25 + 10); /* computed when absent */
    assert_int_equal(j->indicator, 0);
    assert_int_equal(j->overwrite, 0);
    vs_job_free(&j);

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = (vs_job *)1;
        err[0] = '\0';
        int rc = vs_job_parse(bad[i].json, strlen(bad[i].json), &j, err, sizeof err);
        if (rc != -1 || j != NULL)
            fail_msg("%s: accepted", bad[i].name);
        if (strchr(err, '\n'))
            fail_msg("%s: reason is not one line: %s", bad[i].name, err);
        if (!strstr(err, bad[i].want))
            fail_msg("%s: reason \"%s\" lacks \"%s\"", bad[i].name, err, bad[i].want);
    }
}

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_bounds(void **state)
{
    char err[512] = "";
    vs_job *j = NULL;

    /* Longer than VS_JOB_MAX_BYTES: refused before parsing (so even
     * garbage gives the size reason, not "not JSON"). */
    char *big = repeat('x', VS_JOB_MAX_BYTES + 1);
    assert_int_equal(vs_job_parse(big, VS_JOB_MAX_BYTES + 1, &j, err, sizeof err), -1);
    assert_non_null(strstr(err, "larger than"));
    free(big);

    /* An id of VS_JOB_MAX_ID bytes is fine, one more is not. */
    size_t cap = 2 * VS_JOB_MAX_PATH + 1024;
    char *doc = malloc(cap);
    char *id = repeat('i', VS_JOB_MAX_ID);
    snprintf(doc, cap, "{\"type\":\"job\",\"version\":1,\"job_id\":\"%s\",\"run_id\":\"r\","
             "\"input\":\"/a\",\"output\":\"/b\"," J_NUMS J_SEGS "}", id);
    assert_int_equal(vs_job_parse(doc, strlen(doc), &j, err, sizeof err), 0);
    vs_job_free(&j);
    free(id);
    id = repeat('i', VS_JOB_MAX_ID + 1);
    snprintf(doc, cap, "{\"type\":\"job\",\"version\":1,\"job_id\":\"%s\",\"run_id\":\"r\","
             "\"input\":\"/a\",\"output\":\"/b\"," J_NUMS J_SEGS "}", id);
    assert_int_equal(vs_job_parse(doc, strlen(doc), &j, err, sizeof err), -1);
    assert_non_null(strstr(err, "\"job_id\" is longer than"));
    free(id);

    char *path = repeat('p', VS_JOB_MAX_PATH + 1);
    path[0] = '/';
    snprintf(doc, cap, "{\"type\":\"job\",\"version\":1,\"job_id\":\"j\",\"run_id\":\"r\","
             "\"input\":\"%s\",\"output\":\"/b\"," J_NUMS J_SEGS "}", path);
    assert_int_equal(vs_job_parse(doc, strlen(doc), &j, err, sizeof err), -1);
    assert_non_null(strstr(err, "\"input\" is longer than"));
    snprintf(doc, cap, "{\"type\":\"job\",\"version\":1,\"job_id\":\"j\",\"run_id\":\"r\","
             "\"input\":\"/a\",\"output\":\"%s\"," J_NUMS J_SEGS "}", path);
    assert_int_equal(vs_job_parse(doc, strlen(doc), &j, err, sizeof err), -1);
    assert_non_null(strstr(err, "\"output\" is longer than"));
    free(path);
    free(doc);

    /* VS_JOB_MAX_SEGMENTS segments are fine, one more is refused. */
    for (int extra = 0; extra <= 1; extra++) {
        size_t n = VS_JOB_MAX_SEGMENTS + (size_t)extra;
        size_t dcap = n * 32 + 512, len = 0;
        doc = malloc(dcap);
        assert_non_null(doc);
        len += (size_t)snprintf(doc, dcap, J_HEAD "\"offset\":0,\"duration\":%zu,\"segments\":[", n);
        for (size_t i = 0; i < n; i++)
            len += (size_t)snprintf(doc + len, dcap - len, "%s[%zu,%zu,%d]", i ? "," : "",
                                    i, i + 1, i % 2 ? 4 : 1);
        len += (size_t)snprintf(doc + len, dcap - len, "]}");
        assert_true(len <= VS_JOB_MAX_BYTES);
        int rc = vs_job_parse(doc, len, &j, err, sizeof err);
        if (extra == 0) {
            if (rc != 0)
                fail_msg("%zu segments refused: %s", n, err);
            assert_int_equal(j->n_seg, n);
            vs_job_free(&j);
        } else {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err, "at most"));
        }
        free(doc);
    }
}

static void test_buffer_handling(void **state)
{
    char err[256] = "";
    vs_job *j = NULL;
    /* Not NUL-terminated: only len bytes count. */
    size_t n = strlen(J_OK);
    char *buf = malloc(n + 10);
    memcpy(buf, J_OK, n);
    memcpy(buf + n, "junkjunk!", 10);
    assert_int_equal(vs_job_parse(buf, n, &j, err, sizeof err), 0);
    vs_job_free(&j);
    /* A terminating NUL inside len is tolerated, trailing whitespace too. */
    memcpy(buf + n, "\n", 2);
    assert_int_equal(vs_job_parse(buf, n + 2, &j, err, sizeof err), 0);
    vs_job_free(&j);
    free(buf);
    /* A NUL inside a string is not (it would cut "j1" short unseen). */
    const char nul_doc[] = "{\"type\":\"job\",\"version\":1,\"job_id\":\"j\0x\",\"run_id\":\"r1\","
                           "\"input\":\"/in/a.mp4\",\"output\":\"/out/a.mp4\"," J_NUMS J_SEGS "}";
    assert_int_equal(vs_job_parse(nul_doc, sizeof nul_doc - 1, &j, err, sizeof err), -1);
    assert_non_null(strstr(err, "NUL"));
    assert_int_equal(vs_job_parse("", 0, &j, err, sizeof err), -1);
    assert_int_equal(vs_job_parse(NULL, 0, &j, err, sizeof err), -1);

    /* Contiguity within 1e-6 is snapped exactly. */
    const char *near = J_HEAD J_NUMS "\"segments\":[[0,5,1],[5.0000004,20,4]]}";
    assert_int_equal(vs_job_parse(near, strlen(near), &j, err, sizeof err), 0);
    assert_true(j->seg[1].start == j->seg[0].end);
    vs_job_free(&j);
}

/* An http(s) input is a job the worker downloads first (issue 12). */
static void test_url_input(void **state)
{
    (void)state;
    const char *msg = "{\"type\":\"job\",\"version\":1,\"job_id\":\"j\",\"run_id\":\"r\","
                      "\"input\":\"https://media.example.org/in/my%20talk.mp4?v=2\","
                      "\"output\":\"/out/a.mp4\",\"offset\":0,\"duration\":20," J_SEGS "}";
    vs_job *j = NULL;
    char err[256] = "";
    if (vs_job_parse(msg, strlen(msg), &j, err, sizeof err) != 0)
        fail_msg("refused: %s", err);
    assert_string_equal(j->input, "https://media.example.org/in/my%20talk.mp4?v=2");
    assert_true(vs_job_input_is_url(j->input));
    vs_job_free(&j);
}

static void test_load(void **state)
{
    char path[] = "/tmp/vs-job-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, J_OK, strlen(J_OK)), (ssize_t)strlen(J_OK));
    close(fd);
    vs_job *j = NULL;
    char err[512] = "";
    assert_int_equal(vs_job_load(path, &j, err, sizeof err), 0);
    assert_string_equal(j->input, "/in/a.mp4");
    vs_job_free(&j);
    unlink(path);
    assert_int_equal(vs_job_load(path, &j, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
}

/* docs/protocol.md's first ```json block is a real job: it must parse. */
static void test_protocol_example(void **state)
{
    const char *doc_path = VS_SRC_DIR "/docs/protocol.md";
    FILE *f = fopen(doc_path, "rb");
    if (!f)
        fail_msg("cannot open %s", doc_path);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *start = strstr(text, "```json\n");
    if (!start)
        fail_msg("%s has no ```json block", doc_path);
    start += strlen("```json\n");
    char *end = strstr(start, "```");
    assert_non_null(end);
    vs_job *j = NULL;
    char err[512] = "";
    if (vs_job_parse(start, (size_t)(end - start), &j, err, sizeof err) != 0)
        fail_msg("the example in docs/protocol.md is refused: %s", err);
    assert_true(j->n_seg > 1);
    vs_job_free(&j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_buffer_handling),
        cmocka_unit_test(test_url_input),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_protocol_example),
    };
    return cmocka_run_group_tests_name("job", tests, NULL, NULL);
}
