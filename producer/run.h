/* run.h - one vs-produce run from start to summary. */
#ifndef VS_PRODUCE_RUN_H
#define VS_PRODUCE_RUN_H
#include <signal.h>

#include "options.h"

/* Exit codes of vs-produce. */
#define VS_EXIT_OK      0 /* every video processed or skipped */
#define VS_EXIT_FAILED  1 /* at least one video failed */
#define VS_EXIT_SETUP   2 /* bad usage, folder, sidecar or broker */

/* --detect: writes the sidecar of o->input. *stop (a signal) interrupts
 * it. Returns an exit code. */
int vs_produce_detect(const vs_produce_opts *o, volatile sig_atomic_t *stop);

/* --create-topics: the jobs and status topics, when missing. Returns an
 * exit code (VS_EXIT_SETUP when the brokers refused this client). */
int vs_produce_create_topics(const vs_produce_opts *o);

/* The folder run: (detect on --vad-master), build the jobs, then print them
 * (--dry-run) or publish them and follow the status topic to the summary.
 * *stop is raised by SIGINT/SIGTERM. Returns an exit code. */
int vs_produce_run(const vs_produce_opts *o, volatile sig_atomic_t *stop);

#endif
