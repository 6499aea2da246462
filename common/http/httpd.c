/* httpd.c - the small HTTP server of vs-worker --metrics and vs-dash; see httpd.h. */
#include "http/httpd.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "errstr.h"
#include "log.h"

/* libmicrohttpd's own messages go through vs_log like every other library's. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    vs_log(VS_LOG_WARN, "http: %s", msg);
}

/* "PORT", "ADDR:PORT" or "[V6]:PORT" into a socket address. */
static int parse_addr(const char *spec, struct sockaddr_storage *ss, char *errstr,
                      size_t errsz)
{
    char host[256] = "127.0.0.1";
    const char *port = spec;
    const char *colon = strrchr(spec, ':');
    if (colon) {
        size_t n = (size_t)(colon - spec);
        const char *hs = spec;
        if (n >= 2 && hs[0] == '[' && hs[n - 1] == ']') {
            hs++;
            n -= 2;
        }
        if (n == 0 || n >= sizeof host) {
            vs_set_err(errstr, errsz, "want [ADDR:]PORT");
            return -1;
        }
        memcpy(host, hs, n);
        host[n] = '\0';
        port = colon + 1;
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535) {
        vs_set_err(errstr, errsz, "'%s' is not a port number", port);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0 || !ai) {
        vs_set_err(errstr, errsz, "%s: %s", host, gai_strerror(rc));
        return -1;
    }
    memset(ss, 0, sizeof *ss);
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    return 0;
}

struct MHD_Daemon *vs_httpd_start(const char *spec, MHD_AccessHandlerCallback answer, void *ctx,
                                  unsigned conn_limit, unsigned timeout_s, char *url,
                                  size_t urlsz, char *errstr, size_t errsz)
{
    struct sockaddr_storage ss;
    if (parse_addr(spec, &ss, errstr, errsz) < 0)
        return NULL;
    int v6 = ss.ss_family == AF_INET6;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (v6)
        flags |= MHD_USE_IPv6;
    uint16_t port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                             : ((struct sockaddr_in *)&ss)->sin_port);
    struct MHD_Daemon *d = MHD_start_daemon(flags, port, NULL, NULL, answer, ctx,
                                            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                                            MHD_OPTION_CONNECTION_LIMIT, conn_limit,
                                            MHD_OPTION_CONNECTION_TIMEOUT, timeout_s,
                                            MHD_OPTION_END);
    if (!d) {
        vs_set_err(errstr, errsz, "cannot listen on %s (in use, or not an address of this host)",
                   spec);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char host[INET6_ADDRSTRLEN] = "?";
    if (v6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
    else
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
    snprintf(url, urlsz, "http://%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "",
             di ? (unsigned)di->port : 0u);
    return d;
}
