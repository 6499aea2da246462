/* probe.h - what the producer needs to know of a video before planning. */
#ifndef VS_PROBE_H
#define VS_PROBE_H
#include <stddef.h>

/* The media's duration in seconds on its own clock (SPEC §3.1): from its
 * first presentation time (the earliest audio or video start) to the end
 * of its last audio or video packet - not the container's duration, which
 * counts a non-zero start (a screen recording stamped from 1.4 s) as if it
 * were media. Returns 0 or -1 with errstr (not a media file, no duration).
 * The worker uses the same origin (common/media/demux.c). */
int vs_probe_duration(const char *path, double *duration, char *errstr, size_t errsz);

#endif
