/* test_status.c - status messages: round trip of every kind, the examples
 * of docs/protocol.md, and each refusal of the reader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

#ifndef VS_SRC_DIR
#error "VS_SRC_DIR must name the source tree"
#endif

static vs_status sample(enum vs_status_kind k)
{
    vs_status st;
    memset(&st, 0, sizeof st);
    st.kind = k;
    strcpy(st.worker, "gpu3:4711:9f2c");
    strcpy(st.host, "gpu3");
    st.ts = 1767268800.125;
    strcpy(st.run_id, "run1");
    strcpy(st.job_id, "run1-0001");
    strcpy(st.file, "facecam.mp4");
    st.fraction = 0.5;
    st.fps = 412.5;
    st.out_duration = 233.4;
    st.frames = 5835;
    st.bytes = 48211734;
    strcpy(st.encoder, "h264_nvenc");
    st.seconds = 25.277;
    strcpy(st.error, "GPU busy \"quoted\"");
    st.slots = 3;
    st.busy = 2;
    strcpy(st.encoders, "h264_nvenc,libx264");
    strcpy(st.version, "0.1.0");
    st.paused_s = 12.5;
    strcpy(st.group, "vs-workers");
    strcpy(st.partitions, "0,2,4");
    st.stopping = 1;
    st.attempts = 2;
    st.rejected = 1;
    return st;
}

static void test_round_trip(void **state)
{
    for (int k = VS_ST_STARTED; k <= VS_ST_HEARTBEAT; k++) {
        vs_status in = sample((enum vs_status_kind)k), out;
        char *s = vs_status_to_json(&in), err[256] = "";
        assert_non_null(s);
        assert_null(strchr(s, '\n'));
        assert_true(strlen(s) < 400); /* small: the embedded broker keeps 5 MiB */
        if (vs_status_parse(s, strlen(s), &out, err, sizeof err) != 0)
            fail_msg("own output refused: %s\n%s", err, s);
        assert_int_equal(out.kind, k);
        assert_string_equal(out.worker, in.worker);
        assert_string_equal(out.host, in.host);
        assert_true(out.ts == in.ts);
        if (k == VS_ST_HEARTBEAT) {
            assert_string_equal(out.job_id, "");
            assert_int_equal(out.slots, 3);
            assert_int_equal(out.busy, 2);
            assert_string_equal(out.encoders, in.encoders);
            assert_string_equal(out.version, "0.1.0");
            assert_true(out.paused_s == 12.5);
            assert_string_equal(out.group, "vs-workers");
            assert_string_equal(out.partitions, "0,2,4");
            assert_int_equal(out.stopping, 1);
        } else {
            assert_string_equal(out.job_id, in.job_id);
            assert_string_equal(out.run_id, in.run_id);
            assert_string_equal(out.file, in.file);
            assert_int_equal(out.slots, 0); /* not carried by job messages */
        }
        if (k == VS_ST_PROGRESS) {
            assert_true(out.fraction == 0.5);
            assert_true(out.fps == 412.5);
        }
        if (k == VS_ST_DONE) {
            assert_true(out.out_duration == 233.4);
            assert_int_equal(out.frames, 5835);
            assert_int_equal(out.bytes, 48211734);
            assert_string_equal(out.encoder, "h264_nvenc");
            assert_true(out.seconds == 25.277);
        }
        /* skipped carries a reason when it has one (issue: the user's files) */
        if (k == VS_ST_FAILED || k == VS_ST_RETRY || k == VS_ST_SKIPPED)
            assert_string_equal(out.error, in.error);
        else
            assert_string_equal(out.error, "");
        if (k == VS_ST_SKIPPED) { /* no reason: no "error" member at all */
            vs_status plain = in;
            plain.error[0] = 0;
            char *j = vs_status_to_json(&plain);
            assert_non_null(j);
            assert_null(strstr(j, "\"error\""));
            free(j);
        }
        /* failed attempts: started, retry, failed; rejected: failed only */
        int with_attempts = k == VS_ST_STARTED || k == VS_ST_RETRY || k == VS_ST_FAILED;
        assert_int_equal(out.attempts, with_attempts ? 2 : 0);
        assert_int_equal(out.rejected, k == VS_ST_FAILED);
        assert_int_equal(strstr(s, "\"attempts\":2") != NULL, with_attempts);
        assert_int_equal(strstr(s, "\"rejected\":true") != NULL, k == VS_ST_FAILED);
        free(s);
    }
}

/* The optional url of a done status (--upload) comes back; absent when empty. */
static void test_done_url(void **state)
{
    (void)state;
    vs_status in = sample(VS_ST_DONE), out;
    char *s = vs_status_to_json(&in), err[256] = "";
    assert_non_null(s);
    assert_null(strstr(s, "\"url\""));
    free(s);
    snprintf(in.url, sizeof in.url, "https://dav.example.org/out/a.mp4");
    s = vs_status_to_json(&in);
    assert_non_null(s);
    if (vs_status_parse(s, strlen(s), &out, err, sizeof err) != 0)
        fail_msg("own output refused: %s\n%s", err, s);
    assert_string_equal(out.url, in.url);
    free(s);
    const char *bad = "{\"type\":\"done\",\"version\":1,\"worker\":\"w\",\"job_id\":\"j\","
                      "\"url\":5}";
    assert_int_equal(vs_status_parse(bad, strlen(bad), &out, err, sizeof err), -1);
}

static void test_kind_names(void **state)
{
    assert_string_equal(vs_status_kind_str(VS_ST_DONE), "done");
    assert_string_equal(vs_status_kind_str(VS_ST_HEARTBEAT), "heartbeat");
    assert_string_equal(vs_status_kind_str((enum vs_status_kind)99), "unknown");
}

/* Every line of the status example block in docs/protocol.md parses and
 * is written back identically. */
static void test_doc_examples(void **state)
{
    FILE *f = fopen(VS_SRC_DIR "/docs/protocol.md", "r");
    assert_non_null(f);
    char line[4096];
    int section = 0, block = 0, n = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "## ", 3))
            section = !strncmp(line, "## Status messages", 18);
        if (!section)
            continue;
        if (!strncmp(line, "```", 3)) {
            if (block)
                break;
            block = !strncmp(line, "```json", 7);
            continue;
        }
        if (!block)
            continue;
        line[strcspn(line, "\n")] = 0;
        vs_status st;
        char err[256] = "";
        if (vs_status_parse(line, strlen(line), &st, err, sizeof err) != 0)
            fail_msg("doc example refused: %s\n%s", err, line);
        char *back = vs_status_to_json(&st);
        assert_non_null(back);
        assert_string_equal(back, line);
        free(back);
        n++;
    }
    fclose(f);
    assert_int_equal(n, 8);
}

static void refused(const char *json, const char *why)
{
    vs_status st;
    char err[256] = "";
    if (vs_status_parse(json, strlen(json), &st, err, sizeof err) == 0)
        fail_msg("accepted: %s", json);
    if (!strstr(err, why))
        fail_msg("reason '%s' does not mention '%s' for %s", err, why, json);
}

static void test_refusals(void **state)
{
    refused("", "not a JSON object");
    refused("[1]", "not a JSON object");
    refused("{\"version\":1,\"worker\":\"w\"}", "\"type\"");
    refused("{\"type\":\"bogus\",\"version\":1,\"worker\":\"w\"}", "unknown type");
    refused("{\"type\":\"heartbeat\",\"version\":2,\"worker\":\"w\"}", "version");
    refused("{\"type\":\"heartbeat\",\"worker\":\"w\"}", "version");
    refused("{\"type\":\"heartbeat\",\"version\":1}", "\"worker\"");
    refused("{\"type\":\"done\",\"version\":1,\"worker\":\"w\"}", "\"job_id\"");
    refused("{\"type\":\"done\",\"version\":1,\"worker\":5,\"job_id\":\"j\"}", "\"worker\"");
    refused("{\"type\":\"done\",\"version\":1,\"worker\":\"w\",\"job_id\":\"j\",\"frames\":\"x\"}",
            "\"frames\"");
    refused("{\"type\":\"progress\",\"version\":1,\"worker\":\"w\",\"job_id\":\"j\",\"fraction\":1.5}",
            "fraction");
    refused("{\"type\":\"heartbeat\",\"version\":1,\"worker\":\"w\",\"stopping\":1}", "stopping");
    refused("{\"type\":\"heartbeat\",\"version\":1,\"worker\":\"w\",\"slots\":1e12}", "slots");
    refused("{\"type\":\"retry\",\"version\":1,\"worker\":\"w\",\"job_id\":\"j\",\"attempts\":-1}",
            "attempts");
    refused("{\"type\":\"retry\",\"version\":1,\"worker\":\"w\",\"job_id\":\"j\",\"attempts\":\"2\"}",
            "attempts");
    refused("{\"type\":\"failed\",\"version\":1,\"worker\":\"w\",\"job_id\":\"j\",\"rejected\":1}",
            "rejected");
    /* a string longer than its field */
    char big[400];
    snprintf(big, sizeof big, "{\"type\":\"heartbeat\",\"version\":1,\"worker\":\"%0200d\"}", 0);
    refused(big, "longer than");
    /* the size bound comes before parsing */
    size_t n = VS_STATUS_MAX_BYTES + 10;
    char *huge = malloc(n + 1);
    assert_non_null(huge);
    memset(huge, ' ', n);
    huge[0] = '{';
    huge[n - 1] = '}';
    huge[n] = 0;
    refused(huge, "limit");
    free(huge);
}

/* Older senders: no attempts, no rejected. */
static void test_old_failed(void **state)
{
    const char *j = "{\"type\":\"failed\",\"version\":1,\"worker\":\"w\",\"job_id\":\"j\","
                    "\"error\":\"x\"}";
    vs_status st;
    char err[256] = "";
    assert_int_equal(vs_status_parse(j, strlen(j), &st, err, sizeof err), 0);
    assert_int_equal(st.attempts, 0);
    assert_int_equal(st.rejected, 0);
}

static void test_unknown_fields_ignored(void **state)
{
    const char *j = "{\"type\":\"started\",\"version\":1,\"worker\":\"w\",\"job_id\":\"j\","
                    "\"later\":{\"x\":[1,2]}}";
    vs_status st;
    char err[256] = "";
    assert_int_equal(vs_status_parse(j, strlen(j), &st, err, sizeof err), 0);
    assert_int_equal(st.kind, VS_ST_STARTED);
    assert_string_equal(st.job_id, "j");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_done_url),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_doc_examples),
        cmocka_unit_test(test_old_failed),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_unknown_fields_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
