/* http.c - vs-dash's web server (see http.h), libmicrohttpd with its own
 * polling thread. Every answer is made from a snapshot of the farm taken
 * under its lock; the page is a constant (page.c). */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "errstr.h"
#include "log.h"
#include "page.h"

struct vs_dash_http {
    struct MHD_Daemon *d;
    vs_farm *farm;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type,
                            char *body, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, mode);
    if (!r) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    vs_dash_http *h = cls;
    (void)version;
    (void)upload;
    (void)upload_size;
    (void)con_cls;
    static char not_found[] = "not found\n", not_allowed[] = "read-only: GET only\n";
    if (strcmp(method, "GET") && strcmp(method, "HEAD"))
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", not_allowed,
                    MHD_RESPMEM_PERSISTENT);
    if (!strcmp(url, "/"))
        return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", (char *)vs_dash_page,
                    MHD_RESPMEM_PERSISTENT);
    char *body = NULL;
    const char *type = NULL;
    if (!strcmp(url, "/api/state")) {
        body = vs_farm_json(h->farm, vs_clock_wall());
        type = "application/json";
    } else if (!strcmp(url, "/metrics")) {
        body = vs_farm_metrics(h->farm, vs_clock_wall());
        type = "text/plain; version=0.0.4; charset=utf-8";
    } else {
        return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found, MHD_RESPMEM_PERSISTENT);
    }
    if (!body)
        return MHD_NO;
    return reply(c, MHD_HTTP_OK, type, body, MHD_RESPMEM_MUST_FREE);
}

/* libmicrohttpd's own messages go through vs_log like every other library's. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    vs_log(VS_LOG_WARN, "http: %s", msg);
}

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

int vs_dash_http_start(const char *addr, vs_farm *farm, vs_dash_http **out, char *errstr,
                       size_t errsz)
{
    struct sockaddr_storage ss;
    *out = NULL;
    if (parse_addr(addr, &ss, errstr, errsz) < 0)
        return -1;
    vs_dash_http *h = calloc(1, sizeof *h);
    if (!h) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    h->farm = farm;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    uint16_t port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                   : ((struct sockaddr_in *)&ss)->sin_port);
    h->d = MHD_start_daemon(flags, port, NULL, NULL, answer, h,
                            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                            MHD_OPTION_END);
    if (!h->d) {
        vs_set_err(errstr, errsz, "cannot listen on %s (in use, or not an address here)", addr);
        free(h);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    char host[INET6_ADDRSTRLEN] = "?";
    int v6 = ss.ss_family == AF_INET6;
    if (v6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
    else
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
    vs_log(VS_LOG_INFO, "dashboard on http://%s%s%s:%u/", v6 ? "[" : "", host, v6 ? "]" : "",
           di ? (unsigned)di->port : 0u);
    *out = h;
    return 0;
}

void vs_dash_http_stop(vs_dash_http **h)
{
    if (!h || !*h)
        return;
    if ((*h)->d)
        MHD_stop_daemon((*h)->d);
    free(*h);
    *h = NULL;
}
