/* http/transfer.h - downloading an http input and uploading an output,
 * each with retries: transient failures (verdict.h) are tried again with
 * back-off (0.5 s, 1 s, 2 s, ... at most 8 s apart) up to conf->tries
 * times within conf->timeout_s; a download cut mid-file goes on from
 * where it stopped (an HTTP Range request; a server that ignores it is
 * read again from the start). Messages name URLs by vs_http_public_url. */
#ifndef VS_HTTP_TRANSFER_H
#define VS_HTTP_TRANSFER_H
#include <stddef.h>
#include "http/client.h"

/* Downloads url into path (created, mode 0600; left partial on failure:
 * the caller removes it). Bodies over conf->max_bytes are refused (a
 * permanent error). Returns a vs_http_end; errstr says why when not OK. */
enum vs_http_end vs_http_fetch(const vs_http_conf *c, const char *url, const char *path,
                               volatile int *cancel, long long *bytes, char *errstr,
                               size_t errsz);

/* PUTs the file at path to url (a WebDAV folder's file, or a pre-signed
 * object-store URL). Returns a vs_http_end; errstr says why when not OK. */
enum vs_http_end vs_http_put(const vs_http_conf *c, const char *url, const char *path,
                             volatile int *cancel, char *errstr, size_t errsz);

/* The upload URL for an output named name: tmpl with each "{name}"
 * replaced by name, percent-encoded. Returns a new string (caller frees),
 * NULL on OOM. */
char *vs_http_upload_url(const char *tmpl, const char *name);

#endif
