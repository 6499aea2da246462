/* verdict.c - the retry rule of HTTP transfers; see verdict.h. */
#include "http/verdict.h"

#include <curl/curl.h>

enum vs_http_verdict vs_http_verdict_of(int curl_code, long status)
{
    switch ((CURLcode)curl_code) {
    case CURLE_OK:
        break;
    /* The network, the server or a proxy in between hiccupped. */
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT: /* also the low-speed limit: a stalled server */
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:       /* the connection was cut mid-body */
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return VS_HTTP_RETRY;
    default:
        /* TLS verification, bad URL, login denied, size limit, our own
         * abort: nothing a later try would change. */
        return VS_HTTP_PERMANENT;
    }
    if (status >= 200 && status < 300)
        return VS_HTTP_OK;
    if (status == 408 || status == 425 || status == 429 || status >= 500)
        return VS_HTTP_RETRY;
    return VS_HTTP_PERMANENT;
}

const char *vs_http_verdict_str(enum vs_http_verdict v)
{
    switch (v) {
    case VS_HTTP_OK:    return "ok";
    case VS_HTTP_RETRY: return "retry";
    default:            return "permanent";
    }
}
