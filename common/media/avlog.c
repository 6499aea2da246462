/* avlog.c - FFmpeg's av_log() routed through vs_log (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/log.h>

#define VS_AVLOG_LINE_MAX 4096

/* av_log callback. FFmpeg's PANIC..WARNING messages are shown only at
 * VS_LOG_DEBUG (the pipeline reports failures itself, once); its INFO and
 * chattier levels are dropped. FFmpeg may send a line in pieces; each
 * piece is printed as its own line with the "[codec @ 0x..]" context,
 * which is acceptable for debug output and keeps the callback stateless
 * (FFmpeg's default callback keeps a global "print prefix" flag instead). */
static void ffmpeg_callback(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level > AV_LOG_WARNING)
        return;
    if (vs_log_get_level() < VS_LOG_DEBUG)
        return;
    char buf[VS_AVLOG_LINE_MAX];
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

void vs_log_route_ffmpeg(void)
{
    av_log_set_callback(ffmpeg_callback);
}
