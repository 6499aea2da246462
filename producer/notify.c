/* notify.c - --notify URL with libcurl: when the batch ends, POST the JSON
 * summary to each URL; tries again with back-off (0.5 s, 1 s, 2 s, ... at
 * most 8 s apart) on connection errors, timeouts and 408/429/5xx answers,
 * within an overall time limit per URL. Nothing here decides the exit code.
 *
 * Secrets never reach the log: a URL with user:password in it is refused
 * before the run (vs_notify_check_url), a URL is named in messages by its
 * scheme and host only (a web hook's path or query often is the secret),
 * and credentials come from $VS_NOTIFY_TOKEN or a netrc file. */
#include "notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "clock.h"
#include "http/client.h"
#include "log.h"

#define VS_NOTIFY_BACKOFF_S     0.5
#define VS_NOTIFY_BACKOFF_MAX_S 8.0

/* "https://host:port" of url into out (no user, path or query). */
static void url_label(const char *url, char *out, size_t sz)
{
    char *scheme = NULL, *host = NULL, *port = NULL;
    CURLU *u = curl_url();
    snprintf(out, sz, "(unparsable URL)");
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port)
            snprintf(out, sz, "%s://%s:%s", scheme, host, port);
        else
            snprintf(out, sz, "%s://%s", scheme, host);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
}

int vs_notify_check_url(const char *url, char *errstr, size_t errsz)
{
    char why[256];
    switch (vs_http_url_problem(url, why, sizeof why)) {
    case 0:
        return 0;
    case VS_HTTP_URL_BAD:
        snprintf(errstr, errsz, "--notify: not a URL: '%s'", url);
        break;
    case VS_HTTP_URL_CREDENTIALS: /* the URL is not echoed: it holds a secret */
        snprintf(errstr, errsz, "--notify: no credentials in the URL, please; "
                                "use $VS_NOTIFY_TOKEN or a netrc file");
        break;
    default:
        snprintf(errstr, errsz, "--notify: %s", why);
        break;
    }
    return -1;
}

/* Aborts a transfer when the run is interrupted. */
static int on_progress(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    volatile sig_atomic_t *stop = p;
    return stop && *stop;
}

/* Swallows the answer's body. */
static size_t on_body(char *data, size_t size, size_t n, void *p)
{
    return size * n;
}

/* Whether a transfer error may go away on its own. */
static int transient(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_SSL_CONNECT_ERROR:
        return 1;
    default:
        return 0;
    }
}

/* Sleeps s seconds, or less when *stop is raised. */
static void nap(double s, volatile sig_atomic_t *stop)
{
    double end = vs_clock_mono() + s;
    while (!(stop && *stop)) {
        double left = end - vs_clock_mono();
        if (left <= 0)
            break;
        if (left > 0.05)
            left = 0.05;
        struct timespec ts = {0, (long)(left * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* One URL, with retries. Returns 0, or -1 with the reason in why. */
static int post_one(CURL *h, const char *label, double timeout_s, volatile sig_atomic_t *stop,
                    char *why, size_t whysz)
{
    char cerr[CURL_ERROR_SIZE];
    double t0 = vs_clock_mono(), backoff = VS_NOTIFY_BACKOFF_S;
    int tries = 0;

    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    for (;;) {
        double left = timeout_s - (vs_clock_mono() - t0);
        long code = 0;
        int again;

        cerr[0] = '\0';
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(left * 1000.0) + 1);
        CURLcode cc = curl_easy_perform(h);
        tries++;
        if (cc == CURLE_OK) {
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
            if (code >= 200 && code < 300) {
                vs_log(VS_LOG_INFO, "notified %s (HTTP %ld, %d tr%s)", label, code, tries,
                       tries == 1 ? "y" : "ies");
                return 0;
            }
            again = code == 408 || code == 429 || code >= 500;
            if (code >= 300 && code < 400)
                snprintf(why, whysz, "HTTP %ld (redirects are not followed)", code);
            else
                snprintf(why, whysz, "HTTP %ld", code);
        } else if (stop && *stop) {
            snprintf(why, whysz, "interrupted");
            again = 0;
        } else {
            again = transient(cc);
            snprintf(why, whysz, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
        }
        left = timeout_s - (vs_clock_mono() - t0);
        if (!again || (stop && *stop) || left <= backoff)
            break;
        nap(backoff, stop);
        backoff = backoff * 2 > VS_NOTIFY_BACKOFF_MAX_S ? VS_NOTIFY_BACKOFF_MAX_S : backoff * 2;
    }
    char reason[CURL_ERROR_SIZE + 64];
    snprintf(reason, sizeof reason, "%s", why);
    snprintf(why, whysz, "gave up after %d tr%s in %.1f s: %s", tries, tries == 1 ? "y" : "ies",
             vs_clock_mono() - t0, reason);
    return -1;
}

int vs_notify_post(const char *const *urls, size_t n, const char *body, double timeout_s,
                   volatile sig_atomic_t *stop)
{
    struct curl_slist *hdrs = NULL, *h2;
    char auth[1024];
    int failed = 0;

    if (n == 0)
        return 0;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        vs_log(VS_LOG_ERROR, "notify: libcurl could not start; nobody was notified");
        return (int)n;
    }
    const char *token = getenv("VS_NOTIFY_TOKEN");
    if (!(h2 = curl_slist_append(hdrs, "Content-Type: application/json")) || !(hdrs = h2) ||
        !(h2 = curl_slist_append(hdrs, "Expect:")) || !(hdrs = h2))
        goto oom;
    if (token && *token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h2 = curl_slist_append(hdrs, auth);
        memset(auth, 0, sizeof auth);
        if (!h2)
            goto oom;
        hdrs = h2;
    }
    for (size_t i = 0; i < n; i++) {
        char label[512], why[CURL_ERROR_SIZE + 128] = "";
        url_label(urls[i], label, sizeof label);
        CURL *h = curl_easy_init();
        if (!h) {
            vs_log(VS_LOG_ERROR, "notify %s: out of memory", label);
            failed++;
            continue;
        }
        curl_easy_setopt(h, CURLOPT_URL, urls[i]);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
        if (getenv("NETRC") && *getenv("NETRC"))
            curl_easy_setopt(h, CURLOPT_NETRC_FILE, getenv("NETRC"));
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "vs-produce/" VS_VERSION);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)stop);
        if (post_one(h, label, timeout_s, stop, why, sizeof why) < 0) {
            vs_log(VS_LOG_ERROR, "notify %s: %s", label, why);
            failed++;
        }
        curl_easy_cleanup(h);
    }
    curl_slist_free_all(hdrs);
    curl_global_cleanup();
    return failed;
oom:
    vs_log(VS_LOG_ERROR, "notify: out of memory; nobody was notified");
    curl_slist_free_all(hdrs);
    curl_global_cleanup();
    return (int)n;
}
