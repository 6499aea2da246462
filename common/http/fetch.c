/* fetch.c - downloading an http input to a scratch file, with resume;
 * see transfer.h. */
#include "http/transfer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "errstr.h"
#include "http/verdict.h"

struct sink {
    CURL *h;
    int fd;
    long long have;      /* bytes in the file */
    long long max;       /* 0 = no limit */
    int checked;         /* the answer's status was looked at */
    int discard;         /* an error page: not the file */
    int over;            /* the size limit was hit */
    int write_err;       /* errno of a failed write */
};

static size_t on_data(char *p, size_t size, size_t n, void *u)
{
    struct sink *k = u;
    size_t len = size * n;
    if (!k->checked) {
        long code = 0;
        curl_easy_getinfo(k->h, CURLINFO_RESPONSE_CODE, &code);
        k->checked = 1;
        k->discard = code != 200 && code != 206;
        if (code == 200 && k->have > 0) {
            /* The server ignored the Range: the whole file comes again. */
            if (ftruncate(k->fd, 0) < 0 || lseek(k->fd, 0, SEEK_SET) < 0) {
                k->write_err = errno;
                return 0;
            }
            k->have = 0;
        }
    }
    if (k->discard)
        return len;
    if (k->max > 0 && k->have + (long long)len > k->max) {
        k->over = 1;
        return 0;
    }
    for (size_t off = 0; off < len;) {
        ssize_t w = write(k->fd, p + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            k->write_err = w < 0 ? errno : EIO;
            return 0;
        }
        off += (size_t)w;
    }
    k->have += (long long)len;
    return len;
}

enum vs_http_end vs_http_fetch(const vs_http_conf *c, const char *url, const char *path,
                               volatile int *cancel, long long *bytes, char *errstr,
                               size_t errsz)
{
    char label[512], cerr[CURL_ERROR_SIZE], why[CURL_ERROR_SIZE + 64] = "";
    struct curl_slist *hdrs = NULL;
    enum vs_http_end end = VS_HTTP_END_PERMANENT;
    double timeout = c->timeout_s > 0 ? c->timeout_s : VS_HTTP_TIMEOUT_S;
    int max_tries = c->tries > 0 ? c->tries : VS_HTTP_TRIES, tries = 0;
    double t0 = vs_clock_mono();
    struct sink k = {.fd = -1, .max = c->max_bytes};

    vs_http_public_url(url, label, sizeof label);
    k.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (k.fd < 0) {
        vs_set_err(errstr, errsz, "cannot create the scratch file %s: %s", path,
                   strerror(errno));
        return VS_HTTP_END_TRANSIENT; /* the worker's disk, not the job */
    }
    CURL *h = vs_http_easy(c, url, cancel, &hdrs, cerr);
    if (!h) {
        close(k.fd);
        vs_set_err(errstr, errsz, "out of memory");
        return VS_HTTP_END_TRANSIENT;
    }
    k.h = h;
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &k);
    for (;;) {
        long code = 0;
        double left = timeout - (vs_clock_mono() - t0);
        cerr[0] = '\0';
        k.checked = k.discard = k.over = k.write_err = 0;
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(left * 1000.0) + 1);
        /* Go on from what we have; a declared length over the limit is
         * refused before the body comes. */
        curl_easy_setopt(h, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)k.have);
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                         (curl_off_t)(k.max > 0 && k.have == 0 ? k.max : 0));
        CURLcode cc = curl_easy_perform(h);
        tries++;
        if (cc == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        enum vs_http_verdict v = vs_http_verdict_of(cc, code);
        if (cancel && *cancel) {
            end = VS_HTTP_END_CANCELLED;
            snprintf(why, sizeof why, "cancelled");
            break;
        }
        if (k.over || cc == CURLE_FILESIZE_EXCEEDED) {
            snprintf(why, sizeof why, "larger than the size limit of %lld bytes", k.max);
            end = VS_HTTP_END_PERMANENT;
            break;
        }
        if (k.write_err) {
            snprintf(why, sizeof why, "writing the scratch file: %s", strerror(k.write_err));
            end = VS_HTTP_END_TRANSIENT;
            break;
        }
        if (cc == CURLE_OK && code == 416 && k.have > 0) {
            /* Our part is not a prefix of what is there now: start over. */
            if (ftruncate(k.fd, 0) < 0 || lseek(k.fd, 0, SEEK_SET) < 0) {
                snprintf(why, sizeof why, "truncating the scratch file: %s", strerror(errno));
                end = VS_HTTP_END_TRANSIENT;
                break;
            }
            k.have = 0;
            v = VS_HTTP_RETRY;
        }
        if (!vs_http_try_again(v, cc, code, cerr, tries, max_tries, t0 + timeout, cancel, &end,
                               why, sizeof why))
            break;
    }
    curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    if (close(k.fd) < 0 && end == VS_HTTP_END_OK) {
        snprintf(why, sizeof why, "writing the scratch file: %s", strerror(errno));
        end = VS_HTTP_END_TRANSIENT;
    }
    if (bytes)
        *bytes = k.have;
    if (end != VS_HTTP_END_OK)
        vs_set_err(errstr, errsz, "downloading %s: %s (%d tr%s, %.1f s)", label, why, tries,
                   tries == 1 ? "y" : "ies", vs_clock_mono() - t0);
    return end;
}
