/* log.h - one logging function for the whole project.
 *
 * Everything a person reads about what happened goes to stderr through
 * vs_log(); FFmpeg's and librdkafka's logs are routed here as well, so one
 * level setting governs all of them. Results go to stdout elsewhere. */
#ifndef VS_LOG_H
#define VS_LOG_H

enum vs_log_level { VS_LOG_ERROR = 0, VS_LOG_WARN, VS_LOG_INFO, VS_LOG_DEBUG };

void vs_log_set_level(enum vs_log_level lvl);
enum vs_log_level vs_log_get_level(void);
/* Prefix every line with this program name (not copied: pass a literal). */
void vs_log_set_prefix(const char *prefix);
/* Start every line with the time, ISO 8601 in UTC with milliseconds
 * ("2026-11-26T15:02:03.123Z "), so a night's log can be ordered. */
void vs_log_set_timestamps(int on);
/* Timestamps when stderr is not a terminal (a log file, journald, a pipe). */
void vs_log_timestamps_auto(void);
/* Every line vs_log() prints goes to fn(ctx, line) instead of stderr
 * (line: one line ending in '\n'); NULL restores stderr. Calls are
 * serialised (one at a time, from whichever thread logs), and when this
 * returns no thread is inside the previous writer any more. */
typedef void (*vs_log_writer_fn)(void *ctx, const char *line);
void vs_log_set_writer(vs_log_writer_fn fn, void *ctx);
void vs_log(enum vs_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Route av_log() through vs_log (FFmpeg's own ERROR..INFO levels only
 * show at VS_LOG_DEBUG, since the pipeline reports failures itself), and
 * the lines encoder libraries print on their own (SVT-AV1's banner) too:
 * they are captured (SVT_LOG_FILE, unless the user set it) and shown at
 * VS_LOG_DEBUG by vs_log_drain_libraries(). Call once at start-up, before
 * any thread starts (it sets an environment variable). Both are defined in
 * media/avlog.c: only programs that link the media library have them. */
void vs_log_route_ffmpeg(void);
/* Logs, at VS_LOG_DEBUG, what encoder libraries printed since the last
 * call (call after opening or closing an encoder). Thread-safe. */
void vs_log_drain_libraries(void);

#endif
