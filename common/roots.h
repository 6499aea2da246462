/* roots.h - confines the paths of a job to the worker's allowed folders.
 *
 * A job taken from a shared broker names an input to read and an output to
 * write; a worker acts on them only when both lie inside one of its roots
 * (--root DIR, repeatable, or VS_ROOTS=DIR:DIR; the working directory when
 * none is configured). Roots are kept canonical (realpath). The checks are
 * component-wise, so /data/in2 is not inside /data/in; a ".." component,
 * a relative path and a symlink that leads outside are refused, for the
 * input and for the output. `vs-worker --job FILE` is the user's own
 * command and does not go through these checks.
 *
 * What remains: the check resolves the path once, so someone who can
 * already write inside a root could swap a folder for a symlink between
 * the check and the open. Use the resolved path the check returns.
 *
 * Path maps (--path-map FROM=TO) come first: a farm whose machines mount
 * the same share at different places rewrites a job's paths before they
 * are confined. */
#ifndef VS_ROOTS_H
#define VS_ROOTS_H
#include <stddef.h>

typedef struct vs_roots vs_roots;

/* An empty list (which allows nothing until a root is added). Returns NULL
 * on OOM. Free with vs_roots_free. */
vs_roots *vs_roots_new(void);
void vs_roots_free(vs_roots **roots);

/* Adds DIR, which must exist and be a directory; it is stored canonical
 * (a relative DIR is taken from the working directory), duplicates once.
 * Returns 0, or -1 with a reason. */
int vs_roots_add(vs_roots *roots, const char *dir, char *errstr, size_t errsz);
/* Adds every folder of a colon-separated LIST (the VS_ROOTS format); empty
 * entries are skipped, LIST may be NULL. Returns 0, or -1 with a reason. */
int vs_roots_add_list(vs_roots *roots, const char *list, char *errstr, size_t errsz);
/* Adds the working directory. Returns 0, or -1 with a reason. */
int vs_roots_add_cwd(vs_roots *roots, char *errstr, size_t errsz);

/* The worker's roots in one call: every DIRS[i] (--root), then the folders
 * of ENV_LIST (VS_ROOTS, may be NULL); when these name none, the working
 * directory, and *defaulted (if given) is set to 1 (else 0) so the caller
 * can say so. Returns 0 and a new list in *out, or -1 with a reason. */
int vs_roots_setup(vs_roots **out, const char *const *dirs, size_t n_dirs,
                   const char *env_list, int *defaulted, char *errstr, size_t errsz);

size_t vs_roots_count(const vs_roots *roots);
/* The i-th canonical root (owned by the list), or NULL past the end. */
const char *vs_roots_get(const vs_roots *roots, size_t i);
/* Writes the roots as "DIR:DIR" into buf (truncated to bufsz) for a log
 * line. Returns buf. */
const char *vs_roots_describe(const vs_roots *roots, char *buf, size_t bufsz);

/* 1 when the canonical PATH equals ROOT or lies below it (component-wise). */
int vs_roots_path_within(const char *root, const char *path);

/* An input: PATH must be absolute, at most VS_JOB_MAX_PATH bytes, without
 * a ".." component, must exist as a regular file and its realpath must lie
 * inside a root. Returns 0 (and the realpath in *resolved when resolved is
 * not NULL; caller frees with free()), or -1 with a reason. */
int vs_roots_resolve_input(const vs_roots *roots, const char *path, char **resolved,
                           char *errstr, size_t errsz);
/* An output, which need not exist yet (nor its folder): PATH must be
 * absolute, bounded, without a ".." component, must name a file (no
 * trailing '/'), must not itself be a symlink (even a dangling one) nor a
 * directory; the realpath of its deepest existing ancestor must be a
 * directory inside a root. Returns 0 (and, when resolved is not NULL, that
 * realpath followed by the components still to be created, in *resolved;
 * caller frees with free()), or -1 with a reason. */
int vs_roots_resolve_output(const vs_roots *roots, const char *path, char **resolved,
                            char *errstr, size_t errsz);

/* The same checks without the resolved path. */
int vs_roots_check_input(const vs_roots *roots, const char *path, char *errstr, size_t errsz);
int vs_roots_check_output(const vs_roots *roots, const char *path, char *errstr, size_t errsz);

/* ---- path maps ---- */

/* One --path-map rule: a path that starts with `from` (at a '/' boundary)
 * is rewritten to start with `to`. */
typedef struct vs_path_map {
    char *from, *to;
} vs_path_map;

/* The rules in command-line order; first match wins. Zero-initialised = none. */
typedef struct vs_path_maps {
    vs_path_map *v;
    size_t n;
} vs_path_maps;

/* "FROM=TO" from --path-map. Both sides must be absolute paths. */
int vs_path_maps_add(vs_path_maps *m, const char *spec, char *errstr, size_t errsz);
/* Rewrites PATH through the maps into buf (PATH unchanged when no rule
 * matches). Returns buf, or NULL when the result does not fit. */
const char *vs_path_maps_apply(const vs_path_maps *m, const char *path, char *buf, size_t sz);
/* Deep copy (dst is overwritten). Returns 0 or -1 on OOM. */
int vs_path_maps_copy(vs_path_maps *dst, const vs_path_maps *src);
/* Frees the rules and zeroes m. Accepts NULL. */
void vs_path_maps_release(vs_path_maps *m);

#endif
