/* folder.h - the folder rules of SPEC §6: which files are videos, which
 * sidecar applies, where outputs go. */
#ifndef VS_FOLDER_H
#define VS_FOLDER_H
#include <stddef.h>

#define VS_DEFAULT_EXTENSIONS "mp4,mkv,mov,avi,webm"

typedef struct vs_folder {
    char *dir;       /* absolute input folder */
    char **videos;   /* absolute paths, sorted by file name */
    size_t n_videos;
    char *sidecar;   /* absolute path of the sidecar in use */
} vs_folder;

/* Scans DIR. extensions: comma list (NULL = default), matched
 * case-insensitively; *.vad.json never counts as a video. vad_json: the
 * sidecar to use, or NULL to require exactly one *.vad.json in DIR (none or
 * several: error listing what was found). Returns 0 or -1 with errstr. */
int vs_folder_scan(const char *dir, const char *extensions, const char *vad_json,
                   vs_folder **out, char *errstr, size_t errsz);
void vs_folder_free(vs_folder **f);

/* Checks that OUT is not the input folder (same inode, or same path after
 * resolving) and creates it (with parents). Returns 0 or -1 with errstr. */
int vs_folder_prepare_output(const char *in_dir, const char *out_dir,
                             char *errstr, size_t errsz);

/* Creates DIR and its missing parents (mode 0777 & ~umask). 0 or -1/errno. */
int vs_mkdir_p(const char *dir);
/* The file name of PATH: what follows its last '/' (PATH itself when there
 * is none, or when nothing follows it). Points into PATH. */
const char *vs_base_name(const char *path);
/* Absolute version of PATH (does not require it to exist). Caller frees. */
char *vs_abspath(const char *path);

#endif
