/* test_farm.c - vs-dash's view of the farm (dashboard/farm.c): statuses in,
 * /api/state JSON and /metrics text out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "farm.h"

#define NOW 1800000030.0 /* 30 s into a minute */

static vs_status st(enum vs_status_kind k, const char *worker, const char *job, double ts)
{
    vs_status s;
    memset(&s, 0, sizeof s);
    s.kind = k;
    snprintf(s.worker, sizeof s.worker, "%s", worker);
    snprintf(s.host, sizeof s.host, "h-%s", worker);
    snprintf(s.job_id, sizeof s.job_id, "%s", job ? job : "");
    snprintf(s.file, sizeof s.file, "%s.mp4", job ? job : "");
    s.ts = ts;
    return s;
}

static cJSON *state(vs_farm *f)
{
    char *js = vs_farm_json(f, NOW);
    assert_non_null(js);
    cJSON *o = cJSON_Parse(js);
    free(js);
    assert_non_null(o);
    return o;
}

static double num(cJSON *o, const char *path)
{
    /* "a.b": nested members */
    char buf[64];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *k = strtok(buf, "."); k; k = strtok(NULL, "."))
        o = cJSON_GetObjectItemCaseSensitive(o, k);
    assert_non_null(o);
    return cJSON_GetNumberValue(o);
}

static void test_lifecycle(void **state_)
{
    (void)state_;
    vs_farm *f = vs_farm_new(30);
    assert_non_null(f);
    vs_status hb = st(VS_ST_HEARTBEAT, "wA", NULL, NOW - 2);
    hb.slots = 2;
    hb.busy = 1;
    vs_farm_feed(f, &hb);
    vs_status old = st(VS_ST_HEARTBEAT, "wB", NULL, NOW - 100); /* stale */
    old.slots = 1;
    vs_farm_feed(f, &old);

    vs_status s = st(VS_ST_STARTED, "wA", "j1", NOW - 10);
    vs_farm_feed(f, &s);
    s = st(VS_ST_PROGRESS, "wA", "j1", NOW - 1);
    s.fraction = 0.5;
    s.fps = 200;
    vs_farm_feed(f, &s);
    s = st(VS_ST_STARTED, "wA", "j2", NOW - 9);
    vs_farm_feed(f, &s);
    s = st(VS_ST_RETRY, "wA", "j2", NOW - 8);
    s.attempts = 1;
    snprintf(s.error, sizeof s.error, "disk full; retrying");
    vs_farm_feed(f, &s);
    s = st(VS_ST_STARTED, "wA", "j3", NOW - 7);
    vs_farm_feed(f, &s);
    s = st(VS_ST_FAILED, "wA", "j3", NOW - 6);
    snprintf(s.error, sizeof s.error, "j3.mp4: unsupported picture size 0x0");
    vs_farm_feed(f, &s);
    s = st(VS_ST_DONE, "wA", "j4", NOW - 5);
    vs_farm_feed(f, &s);

    cJSON *o = state(f);
    cJSON *ws = cJSON_GetObjectItem(o, "workers");
    assert_int_equal(cJSON_GetArraySize(ws), 2);
    cJSON *wa = cJSON_GetArrayItem(ws, 0), *wb = cJSON_GetArrayItem(ws, 1);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(wa, "id")), "wA");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(wa, "alive")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(wb, "alive")));
    assert_int_equal((int)num(wa, "slots"), 2);

    cJSON *run = cJSON_GetObjectItem(o, "running");
    assert_int_equal(cJSON_GetArraySize(run), 1);
    cJSON *j1 = cJSON_GetArrayItem(run, 0);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j1, "job_id")), "j1");
    assert_true(num(j1, "fraction") == 0.5);
    assert_true(num(j1, "elapsed_s") == 10);
    cJSON *wait = cJSON_GetObjectItem(o, "waiting");
    assert_int_equal(cJSON_GetArraySize(wait), 1);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(wait, 0),
                                                                 "error")), "disk full; retrying");
    assert_int_equal((int)num(o, "queued"), 1);
    assert_int_equal((int)num(o, "totals.started"), 3);
    assert_int_equal((int)num(o, "totals.done"), 1);
    assert_int_equal((int)num(o, "totals.failed"), 1);
    assert_int_equal((int)num(o, "totals.retried"), 1);
    cJSON *fl = cJSON_GetObjectItem(o, "failures");
    assert_int_equal(cJSON_GetArraySize(fl), 1);
    cJSON *f0 = cJSON_GetArrayItem(fl, 0);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(f0, "file")),
                        "j3.mp4");
    cJSON *tp = cJSON_GetObjectItem(o, "throughput");
    assert_int_equal(cJSON_GetArraySize(tp), 60);
    assert_int_equal((int)num(cJSON_GetArrayItem(tp, 59), "done"), 1); /* this minute */
    cJSON_Delete(o);

    char *m = vs_farm_metrics(f, NOW);
    assert_non_null(m);
    assert_non_null(strstr(m, "\nvs_farm_workers 2\n"));
    assert_non_null(strstr(m, "\nvs_farm_workers_alive 1\n"));
    assert_non_null(strstr(m, "\nvs_farm_slots 2\n"));
    assert_non_null(strstr(m, "\nvs_farm_jobs_running 1\n"));
    assert_non_null(strstr(m, "\nvs_farm_jobs_done_total 1\n"));
    free(m);
    vs_farm_free(&f);
    assert_null(f);
}

/* Only the last VS_FARM_MAX_FAILURES failures are kept, newest first;
 * throughput forgets minutes older than an hour. */
static void test_bounds(void **state_)
{
    (void)state_;
    vs_farm *f = vs_farm_new(30);
    char id[32];
    for (int i = 0; i < VS_FARM_MAX_FAILURES + 5; i++) {
        snprintf(id, sizeof id, "f%d", i);
        vs_status s = st(VS_ST_FAILED, "wA", id, NOW - 100 + i);
        vs_farm_feed(f, &s);
    }
    vs_status d = st(VS_ST_DONE, "wA", "old", NOW - 2 * 3600);
    vs_farm_feed(f, &d);
    cJSON *o = state(f);
    cJSON *fl = cJSON_GetObjectItem(o, "failures");
    assert_int_equal(cJSON_GetArraySize(fl), VS_FARM_MAX_FAILURES);
    snprintf(id, sizeof id, "f%d", VS_FARM_MAX_FAILURES + 4);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(fl, 0),
                                                                 "job_id")), id);
    cJSON *tp = cJSON_GetObjectItem(o, "throughput"), *p;
    int sum = 0;
    cJSON_ArrayForEach(p, tp)
        sum += (int)num(p, "done");
    assert_int_equal(sum, 0);
    cJSON_Delete(o);
    vs_farm_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests_name("farm", tests, NULL, NULL);
}
