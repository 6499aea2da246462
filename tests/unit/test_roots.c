/* test_roots.c - confinement of job paths to the worker's roots, on a real
 * tree of temporary folders, files and symlinks: escapes through a
 * symlinked folder, a symlinked file, a sibling folder whose name extends
 * the root's, "..", relative paths, dangling links, and root setup
 * (--root, VS_ROOTS, the working-directory default, a missing root). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "job.h"
#include "roots.h"

/* The tree, under a fresh canonical temporary folder T:
 *   T/in/a.mp4                  a file inside the root
 *   T/in/sub/b.mp4              deeper
 *   T/in/inlink.mp4 -> T/in/a.mp4        symlink that stays inside
 *   T/in/evil.mp4   -> T/outside/secret.mp4   symlinked file escaping
 *   T/in/escdir     -> T/outside              symlinked folder escaping
 *   T/in/dangling   -> T/nowhere              dangling symlink
 *   T/in/fifo                   not a regular file
 *   T/in/out/                   the output folder (existing)
 *   T/in/out/old.mp4            an existing output
 *   T/in2/c.mp4                 sibling whose name extends "in"
 *   T/outside/secret.mp4        outside every root */
static char T[PATH_MAX];

static void path(char *buf, const char *rel)
{
    int n = snprintf(buf, PATH_MAX, "%s/%s", T, rel);
    if (n < 0 || n >= PATH_MAX)
        fail_msg("path too long: %s/%s", T, rel);
}

static void make_dir(const char *rel)
{
    char p[PATH_MAX];
    path(p, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static void make_file(const char *rel)
{
    char p[PATH_MAX];
    path(p, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("x", f);
    fclose(f);
}

static void make_link(const char *target_rel, const char *rel)
{
    char p[PATH_MAX], t[PATH_MAX];
    path(p, rel);
    path(t, target_rel);
    assert_int_equal(symlink(t, p), 0);
}

static int setup(void **state)
{
    char tmpl[] = "/tmp/vs_roots_XXXXXX";
    if (!mkdtemp(tmpl))
        return -1;
    if (!realpath(tmpl, T)) /* /tmp may itself be a symlink */
        return -1;
    make_dir("in");
    make_dir("in/sub");
    make_dir("in/out");
    make_dir("in2");
    make_dir("outside");
    make_file("in/a.mp4");
    make_file("in/sub/b.mp4");
    make_file("in/out/old.mp4");
    make_file("in2/c.mp4");
    make_file("outside/secret.mp4");
    make_link("in/a.mp4", "in/inlink.mp4");
    make_link("outside/secret.mp4", "in/evil.mp4");
    make_link("outside", "in/escdir");
    make_link("nowhere", "in/dangling");
    char p[PATH_MAX];
    path(p, "in/fifo");
    assert_int_equal(mkfifo(p, 0644), 0);
    return 0;
}

/* Removes DIR and everything below it, without following links. */
static int remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[PATH_MAX];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rc |= remove_tree(p);
        else
            rc |= unlink(p);
    }
    closedir(d);
    return rc | rmdir(dir);
}

static int teardown(void **state)
{
    return T[0] ? remove_tree(T) : 0;
}

/* A list with the single root T/in. */
static vs_roots *roots_in(void)
{
    char p[PATH_MAX], err[256] = "";
    vs_roots *r = vs_roots_new();
    assert_non_null(r);
    path(p, "in");
    if (vs_roots_add(r, p, err, sizeof err) != 0)
        fail_msg("add %s: %s", p, err);
    return r;
}

struct pcase {
    const char *rel;   /* under T; NULL = use raw */
    const char *raw;   /* a path used as is */
    int ok;            /* expected result */
    const char *why;   /* a substring of the reason when refused */
};

static void run_cases(const struct pcase *c, size_t n, int output)
{
    vs_roots *r = roots_in();
    for (size_t i = 0; i < n; i++) {
        char p[PATH_MAX], err[512] = "";
        const char *q = c[i].raw;
        if (c[i].rel) {
            path(p, c[i].rel);
            q = p;
        }
        int rc = output ? vs_roots_check_output(r, q, err, sizeof err)
                        : vs_roots_check_input(r, q, err, sizeof err);
        if (c[i].ok && rc != 0)
            fail_msg("%s %s refused: %s", output ? "output" : "input", q, err);
        if (!c[i].ok && rc == 0)
            fail_msg("%s %s accepted", output ? "output" : "input", q);
        if (!c[i].ok && !strstr(err, c[i].why))
            fail_msg("%s %s: reason \"%s\" lacks \"%s\"", output ? "output" : "input",
                     q, err, c[i].why);
    }
    vs_roots_free(&r);
    assert_null(r);
}

static void test_input(void **state)
{
    static const struct pcase c[] = {
        { "in/a.mp4", NULL, 1, NULL },
        { "in/sub/b.mp4", NULL, 1, NULL },
        { "in//sub/./b.mp4", NULL, 1, NULL },
        { "in/inlink.mp4", NULL, 1, NULL },            /* link that stays inside */
        { "in/evil.mp4", NULL, 0, "outside" },          /* symlinked file escaping */
        { "in/escdir/secret.mp4", NULL, 0, "outside" }, /* symlinked folder escaping */
        { "in2/c.mp4", NULL, 0, "outside" },            /* sibling prefix */
        { "outside/secret.mp4", NULL, 0, "outside" },
        { "in/../outside/secret.mp4", NULL, 0, "\"..\"" },
        { "in/sub/../a.mp4", NULL, 0, "\"..\"" },       /* even when it stays inside */
        { "in/sub/..", NULL, 0, "\"..\"" },
        { "in/missing.mp4", NULL, 0, "No such file" },
        { "outside/missing.mp4", NULL, 0, "outside" },  /* existence outside not told */
        { "in/dangling", NULL, 0, "No such file" },
        { "in/sub", NULL, 0, "not a regular file" },
        { "in/fifo", NULL, 0, "not a regular file" },
        { NULL, "in/a.mp4", 0, "not an absolute path" },
        { NULL, "./a.mp4", 0, "not an absolute path" },
        { NULL, "", 0, "empty path" },
        { NULL, "/etc/passwd", 0, "outside" },
        { NULL, "/", 0, "outside" },
    };
    run_cases(c, sizeof c / sizeof c[0], 0);
}

static void test_output(void **state)
{
    static const struct pcase c[] = {
        { "in/out/new.mp4", NULL, 1, NULL },
        { "in/out/old.mp4", NULL, 1, NULL },             /* existing file (overwrite) */
        { "in/new/deeper/x.mp4", NULL, 1, NULL },        /* folders to be created */
        { "in/x.mp4", NULL, 1, NULL },
        { "in/escdir/x.mp4", NULL, 0, "outside" },       /* through a symlinked folder */
        { "in/escdir/new/x.mp4", NULL, 0, "outside" },
        { "in/escdir/secret.mp4", NULL, 0, "outside" },  /* existing, through it */
        { "in/evil.mp4", NULL, 0, "symlink" },            /* output is a symlink */
        { "in/inlink.mp4", NULL, 0, "symlink" },          /* even one that stays inside */
        { "in/dangling", NULL, 0, "symlink" },            /* dangling: would create outside */
        { "in/dangling/x.mp4", NULL, 0, "No such file" }, /* under a dangling link */
        { "in2/x.mp4", NULL, 0, "outside" },              /* sibling prefix */
        { "in2/new/x.mp4", NULL, 0, "outside" },
        { "outside/x.mp4", NULL, 0, "outside" },
        { "nowhere/deep/x.mp4", NULL, 0, "outside" },     /* T itself is outside */
        { "in/../outside/x.mp4", NULL, 0, "\"..\"" },
        { "in/new/../x.mp4", NULL, 0, "\"..\"" },         /* ".." in the part to create */
        { "in/out", NULL, 0, "not a regular file" },      /* existing folder */
        { "in/out/", NULL, 0, "names a folder" },
        { "in/out/.", NULL, 0, "names a folder" },
        { "in/a.mp4/x.mp4", NULL, 0, "not a folder" },    /* under a file */
        { "in/fifo", NULL, 0, "not a regular file" },
        { NULL, "out/x.mp4", 0, "not an absolute path" },
        { NULL, "", 0, "empty path" },
        { NULL, "/x.mp4", 0, "outside" },
        { NULL, "/tmp/../etc/x", 0, "\"..\"" },
    };
    run_cases(c, sizeof c / sizeof c[0], 1);
}

static void test_resolved(void **state)
{
    vs_roots *r = roots_in();
    char p[PATH_MAX], want[PATH_MAX], err[256] = "";
    char *res = NULL;

    path(p, "in/inlink.mp4");
    assert_int_equal(vs_roots_resolve_input(r, p, &res, err, sizeof err), 0);
    path(want, "in/a.mp4");
    assert_string_equal(res, want);
    free(res);

    path(p, "in//new/./deeper//x.mp4");
    assert_int_equal(vs_roots_resolve_output(r, p, &res, err, sizeof err), 0);
    path(want, "in/new/deeper/x.mp4");
    assert_string_equal(res, want);
    free(res);

    path(p, "in/out/old.mp4");
    assert_int_equal(vs_roots_resolve_output(r, p, &res, err, sizeof err), 0);
    assert_string_equal(res, p);
    free(res);

    res = (char *)1;
    path(p, "in/evil.mp4");
    assert_int_equal(vs_roots_resolve_input(r, p, &res, err, sizeof err), -1);
    assert_null(res);
    vs_roots_free(&r);
}

/* Root "/" allows every absolute path; several roots are all honoured. */
static void test_several_roots(void **state)
{
    char p[PATH_MAX], err[256] = "";
    vs_roots *r = roots_in();
    path(p, "outside");
    assert_int_equal(vs_roots_add(r, p, err, sizeof err), 0);
    path(p, "in/");
    assert_int_equal(vs_roots_add(r, p, err, sizeof err), 0); /* duplicate once */
    assert_int_equal(vs_roots_count(r), 2);
    path(p, "outside/secret.mp4");
    assert_int_equal(vs_roots_check_input(r, p, err, sizeof err), 0);
    path(p, "in/evil.mp4"); /* now leads into another root: fine */
    assert_int_equal(vs_roots_check_input(r, p, err, sizeof err), 0);
    path(p, "in2/c.mp4");
    assert_int_equal(vs_roots_check_input(r, p, err, sizeof err), -1);
    vs_roots_free(&r);

    r = vs_roots_new();
    assert_int_equal(vs_roots_add(r, "/", err, sizeof err), 0);
    path(p, "in2/c.mp4");
    assert_int_equal(vs_roots_check_input(r, p, err, sizeof err), 0);
    path(p, "anywhere/x.mp4");
    assert_int_equal(vs_roots_check_output(r, p, err, sizeof err), 0);
    assert_int_equal(vs_roots_check_output(r, "/x.mp4", err, sizeof err), 0);
    path(p, "in/../x.mp4");
    assert_int_equal(vs_roots_check_output(r, p, err, sizeof err), -1);
    vs_roots_free(&r);

    /* An empty list allows nothing. */
    r = vs_roots_new();
    path(p, "in/a.mp4");
    assert_int_equal(vs_roots_check_input(r, p, err, sizeof err), -1);
    assert_int_equal(vs_roots_check_input(NULL, p, err, sizeof err), -1);
    vs_roots_free(&r);
    vs_roots_free(&r); /* NULL is fine */
    vs_roots_free(NULL);
}

static void test_within(void **state)
{
    static const struct {
        const char *root, *path;
        int in;
    } c[] = {
        { "/data/in", "/data/in", 1 },
        { "/data/in", "/data/in/a", 1 },
        { "/data/in", "/data/in/a/b", 1 },
        { "/data/in", "/data/in2", 0 },
        { "/data/in", "/data/in2/a", 0 },
        { "/data/in", "/data/i", 0 },
        { "/data/in", "/data", 0 },
        { "/data/in/", "/data/in/a", 1 },
        { "/data/in/", "/data/in2", 0 },
        { "/", "/anything", 1 },
        { "/", "/", 1 },
        { "/data/in", "data/in/a", 0 },
        { "data/in", "/data/in/a", 0 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        if (vs_roots_path_within(c[i].root, c[i].path) != c[i].in)
            fail_msg("within(%s, %s) != %d", c[i].root, c[i].path, c[i].in);
}

static void test_setup(void **state)
{
    char err[256] = "", buf[2 * PATH_MAX + 8], a[PATH_MAX], b[PATH_MAX], want[2 * PATH_MAX + 8];
    vs_roots *r = NULL;
    int dflt = -1;
    path(a, "in");
    path(b, "outside");

    /* --root and VS_ROOTS together; empty list entries skipped. */
    char env[2 * PATH_MAX + 8];
    snprintf(env, sizeof env, "::%s::%s:", b, a);
    const char *dirs[] = { a };
    assert_int_equal(vs_roots_setup(&r, dirs, 1, env, &dflt, err, sizeof err), 0);
    assert_int_equal(dflt, 0);
    assert_int_equal(vs_roots_count(r), 2);
    assert_string_equal(vs_roots_get(r, 0), a);
    assert_string_equal(vs_roots_get(r, 1), b);
    assert_null(vs_roots_get(r, 2));
    snprintf(want, sizeof want, "%s:%s", a, b);
    assert_string_equal(vs_roots_describe(r, buf, sizeof buf), want);
    vs_roots_describe(r, buf, 5); /* truncates */
    assert_int_equal(strlen(buf), 4);
    vs_roots_free(&r);

    /* Nothing configured: the working directory, and the caller is told. */
    char old[PATH_MAX];
    assert_non_null(getcwd(old, sizeof old));
    path(a, "in/sub");
    assert_int_equal(chdir(a), 0);
    assert_int_equal(vs_roots_setup(&r, NULL, 0, "", &dflt, err, sizeof err), 0);
    assert_int_equal(dflt, 1);
    assert_int_equal(vs_roots_count(r), 1);
    assert_string_equal(vs_roots_get(r, 0), a);
    path(a, "in/sub/b.mp4");
    assert_int_equal(vs_roots_check_input(r, a, err, sizeof err), 0);
    path(a, "in/a.mp4");
    assert_int_equal(vs_roots_check_input(r, a, err, sizeof err), -1);
    vs_roots_free(&r);
    /* A relative --root is taken from the working directory. */
    const char *rel[] = { "." };
    assert_int_equal(vs_roots_setup(&r, rel, 1, NULL, &dflt, err, sizeof err), 0);
    assert_int_equal(dflt, 0);
    path(a, "in/sub");
    assert_string_equal(vs_roots_get(r, 0), a);
    vs_roots_free(&r);
    assert_int_equal(chdir(old), 0);

    /* A root that does not exist, or is a file, is an error. */
    path(a, "missing");
    const char *bad[] = { a };
    assert_int_equal(vs_roots_setup(&r, bad, 1, NULL, &dflt, err, sizeof err), -1);
    assert_null(r);
    assert_non_null(strstr(err, "No such file"));
    snprintf(env, sizeof env, "%s/in:%s", T, a);
    assert_int_equal(vs_roots_setup(&r, NULL, 0, env, &dflt, err, sizeof err), -1);
    assert_null(r);
    path(a, "in/a.mp4");
    r = vs_roots_new();
    assert_int_equal(vs_roots_add(r, a, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a folder"));
    assert_int_equal(vs_roots_add(r, "", err, sizeof err), -1);
    assert_int_equal(vs_roots_count(r), 0);
    vs_roots_free(&r);
}

static void test_bounds(void **state)
{
    vs_roots *r = vs_roots_new();
    char err[256] = "";
    assert_int_equal(vs_roots_add(r, "/", err, sizeof err), 0);
    size_t n = (size_t)VS_JOB_MAX_PATH + 10;
    char *p = malloc(n + 1);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = i % 2 ? 'a' : '/';
    p[n] = '\0';
    assert_int_equal(vs_roots_check_input(r, p, err, sizeof err), -1);
    assert_non_null(strstr(err, "longer than"));
    assert_int_equal(vs_roots_check_output(r, p, err, sizeof err), -1);
    assert_non_null(strstr(err, "longer than"));
    assert_int_equal(vs_roots_check_input(r, NULL, err, sizeof err), -1);
    assert_int_equal(vs_roots_check_output(r, NULL, err, sizeof err), -1);
    /* A tiny or absent errstr is fine. */
    assert_int_equal(vs_roots_check_input(r, "rel", NULL, 0), -1);
    assert_int_equal(vs_roots_check_input(r, "rel", err, 1), -1);
    assert_string_equal(err, "");
    free(p);
    vs_roots_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input),
        cmocka_unit_test(test_output),
        cmocka_unit_test(test_resolved),
        cmocka_unit_test(test_several_roots),
        cmocka_unit_test(test_within),
        cmocka_unit_test(test_setup),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
