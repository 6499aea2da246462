/* http/httpd.h - a small read-only HTTP server for vs-worker --metrics and
 * vs-dash, on libmicrohttpd (one internal polling thread; its messages go
 * through vs_log). Only the programs that serve HTTP link it. */
#ifndef VS_HTTP_HTTPD_H
#define VS_HTTP_HTTPD_H
#include <stddef.h>
#include <microhttpd.h>

/* Listens on SPEC ("PORT" = 127.0.0.1:PORT, "ADDR:PORT", "[V6]:PORT"; port 0
 * picks a free one) and answers every request with answer(ctx, ...).
 * conn_limit / timeout_s bound the connections. Writes the base URL,
 * "http://HOST:PORT", into url. Returns the daemon (stop it with
 * MHD_stop_daemon), or NULL with errstr. */
struct MHD_Daemon *vs_httpd_start(const char *spec, MHD_AccessHandlerCallback answer, void *ctx,
                                  unsigned conn_limit, unsigned timeout_s, char *url,
                                  size_t urlsz, char *errstr, size_t errsz);

#endif
