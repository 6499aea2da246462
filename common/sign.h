/* sign.h - HMAC-SHA256 signatures of job messages.
 *
 * When a job key is configured (VS_JOB_KEY, shared by the producer and the
 * workers), the producer signs each job and the workers refuse jobs that
 * are unsigned or whose signature does not match. The signature is taken
 * over the job's canonical form, not over the bytes in transit: the job
 * with signature null, written by vs_job_to_json after one round through
 * vs_job_parse (which settles segment boundaries). A worker checks the job
 * it parsed, which is what it will act on, so whitespace or field order
 * changed on the way does not matter, while any change of a value does.
 * The signature is 64 lowercase hex characters in the job's "signature". */
#ifndef VS_SIGN_H
#define VS_SIGN_H
#include <stddef.h>
#include "job.h"

#define VS_SIGN_HEX_LEN 64 /* hex characters of an HMAC-SHA256 */

/* Computes the signature of JOB with the key of KEYLEN bytes and stores it
 * in job->signature (replacing any). A job that vs_job_parse would refuse
 * is not signed. Returns 0, or -1 with a reason. */
int vs_sign_job(const char *key, size_t keylen, vs_job *job, char *errstr, size_t errsz);

/* Checks job->signature against the key, in constant time. Returns 0 when
 * it matches, or -1 with "unsigned job" (no signature) or "bad signature"
 * (any other mismatch) in errstr. */
int vs_sign_verify(const char *key, size_t keylen, const vs_job *job,
                   char *errstr, size_t errsz);

/* HMAC-SHA256 of MSG as lowercase hex into hex (VS_SIGN_HEX_LEN + 1 bytes,
 * NUL-terminated). Returns 0, or -1 (empty or oversized key). */
int vs_sign_hmac_hex(const char *key, size_t keylen, const void *msg, size_t len,
                     char hex[VS_SIGN_HEX_LEN + 1]);

#endif
