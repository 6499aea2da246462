/* test_folder.c - the folder rules of SPEC §6 on a real temporary folder:
 * which files are videos (extension list, case, *.vad.json, regular files
 * only, sorted), which sidecar applies (given, the only one, none or
 * several listed), the output folder (never the input, created with
 * parents) and path helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folder.h"

static char root[256];

static void touch(const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    if (!f)
        fail_msg("cannot create %s", p);
    fclose(f);
}

static void mkdir_rel(const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static int setup(void **state)
{
    const char *base = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/vs-folder-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(root))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static void test_scan(void **state)
{
    mkdir_rel("in");
    touch("in/b.mp4");
    touch("in/A.MKV");
    touch("in/c.MoV");
    touch("in/d.webm");
    touch("in/e.avi");
    touch("in/notes.txt");
    touch("in/noext");
    touch("in/.mp4");         /* a hidden file named ".mp4" has no extension */
    touch("in/facecam.vad.json");
    mkdir_rel("in/dir.mp4");  /* a folder is not a video */
    char target[512], link[512];
    snprintf(target, sizeof target, "%s/in/b.mp4", root);
    snprintf(link, sizeof link, "%s/in/f.mp4", root);
    assert_int_equal(symlink(target, link), 0); /* a link to a file is */
    snprintf(link, sizeof link, "%s/in/g.mp4", root);
    assert_int_equal(symlink("/nonexistent/x.mp4", link), 0); /* a dangling one is not */

    char dir[512], err[512] = "";
    snprintf(dir, sizeof dir, "%s/in", root);
    vs_folder *f = NULL;
    if (vs_folder_scan(dir, NULL, NULL, &f, err, sizeof err) != 0)
        fail_msg("scan failed: %s", err);
    const char *want[] = { "A.MKV", "b.mp4", "c.MoV", "d.webm", "e.avi", "f.mp4" };
    size_t nw = sizeof want / sizeof want[0];
    if (f->n_videos != nw) {
        for (size_t i = 0; i < f->n_videos; i++)
            print_error("  %s\n", f->videos[i]);
        fail_msg("%zu videos, expected %zu", f->n_videos, nw);
    }
    for (size_t i = 0; i < nw; i++) {
        assert_string_equal(base(f->videos[i]), want[i]);
        assert_true(f->videos[i][0] == '/');
    }
    assert_string_equal(base(f->sidecar), "facecam.vad.json");
    assert_true(f->sidecar[0] == '/');
    assert_string_equal(f->dir, dir);
    vs_folder_free(&f);
    assert_null(f);
    vs_folder_free(&f);

    /* Configurable list, with spaces and dots, case-insensitive. */
    assert_int_equal(vs_folder_scan(dir, " .MP4 , txt", NULL, &f, err, sizeof err), 0);
    const char *want2[] = { "b.mp4", "f.mp4", "notes.txt" };
    assert_int_equal(f->n_videos, 3);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(base(f->videos[i]), want2[i]);
    vs_folder_free(&f);

    /* *.vad.json is never a video, even when "json" is listed. */
    assert_int_equal(vs_folder_scan(dir, "json", NULL, &f, err, sizeof err), 0);
    assert_int_equal(f->n_videos, 0);
    vs_folder_free(&f);
}

static void test_sidecar_choice(void **state)
{
    char dir[512], err[512] = "", given[512];
    vs_folder *f = NULL;

    mkdir_rel("none");
    touch("none/a.mp4");
    snprintf(dir, sizeof dir, "%s/none", root);
    assert_int_equal(vs_folder_scan(dir, NULL, NULL, &f, err, sizeof err), -1);
    assert_null(f);
    assert_non_null(strstr(err, "no *.vad.json"));
    assert_non_null(strstr(err, "--vad-json"));

    mkdir_rel("two");
    touch("two/a.mp4");
    touch("two/x.vad.json");
    touch("two/y.vad.json");
    snprintf(dir, sizeof dir, "%s/two", root);
    assert_int_equal(vs_folder_scan(dir, NULL, NULL, &f, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.vad.json"));
    assert_non_null(strstr(err, "y.vad.json"));
    assert_non_null(strstr(err, "--vad-json"));

    /* --vad-json picks one (may live elsewhere). */
    snprintf(given, sizeof given, "%s/two/y.vad.json", root);
    assert_int_equal(vs_folder_scan(dir, NULL, given, &f, err, sizeof err), 0);
    assert_string_equal(f->sidecar, given);
    assert_int_equal(f->n_videos, 1);
    vs_folder_free(&f);
    snprintf(dir, sizeof dir, "%s/none", root);
    assert_int_equal(vs_folder_scan(dir, NULL, given, &f, err, sizeof err), 0);
    assert_string_equal(f->sidecar, given);
    vs_folder_free(&f);

    /* A given sidecar that does not exist. */
    snprintf(given, sizeof given, "%s/nope.vad.json", root);
    assert_int_equal(vs_folder_scan(dir, NULL, given, &f, err, sizeof err), -1);
    assert_non_null(strstr(err, "nope.vad.json"));

    /* Not a folder. */
    snprintf(dir, sizeof dir, "%s/missing", root);
    assert_int_equal(vs_folder_scan(dir, NULL, NULL, &f, err, sizeof err), -1);
    assert_non_null(strstr(err, "missing"));
}

static void test_prepare_output(void **state)
{
    char in[512], out[512], err[512] = "";
    struct stat st;
    mkdir_rel("src");
    snprintf(in, sizeof in, "%s/src", root);

    /* The same folder, spelled several ways: refused. */
    const char *same[] = { "%s/src", "%s/src/", "%s/src/.", "%s/src/../src", "%s//src" };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        snprintf(out, sizeof out, same[i], root);
        if (vs_folder_prepare_output(in, out, err, sizeof err) != -1)
            fail_msg("%s accepted as output of %s", out, in);
        assert_non_null(strstr(err, "input folder"));
    }
    /* Through a symlink: same inode, refused. */
    char link[512];
    snprintf(link, sizeof link, "%s/alias", root);
    assert_int_equal(symlink(in, link), 0);
    assert_int_equal(vs_folder_prepare_output(in, link, err, sizeof err), -1);
    assert_non_null(strstr(err, "input folder"));

    /* A new nested folder is created with its parents; inside the input is fine. */
    snprintf(out, sizeof out, "%s/src/out/deep/er", root);
    assert_int_equal(vs_folder_prepare_output(in, out, err, sizeof err), 0);
    assert_int_equal(stat(out, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* Existing: fine again. */
    assert_int_equal(vs_folder_prepare_output(in, out, err, sizeof err), 0);

    /* An existing file in the way. */
    touch("afile");
    snprintf(out, sizeof out, "%s/afile", root);
    assert_int_equal(vs_folder_prepare_output(in, out, err, sizeof err), -1);
    snprintf(out, sizeof out, "%s/afile/sub", root);
    assert_int_equal(vs_folder_prepare_output(in, out, err, sizeof err), -1);
}

static void test_mkdir_p(void **state)
{
    char p[512];
    snprintf(p, sizeof p, "%s/m/a/b/c/", root);
    assert_int_equal(vs_mkdir_p(p), 0);
    snprintf(p, sizeof p, "%s/m/a/b/c", root);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(vs_mkdir_p(p), 0);
    touch("m/file");
    snprintf(p, sizeof p, "%s/m/file", root);
    assert_int_equal(vs_mkdir_p(p), -1);
    assert_int_equal(errno, ENOTDIR);
}

static void test_abspath(void **state)
{
    static const struct { const char *in, *out; } t[] = {
        { "/", "/" },
        { "/a/b", "/a/b" },
        { "/a/b/", "/a/b" },
        { "//a///b", "/a/b" },
        { "/a/./b/.", "/a/b" },
        { "/a/b/../c", "/a/c" },
        { "/a/bc/../../d", "/d" },
        { "/..", "/" },
        { "/../a/..", "/" },
        { "/a/b/..", "/a" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *r = vs_abspath(t[i].in);
        assert_non_null(r);
        if (strcmp(r, t[i].out) != 0)
            fail_msg("abspath(%s) = %s, expected %s", t[i].in, r, t[i].out);
        free(r);
    }
    /* Relative paths are taken from the current folder. */
    char cwd[PATH_MAX], want[PATH_MAX + 8];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(want, sizeof want, "%s/x/y", strcmp(cwd, "/") == 0 ? "" : cwd);
    char *r = vs_abspath("./x/z/../y");
    assert_string_equal(r, want);
    free(r);
    assert_null(vs_abspath(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan),
        cmocka_unit_test(test_sidecar_choice),
        cmocka_unit_test(test_prepare_output),
        cmocka_unit_test(test_mkdir_p),
        cmocka_unit_test(test_abspath),
    };
    return cmocka_run_group_tests_name("folder", tests, setup, teardown);
}
