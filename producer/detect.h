/* detect.h - silence detection with FFmpeg's silencedetect, in process.
 *
 * `--detect -i FILE` and `--vad-master FILE` find the silent stretches of
 * one recording (the original tool's amplitude backend) and write them as
 * a version 1 sidecar next to it, which then drives every angle. */
#ifndef VS_PRODUCE_DETECT_H
#define VS_PRODUCE_DETECT_H
#include <signal.h>
#include <stddef.h>

#include "sidecar.h"

typedef struct vs_detect_params {
    double threshold_db;     /* silence is below this level (e.g. -30) */
    double min_silence_s;    /* shortest silence reported (e.g. 2.0) */
    double offset;           /* window start in the file, seconds */
    double process_duration; /* window length, 0 = to the end */
    volatile sig_atomic_t *cancel; /* when set (a signal), stop; may be NULL */
} vs_detect_params;

/* Finds the silences of PATH's first audio stream within the window.
 * Times are window seconds (file time minus offset); a silence still open
 * at the end of the window ends at the window's length, which is returned
 * in *analyzed (the container duration cut like vs_plan_window). Returns 0
 * and a new array in *out (free()) with *n entries, or -1 with errstr. */
int vs_detect_silences(const char *path, const vs_detect_params *p,
                       vs_interval **out, size_t *n, double *analyzed,
                       char *errstr, size_t errsz);

/* The sidecar path of a recording: its name with the extension replaced
 * by ".vad.json" (facecam.mp4 -> facecam.vad.json). Caller frees. */
char *vs_detect_sidecar_path(const char *media_path);

/* Detects on PATH and writes its sidecar (backend "silencedetect", the
 * original tool's params). On success returns 0 and, when sidecar_out is
 * not NULL, a new string with the sidecar's path (caller frees). */
int vs_detect_write_sidecar(const char *path, const vs_detect_params *p,
                            char **sidecar_out, char *errstr, size_t errsz);

#endif
