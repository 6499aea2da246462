/* run_job.h - `vs-worker --job FILE.json`: run one job by hand and exit.
 * This is the user's own command, so paths are not confined to roots. */
#ifndef VS_WORKER_RUN_JOB_H
#define VS_WORKER_RUN_JOB_H
#include "media/pipeline.h"

/* Loads FILE, runs it with the given encoder preference, prints progress on
 * a TTY. Returns the process exit code (0 = success or skipped). */
int vs_run_job(const char *job_file, enum vs_encoder_pref enc, const char *fault, int threads);

#endif
