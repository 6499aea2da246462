/* errstr.h - filling a caller's error buffer (the librdkafka convention:
 * functions return 0 / -1 and write a one-line reason a person will read). */
#ifndef VS_ERRSTR_H
#define VS_ERRSTR_H
#include <stddef.h>

/* printf into errstr (errsz bytes); does nothing when errstr is NULL. */
void vs_set_err(char *errstr, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
