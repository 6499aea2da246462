/* client.c - the shared libcurl set-up of downloads and uploads; see client.h. */
#include "http/client.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "errstr.h"

int vs_http_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void vs_http_global_cleanup(void)
{
    curl_global_cleanup();
}

int vs_http_is_url(const char *s)
{
    return s && (!strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8));
}

int vs_http_check_url(const char *url, char *errstr, size_t errsz)
{
    return vs_http_url_problem(url, errstr, errsz) ? -1 : 0;
}

int vs_http_url_problem(const char *url, char *errstr, size_t errsz)
{
    char *scheme = NULL, *user = NULL, *password = NULL;
    int rc = -1;
    CURLU *u = curl_url();
    if (!u) {
        vs_set_err(errstr, errsz, "out of memory");
        return VS_HTTP_URL_BAD;
    }
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        vs_set_err(errstr, errsz, "not a URL");
        rc = VS_HTTP_URL_BAD;
        goto out;
    }
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        vs_set_err(errstr, errsz, "only http and https URLs, not %s", scheme);
        rc = VS_HTTP_URL_SCHEME;
        goto out;
    }
    /* Not echoed: it holds a secret. */
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK) {
        vs_set_err(errstr, errsz, "a URL must not carry credentials; use $VS_HTTP_BEARER "
                   "or --netrc-file");
        rc = VS_HTTP_URL_CREDENTIALS;
        goto out;
    }
    rc = 0;
out:
    curl_free(scheme);
    curl_free(user);
    curl_free(password);
    curl_url_cleanup(u);
    return rc;
}

void vs_http_public_url(const char *url, char *out, size_t sz)
{
    char *clean = NULL;
    CURLU *u = curl_url();
    snprintf(out, sz, "(unparsable URL)");
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_QUERY, NULL, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &clean, 0) == CURLUE_OK)
        snprintf(out, sz, "%s", clean);
    curl_free(clean);
    curl_url_cleanup(u);
}

/* Aborts a transfer when the job is cancelled. */
static int on_progress(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    volatile int *cancel = p;
    (void)dt, (void)dn, (void)ut, (void)un;
    return cancel && *cancel;
}

CURL *vs_http_easy(const vs_http_conf *c, const char *url, volatile int *cancel,
                   struct curl_slist **hdrs, char *curl_err)
{
    struct curl_slist *l = NULL, *l2;
    *hdrs = NULL;
    CURL *h = curl_easy_init();
    if (!h)
        return NULL;
    /* No "Expect: 100-continue" round trip before an upload's body. */
    if (!(l = curl_slist_append(NULL, "Expect:")))
        goto oom;
    if (c->bearer && *c->bearer) {
        char auth[2048];
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->bearer);
        l2 = curl_slist_append(l, auth);
        memset(auth, 0, sizeof auth);
        if (!l2)
            goto oom;
        l = l2;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
#if CURL_AT_LEAST_VERSION(7, 85, 0)
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    if (c->netrc_file) {
        curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
        curl_easy_setopt(h, CURLOPT_NETRC_FILE, c->netrc_file);
    }
    /* Object stores redirect downloads; curl sends neither our
     * Authorization header nor netrc credentials to another host. */
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, l);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "vs-worker/" VS_VERSION);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, VS_HTTP_STALL_BPS);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                     (long)(c->stall_s > 0 ? c->stall_s + 0.999 : VS_HTTP_STALL_S));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)cancel);
    *hdrs = l;
    return h;
oom:
    curl_slist_free_all(l);
    curl_easy_cleanup(h);
    return NULL;
}

int vs_http_try_again(enum vs_http_verdict v, CURLcode cc, long code, const char *cerr,
                      int tries, int max_tries, double deadline, volatile int *cancel,
                      enum vs_http_end *end, char *why, size_t whysz)
{
    if (v == VS_HTTP_OK) {
        *end = VS_HTTP_END_OK;
        return 0;
    }
    if (cc == CURLE_OK)
        snprintf(why, whysz, "HTTP %ld", code);
    else
        snprintf(why, whysz, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
    *end = v == VS_HTTP_RETRY ? VS_HTTP_END_TRANSIENT : VS_HTTP_END_PERMANENT;
    double pause = vs_http_backoff_s(tries);
    if (v != VS_HTTP_RETRY || tries >= max_tries || deadline - vs_clock_mono() <= pause)
        return 0;
    if (vs_http_nap(pause, cancel)) {
        *end = VS_HTTP_END_CANCELLED;
        snprintf(why, whysz, "cancelled");
        return 0;
    }
    return 1;
}

double vs_http_backoff_s(int n)
{
    double s = VS_HTTP_BACKOFF_S;
    for (int i = 1; i < n && s < 8.0; i++)
        s *= 2;
    return s > 8.0 ? 8.0 : s;
}

int vs_http_nap(double s, volatile int *cancel)
{
    double end = vs_clock_mono() + s;
    while (!(cancel && *cancel)) {
        double left = end - vs_clock_mono();
        if (left <= 0)
            return 0;
        if (left > 0.05)
            left = 0.05;
        struct timespec ts = {0, (long)(left * 1e9)};
        nanosleep(&ts, NULL);
    }
    return 1;
}
