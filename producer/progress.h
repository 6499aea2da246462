/* progress.h - live progress of a run on stderr.
 *
 * On a terminal: one bar per file (percent, speed, worker) and a total
 * line, redrawn in place. Elsewhere (a pipe, a log file): plain lines, one
 * per event (started, done, failed, retried) and a total line every few
 * seconds while something runs. Results stay on stdout (summary.c). */
#ifndef VS_PRODUCE_PROGRESS_H
#define VS_PRODUCE_PROGRESS_H
#include "batch.h"
#include "log.h"
#include "options.h"

typedef struct vs_progress_view vs_progress_view;

/* mode AUTO picks bars when stderr is a terminal. Borrows b, which must
 * outlive the view. Returns NULL on OOM. */
vs_progress_view *vs_progress_new(enum vs_progress_mode mode, const vs_batch *b);
/* One event line (e.g. "a.mp4: done in 12.3 s on host:1:ab") logged at
 * lvl, printed above the bars. Accepts a NULL view (then it only logs). */
void vs_progress_note(vs_progress_view *p, enum vs_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Redraws the bars (at most a few times a second) or prints a periodic
 * total line. now: monotonic seconds. Accepts NULL. */
void vs_progress_tick(vs_progress_view *p, double now);
/* Draws the final state and leaves it on screen. Accepts NULL. */
void vs_progress_finish(vs_progress_view *p);
void vs_progress_free(vs_progress_view **p);

/* Monotonic clock in seconds. */

#endif
