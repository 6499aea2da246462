/* avlog.c - FFmpeg's av_log(), and the lines encoder libraries print on
 * their own, routed through vs_log (see log.h).
 *
 * SVT-AV1 writes to the file named by SVT_LOG_FILE, which is pointed at a
 * non-blocking pipe of ours; after an encoder opens or closes,
 * vs_log_drain_libraries() flushes stdio (SVT's stream is fully buffered)
 * and logs what the pipe holds, line by line, at debug level. The pipe and
 * its partial-line buffer are process-wide, like the library's own log
 * stream, and guarded by a mutex. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/log.h>

#define VS_LOG_LINE_MAX 4096

/* av_log callback. FFmpeg's PANIC..WARNING messages are shown only at
 * VS_LOG_DEBUG (the pipeline reports failures itself, once), and so are
 * its INFO lines (encoder banners); its chattier levels are dropped. FFmpeg may send a line in pieces; each
 * piece is printed as its own line with the "[codec @ 0x..]" context,
 * which is acceptable for debug output and keeps the callback stateless
 * (FFmpeg's default callback keeps a global "print prefix" flag instead). */
static void ffmpeg_callback(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level > AV_LOG_INFO) /* INFO carries encoder banners (libx264's) */
        return;
    if (vs_log_get_level() < VS_LOG_DEBUG)
        return;
    char buf[VS_LOG_LINE_MAX];
    int print_prefix = 1;
    va_list copy;
    va_copy(copy, vl);
    av_log_format_line2(avcl, level, fmt, copy, buf, (int)sizeof(buf), &print_prefix);
    va_end(copy);
    size_t len = strlen(buf);
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    if (len == 0)
        return;
    vs_log(VS_LOG_DEBUG, "ffmpeg: %s", buf);
}

static pthread_mutex_t lib_lock = PTHREAD_MUTEX_INITIALIZER;
static int lib_fd = -1;             /* read end of the capture pipe */
static char lib_buf[VS_LOG_LINE_MAX]; /* a partial line */
static size_t lib_len;

static void capture_libraries(void)
{
    int fds[2];
    char path[64];
    if (getenv("SVT_LOG_FILE") || pipe(fds) < 0)
        return;
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fds[1]);
    if (setenv("SVT_LOG_FILE", path, 0) < 0) {
        close(fds[0]);
        close(fds[1]);
        return;
    }
    lib_fd = fds[0]; /* the write end stays open for the library */
}

void vs_log_drain_libraries(void)
{
    if (lib_fd < 0)
        return;
    fflush(NULL); /* the library's stream is fully buffered */
    pthread_mutex_lock(&lib_lock);
    for (;;) {
        ssize_t n = read(lib_fd, lib_buf + lib_len, sizeof lib_buf - 1 - lib_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        lib_len += (size_t)n;
        char *start = lib_buf, *nl;
        while ((nl = memchr(start, '\n', lib_len - (size_t)(start - lib_buf)))) {
            *nl = 0;
            if (nl > start)
                vs_log(VS_LOG_DEBUG, "encoder: %s", start);
            start = nl + 1;
        }
        lib_len -= (size_t)(start - lib_buf);
        memmove(lib_buf, start, lib_len);
        if (lib_len == sizeof lib_buf - 1) { /* a line longer than the buffer */
            lib_buf[lib_len] = 0;
            vs_log(VS_LOG_DEBUG, "encoder: %s", lib_buf);
            lib_len = 0;
        }
    }
    pthread_mutex_unlock(&lib_lock);
}

void vs_log_route_ffmpeg(void)
{
    av_log_set_callback(ffmpeg_callback);
    capture_libraries();
}
