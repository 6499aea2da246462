/* test_http.c - table tests of the HTTP retry rule (common/http/verdict.c),
 * the upload URL template, the public form of a URL (what logs and
 * statuses show) and the file name of an input URL (common/job.c).
 * Breaking the rule that 404 is permanent and 503 transient, or letting
 * a query string into a status, fails a row. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <curl/curl.h>

#include "job.h"
#include "http/client.h"
#include "http/transfer.h"
#include "http/verdict.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_verdict(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        int cc;
        long status;
        enum vs_http_verdict want;
    } rows[] = {
        {"200 is done", CURLE_OK, 200, VS_HTTP_OK},
        {"206 (a resumed range) is done", CURLE_OK, 206, VS_HTTP_OK},
        {"201 Created (WebDAV PUT) is done", CURLE_OK, 201, VS_HTTP_OK},
        {"204 No Content (PUT over a file) is done", CURLE_OK, 204, VS_HTTP_OK},
        {"404 is the job's error", CURLE_OK, 404, VS_HTTP_PERMANENT},
        {"403 is the job's error", CURLE_OK, 403, VS_HTTP_PERMANENT},
        {"401 is the job's error", CURLE_OK, 401, VS_HTTP_PERMANENT},
        {"410 Gone is the job's error", CURLE_OK, 410, VS_HTTP_PERMANENT},
        {"413 too large (upload) is the job's error", CURLE_OK, 413, VS_HTTP_PERMANENT},
        {"a redirect not followed is permanent", CURLE_OK, 302, VS_HTTP_PERMANENT},
        {"500 is transient", CURLE_OK, 500, VS_HTTP_RETRY},
        {"502 is transient", CURLE_OK, 502, VS_HTTP_RETRY},
        {"503 is transient", CURLE_OK, 503, VS_HTTP_RETRY},
        {"504 is transient", CURLE_OK, 504, VS_HTTP_RETRY},
        {"408 request timeout is transient", CURLE_OK, 408, VS_HTTP_RETRY},
        {"429 too many requests is transient", CURLE_OK, 429, VS_HTTP_RETRY},
        {"connection refused is transient", CURLE_COULDNT_CONNECT, 0, VS_HTTP_RETRY},
        {"DNS failure is transient", CURLE_COULDNT_RESOLVE_HOST, 0, VS_HTTP_RETRY},
        {"a timeout or stall (low-speed limit) is transient", CURLE_OPERATION_TIMEDOUT, 0,
         VS_HTTP_RETRY},
        {"a body cut short is transient", CURLE_PARTIAL_FILE, 0, VS_HTTP_RETRY},
        {"a connection reset is transient", CURLE_RECV_ERROR, 0, VS_HTTP_RETRY},
        {"an empty answer is transient", CURLE_GOT_NOTHING, 0, VS_HTTP_RETRY},
        {"a TLS handshake cut is transient", CURLE_SSL_CONNECT_ERROR, 0, VS_HTTP_RETRY},
        {"an unverifiable certificate is permanent", CURLE_PEER_FAILED_VERIFICATION, 0,
         VS_HTTP_PERMANENT},
        {"the size limit is permanent", CURLE_FILESIZE_EXCEEDED, 0, VS_HTTP_PERMANENT},
        {"a bad URL is permanent", CURLE_URL_MALFORMAT, 0, VS_HTTP_PERMANENT},
        {"a refused login is permanent", CURLE_LOGIN_DENIED, 0, VS_HTTP_PERMANENT},
        {"our own abort is permanent", CURLE_WRITE_ERROR, 0, VS_HTTP_PERMANENT},
        {"a status with a curl error is the error's", CURLE_COULDNT_CONNECT, 404,
         VS_HTTP_RETRY},
    };
    for (size_t i = 0; i < N(rows); i++) {
        enum vs_http_verdict got = vs_http_verdict_of(rows[i].cc, rows[i].status);
        if (got != rows[i].want) {
            print_error("%s: got %s, want %s\n", rows[i].what, vs_http_verdict_str(got),
                        vs_http_verdict_str(rows[i].want));
            fail();
        }
    }
}

static void test_upload_url(void **state)
{
    (void)state;
    static const struct {
        const char *tmpl, *name, *want;
    } rows[] = {
        {"http://h/dav/{name}", "a.mp4", "http://h/dav/a.mp4"},
        {"http://h/dav/{name}", "my talk #1.mp4", "http://h/dav/my%20talk%20%231.mp4"},
        {"https://b.s3/x/{name}?X-Amz-Signature=abc", "a.mp4",
         "https://b.s3/x/a.mp4?X-Amz-Signature=abc"},
        {"http://h/{name}/{name}", "a", "http://h/a/a"},
        {"http://h/fixed", "a.mp4", "http://h/fixed"},
    };
    for (size_t i = 0; i < N(rows); i++) {
        char *got = vs_http_upload_url(rows[i].tmpl, rows[i].name);
        assert_non_null(got);
        assert_string_equal(got, rows[i].want);
        free(got);
    }
}

static void test_public_url(void **state)
{
    (void)state;
    static const struct {
        const char *url, *want;
    } rows[] = {
        {"https://b.s3/x/a.mp4?X-Amz-Signature=secret", "https://b.s3/x/a.mp4"},
        {"http://user:pw@h:8080/a.mp4#frag", "http://h:8080/a.mp4"},
        {"http://h/dav/a.mp4", "http://h/dav/a.mp4"},
    };
    char out[256];
    for (size_t i = 0; i < N(rows); i++) {
        vs_http_public_url(rows[i].url, out, sizeof out);
        assert_string_equal(out, rows[i].want);
    }
    char why[256];
    assert_int_equal(vs_http_check_url("http://h/{name}", why, sizeof why), 0);
    assert_int_equal(vs_http_check_url("http://u:p@h/{name}", why, sizeof why), -1);
    assert_null(strstr(why, "u:p"));
    assert_int_equal(vs_http_check_url("ftp://h/x", why, sizeof why), -1);
}

static void test_url_name(void **state)
{
    (void)state;
    static const struct {
        const char *url, *want;
    } rows[] = {
        {"http://h/in/a.mp4", "a.mp4"},
        {"https://h/in/my%20talk.mp4?sig=1", "my talk.mp4"},
        {"http://h/in/..%2F..%2Fetc%2Fpasswd", ".._.._etc_passwd"},
        {"http://h/", "download"},
        {"http://h/in/..", "download"},
    };
    char out[128];
    for (size_t i = 0; i < N(rows); i++) {
        vs_job_url_name(rows[i].url, out, sizeof out);
        assert_string_equal(out, rows[i].want);
    }
    assert_true(vs_job_input_is_url("HTTPS://h/a"));
    assert_false(vs_job_input_is_url("/srv/a.mp4"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdict),
        cmocka_unit_test(test_upload_url),
        cmocka_unit_test(test_public_url),
        cmocka_unit_test(test_url_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
