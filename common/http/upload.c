/* upload.c - PUTting a finished output to --upload's URL; see transfer.h. */
#include "http/transfer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "errstr.h"
#include "http/verdict.h"

/* Swallows the answer's body. */
static size_t on_body(char *data, size_t size, size_t n, void *p)
{
    (void)data, (void)p;
    return size * n;
}

char *vs_http_upload_url(const char *tmpl, const char *name)
{
    char *enc = curl_easy_escape(NULL, name, 0);
    if (!enc)
        return NULL;
    size_t n = 0, el = strlen(enc);
    for (const char *p = tmpl; *p;)
        if (!strncmp(p, "{name}", 6)) {
            n += el;
            p += 6;
        } else {
            n++;
            p++;
        }
    char *out = malloc(n + 1), *o = out;
    if (out) {
        for (const char *p = tmpl; *p;)
            if (!strncmp(p, "{name}", 6)) {
                memcpy(o, enc, el);
                o += el;
                p += 6;
            } else {
                *o++ = *p++;
            }
        *o = '\0';
    }
    curl_free(enc);
    return out;
}

enum vs_http_end vs_http_put(const vs_http_conf *c, const char *url, const char *path,
                             volatile int *cancel, char *errstr, size_t errsz)
{
    char label[512], cerr[CURL_ERROR_SIZE], why[CURL_ERROR_SIZE + 64] = "";
    struct curl_slist *hdrs = NULL;
    enum vs_http_end end = VS_HTTP_END_PERMANENT;
    double timeout = c->timeout_s > 0 ? c->timeout_s : VS_HTTP_TIMEOUT_S;
    int max_tries = c->tries > 0 ? c->tries : VS_HTTP_TRIES, tries = 0;
    double t0 = vs_clock_mono();
    struct stat sb;

    vs_http_public_url(url, label, sizeof label);
    FILE *f = fopen(path, "rbe");
    if (!f || fstat(fileno(f), &sb) < 0) {
        vs_set_err(errstr, errsz, "uploading %s: cannot read the output: %s", label,
                   strerror(errno));
        if (f)
            fclose(f);
        return VS_HTTP_END_TRANSIENT;
    }
    CURL *h = vs_http_easy(c, url, cancel, &hdrs, cerr);
    if (!h) {
        fclose(f);
        vs_set_err(errstr, errsz, "out of memory");
        return VS_HTTP_END_TRANSIENT;
    }
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READDATA, f);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)sb.st_size);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    /* A redirected PUT would send the body somewhere not asked for. */
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    for (;;) {
        long code = 0;
        double left = timeout - (vs_clock_mono() - t0);
        cerr[0] = '\0';
        rewind(f);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(left * 1000.0) + 1);
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
        if (!vs_http_try_again(v, cc, code, cerr, tries, max_tries, t0 + timeout, cancel, &end,
                               why, sizeof why))
            break;
    }
    curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    fclose(f);
    if (end != VS_HTTP_END_OK)
        vs_set_err(errstr, errsz, "uploading to %s: %s (%d tr%s, %.1f s)", label, why, tries,
                   tries == 1 ? "y" : "ies", vs_clock_mono() - t0);
    return end;
}
