/* test_sign.c - HMAC-SHA256 job signatures: the RFC 4231 vector, sign then
 * verify (in memory and through the wire with whitespace and field order
 * changed), and refusals: any changed value, a wrong key, an unsigned job,
 * a malformed signature, an empty key, a job that does not read back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "job.h"
#include "sign.h"

static const char KEY[] = "correct horse battery staple";
#define KEYLEN (sizeof KEY - 1)

/* Four segments; the second starts one ulp after the first ends, which
 * the reader snaps: the signature must survive that. */
static vs_job *make_job(void)
{
    vs_segment seg[4];
    double a = 0.1 + 0.2, b = 12.017, c = 945.5 - 1e-13;
    seg[0] = (vs_segment){ 0.0, a, 1.0, 0 };
    seg[1] = (vs_segment){ nextafter(a, 1.0), b, 4.0, 1 };
    seg[2] = (vs_segment){ b, c, 233.37333333333333, 1 };
    seg[3] = (vs_segment){ c, 945.5, 1.0, 0 };
    vs_plan plan = { seg, 4, 945.5, 0 };
    for (size_t i = 0; i < 4; i++)
        plan.out_duration += (seg[i].end - seg[i].start) / seg[i].speed;
    vs_job *j = vs_job_new("run1-0003", "run1", "/nas/session/facecam.mp4",
                           "/nas/session/out/facecam.mp4", 12.5, &plan);
    assert_non_null(j);
    return j;
}

static vs_job *parse(const char *s)
{
    vs_job *j = NULL;
    char err[256] = "";
    if (vs_job_parse(s, strlen(s), &j, err, sizeof err) != 0)
        fail_msg("parse: %s\n%s", err, s);
    return j;
}

static int verify(const vs_job *j, const char *key, char *err, size_t errsz)
{
    return vs_sign_verify(key, strlen(key), j, err, errsz);
}

static void test_hmac_vector(void **state)
{
    char hex[VS_SIGN_HEX_LEN + 1];
    const char *msg = "what do ya want for nothing?";
    assert_int_equal(vs_sign_hmac_hex("Jefe", 4, msg, strlen(msg), hex), 0);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c7"
                             "5a003f089d2739839dec58b964ec3843");
    assert_int_equal(vs_sign_hmac_hex("", 0, msg, strlen(msg), hex), -1);
}

/* vs_job_to_json is deterministic and a parsed job writes itself back
 * byte for byte: what the signature relies on. */
static void test_canonical_is_stable(void **state)
{
    vs_job *j = make_job();
    j->codec = strdup("av1");
    char *a = vs_job_to_json(j), *b = vs_job_to_json(j);
    assert_string_equal(a, b);
    vs_job *k = parse(a);
    char *c = vs_job_to_json(k);
    vs_job *l = parse(c);
    char *d = vs_job_to_json(l);
    assert_string_equal(c, d);
    free(a);
    free(b);
    free(c);
    free(d);
    vs_job_free(&j);
    vs_job_free(&k);
    vs_job_free(&l);
}

static void test_sign_verify(void **state)
{
    char err[256] = "";
    vs_job *j = make_job();
    j->signature = strdup("stale");
    assert_int_equal(vs_sign_job(KEY, KEYLEN, j, err, sizeof err), 0);
    assert_non_null(j->signature);
    assert_int_equal(strlen(j->signature), VS_SIGN_HEX_LEN);
    assert_int_equal(strspn(j->signature, "0123456789abcdef"), VS_SIGN_HEX_LEN);
    assert_int_equal(verify(j, KEY, err, sizeof err), 0);

    /* Signing is deterministic. */
    char *first = strdup(j->signature);
    assert_int_equal(vs_sign_job(KEY, KEYLEN, j, err, sizeof err), 0);
    assert_string_equal(first, j->signature);
    free(first);

    /* Through the wire: the worker checks the job it parsed. */
    char *wire = vs_job_to_json(j);
    assert_non_null(strstr(wire, j->signature));
    vs_job *k = parse(wire);
    assert_string_equal(k->signature, j->signature);
    if (verify(k, KEY, err, sizeof err) != 0)
        fail_msg("parsed job refused: %s", err);

    /* Upper-case hex is the same signature. */
    for (char *p = k->signature; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    assert_int_equal(verify(k, KEY, err, sizeof err), 0);
    free(wire);
    vs_job_free(&j);
    vs_job_free(&k);
}

/* Whitespace and field order changed in transit do not matter. (Edited
 * as text: printing through cJSON would round the numbers, which is a
 * change of values that the signature rightly refuses.) */
static void test_transit_form(void **state)
{
    char err[256] = "";
    vs_job *j = make_job();
    j->indicator = 1;
    assert_int_equal(vs_sign_job(KEY, KEYLEN, j, err, sizeof err), 0);
    char *wire = vs_job_to_json(j);
    /* Move "job_id" to the end, and put white space after every ',' and
     * ':' (no string of this job holds either). */
    const char *id = "\"job_id\":\"run1-0003\",";
    char *at = strstr(wire, id);
    assert_non_null(at);
    size_t n = strlen(wire), idl = strlen(id);
    char *moved = malloc(n + 2), *pretty = malloc(4 * n + 8);
    assert_non_null(moved);
    assert_non_null(pretty);
    memcpy(moved, wire, (size_t)(at - wire));
    strcpy(moved + (at - wire), at + idl);
    size_t ml = strlen(moved);
    assert_int_equal(moved[ml - 1], '}');
    snprintf(moved + ml - 1, n + 2 - (ml - 1), ",%.*s}", (int)idl - 1, id);
    size_t o = 0;
    pretty[o++] = '\n';
    for (const char *p = moved; *p; p++) {
        pretty[o++] = *p;
        if (*p == ',' || *p == ':') {
            pretty[o++] = ' ';
            pretty[o++] = '\n';
            pretty[o++] = '\t';
        }
    }
    pretty[o] = '\0';
    assert_string_not_equal(pretty, wire);
    vs_job *k = parse(pretty);
    assert_string_equal(k->job_id, "run1-0003");
    if (verify(k, KEY, err, sizeof err) != 0)
        fail_msg("reformatted job refused: %s\n%s", err, pretty);

    /* Numbers rounded on the way (cJSON's own printer) are another job. */
    cJSON *root = cJSON_Parse(wire);
    assert_non_null(root);
    char *rounded = cJSON_PrintUnformatted(root);
    vs_job *l = NULL;
    assert_int_equal(vs_job_parse(rounded, strlen(rounded), &l, err, sizeof err), -1);
    /* (here a segment even collapses: 945.5 - 1e-13 is printed as 945.5) */
    j->seg[2].end = j->seg[3].start = 900.0;
    assert_int_equal(vs_sign_job(KEY, KEYLEN, j, err, sizeof err), 0);
    free(rounded);
    cJSON_Delete(root);
    char *wire2 = vs_job_to_json(j);
    root = cJSON_Parse(wire2);
    rounded = cJSON_PrintUnformatted(root);
    assert_string_not_equal(rounded, wire2);
    l = parse(rounded);
    assert_int_equal(verify(l, KEY, err, sizeof err), -1);
    assert_string_equal(err, "bad signature");
    free(wire2);
    cJSON_Delete(root);
    free(rounded);
    free(moved);
    free(pretty);
    free(wire);
    vs_job_free(&j);
    vs_job_free(&k);
    vs_job_free(&l);
}

/* Every changed value is refused, wherever it was changed. */
static void test_tamper(void **state)
{
    char err[256] = "";
    vs_job *j = make_job();
    assert_int_equal(vs_sign_job(KEY, KEYLEN, j, err, sizeof err), 0);
    char *wire = vs_job_to_json(j);

    enum { SPEED, END, OUTPUT, INPUT, OVERWRITE, INDICATOR, CODEC, OFFSET, RUN, N_TAMPER };
    for (int t = 0; t < N_TAMPER; t++) {
        vs_job *k = parse(wire);
        assert_int_equal(verify(k, KEY, err, sizeof err), 0);
        switch (t) {
        case SPEED: k->seg[2].speed = 1.0; break;
        case END:
            k->seg[0].end = 0.25;
            k->seg[1].start = 0.25;
            break;
        case OUTPUT:
            free(k->output);
            k->output = strdup("/etc/cron.d/x");
            break;
        case INPUT: k->input[1] = 'm'; break;
        case OVERWRITE: k->overwrite = 1; break;
        case INDICATOR: k->indicator = 1; break;
        case CODEC: k->codec = strdup("h264"); break;
        case OFFSET: k->offset = nextafter(k->offset, 100.0); break;
        case RUN: k->run_id[0] = 'R'; break;
        }
        err[0] = '\0';
        if (verify(k, KEY, err, sizeof err) == 0)
            fail_msg("tampered job %d accepted", t);
        assert_string_equal(err, "bad signature");
        vs_job_free(&k);
    }

    /* A segment changed on the wire. */
    char *p = strstr(wire, ",4]");
    assert_non_null(p);
    p[1] = '5';
    vs_job *k = parse(wire);
    assert_int_equal(verify(k, KEY, err, sizeof err), -1);
    assert_string_equal(err, "bad signature");
    vs_job_free(&k);
    free(wire);
    vs_job_free(&j);
}

static void test_wrong_key_unsigned_malformed(void **state)
{
    char err[256] = "";
    vs_job *j = make_job();
    assert_int_equal(vs_sign_job(KEY, KEYLEN, j, err, sizeof err), 0);
    assert_int_equal(verify(j, "correct horse battery stapler", err, sizeof err), -1);
    assert_string_equal(err, "bad signature");
    /* The key is bytes, not a C string: a prefix is another key. */
    assert_int_equal(vs_sign_verify(KEY, KEYLEN - 1, j, err, sizeof err), -1);
    assert_int_equal(vs_sign_verify(KEY, KEYLEN, j, err, sizeof err), 0);

    char *good = j->signature;
    static const char *const bad[] = {
        "00", "zz", "", /* "" is treated as unsigned */
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec384",  /* 63 */
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec38433", /* 65 */
        "gbdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",  /* not hex */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j->signature = (char *)bad[i];
        assert_int_equal(verify(j, KEY, err, sizeof err), -1);
        assert_string_equal(err, bad[i][0] ? "bad signature" : "unsigned job");
    }
    j->signature = NULL;
    assert_int_equal(verify(j, KEY, err, sizeof err), -1);
    assert_string_equal(err, "unsigned job");
    j->signature = good;

    /* A signature that was good for another job. */
    vs_job *other = make_job();
    other->job_id[0] = 'X';
    other->signature = strdup(good);
    assert_int_equal(verify(other, KEY, err, sizeof err), -1);
    assert_string_equal(err, "bad signature");
    vs_job_free(&other);

    /* An empty key signs nothing and verifies nothing. */
    assert_int_equal(vs_sign_job("", 0, j, err, sizeof err), -1);
    assert_non_null(strstr(err, "empty job key"));
    assert_int_equal(vs_sign_job(NULL, 5, j, err, sizeof err), -1);
    assert_int_equal(vs_sign_verify("", 0, j, err, sizeof err), -1);
    assert_string_equal(j->signature, good);
    vs_job_free(&j);
}

/* A job the reader would refuse (no segments, relative path) is not signed. */
static void test_invalid_job_not_signed(void **state)
{
    char err[256] = "";
    vs_job *j = vs_job_new("id", "run", "/in.mp4", "/out.mp4", 0, NULL);
    assert_non_null(j);
    assert_int_equal(vs_sign_job(KEY, KEYLEN, j, err, sizeof err), -1);
    assert_non_null(strstr(err, "does not read back"));
    assert_null(j->signature);
    vs_job_free(&j);
    j = make_job();
    j->input[0] = 'x';
    assert_int_equal(vs_sign_job(KEY, KEYLEN, j, err, sizeof err), -1);
    assert_int_equal(vs_sign_job(KEY, KEYLEN, NULL, err, sizeof err), -1);
    vs_job_free(&j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmac_vector),
        cmocka_unit_test(test_canonical_is_stable),
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_transit_form),
        cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_wrong_key_unsigned_malformed),
        cmocka_unit_test(test_invalid_job_not_signed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
