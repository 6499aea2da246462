/* log.c - the project's single logging function.
 *
 * Every line goes to stderr as "prefix: level: message". Each line is
 * formatted in a local buffer and written with one fputs(), so lines from
 * concurrent jobs never interleave mid-line (stdio locks the stream per
 * call). The level and the prefix are the only globals of the library;
 * they are set once at start-up and read with relaxed atomics. FFmpeg's
 * av_log() is routed here by vs_log_route_ffmpeg() (media/avlog.c), and
 * librdkafka's log by the Kafka clients (kafka/client.c). A view drawing
 * on the terminal (the producer's bars) installs a writer that every line
 * goes through, so lines land above the bars and none are left stale. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#define VS_LOG_LINE_MAX 4096

static atomic_int vs_log_level_cur = VS_LOG_INFO;
static _Atomic(const char *) vs_log_prefix_cur = NULL;
static atomic_int vs_log_stamp_on = 0;
/* The writer a view on the terminal installs (progress bars): it gets each
 * finished line instead of stderr, so it can clear what it drew, print the
 * line above and draw again. The mutex is held around every call, so once
 * vs_log_set_writer() returns no thread is still inside the old one. */
static pthread_mutex_t vs_log_writer_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int vs_log_writer_on = 0;
static vs_log_writer_fn vs_log_writer_cur;
static void *vs_log_writer_ctx;

void vs_log_set_level(enum vs_log_level lvl)
{
    if (lvl < VS_LOG_ERROR)
        lvl = VS_LOG_ERROR;
    if (lvl > VS_LOG_DEBUG)
        lvl = VS_LOG_DEBUG;
    atomic_store_explicit(&vs_log_level_cur, (int)lvl, memory_order_relaxed);
}

enum vs_log_level vs_log_get_level(void)
{
    return (enum vs_log_level)atomic_load_explicit(&vs_log_level_cur, memory_order_relaxed);
}

void vs_log_set_prefix(const char *prefix)
{
    atomic_store_explicit(&vs_log_prefix_cur, prefix, memory_order_relaxed);
}

void vs_log_set_timestamps(int on)
{
    atomic_store_explicit(&vs_log_stamp_on, on != 0, memory_order_relaxed);
}

void vs_log_set_writer(vs_log_writer_fn fn, void *ctx)
{
    pthread_mutex_lock(&vs_log_writer_mu);
    vs_log_writer_cur = fn;
    vs_log_writer_ctx = ctx;
    atomic_store(&vs_log_writer_on, fn != NULL);
    pthread_mutex_unlock(&vs_log_writer_mu);
}

/* One finished line to stderr, or to the installed writer. */
static void write_line(const char *line)
{
    if (!atomic_load(&vs_log_writer_on)) {
        fputs(line, stderr);
        return;
    }
    pthread_mutex_lock(&vs_log_writer_mu);
    if (vs_log_writer_cur)
        vs_log_writer_cur(vs_log_writer_ctx, line);
    else
        fputs(line, stderr);
    pthread_mutex_unlock(&vs_log_writer_mu);
}

void vs_log_timestamps_auto(void)
{
    vs_log_set_timestamps(!isatty(STDERR_FILENO));
}

/* "2026-11-26T15:02:03.123Z " (ISO 8601, UTC, milliseconds) into buf. */
static size_t stamp(char *buf, size_t sz)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, sz, "%Y-%m-%dT%H:%M:%S", &tm);
    int m = snprintf(buf + n, sz - n, ".%03dZ ", (int)(ts.tv_nsec / 1000000));
    return m > 0 && (size_t)m < sz - n ? n + (size_t)m : n;
}

static const char *level_tag(enum vs_log_level lvl)
{
    switch (lvl) {
    case VS_LOG_ERROR: return "error: ";
    case VS_LOG_WARN:  return "warning: ";
    case VS_LOG_DEBUG: return "debug: ";
    default:           return "";
    }
}

/* Formats one line (prefix, tag, message, exactly one '\n') and writes it
 * with a single fputs. Over-long messages are cut and end in "...". */
static void emit(enum vs_log_level lvl, const char *fmt, va_list ap)
{
    char line[VS_LOG_LINE_MAX];
    const char *prefix = atomic_load_explicit(&vs_log_prefix_cur, memory_order_relaxed);
    size_t cap = sizeof(line) - 2; /* room for '\n' and NUL */
    size_t at = 0;
    int n = 0;

    if (atomic_load_explicit(&vs_log_stamp_on, memory_order_relaxed))
        at = stamp(line, cap);
    if (prefix && *prefix)
        n = snprintf(line + at, cap - at, "%s: %s", prefix, level_tag(lvl));
    else
        n = snprintf(line + at, cap - at, "%s", level_tag(lvl));
    if (n < 0)
        return;
    size_t len = at + (size_t)n < cap ? at + (size_t)n : cap - 1;

    int m = vsnprintf(line + len, cap - len, fmt, ap);
    if (m < 0)
        return;
    if ((size_t)m >= cap - len) {
        len = cap - 1;
        memcpy(line + len - 3, "...", 3);
    } else {
        len += (size_t)m;
    }
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    line[len++] = '\n';
    line[len] = '\0';
    write_line(line);
}

void vs_log(enum vs_log_level lvl, const char *fmt, ...)
{
    if ((int)lvl > atomic_load_explicit(&vs_log_level_cur, memory_order_relaxed))
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(lvl, fmt, ap);
    va_end(ap);
}
