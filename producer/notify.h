/* notify.h - --notify URL: POST the run's JSON summary to web hooks when
 * the batch ends (libcurl). A notification is a courtesy: its failure is
 * one line on stderr and never changes the batch's exit code. */
#ifndef VS_PRODUCE_NOTIFY_H
#define VS_PRODUCE_NOTIFY_H
#include <signal.h>
#include <stddef.h>

#define VS_NOTIFY_MAX       8    /* --notify URLs one run takes */
#define VS_NOTIFY_TIMEOUT_S 30.0 /* default --notify-timeout, per URL */

/* Checks a --notify URL before the run: http or https, no credentials in
 * it (they belong in the environment or a netrc file). Returns 0, or -1
 * with the reason in errstr. */
int vs_notify_check_url(const char *url, char *errstr, size_t errsz);

/* POSTs body (Content-Type: application/json) to each of urls[0..n-1];
 * a URL is tried again with back-off on connection errors, timeouts and
 * 408/429/5xx answers until timeout_s seconds have passed for it. TLS
 * peers are verified. Credentials: $VS_NOTIFY_TOKEN as a bearer token,
 * and user/password of the host from a netrc file ($NETRC, else ~/.netrc)
 * when one exists. Each URL that cannot be notified is one error line on
 * stderr naming only its scheme and host. *stop (a signal) ends the
 * retries. Returns the number of URLs that were not notified. */
int vs_notify_post(const char *const *urls, size_t n, const char *body, double timeout_s,
                   volatile sig_atomic_t *stop);

#endif
