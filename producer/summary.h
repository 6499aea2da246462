/* summary.h - the end of a run: per-file results and the original tool's
 * summary line on stdout (or one JSON document with --json), the failed
 * names on stderr. */
#ifndef VS_PRODUCE_SUMMARY_H
#define VS_PRODUCE_SUMMARY_H
#include <stdio.h>

#include "batch.h"

/* Prints the summary of b to out; wall_s is the run's wall time. Failed
 * files are also listed on stderr (text and JSON alike). Returns 0, or -1
 * when out could not be written. */
int vs_summary_print(const vs_batch *b, int json, double wall_s, FILE *out);

/* The JSON summary document (what --json prints) of b, or NULL (logged)
 * when out of memory. The caller frees it with free(). */
char *vs_summary_json(const vs_batch *b, double wall_s);

/* The exit code b deserves: 0 when nothing failed, else 1. */
int vs_summary_exit_code(const vs_batch *b);

#endif
