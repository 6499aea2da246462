/* http/verdict.h - what one HTTP transfer's result means, as a pure
 * function: done, worth another try, or the job's own permanent error.
 * Downloads (http inputs) and uploads (--upload) both ask it, and
 * tests/unit/test_http_verdict.c checks it with a table. */
#ifndef VS_HTTP_VERDICT_H
#define VS_HTTP_VERDICT_H

enum vs_http_verdict {
    VS_HTTP_OK = 0,    /* 2xx */
    VS_HTTP_RETRY,     /* may go away on its own: try again, and call it transient */
    VS_HTTP_PERMANENT, /* another try would get the same: the job's error */
};

/* curl_code: the transfer's CURLcode (0 = an answer came); status: the
 * HTTP status of that answer (ignored unless curl_code is 0). Transient:
 * connection failures, timeouts and stalls (low-speed limit), cut
 * transfers, 408, 425, 429 and 5xx. Permanent: every other 3xx/4xx
 * (404, 403, 401, ...), TLS verification failures, bad URLs, refused
 * logins and size limits. */
enum vs_http_verdict vs_http_verdict_of(int curl_code, long status);

/* "ok", "retry", "permanent" (static strings). */
const char *vs_http_verdict_str(enum vs_http_verdict v);

#endif
