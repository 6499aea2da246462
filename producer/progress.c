/* progress.c - bars on a terminal, plain lines elsewhere, all on stderr.
 *
 * Bars are redrawn in place: the cursor goes back up over the lines drawn
 * last time, which are cleared and written again, each cut to the
 * terminal's width so none wraps (a wrapped line would break the count).
 * An event note first clears the bars, is logged, and the bars follow it.
 * With many files only the running ones get a bar. */
#include "progress.h"
#include "clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define VS_BAR_WIDTH       24
#define VS_BAR_MAX_ROWS    20   /* more files than this: bars for running ones only */
#define VS_BAR_REDRAW_S    0.25
#define VS_LINE_EVERY_S    10.0 /* plain mode: a total line this often */
#define VS_NAME_WIDTH      24

struct vs_progress_view {
    int bars;             /* 1: bars, 0: plain lines */
    int quiet;            /* --progress none: events only */
    const vs_batch *b;
    double start;
    double last_draw;
    int drawn;            /* lines of bars on screen */
};


vs_progress_view *vs_progress_new(enum vs_progress_mode mode, const vs_batch *b)
{
    vs_progress_view *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->b = b;
    p->start = p->last_draw = vs_clock_mono();
    if (mode == VS_PROGRESS_AUTO)
        mode = isatty(STDERR_FILENO) ? VS_PROGRESS_BARS : VS_PROGRESS_LINES;
    p->bars = mode == VS_PROGRESS_BARS;
    p->quiet = mode == VS_PROGRESS_NONE;
    /* Bars would fight with chatty debug logs; plain lines then. */
    if (vs_log_get_level() >= VS_LOG_DEBUG)
        p->bars = 0;
    return p;
}

void vs_progress_free(vs_progress_view **p)
{
    if (!p || !*p)
        return;
    free(*p);
    *p = NULL;
}

static int term_cols(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col;
    return 100;
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

static void bar(char *buf, size_t sz, double frac)
{
    int fill = (int)(frac * VS_BAR_WIDTH + 0.5);
    if (fill < 0)
        fill = 0;
    if (fill > VS_BAR_WIDTH)
        fill = VS_BAR_WIDTH;
    snprintf(buf, sz, "[%.*s%*s]", fill, "########################", VS_BAR_WIDTH - fill, "");
}

static void file_line(const vs_file *f, double now, char *line, size_t sz)
{
    char b[VS_BAR_WIDTH + 4];
    double frac = f->state == VS_FILE_RUNNING ? f->fraction :
                  f->state == VS_FILE_QUEUED ? 0 : 1;
    bar(b, sizeof b, f->state == VS_FILE_FAILED ? 0 : frac);
    int n = snprintf(line, sz, "%-*.*s %s %3.0f%%  ", VS_NAME_WIDTH, VS_NAME_WIDTH, f->name, b,
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

static void total_line(const vs_progress_view *p, double now, char *line, size_t sz)
{
    vs_batch_counts c;
    char b[VS_BAR_WIDTH + 4];
    double frac = total_fraction(p->b);
    int el = (int)(now - p->start);
    vs_batch_count(p->b, &c);
    bar(b, sizeof b, frac);
    snprintf(line, sz, "%-*s %s %3.0f%%  %zu/%zu finished, %zu running, %zu queued  %02d:%02d",
             VS_NAME_WIDTH, "total", b, 100.0 * frac, c.done + c.skipped + c.failed, c.total,
             c.running, c.queued, el / 60, el % 60);
}

static void clear_bars(vs_progress_view *p)
{
    if (p->drawn > 0)
        fprintf(stderr, "\r\033[%dA\033[J", p->drawn);
    p->drawn = 0;
}

static void draw_bars(vs_progress_view *p, double now)
{
    char line[512];
    int cols = term_cols();
    clear_bars(p);
    for (size_t i = 0; i < p->b->n; i++) {
        const vs_file *f = &p->b->files[i];
        if (p->b->n > VS_BAR_MAX_ROWS && f->state != VS_FILE_RUNNING)
            continue;
        file_line(f, now, line, sizeof line);
        fprintf(stderr, "%.*s\n", cols - 1, line);
        p->drawn++;
    }
    total_line(p, now, line, sizeof line);
    fprintf(stderr, "%.*s\n", cols - 1, line);
    p->drawn++;
    fflush(stderr);
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
    if (p && p->bars)
        clear_bars(p);
    vs_log(lvl, "%s", msg);
    if (p && p->bars)
        draw_bars(p, vs_clock_mono());
}

void vs_progress_tick(vs_progress_view *p, double now)
{
    if (!p || p->quiet)
        return;
    if (p->bars) {
        if (now - p->last_draw >= VS_BAR_REDRAW_S || p->drawn == 0)
            draw_bars(p, now);
        return;
    }
    if (now - p->last_draw >= VS_LINE_EVERY_S)
        print_total(p, now);
}

void vs_progress_finish(vs_progress_view *p)
{
    if (p && p->bars && !p->quiet)
        draw_bars(p, vs_clock_mono());
}
