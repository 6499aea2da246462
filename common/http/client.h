/* http/client.h - what downloads and uploads share (libcurl): the
 * settings, one easy handle set up the same way every time, the retry
 * pacing, and a URL fit for logs and statuses.
 *
 * TLS peers and host names are always verified (--http-ca only changes
 * which authorities are trusted). Credentials come from the environment
 * ($VS_HTTP_BEARER, sent as "Authorization: Bearer") or a netrc file
 * (--netrc-file), never from a job message: a URL carrying user:password
 * is refused before anything is sent. Logs and statuses name a URL by
 * vs_http_public_url (no credentials, no query, no fragment), because a
 * pre-signed URL's query is a key. */
#ifndef VS_HTTP_CLIENT_H
#define VS_HTTP_CLIENT_H
#include <stddef.h>
#include <curl/curl.h>
#include "verdict.h"

#define VS_HTTP_TIMEOUT_S 600.0  /* one download or upload, every try included */
#define VS_HTTP_STALL_S   30.0   /* slower than VS_HTTP_STALL_BPS this long = stalled */
#define VS_HTTP_STALL_BPS 1024L
#define VS_HTTP_TRIES     5
#define VS_HTTP_BACKOFF_S 0.5    /* first pause between tries; doubles, at most 8 s */

typedef struct vs_http_conf {
    const char *netrc_file;  /* user/password per host; NULL = none */
    const char *bearer;      /* bearer token; NULL = none (never logged) */
    const char *ca_file;     /* trusted CAs instead of the system's; NULL = system */
    double timeout_s;        /* <= 0: VS_HTTP_TIMEOUT_S */
    double stall_s;          /* <= 0: VS_HTTP_STALL_S */
    int tries;               /* <= 0: VS_HTTP_TRIES */
    long long max_bytes;     /* downloads bigger than this are refused; 0 = no limit */
} vs_http_conf;

/* How a download or upload ended. */
enum vs_http_end {
    VS_HTTP_END_OK = 0,
    VS_HTTP_END_TRANSIENT,  /* tries or time used up on transient failures */
    VS_HTTP_END_PERMANENT,  /* 404, 403, size limit, TLS verification, ... */
    VS_HTTP_END_CANCELLED,  /* *cancel was raised */
};

/* libcurl's global start, before any thread uses HTTP (0 or -1), and its
 * end after they all stopped; libcurl counts the pairs. */
int vs_http_global_init(void);
void vs_http_global_cleanup(void);

/* 1 when s starts with http:// or https:// (case-insensitive). */
int vs_http_is_url(const char *s);

/* What is wrong with a URL (or an --upload template) before use: 0 when
 * it is http or https without credentials, else VS_HTTP_URL_BAD (not a
 * URL), VS_HTTP_URL_SCHEME (neither http nor https) or
 * VS_HTTP_URL_CREDENTIALS, with errstr (the URL not echoed: it may hold a
 * secret), so a caller may say it its own way (--notify). */
enum { VS_HTTP_URL_BAD = -1, VS_HTTP_URL_SCHEME = -2, VS_HTTP_URL_CREDENTIALS = -3 };
int vs_http_url_problem(const char *url, char *errstr, size_t errsz);
/* The same as 0, or -1 with errstr. */
int vs_http_check_url(const char *url, char *errstr, size_t errsz);

/* url without user, password, query and fragment, for logs and statuses. */
void vs_http_public_url(const char *url, char *out, size_t sz);

/* A handle for url, set up as the header says: http/https only, TLS
 * verified, no signals, the stall limit, credentials, *cancel (may be
 * NULL) aborting the transfer. *hdrs receives the header list to free
 * with curl_slist_free_all after the handle. NULL on OOM. */
CURL *vs_http_easy(const vs_http_conf *c, const char *url, volatile int *cancel,
                   struct curl_slist **hdrs, char *curl_err);

/* After try number `tries` of a transfer loop, with verdict v (cc and the
 * HTTP code from it, cerr libcurl's message): OK ends with *end OK;
 * otherwise why says what went wrong and *end is transient or permanent,
 * and a retry verdict with tries and time (until the monotonic deadline)
 * left waits its back-off. Returns 1 to try again, 0 to stop (*end set;
 * cancelled during the wait: VS_HTTP_END_CANCELLED). */
int vs_http_try_again(enum vs_http_verdict v, CURLcode cc, long code, const char *cerr,
                      int tries, int max_tries, double deadline, volatile int *cancel,
                      enum vs_http_end *end, char *why, size_t whysz);

/* Seconds to wait before try n+1 (n >= 1 tries done). */
double vs_http_backoff_s(int n);
/* Sleeps s seconds, less when *cancel is raised. Returns 1 when cancelled. */
int vs_http_nap(double s, volatile int *cancel);

#endif
