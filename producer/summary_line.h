/* summary_line.h - the batch's last line, in the original tool's words. */
#ifndef VS_PRODUCE_SUMMARY_LINE_H
#define VS_PRODUCE_SUMMARY_LINE_H
#include <stddef.h>

/* "Done. 2/4 videos processed, 1 skipped, 1 failed.", zero counts left
 * out. Writes into buf (cut to sz, always terminated). */
void vs_summary_line(char *buf, size_t sz, size_t total, size_t ok,
                     size_t skipped, size_t failed);

#endif
