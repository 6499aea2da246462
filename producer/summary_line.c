/* summary_line.c - the batch's last line; see summary_line.h. */
#include "summary_line.h"

#include <stdio.h>

void vs_summary_line(char *buf, size_t sz, size_t total, size_t ok,
                     size_t skipped, size_t failed)
{
    if (!buf || sz == 0)
        return;
    int n = snprintf(buf, sz, "Done. %zu/%zu videos processed", ok, total);
    size_t used = n < 0 ? 0 : ((size_t)n < sz ? (size_t)n : sz - 1);
    if (skipped && used < sz) {
        n = snprintf(buf + used, sz - used, ", %zu skipped", skipped);
        used = n < 0 ? used : (used + (size_t)n < sz ? used + (size_t)n : sz - 1);
    }
    if (failed && used < sz) {
        n = snprintf(buf + used, sz - used, ", %zu failed", failed);
        used = n < 0 ? used : (used + (size_t)n < sz ? used + (size_t)n : sz - 1);
    }
    if (used < sz)
        snprintf(buf + used, sz - used, ".");
}
