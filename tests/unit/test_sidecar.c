/* test_sidecar.c - the sidecar reader's checks (SPEC §2) and the writer.
 *
 * Every refusal is a table row: the document and the words its one-line
 * message must contain (file name, interval index, what is wrong). The
 * writer is checked by reading its output back, both with the reader and
 * as plain JSON (speech segments, rounding, no temporary file left). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "sidecar.h"

#define HEAD "{\"version\":1,\"detection\":{\"backend\":\"silero\",\"analyzed_duration\":300.07}," \
             "\"silence_intervals\":"

struct bad_case {
    const char *name;
    const char *json;
    const char *want[3]; /* substrings the message must contain */
};

static const struct bad_case bad[] = {
    { "not JSON", "{\"version\":1,", { "facecam.vad.json: ", "not valid JSON" } },
    { "trailing garbage", HEAD "[]} x", { "facecam.vad.json: ", "not valid JSON" } },
    { "not an object", "[1,2]", { "facecam.vad.json: ", "not a JSON object" } },
    { "version missing", "{\"detection\":{\"analyzed_duration\":1},\"silence_intervals\":[]}",
      { "facecam.vad.json: ", "missing \"version\"" } },
    { "version 2", "{\"version\":2,\"detection\":{\"analyzed_duration\":1},\"silence_intervals\":[]}",
      { "facecam.vad.json: ", "unsupported version 2" } },
    { "version a string", "{\"version\":\"1\",\"detection\":{\"analyzed_duration\":1},"
      "\"silence_intervals\":[]}", { "facecam.vad.json: ", "version" } },
    { "detection missing", "{\"version\":1,\"silence_intervals\":[]}",
      { "facecam.vad.json: ", "detection" } },
    { "analyzed_duration missing", "{\"version\":1,\"detection\":{},\"silence_intervals\":[]}",
      { "facecam.vad.json: ", "analyzed_duration" } },
    { "analyzed_duration negative",
      "{\"version\":1,\"detection\":{\"analyzed_duration\":-1},\"silence_intervals\":[]}",
      { "facecam.vad.json: ", "analyzed_duration" } },
    { "analyzed_duration a string",
      "{\"version\":1,\"detection\":{\"analyzed_duration\":\"300\"},\"silence_intervals\":[]}",
      { "facecam.vad.json: ", "analyzed_duration" } },
    { "analyzed_duration infinite",
      "{\"version\":1,\"detection\":{\"analyzed_duration\":1e999},\"silence_intervals\":[]}",
      { "facecam.vad.json: ", "analyzed_duration" } },
    { "silence_intervals missing", "{\"version\":1,\"detection\":{\"analyzed_duration\":1}}",
      { "facecam.vad.json: ", "missing \"silence_intervals\"" } },
    { "silence_intervals not an array", HEAD "{}}",
      { "facecam.vad.json: ", "must be an array" } },
    { "interval not a pair", HEAD "[[0,1],[2,3,4]]}",
      { "facecam.vad.json: ", "silence_intervals[1]: ", "pair" } },
    { "interval a number", HEAD "[[0,1],[2,3],5]}",
      { "facecam.vad.json: ", "silence_intervals[2]: ", "pair" } },
    { "interval with a string", HEAD "[[\"0\",1]]}",
      { "facecam.vad.json: ", "silence_intervals[0]: ", "pair" } },
    { "interval infinite", HEAD "[[0,1],[2,1e999]]}",
      { "facecam.vad.json: ", "silence_intervals[1]: ", "finite" } },
    { "negative interval", HEAD "[[0,1],[2,3],[-1.5,2]]}",
      { "facecam.vad.json: ", "silence_intervals[2]: ", "negative" } },
    { "reversed interval", HEAD "[[0,1],[2,3],[5,6],[12.5,11.0]]}",
      { "facecam.vad.json: silence_intervals[3]: reversed interval [12.5, 11.0]" } },
    { "zero-length interval", HEAD "[[0,1],[4,4]]}",
      { "facecam.vad.json: ", "silence_intervals[1]: ", "reversed interval [4.0, 4.0]" } },
    { "overlapping intervals", HEAD "[[0,1],[2,5],[4,6]]}",
      { "facecam.vad.json: ", "silence_intervals[2]: ", "overlapping" } },
    { "unsorted intervals", HEAD "[[0,1],[5,6],[2,3]]}",
      { "facecam.vad.json: ", "silence_intervals[2]: ", "unsorted" } },
};

static void test_refusals(void **state)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vs_sidecar *sc = (vs_sidecar *)1;
        char err[512] = "";
        int rc = vs_sidecar_parse(bad[i].json, strlen(bad[i].json), "facecam.vad.json",
                                  &sc, err, sizeof err);
        if (rc != -1 || sc != NULL)
            fail_msg("%s: accepted", bad[i].name);
        if (strchr(err, '\n'))
            fail_msg("%s: message is not one line: %s", bad[i].name, err);
        for (size_t k = 0; k < 3 && bad[i].want[k]; k++)
            if (!strstr(err, bad[i].want[k]))
                fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i].name, err, bad[i].want[k]);
    }
}

static const char good_doc[] =
    "{ \"version\": 1,\n"
    "  \"source\":    { \"file\": \"facecam.mp4\" },\n"
    "  \"detection\": { \"backend\": \"silero\", \"analyzed_duration\": 300.07,\n"
    "                 \"params\": { \"vad_threshold\": 0.75, \"offset\": 0.0, "
    "\"process_duration\": null } },\n"
    "  \"speech_segments\":   [[0.0, 12.017], [17.411, 22.07]],\n"
    "  \"silence_intervals\": [[12.017, 17.411], [22.07, 47.466], [47.466, 50]] }\n";

static void test_accepts_spec_example(void **state)
{
    vs_sidecar *sc = NULL;
    char err[256] = "";
    int rc = vs_sidecar_parse(good_doc, strlen(good_doc), "x.vad.json", &sc, err, sizeof err);
    if (rc != 0)
        fail_msg("refused: %s", err);
    assert_int_equal(sc->version, 1);
    assert_string_equal(sc->backend, "silero");
    assert_string_equal(sc->source_file, "facecam.mp4");
    assert_true(sc->analyzed_duration == 300.07);
    assert_int_equal(sc->n_silences, 3); /* touching [22.07,47.466],[47.466,50] is fine */
    assert_true(sc->silences[0].start == 12.017 && sc->silences[0].end == 17.411);
    assert_true(sc->silences[2].start == 47.466 && sc->silences[2].end == 50);
    vs_sidecar_free(&sc);
    assert_null(sc);
    vs_sidecar_free(&sc);

    /* Not NUL-terminated: only len bytes are read. */
    char buf[sizeof good_doc + 8];
    memcpy(buf, good_doc, strlen(good_doc));
    memcpy(buf + strlen(good_doc), "garbage", 8);
    rc = vs_sidecar_parse(buf, strlen(good_doc), "x.vad.json", &sc, err, sizeof err);
    assert_int_equal(rc, 0);
    vs_sidecar_free(&sc);

    /* Only version, analyzed_duration and silence_intervals are needed. */
    const char *min = "{\"version\":1,\"detection\":{\"analyzed_duration\":0},"
                      "\"silence_intervals\":[]}";
    rc = vs_sidecar_parse(min, strlen(min), "x.vad.json", &sc, err, sizeof err);
    assert_int_equal(rc, 0);
    assert_int_equal(sc->n_silences, 0);
    assert_null(sc->backend);
    assert_null(sc->source_file);
    vs_sidecar_free(&sc);
}

static char tmpdir[256];

static int make_tmpdir(void **state)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/vs-sidecar-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *de;
        char p[512];
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.' && (!de->d_name[1] || de->d_name[1] == '.'))
                continue;
            snprintf(p, sizeof p, "%s/%s", tmpdir, de->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(tmpdir);
    return 0;
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

static void test_load(void **state)
{
    char path[512], err[512] = "";
    vs_sidecar *sc = NULL;

    snprintf(path, sizeof path, "%s/facecam.vad.json", tmpdir);
    write_file(path, good_doc, strlen(good_doc));
    assert_int_equal(vs_sidecar_load(path, &sc, err, sizeof err), 0);
    assert_int_equal(sc->n_silences, 3);
    vs_sidecar_free(&sc);

    /* The message names the file. */
    const char *rev = HEAD "[[0,1],[3,2]]}";
    write_file(path, rev, strlen(rev));
    assert_int_equal(vs_sidecar_load(path, &sc, err, sizeof err), -1);
    assert_non_null(strstr(err, "facecam.vad.json: silence_intervals[1]: reversed"));

    snprintf(path, sizeof path, "%s/missing.vad.json", tmpdir);
    assert_int_equal(vs_sidecar_load(path, &sc, err, sizeof err), -1);
    assert_non_null(strstr(err, "missing.vad.json"));

    /* Over the size bound: refused before parsing. */
    snprintf(path, sizeof path, "%s/huge.vad.json", tmpdir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fseek(f, VS_SIDECAR_MAX_BYTES, SEEK_SET), 0);
    fputc(' ', f);
    fclose(f);
    assert_int_equal(vs_sidecar_load(path, &sc, err, sizeof err), -1);
    assert_non_null(strstr(err, "huge.vad.json"));
    assert_non_null(strstr(err, "larger than"));
    assert_null(sc);
}

static void test_too_many_intervals(void **state)
{
    size_t n = VS_SIDECAR_MAX_INTERVALS + 1;
    size_t cap = n * 24 + 256, len = 0;
    char *doc = malloc(cap);
    assert_non_null(doc);
    len += (size_t)snprintf(doc + len, cap - len, "%s[", HEAD);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(doc + len, cap - len, "%s[%zu,%zu.5]", i ? "," : "", i, i);
    len += (size_t)snprintf(doc + len, cap - len, "]}");
    vs_sidecar *sc = NULL;
    char err[256] = "";
    assert_int_equal(vs_sidecar_parse(doc, len, "big.vad.json", &sc, err, sizeof err), -1);
    assert_non_null(strstr(err, "too many"));
    free(doc);
}

static cJSON *read_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *j = cJSON_Parse(buf);
    assert_non_null(j);
    return j;
}

static void assert_pairs(const cJSON *arr, const double *want, size_t n)
{
    assert_true(cJSON_IsArray(arr));
    assert_int_equal(cJSON_GetArraySize(arr), n);
    for (size_t i = 0; i < n; i++) {
        const cJSON *p = cJSON_GetArrayItem(arr, (int)i);
        double s = cJSON_GetArrayItem(p, 0)->valuedouble, e = cJSON_GetArrayItem(p, 1)->valuedouble;
        if (s != want[2 * i] || e != want[2 * i + 1])
            fail_msg("pair %zu is [%.17g, %.17g], expected [%g, %g]", i, s, e,
                     want[2 * i], want[2 * i + 1]);
    }
}

static size_t count_entries(const char *dir)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    if (d)
        closedir(d);
    return n;
}

static void test_write_round_trip(void **state)
{
    char path[512], err[512] = "";
    const vs_interval sil[] = {
        { 12.0171, 17.4109 }, { 22.07, 47.4664 }, { 47.4664, 50.0004 }, { 60, 60.0002 },
        { 290, 300.07 },
    };
    snprintf(path, sizeof path, "%s/w.vad.json", tmpdir);
    size_t before = count_entries(tmpdir);
    assert_int_equal(vs_sidecar_write(path, "facecam.mp4", "silero", 300.0701, sil, 5,
                                      "{\"vad_threshold\":0.75}", err, sizeof err), 0);
    /* Only the final file appeared: the temporary one was renamed. */
    assert_int_equal(count_entries(tmpdir), before + 1);

    cJSON *j = read_json(path);
    assert_int_equal(cJSON_GetObjectItem(j, "version")->valueint, 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "source"), "file")->valuestring,
                        "facecam.mp4");
    cJSON *det = cJSON_GetObjectItem(j, "detection");
    assert_string_equal(cJSON_GetObjectItem(det, "backend")->valuestring, "silero");
    assert_true(cJSON_GetObjectItem(det, "analyzed_duration")->valuedouble == 300.07);
    assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(det, "params"),
                                    "vad_threshold")->valuedouble == 0.75);
    /* Rounded to 3 decimals; [60, 60.0002] rounds to nothing and is dropped. */
    const double want_sil[] = { 12.017, 17.411, 22.07, 47.466, 47.466, 50, 290, 300.07 };
    assert_pairs(cJSON_GetObjectItem(j, "silence_intervals"), want_sil, 4);
    const double want_sp[] = { 0, 12.017, 17.411, 22.07, 50, 290 };
    assert_pairs(cJSON_GetObjectItem(j, "speech_segments"), want_sp, 3);
    cJSON_Delete(j);

    vs_sidecar *sc = NULL;
    assert_int_equal(vs_sidecar_load(path, &sc, err, sizeof err), 0);
    assert_int_equal(sc->n_silences, 4);
    assert_true(sc->analyzed_duration == 300.07);
    vs_sidecar_free(&sc);

    /* No params: an empty object; trailing speech up to analyzed_duration. */
    const vs_interval one[] = { { 0, 5 } };
    assert_int_equal(vs_sidecar_write(path, NULL, "silencedetect", 8, one, 1, NULL,
                                      err, sizeof err), 0);
    j = read_json(path);
    det = cJSON_GetObjectItem(j, "detection");
    assert_true(cJSON_IsObject(cJSON_GetObjectItem(det, "params")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(det, "params")), 0);
    const double sp2[] = { 5, 8 };
    assert_pairs(cJSON_GetObjectItem(j, "speech_segments"), sp2, 1);
    cJSON_Delete(j);

    /* No silence at all: one speech segment over the whole duration. */
    assert_int_equal(vs_sidecar_write(path, "a.mp4", "silero", 8, NULL, 0, NULL,
                                      err, sizeof err), 0);
    j = read_json(path);
    const double sp3[] = { 0, 8 };
    assert_pairs(cJSON_GetObjectItem(j, "speech_segments"), sp3, 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "silence_intervals")), 0);
    cJSON_Delete(j);
}

static void test_write_refusals(void **state)
{
    char path[512], err[512] = "";
    snprintf(path, sizeof path, "%s/bad.vad.json", tmpdir);
    const vs_interval rev[] = { { 1, 2 }, { 5, 4 } };
    assert_int_equal(vs_sidecar_write(path, "a.mp4", "silero", 10, rev, 2, NULL,
                                      err, sizeof err), -1);
    assert_non_null(strstr(err, "silence_intervals[1]"));
    const vs_interval ovl[] = { { 1, 3 }, { 2, 4 } };
    assert_int_equal(vs_sidecar_write(path, "a.mp4", "silero", 10, ovl, 2, NULL,
                                      err, sizeof err), -1);
    assert_non_null(strstr(err, "silence_intervals[1]"));
    assert_int_equal(vs_sidecar_write(path, "a.mp4", "silero", 10, NULL, 0, "[1]",
                                      err, sizeof err), -1);
    assert_int_equal(access(path, F_OK), -1); /* nothing written */

    /* Unwritable folder: error, no file. */
    snprintf(path, sizeof path, "%s/no/such/dir/x.vad.json", tmpdir);
    assert_int_equal(vs_sidecar_write(path, "a.mp4", "silero", 10, NULL, 0, NULL,
                                      err, sizeof err), -1);
    assert_true(err[0] != '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_accepts_spec_example),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_too_many_intervals),
        cmocka_unit_test(test_write_round_trip),
        cmocka_unit_test(test_write_refusals),
    };
    return cmocka_run_group_tests_name("sidecar", tests, make_tmpdir, remove_tmpdir);
}
