/* progress.c - bars on a terminal, plain lines elsewhere, all on stderr.
 *
 * Bars are redrawn in place: the cursor goes back up over the lines drawn
 * last time, which are cleared and written again, each cut to the
 * terminal's width in display cells (names may be any language) so none
 * wraps (a wrapped line would break the count). While bars are shown the
 * view is the log's writer (vs_log_set_writer): every log line, from any
 * thread, FFmpeg's and librdkafka's included, first clears the bars, is
 * printed, and the bars are drawn again below it, so nothing stale stays in
 * the scroll-back. The layout follows the terminal's width, re-read on
 * SIGWINCH; the elapsed time comes before the counts so a narrow terminal
 * cuts the counts, never the time. With many files only the running ones
 * get a bar, and fewer than the terminal has rows. */
#include "progress.h"
#include "cells.h"
#include "clock.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define VS_BAR_WIDTH       24   /* widest bar */
#define VS_BAR_MIN_WIDTH   6
#define VS_BAR_MAX_ROWS    20   /* more files than this: bars for running ones only */
#define VS_BAR_REDRAW_S    0.25
#define VS_LINE_EVERY_S    10.0 /* plain mode: a total line this often */
#define VS_NAME_WIDTH      24   /* widest name column */
#define VS_NAME_MIN_WIDTH  8
#define VS_LINE_MAX        512

/* Set by SIGWINCH, read by the next tick (a signal flag, like shutdown). */
static volatile sig_atomic_t vs_progress_resized;

struct vs_progress_view {
    int bars;             /* 1: bars, 0: plain lines */
    int quiet;            /* --progress none: events only */
    const vs_batch *b;
    double start;
    double last_draw;
    /* What is on screen, kept to draw again after a log line. Guarded by
     * mu: the main thread draws, any thread may log. */
    pthread_mutex_t mu;
    int drawn;            /* lines of bars on screen */
    char lines[VS_BAR_MAX_ROWS + 1][VS_LINE_MAX];
    size_t cells[VS_BAR_MAX_ROWS + 1];
    int writer;           /* installed as the log's writer */
    int winch;            /* SIGWINCH handler installed, old one in old_winch */
    struct sigaction old_winch;
};

static void on_winch(int sig)
{
    (void)sig;
    vs_progress_resized = 1;
}

static int term_cols(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 100;
}

/* Bar lines that fit: the cursor cannot move up past the top of the
 * screen, so bars taller than it would leave copies in the scroll-back. */
static int bar_rows(void)
{
    struct winsize ws;
    int rows = VS_BAR_MAX_ROWS;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_row - 2 < rows)
        rows = ws.ws_row - 2;
    return rows > 1 ? rows : 1;
}

/* Moves up over the bars and clears to the end of the screen. A line
 * drawn for a wider terminal may take several rows now. Holds mu. */
static void erase_locked(vs_progress_view *p)
{
    if (p->drawn <= 0)
        return;
    size_t cols = (size_t)term_cols();
    int rows = 0;
    for (int i = 0; i < p->drawn; i++)
        rows += p->cells[i] > cols ? (int)((p->cells[i] + cols - 1) / cols) : 1;
    fprintf(stderr, "\r\033[%dA\033[J", rows);
}

static void print_locked(vs_progress_view *p)
{
    for (int i = 0; i < p->drawn; i++) {
        fputs(p->lines[i], stderr);
        fputc('\n', stderr);
    }
}

/* The log's writer while bars are up: the line goes above the bars. */
static void write_above(void *ctx, const char *line)
{
    vs_progress_view *p = ctx;
    pthread_mutex_lock(&p->mu);
    erase_locked(p);
    fputs(line, stderr);
    print_locked(p);
    fflush(stderr);
    pthread_mutex_unlock(&p->mu);
}

vs_progress_view *vs_progress_new(enum vs_progress_mode mode, const vs_batch *b)
{
    vs_progress_view *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->b = b;
    p->start = p->last_draw = vs_clock_mono();
    pthread_mutex_init(&p->mu, NULL);
    if (mode == VS_PROGRESS_AUTO)
        mode = isatty(STDERR_FILENO) ? VS_PROGRESS_BARS : VS_PROGRESS_LINES;
    p->bars = mode == VS_PROGRESS_BARS;
    p->quiet = mode == VS_PROGRESS_NONE;
    /* Bars would fight with chatty debug logs; plain lines then. */
    if (vs_log_get_level() >= VS_LOG_DEBUG)
        p->bars = 0;
    if (p->bars) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_winch;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        p->winch = sigaction(SIGWINCH, &sa, &p->old_winch) == 0;
        vs_log_set_writer(write_above, p);
        p->writer = 1;
    }
    return p;
}

/* Log lines go straight to stderr again (below whatever was drawn last). */
static void release(vs_progress_view *p)
{
    if (p->writer)
        vs_log_set_writer(NULL, NULL);
    p->writer = 0;
    if (p->winch)
        sigaction(SIGWINCH, &p->old_winch, NULL);
    p->winch = 0;
}

void vs_progress_free(vs_progress_view **p)
{
    if (!p || !*p)
        return;
    release(*p);
    pthread_mutex_destroy(&(*p)->mu);
    free(*p);
    *p = NULL;
}

/* Overall fraction: finished files count whole, running ones by progress. */
static double total_fraction(const vs_batch *b)
{
    if (b->n == 0)
        return 1;
    double sum = 0;
    for (size_t i = 0; i < b->n; i++) {
        const vs_file *f = &b->files[i];
        /* A file given up by an interruption or --timeout did not get
         * there: it counts with the progress it had. */
        if (f->state == VS_FILE_RUNNING || f->abandoned)
            sum += f->fraction;
        else if (f->state != VS_FILE_QUEUED)
            sum += 1;
    }
    return sum / (double)b->n;
}

/* Input seconds re-timed per wall second so far (0 when unknown). */
static double speed(const vs_file *f, double now)
{
    if (!f->job || f->started <= 0 || now - f->started < 0.5)
        return 0;
    return f->fraction * f->job->duration / (now - f->started);
}

static void bar(char *buf, size_t sz, double frac, int width)
{
    int fill = (int)(frac * width + 0.5);
    if (fill < 0)
        fill = 0;
    if (fill > width)
        fill = width;
    snprintf(buf, sz, "[%.*s%*s]", fill, "########################", width - fill, "");
}

/* Column widths for this terminal: the name column fits the longest name
 * (up to VS_NAME_WIDTH, less on a narrow terminal), the bar takes what the
 * total line leaves (VS_BAR_MIN_WIDTH..VS_BAR_WIDTH). */
struct layout {
    int cols;
    int name_w;
    int bar_w;
};

/* "name    " padded or cut to w cells into out. */
static void name_cell(char *out, size_t sz, const char *name, int w)
{
    char cut[VS_LINE_MAX];
    size_t c = vs_cells_cut(cut, sizeof cut, name, (size_t)w, 1);
    if (snprintf(out, sz, "%s%*s", cut, (int)((size_t)w - c), "") < 0)
        out[0] = '\0';
}

static void file_line(const vs_file *f, const struct layout *l, double now, char *line,
                      size_t sz)
{
    char b[VS_BAR_WIDTH + 4], name[VS_LINE_MAX];
    double frac = f->state == VS_FILE_RUNNING ? f->fraction :
                  f->state == VS_FILE_QUEUED ? 0 : 1;
    bar(b, sizeof b, f->state == VS_FILE_FAILED ? 0 : frac, l->bar_w);
    name_cell(name, sizeof name, f->name, l->name_w);
    int n = snprintf(line, sz, "%s %s %3.0f%%  ", name, b,
                     100.0 * (f->state == VS_FILE_FAILED ? f->fraction : frac));
    if (n < 0 || (size_t)n >= sz)
        return;
    char *rest = line + n;
    size_t left = sz - (size_t)n;
    switch (f->state) {
    case VS_FILE_QUEUED:
        snprintf(rest, left, "queued");
        break;
    case VS_FILE_RUNNING: {
        double sp = speed(f, now);
        char s1[32] = "", s2[32] = "";
        if (sp > 0)
            snprintf(s1, sizeof s1, "%.1fx  ", sp);
        if (f->fps > 0)
            snprintf(s2, sizeof s2, "%.0f fps  ", f->fps);
        if (f->n_chunks > 0) /* several workers at once: the chunks tell more */
            snprintf(rest, left, "%s%s%d/%d chunks", s1, s2, f->chunks_done, f->n_chunks);
        else
            snprintf(rest, left, "%s%s%s", s1, s2, f->worker);
        break;
    }
    case VS_FILE_DONE:
        snprintf(rest, left, "done %.1f s  %s", f->seconds, f->worker);
        break;
    case VS_FILE_SKIPPED:
        snprintf(rest, left, "skipped");
        break;
    case VS_FILE_FAILED:
        snprintf(rest, left, "failed");
        break;
    }
}

/* "01:02" or "1:02:03". */
static void elapsed(char *buf, size_t sz, double secs)
{
    int el = secs > 0 ? (int)secs : 0;
    if (el >= 3600)
        snprintf(buf, sz, "%d:%02d:%02d", el / 3600, el / 60 % 60, el % 60);
    else
        snprintf(buf, sz, "%02d:%02d", el / 60, el % 60);
}

/* What follows the total's percent: the elapsed time first, then the
 * counts, shorter when the long form would not fit in room cells. */
static void total_tail(const vs_progress_view *p, double now, size_t room, char *buf, size_t sz)
{
    vs_batch_counts c;
    char el[32];
    vs_batch_count(p->b, &c);
    elapsed(el, sizeof el, now - p->start);
    size_t fin = c.done + c.skipped + c.failed;
    snprintf(buf, sz, "%s  %zu/%zu finished, %zu running, %zu queued", el, fin, c.total,
             c.running, c.queued);
    if (strlen(buf) > room)
        snprintf(buf, sz, "%s  %zu/%zu, %zu run, %zu queued", el, fin, c.total, c.running,
                 c.queued);
}

/* The fixed part of a bar line: name, ' ', '[' bar ']', ' ', "100%", "  ". */
#define VS_BAR_FIXED(name_w, bar_w) ((name_w) + (bar_w) + 10)

static struct layout lay_out(const vs_progress_view *p, int cols, double now)
{
    struct layout l;
    int use = cols - 1; /* the last column would wrap on some terminals */
    size_t longest = 5; /* "total" */
    for (size_t i = 0; i < p->b->n; i++) {
        size_t w = vs_cells_width(p->b->files[i].name);
        if (w > longest)
            longest = w;
    }
    int name_max = use >= 100 ? VS_NAME_WIDTH : use / 5;
    if (name_max < VS_NAME_MIN_WIDTH)
        name_max = VS_NAME_MIN_WIDTH;
    l.cols = cols;
    l.name_w = longest < (size_t)name_max ? (int)longest : name_max;
    char tail[256];
    int room = use - VS_BAR_FIXED(l.name_w, VS_BAR_MIN_WIDTH);
    total_tail(p, now, room > 0 ? (size_t)room : 0, tail, sizeof tail);
    l.bar_w = use - VS_BAR_FIXED(l.name_w, 0) - (int)strlen(tail);
    if (l.bar_w > VS_BAR_WIDTH)
        l.bar_w = VS_BAR_WIDTH;
    if (l.bar_w < VS_BAR_MIN_WIDTH)
        l.bar_w = VS_BAR_MIN_WIDTH;
    return l;
}

static void total_line(const vs_progress_view *p, const struct layout *l, double now,
                       char *line, size_t sz)
{
    char b[VS_BAR_WIDTH + 4], name[VS_LINE_MAX], tail[256];
    double frac = total_fraction(p->b);
    int room = l->cols - 1 - VS_BAR_FIXED(l->name_w, l->bar_w);
    bar(b, sizeof b, frac, l->bar_w);
    name_cell(name, sizeof name, "total", l->name_w);
    total_tail(p, now, room > 0 ? (size_t)room : 0, tail, sizeof tail);
    if (snprintf(line, sz, "%s %s %3.0f%%  %s", name, b, 100.0 * frac, tail) < 0)
        line[0] = '\0';
}

/* Stores line i cut to the terminal's width. Holds mu. */
static void keep_line(vs_progress_view *p, int i, const char *line, int cols)
{
    p->cells[i] = vs_cells_cut(p->lines[i], sizeof p->lines[i], line,
                               (size_t)(cols > 1 ? cols - 1 : 1), 0);
}

static void draw_bars(vs_progress_view *p, double now)
{
    char line[VS_LINE_MAX];
    int cols = term_cols();
    struct layout l = lay_out(p, cols, now);
    vs_progress_resized = 0;
    pthread_mutex_lock(&p->mu);
    erase_locked(p);
    int n = 0, rows = bar_rows();
    for (size_t i = 0; i < p->b->n && n < rows; i++) {
        const vs_file *f = &p->b->files[i];
        if (p->b->n > (size_t)rows && f->state != VS_FILE_RUNNING)
            continue;
        file_line(f, &l, now, line, sizeof line);
        keep_line(p, n++, line, cols);
    }
    total_line(p, &l, now, line, sizeof line);
    keep_line(p, n++, line, cols);
    p->drawn = n;
    print_locked(p);
    fflush(stderr);
    pthread_mutex_unlock(&p->mu);
    p->last_draw = now;
}

/* Plain mode: "progress: 40%, 1/4 finished, 1 running, 2 queued (a.mp4 25% on W)". */
static void print_total(vs_progress_view *p, double now)
{
    char line[1024];
    vs_batch_counts c;
    vs_batch_count(p->b, &c);
    int n = snprintf(line, sizeof line, "progress: %.0f%%, %zu/%zu finished, %zu running, "
                     "%zu queued", 100.0 * total_fraction(p->b),
                     c.done + c.skipped + c.failed, c.total, c.running, c.queued);
    for (size_t i = 0; i < p->b->n && n > 0 && (size_t)n < sizeof line; i++) {
        const vs_file *f = &p->b->files[i];
        if (f->state != VS_FILE_RUNNING)
            continue;
        n += snprintf(line + n, sizeof line - (size_t)n, "; %s %.0f%% %.1fx on %s", f->name,
                      100.0 * f->fraction, speed(f, now), f->worker);
    }
    vs_log(VS_LOG_INFO, "%s", line);
    p->last_draw = now;
}

void vs_progress_note(vs_progress_view *p, enum vs_log_level lvl, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vs_log(lvl, "%s", msg); /* above the bars: the view is the log's writer */
    if (p && p->bars && p->writer) /* not after vs_progress_finish */
        draw_bars(p, vs_clock_mono());
}

void vs_progress_tick(vs_progress_view *p, double now)
{
    if (!p || p->quiet)
        return;
    if (p->bars) {
        if (!p->writer) /* finished: the final bars stay as they are */
            return;
        if (now - p->last_draw >= VS_BAR_REDRAW_S || p->drawn == 0 || vs_progress_resized)
            draw_bars(p, now);
        return;
    }
    if (now - p->last_draw >= VS_LINE_EVERY_S)
        print_total(p, now);
}

void vs_progress_finish(vs_progress_view *p)
{
    if (!p)
        return;
    if (p->bars && !p->quiet)
        draw_bars(p, vs_clock_mono());
    release(p);
}
