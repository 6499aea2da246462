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
#include "http/httpd.h"
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

int vs_dash_http_start(const char *addr, vs_farm *farm, vs_dash_http **out, char *errstr,
                       size_t errsz)
{
    *out = NULL;
    vs_dash_http *h = calloc(1, sizeof *h);
    if (!h) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    h->farm = farm;
    char url[300];
    h->d = vs_httpd_start(addr, answer, h, 64u, 30u, url, sizeof url, errstr, errsz);
    if (!h->d) {
        free(h);
        return -1;
    }
    vs_log(VS_LOG_INFO, "dashboard on %s/", url);
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
