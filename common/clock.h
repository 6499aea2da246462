/* clock.h - the two clocks of the project, in seconds as doubles.
 *
 * Durations and deadlines use the monotonic clock (a clock step never
 * makes a job look dead); times that travel in messages or are compared
 * with another machine's use the wall clock. */
#ifndef VS_CLOCK_H
#define VS_CLOCK_H

/* Seconds on CLOCK_MONOTONIC (an arbitrary origin). */
double vs_clock_mono(void);
/* Seconds since the Unix epoch (CLOCK_REALTIME). */
double vs_clock_wall(void);

#endif
