/* http.h - vs-dash's web server: "/" (the page), "/api/state" (JSON) and
 * "/metrics" (Prometheus text); GET only, read-only. */
#ifndef VS_DASH_HTTP_H
#define VS_DASH_HTTP_H
#include <stddef.h>

#include "farm.h"

typedef struct vs_dash_http vs_dash_http;

/* Listens on addr ("PORT" = 127.0.0.1:PORT, "ADDR:PORT", "[V6]:PORT";
 * PORT 0 picks a free one) from threads of its own and logs the URL.
 * Borrows farm. Returns 0 or -1 with errstr. */
int vs_dash_http_start(const char *addr, vs_farm *farm, vs_dash_http **out, char *errstr,
                       size_t errsz);
void vs_dash_http_stop(vs_dash_http **h);

#endif
