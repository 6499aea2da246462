/* sign.c - HMAC-SHA256 signatures of job messages (sign.h).
 *
 * The signed bytes are the canonical form of the job: vs_job_to_json of
 * the job with signature NULL, parsed once more and written again, so the
 * producer signs exactly what a worker rebuilds from the message (the
 * reader snaps each segment's start onto the previous end). The writer is
 * deterministic (fixed field order, shortest exact numbers, compact), so a
 * parsed job always writes the same bytes. Verification decodes the hex
 * and compares with CRYPTO_memcmp. HMAC and SHA-256 come from libcrypto. */
#include "sign.h"
#include "errstr.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define VS_SIGN_MAC_LEN 32

static int mac(const char *key, size_t keylen, const void *msg, size_t len,
               unsigned char out[VS_SIGN_MAC_LEN])
{
    unsigned int outlen = 0;
    if (!key || keylen == 0 || keylen > INT_MAX)
        return -1;
    if (!HMAC(EVP_sha256(), key, (int)keylen, msg, len, out, &outlen) ||
        outlen != VS_SIGN_MAC_LEN)
        return -1;
    return 0;
}

int vs_sign_hmac_hex(const char *key, size_t keylen, const void *msg, size_t len,
                     char hex[VS_SIGN_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char m[VS_SIGN_MAC_LEN];
    if (mac(key, keylen, msg, len, m) < 0)
        return -1;
    for (size_t i = 0; i < VS_SIGN_MAC_LEN; i++) {
        hex[2 * i] = digits[m[i] >> 4];
        hex[2 * i + 1] = digits[m[i] & 15];
    }
    hex[VS_SIGN_HEX_LEN] = '\0';
    OPENSSL_cleanse(m, sizeof m);
    return 0;
}

/* The canonical form of job (see the top of the file), as a new string
 * (caller frees with free()), or NULL with a reason. */
static char *canonical(const vs_job *job, char *errstr, size_t errsz)
{
    vs_job copy = *job; /* shallow: only the signature differs */
    copy.signature = NULL;
    char *first = vs_job_to_json(&copy);
    if (!first) {
        vs_set_err(errstr, errsz, "sign: out of memory");
        return NULL;
    }
    vs_job *back = NULL;
    char why[256] = "";
    if (vs_job_parse(first, strlen(first), &back, why, sizeof why) < 0) {
        vs_set_err(errstr, errsz, "sign: the job does not read back (%s)", why);
        free(first);
        return NULL;
    }
    free(first);
    char *out = vs_job_to_json(back);
    vs_job_free(&back);
    if (!out)
        vs_set_err(errstr, errsz, "sign: out of memory");
    return out;
}

int vs_sign_job(const char *key, size_t keylen, vs_job *job, char *errstr, size_t errsz)
{
    char hex[VS_SIGN_HEX_LEN + 1];
    if (!job) {
        vs_set_err(errstr, errsz, "sign: no job");
        return -1;
    }
    if (!key || keylen == 0 || keylen > INT_MAX) {
        vs_set_err(errstr, errsz, "sign: empty job key");
        return -1;
    }
    char *text = canonical(job, errstr, errsz);
    if (!text)
        return -1;
    int rc = vs_sign_hmac_hex(key, keylen, text, strlen(text), hex);
    free(text);
    if (rc < 0) {
        vs_set_err(errstr, errsz, "sign: HMAC-SHA256 failed");
        return -1;
    }
    char *sig = strdup(hex);
    if (!sig) {
        vs_set_err(errstr, errsz, "sign: out of memory");
        return -1;
    }
    free(job->signature);
    job->signature = sig;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int vs_sign_verify(const char *key, size_t keylen, const vs_job *job,
                   char *errstr, size_t errsz)
{
    unsigned char want[VS_SIGN_MAC_LEN], got[VS_SIGN_MAC_LEN];
    if (!job || !job->signature || !job->signature[0]) {
        vs_set_err(errstr, errsz, "unsigned job");
        return -1;
    }
    if (!key || keylen == 0 || keylen > INT_MAX) {
        vs_set_err(errstr, errsz, "sign: empty job key");
        return -1;
    }
    /* The length and alphabet of the signature are not secret. */
    const char *s = job->signature;
    if (strlen(s) != VS_SIGN_HEX_LEN) {
        vs_set_err(errstr, errsz, "bad signature");
        return -1;
    }
    for (size_t i = 0; i < VS_SIGN_MAC_LEN; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            vs_set_err(errstr, errsz, "bad signature");
            return -1;
        }
        got[i] = (unsigned char)(hi << 4 | lo);
    }
    char why[256] = "";
    char *text = canonical(job, why, sizeof why);
    if (!text) {
        vs_set_err(errstr, errsz, "bad signature (%s)", why);
        return -1;
    }
    int rc = mac(key, keylen, text, strlen(text), want);
    free(text);
    if (rc < 0) {
        vs_set_err(errstr, errsz, "sign: HMAC-SHA256 failed");
        return -1;
    }
    rc = CRYPTO_memcmp(want, got, sizeof want) == 0 ? 0 : -1;
    OPENSSL_cleanse(want, sizeof want);
    if (rc < 0)
        vs_set_err(errstr, errsz, "bad signature");
    return rc;
}
