/* roots.c - confines the paths of a job to the worker's roots (roots.h).
 *
 * Both checks first look at the path as written (absolute, bounded, no
 * ".." component), then at the file system: an input must resolve
 * (realpath, so every symlink is followed) to a regular file inside a
 * root; an output, which may not exist yet, must not be a symlink or a
 * folder itself, and the realpath of its deepest existing ancestor must
 * be a folder inside a root. "Inside" compares whole components: a root
 * /data/in contains /data/in/a.mp4 but not /data/in2/a.mp4. */
#include "roots.h"
#include "errstr.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "job.h"

struct vs_roots {
    char **dir; /* canonical, no trailing '/' except for "/" itself */
    size_t n, cap;
};

vs_roots *vs_roots_new(void)
{
    return calloc(1, sizeof(vs_roots));
}

void vs_roots_free(vs_roots **roots)
{
    if (!roots || !*roots)
        return;
    for (size_t i = 0; i < (*roots)->n; i++)
        free((*roots)->dir[i]);
    free((*roots)->dir);
    free(*roots);
    *roots = NULL;
}

size_t vs_roots_count(const vs_roots *roots)
{
    return roots ? roots->n : 0;
}

const char *vs_roots_get(const vs_roots *roots, size_t i)
{
    return roots && i < roots->n ? roots->dir[i] : NULL;
}

const char *vs_roots_describe(const vs_roots *roots, char *buf, size_t bufsz)
{
    if (!buf || bufsz == 0)
        return buf;
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; roots && i < roots->n && used < bufsz; i++) {
        int w = snprintf(buf + used, bufsz - used, "%s%s", i ? ":" : "", roots->dir[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return buf;
}

int vs_roots_path_within(const char *root, const char *path)
{
    if (!root || !path || root[0] != '/' || path[0] != '/')
        return 0;
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/')
        rl--;
    if (rl == 1) /* the root "/" */
        return 1;
    return strncmp(path, root, rl) == 0 && (path[rl] == '/' || path[rl] == '\0');
}

/* Takes ownership of canon (freed on every path). */
static int add_canonical(vs_roots *roots, char *canon, char *errstr, size_t errsz)
{
    for (size_t i = 0; i < roots->n; i++) {
        if (strcmp(roots->dir[i], canon) == 0) {
            free(canon);
            return 0;
        }
    }
    if (roots->n == roots->cap) {
        size_t cap = roots->cap ? roots->cap * 2 : 4;
        char **d = realloc(roots->dir, cap * sizeof *d);
        if (!d) {
            free(canon);
            vs_set_err(errstr, errsz, "roots: out of memory");
            return -1;
        }
        roots->dir = d;
        roots->cap = cap;
    }
    roots->dir[roots->n++] = canon;
    return 0;
}

int vs_roots_add(vs_roots *roots, const char *dir, char *errstr, size_t errsz)
{
    if (!roots || !dir || !dir[0]) {
        vs_set_err(errstr, errsz, "root: empty folder name");
        return -1;
    }
    char *canon = realpath(dir, NULL);
    if (!canon) {
        vs_set_err(errstr, errsz, "root %s: %s", dir, strerror(errno));
        return -1;
    }
    struct stat st;
    if (stat(canon, &st) != 0 || !S_ISDIR(st.st_mode)) {
        vs_set_err(errstr, errsz, "root %s: not a folder", dir);
        free(canon);
        return -1;
    }
    return add_canonical(roots, canon, errstr, errsz);
}

int vs_roots_add_list(vs_roots *roots, const char *list, char *errstr, size_t errsz)
{
    if (!list)
        return 0;
    char *copy = strdup(list);
    if (!copy) {
        vs_set_err(errstr, errsz, "roots: out of memory");
        return -1;
    }
    int rc = 0;
    char *p = copy;
    while (rc == 0 && p) {
        char *colon = strchr(p, ':');
        if (colon)
            *colon = '\0';
        if (*p)
            rc = vs_roots_add(roots, p, errstr, errsz);
        p = colon ? colon + 1 : NULL;
    }
    free(copy);
    return rc;
}

int vs_roots_add_cwd(vs_roots *roots, char *errstr, size_t errsz)
{
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) {
        vs_set_err(errstr, errsz, "root: working directory: %s", strerror(errno));
        return -1;
    }
    return vs_roots_add(roots, cwd, errstr, errsz);
}

int vs_roots_setup(vs_roots **out, const char *const *dirs, size_t n_dirs,
                   const char *env_list, int *defaulted, char *errstr, size_t errsz)
{
    *out = NULL;
    if (defaulted)
        *defaulted = 0;
    vs_roots *r = vs_roots_new();
    if (!r) {
        vs_set_err(errstr, errsz, "roots: out of memory");
        return -1;
    }
    for (size_t i = 0; i < n_dirs; i++)
        if (vs_roots_add(r, dirs[i], errstr, errsz) < 0)
            goto fail;
    if (vs_roots_add_list(r, env_list, errstr, errsz) < 0)
        goto fail;
    if (r->n == 0) {
        if (vs_roots_add_cwd(r, errstr, errsz) < 0)
            goto fail;
        if (defaulted)
            *defaulted = 1;
    }
    *out = r;
    return 0;
fail:
    vs_roots_free(&r);
    return -1;
}

/* ---- checks ---- */

/* The path as written: absolute, bounded, no ".." component. */
static int check_syntax(const char *what, const char *path, char *errstr, size_t errsz)
{
    if (!path || !path[0]) {
        vs_set_err(errstr, errsz, "%s: empty path", what);
        return -1;
    }
    if (strnlen(path, (size_t)VS_JOB_MAX_PATH + 1) > VS_JOB_MAX_PATH) {
        vs_set_err(errstr, errsz, "%s: path longer than %d bytes", what, VS_JOB_MAX_PATH);
        return -1;
    }
    if (path[0] != '/') {
        vs_set_err(errstr, errsz, "%s %s: not an absolute path", what, path);
        return -1;
    }
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            vs_set_err(errstr, errsz, "%s %s: \"..\" is not allowed in a path", what, path);
            return -1;
        }
        p += len;
    }
    return 0;
}

static int inside_roots(const vs_roots *roots, const char *canon)
{
    for (size_t i = 0; roots && i < roots->n; i++)
        if (vs_roots_path_within(roots->dir[i], canon))
            return 1;
    return 0;
}

/* The reason names the path as given, not where it leads: refusals may
 * be published on the status topic. */
static void outside_err(const char *what, const char *path, const char *canon,
                        char *errstr, size_t errsz)
{
    if (strcmp(path, canon) == 0)
        vs_set_err(errstr, errsz, "%s %s: outside the worker's roots", what, path);
    else
        vs_set_err(errstr, errsz, "%s %s: resolves outside the worker's roots", what, path);
}

int vs_roots_resolve_input(const vs_roots *roots, const char *path, char **resolved,
                           char *errstr, size_t errsz)
{
    if (resolved)
        *resolved = NULL;
    if (check_syntax("input", path, errstr, errsz) < 0)
        return -1;
    char *canon = realpath(path, NULL);
    if (!canon) {
        /* Say nothing about whether a file outside the roots exists. */
        if (!inside_roots(roots, path))
            vs_set_err(errstr, errsz, "input %s: outside the worker's roots", path);
        else
            vs_set_err(errstr, errsz, "input %s: %s", path, strerror(errno));
        return -1;
    }
    /* Placement first, so nothing is said about files outside the roots. */
    if (!inside_roots(roots, canon)) {
        outside_err("input", path, canon, errstr, errsz);
        free(canon);
        return -1;
    }
    struct stat st;
    if (stat(canon, &st) != 0 || !S_ISREG(st.st_mode)) {
        vs_set_err(errstr, errsz, "input %s: not a regular file", path);
        free(canon);
        return -1;
    }
    if (resolved)
        *resolved = canon;
    else
        free(canon);
    return 0;
}

/* Appends the components of rest to base (skipping empty ones and "."),
 * as a new string. */
static char *join_rest(const char *base, const char *rest)
{
    size_t bl = strlen(base), cap = bl + strlen(rest) + 2;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    memcpy(s, base, bl + 1);
    if (bl == 1) /* base "/" */
        bl = 0;
    for (const char *p = rest; *p;) {
        while (*p == '/')
            p++;
        size_t len = strcspn(p, "/");
        if (len > 0 && !(len == 1 && p[0] == '.')) {
            s[bl++] = '/';
            memcpy(s + bl, p, len);
            bl += len;
            s[bl] = '\0';
        }
        p += len;
    }
    if (s[0] == '\0') {
        s[0] = '/';
        s[1] = '\0';
    }
    return s;
}

int vs_roots_resolve_output(const vs_roots *roots, const char *path, char **resolved,
                            char *errstr, size_t errsz)
{
    char *anc = NULL, *canon = NULL;
    int rc = -1;
    if (resolved)
        *resolved = NULL;
    if (check_syntax("output", path, errstr, errsz) < 0)
        return -1;
    size_t len = strlen(path);
    const char *last = path + len;
    while (last > path && last[-1] != '/')
        last--;
    if (last[0] == '\0' || strcmp(last, ".") == 0) {
        vs_set_err(errstr, errsz, "output %s: names a folder, not a file", path);
        return -1;
    }

    struct stat st;
    if (lstat(path, &st) == 0) {
        /* Exists: it must be a plain file we may replace, not a link. */
        if (S_ISLNK(st.st_mode)) {
            vs_set_err(errstr, errsz, "output %s: is a symlink", path);
            return -1;
        }
        if (!(canon = realpath(path, NULL))) {
            vs_set_err(errstr, errsz, "output %s: %s", path, strerror(errno));
            return -1;
        }
        if (!inside_roots(roots, canon)) {
            outside_err("output", path, canon, errstr, errsz);
            goto out;
        }
        if (!S_ISREG(st.st_mode)) {
            vs_set_err(errstr, errsz, "output %s: exists and is not a regular file", path);
            goto out;
        }
        if (resolved) {
            *resolved = canon;
            canon = NULL;
        }
        rc = 0;
        goto out;
    }
    if (errno != ENOENT && errno != ENOTDIR) {
        vs_set_err(errstr, errsz, "output %s: %s", path, strerror(errno));
        return -1;
    }

    /* Walk up to the deepest ancestor that exists (lstat: a dangling
     * symlink exists, and realpath refuses it below). */
    if (!(anc = strdup(path))) {
        vs_set_err(errstr, errsz, "output: out of memory");
        return -1;
    }
    for (;;) {
        char *slash = strrchr(anc, '/');
        while (slash && slash > anc && slash[-1] == '/')
            slash--;
        if (!slash || slash == anc) {
            anc[1] = '\0'; /* "/" always exists */
            break;
        }
        *slash = '\0';
        if (lstat(anc, &st) == 0)
            break;
        if (errno != ENOENT && errno != ENOTDIR) {
            vs_set_err(errstr, errsz, "output %s: %s: %s", path, anc, strerror(errno));
            goto out;
        }
    }
    if (!(canon = realpath(anc, NULL))) {
        if (!inside_roots(roots, anc))
            vs_set_err(errstr, errsz, "output %s: outside the worker's roots", path);
        else
            vs_set_err(errstr, errsz, "output %s: folder %s: %s", path, anc, strerror(errno));
        goto out;
    }
    if (!inside_roots(roots, canon)) {
        outside_err("output", path, canon, errstr, errsz);
        goto out;
    }
    if (stat(canon, &st) != 0 || !S_ISDIR(st.st_mode)) {
        vs_set_err(errstr, errsz, "output %s: %s is not a folder", path, anc);
        goto out;
    }
    if (resolved) {
        size_t al = strcmp(anc, "/") == 0 ? 0 : strlen(anc);
        if (!(*resolved = join_rest(canon, path + al))) {
            vs_set_err(errstr, errsz, "output: out of memory");
            goto out;
        }
    }
    rc = 0;
out:
    free(anc);
    free(canon);
    return rc;
}

int vs_roots_check_input(const vs_roots *roots, const char *path, char *errstr, size_t errsz)
{
    return vs_roots_resolve_input(roots, path, NULL, errstr, errsz);
}

int vs_roots_check_output(const vs_roots *roots, const char *path, char *errstr, size_t errsz)
{
    return vs_roots_resolve_output(roots, path, NULL, errstr, errsz);
}

/* ---- path maps ---- */

/* Strips trailing slashes (but keeps "/"). Returns a new string. */
static char *clean_path(const char *p, size_t len)
{
    while (len > 1 && p[len - 1] == '/')
        len--;
    return strndup(p, len);
}

int vs_path_maps_add(vs_path_maps *c, const char *spec, char *errstr, size_t errsz)
{
    const char *eq = spec ? strchr(spec, '=') : NULL;
    if (!eq || spec[0] != '/' || eq[1] != '/') {
        vs_set_err(errstr, errsz, "--path-map wants FROM=TO with absolute paths, got '%s'",
                spec ? spec : "");
        return -1;
    }
    vs_path_map *grown = realloc(c->v, (c->n + 1) * sizeof(*grown));
    if (!grown) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    c->v = grown;
    vs_path_map m = {clean_path(spec, (size_t)(eq - spec)), clean_path(eq + 1, strlen(eq + 1))};
    if (!m.from || !m.to) {
        free(m.from);
        free(m.to);
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    c->v[c->n++] = m;
    return 0;
}

const char *vs_path_maps_apply(const vs_path_maps *c, const char *path, char *buf, size_t sz)
{
    for (size_t i = 0; c && i < c->n; i++) {
        const vs_path_map *m = &c->v[i];
        size_t n = strlen(m->from);
        if (!strcmp(m->from, "/"))
            n = 0; /* "/" matches every absolute path */
        else if (strncmp(path, m->from, n) != 0 || (path[n] != '/' && path[n] != 0))
            continue;
        const char *to = strcmp(m->to, "/") ? m->to : "";
        const char *rest = path + n;
        if (!*to && !*rest)
            rest = "/";
        int w = snprintf(buf, sz, "%s%s", to, rest);
        return w >= 0 && (size_t)w < sz ? buf : NULL;
    }
    int w = snprintf(buf, sz, "%s", path);
    return w >= 0 && (size_t)w < sz ? buf : NULL;
}

int vs_path_maps_copy(vs_path_maps *dst, const vs_path_maps *src)
{
    memset(dst, 0, sizeof(*dst));
    if (!src->n)
        return 0;
    if (!(dst->v = calloc(src->n, sizeof(*dst->v))))
        return -1;
    for (; dst->n < src->n; dst->n++) {
        vs_path_map *m = &dst->v[dst->n];
        m->from = strdup(src->v[dst->n].from);
        m->to = strdup(src->v[dst->n].to);
        if (!m->from || !m->to) {
            dst->n++; /* so release frees the partial pair */
            vs_path_maps_release(dst);
            return -1;
        }
    }
    return 0;
}

void vs_path_maps_release(vs_path_maps *m)
{
    for (size_t i = 0; m && i < m->n; i++) {
        free(m->v[i].from);
        free(m->v[i].to);
    }
    if (m) {
        free(m->v);
        memset(m, 0, sizeof(*m));
    }
}
