/* probe.h - what the producer needs to know of a video before planning. */
#ifndef VS_PROBE_H
#define VS_PROBE_H
#include <stddef.h>

/* Container duration in seconds (AVFormatContext.duration, SPEC §3.1).
 * Returns 0 or -1 with errstr (not a media file, no duration, ...). */
int vs_probe_duration(const char *path, double *duration, char *errstr, size_t errsz);

#endif
