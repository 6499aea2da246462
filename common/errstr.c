/* errstr.c - see errstr.h. */
#include "errstr.h"

#include <stdarg.h>
#include <stdio.h>

void vs_set_err(char *errstr, size_t errsz, const char *fmt, ...)
{
    if (!errstr || errsz == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, errsz, fmt, ap);
    va_end(ap);
}
