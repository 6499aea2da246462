/* folder.c - the folder rules of SPEC §6, kept from the original tool.
 *
 * Videos are the regular files of the folder (not its subfolders) whose
 * extension is in a configurable list, matched case-insensitively and
 * sorted by name; *.vad.json files never count. The sidecar is the one
 * given, or the only *.vad.json of the folder. The output folder must not
 * be the input folder and is created with its parents. The summary line
 * uses the original's words. */
#include "folder.h"
#include "errstr.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define VS_SIDECAR_SUFFIX ".vad.json"

/* ---- paths ---- */

/* Lexical clean-up of an absolute path: "//", "." and ".." are resolved
 * without touching the file system (symlinks are not followed). */
static void normalize(char *p)
{
    char *out = p;      /* write position, p[0] == '/' */
    const char *in = p;
    size_t len = 0;     /* length written after the leading '/' */

    out[0] = '/';
    len = 1;
    while (*in) {
        while (*in == '/')
            in++;
        if (!*in)
            break;
        const char *comp = in;
        while (*in && *in != '/')
            in++;
        size_t clen = (size_t)(in - comp);
        if (clen == 1 && comp[0] == '.')
            continue;
        if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
            /* Drop the previous component and its '/' ("/.." stays "/"). */
            while (len > 1 && out[len - 1] != '/')
                len--;
            if (len > 1)
                len--;
            continue;
        }
        if (len > 1 && out[len - 1] != '/')
            out[len++] = '/';
        memmove(out + len, comp, clen);
        len += clen;
    }
    if (len > 1 && out[len - 1] == '/')
        len--;
    out[len] = '\0';
}

char *vs_abspath(const char *path)
{
    if (!path)
        return NULL;
    char *res;
    if (path[0] == '/') {
        res = strdup(path);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (!cwd)
            return NULL;
        size_t n = strlen(cwd) + strlen(path) + 2;
        res = malloc(n);
        if (res)
            snprintf(res, n, "%s/%s", cwd, path);
        free(cwd);
    }
    if (res)
        normalize(res);
    return res;
}

int vs_mkdir_p(const char *dir)
{
    struct stat st;
    if (!dir || !*dir) {
        errno = EINVAL;
        return -1;
    }
    char *p = strdup(dir);
    if (!p)
        return -1;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) < 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            errno = e;
            return -1;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    int rc = 0;
    if (stat(p, &st) < 0) {
        rc = -1;
    } else if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        rc = -1;
    }
    int e = errno;
    free(p);
    errno = e;
    return rc;
}

/* ---- scanning ---- */

void vs_folder_free(vs_folder **f)
{
    if (!f || !*f)
        return;
    for (size_t i = 0; i < (*f)->n_videos; i++)
        free((*f)->videos[i]);
    free((*f)->videos);
    free((*f)->dir);
    free((*f)->sidecar);
    free(*f);
    *f = NULL;
}

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Is NAME's extension (after the last dot, a leading dot does not count)
 * in the comma list EXTS? Entries may carry spaces and a leading dot. */
static int ext_listed(const char *name, const char *exts)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name || !dot[1])
        return 0;
    const char *ext = dot + 1;
    size_t elen = strlen(ext);
    const char *p = exts;
    while (*p) {
        while (*p == ',' || isspace((unsigned char)*p) || *p == '.')
            p++;
        const char *tok = p;
        while (*p && *p != ',')
            p++;
        const char *tend = p;
        while (tend > tok && isspace((unsigned char)tend[-1]))
            tend--;
        size_t tlen = (size_t)(tend - tok);
        if (tlen > 0 && tlen == elen && strncasecmp(tok, ext, elen) == 0)
            return 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Growable list of strings. */
struct strlist {
    char **v;
    size_t n, cap;
};

/* Takes ownership of s on success (0); on failure (-1) s stays the caller's. */
static int strlist_push(struct strlist *l, char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 0;
}

static void strlist_clear(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* "dir/name" in new memory. Caller frees. */
static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", name);
    return p;
}

/* Error listing the sidecars found: "several ... (a.vad.json, b.vad.json)". */
static void list_sidecars(const struct strlist *sc, const char *dir, char *errstr, size_t errsz)
{
    size_t used;
    if (!errstr || !errsz)
        return;
    vs_set_err(errstr, errsz, "%zu *.vad.json sidecars in %s: ", sc->n, dir);
    for (size_t i = 0; i < sc->n; i++) {
        used = strlen(errstr);
        snprintf(errstr + used, errsz - used, "%s%s", i ? ", " : "", vs_base_name(sc->v[i]));
    }
    used = strlen(errstr);
    snprintf(errstr + used, errsz - used, "; choose one with --vad-json");
}

int vs_folder_scan(const char *dir, const char *extensions, const char *vad_json,
                   vs_folder **out, char *errstr, size_t errsz)
{
    struct strlist videos = { 0 }, sidecars = { 0 };
    vs_folder *f = NULL;
    DIR *d = NULL;
    struct stat st;

    *out = NULL;
    if (!extensions)
        extensions = VS_DEFAULT_EXTENSIONS;
    f = calloc(1, sizeof *f);
    if (!f || !(f->dir = vs_abspath(dir)))
        goto oom;
    if (stat(f->dir, &st) < 0) {
        vs_set_err(errstr, errsz, "%s: %s", dir, strerror(errno));
        goto fail;
    }
    if (!S_ISDIR(st.st_mode)) {
        vs_set_err(errstr, errsz, "%s: not a folder", dir);
        goto fail;
    }
    d = opendir(f->dir);
    if (!d) {
        vs_set_err(errstr, errsz, "%s: %s", dir, strerror(errno));
        goto fail;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        int is_sidecar = ends_with_ci(name, VS_SIDECAR_SUFFIX);
        if (!is_sidecar && !ext_listed(name, extensions))
            continue;
        char *path = join_path(f->dir, name);
        if (!path)
            goto oom;
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        if (strlist_push(is_sidecar ? &sidecars : &videos, path) < 0) {
            free(path);
            goto oom;
        }
    }
    closedir(d);
    d = NULL;
    if (videos.n)
        qsort(videos.v, videos.n, sizeof *videos.v, cmp_str);
    if (sidecars.n)
        qsort(sidecars.v, sidecars.n, sizeof *sidecars.v, cmp_str);

    if (vad_json) {
        if (!(f->sidecar = vs_abspath(vad_json)))
            goto oom;
        if (stat(f->sidecar, &st) < 0) {
            vs_set_err(errstr, errsz, "%s: %s", vad_json, strerror(errno));
            goto fail;
        }
        if (!S_ISREG(st.st_mode)) {
            vs_set_err(errstr, errsz, "%s: not a regular file", vad_json);
            goto fail;
        }
    } else if (sidecars.n == 0) {
        vs_set_err(errstr, errsz, "no *.vad.json sidecar in %s (give one with --vad-json)",
                f->dir);
        goto fail;
    } else if (sidecars.n > 1) {
        list_sidecars(&sidecars, f->dir, errstr, errsz);
        goto fail;
    } else {
        f->sidecar = sidecars.v[0];
        sidecars.v[0] = NULL;
    }

    f->videos = videos.v;
    f->n_videos = videos.n;
    memset(&videos, 0, sizeof videos);
    strlist_clear(&sidecars);
    *out = f;
    return 0;
oom:
    vs_set_err(errstr, errsz, "%s: out of memory", dir);
fail:
    if (d)
        closedir(d);
    strlist_clear(&videos);
    strlist_clear(&sidecars);
    vs_folder_free(&f);
    return -1;
}

/* ---- output folder ---- */

int vs_folder_prepare_output(const char *in_dir, const char *out_dir,
                             char *errstr, size_t errsz)
{
    char *in_abs = vs_abspath(in_dir), *out_abs = vs_abspath(out_dir);
    struct stat si, so;
    int rc = -1;

    if (!in_abs || !out_abs) {
        vs_set_err(errstr, errsz, "out of memory");
        goto out;
    }
    if (strcmp(in_abs, out_abs) == 0) {
        vs_set_err(errstr, errsz, "output folder %s is the input folder "
                "(it would overwrite the sources)", out_dir);
        goto out;
    }
    if (stat(in_abs, &si) < 0) {
        vs_set_err(errstr, errsz, "%s: %s", in_dir, strerror(errno));
        goto out;
    }
    if (stat(out_abs, &so) == 0) {
        if (so.st_dev == si.st_dev && so.st_ino == si.st_ino) {
            vs_set_err(errstr, errsz, "output folder %s is the input folder %s "
                    "(it would overwrite the sources)", out_dir, in_dir);
            goto out;
        }
        if (!S_ISDIR(so.st_mode)) {
            vs_set_err(errstr, errsz, "output folder %s: not a folder", out_dir);
            goto out;
        }
    }
    /* A folder that does not exist yet cannot be the input folder. */
    if (vs_mkdir_p(out_abs) < 0) {
        vs_set_err(errstr, errsz, "cannot create output folder %s: %s", out_dir, strerror(errno));
        goto out;
    }
    /* Writable from here (a mistake caught before any job is published;
     * workers may still see it differently through their own mounts). */
    size_t n = strlen(out_abs) + 32;
    char *probe = malloc(n);
    if (!probe) {
        vs_set_err(errstr, errsz, "out of memory");
        goto out;
    }
    snprintf(probe, n, "%s/.vs-write-check-XXXXXX", out_abs);
    int fd = mkstemp(probe);
    if (fd < 0) {
        vs_set_err(errstr, errsz, "output folder %s is not writable: %s", out_dir,
                   strerror(errno));
        free(probe);
        goto out;
    }
    close(fd);
    unlink(probe);
    free(probe);
    rc = 0;
out:
    free(in_abs);
    free(out_abs);
    return rc;
}

const char *vs_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}
