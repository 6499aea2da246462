/* fuzz_job.c - libFuzzer target of the job reader (vs_job_parse).
 *
 * Beyond "no crash, no leak, no undefined behaviour": a job the reader
 * accepts keeps its promises (segments contiguous from 0 to duration,
 * speeds in [1, VS_MAX_SPEED], bounded absolute paths), is written back
 * by vs_job_to_json into a message the reader accepts again with the very
 * same values, and that second message writes back byte for byte (the
 * canonical form job signatures rely on). Signature checking runs too,
 * and the message is read once more from a guarded copy (fuzz.h). */
#include "fuzz.h"

#include <math.h>
#include <string.h>

#include "job.h"
#include "sign.h"

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_invariants(const vs_job *j)
{
    VS_FUZZ_CHECK(j->job_id && j->run_id && j->input && j->output);
    VS_FUZZ_CHECK(strlen(j->job_id) <= VS_JOB_MAX_ID && strlen(j->run_id) <= VS_JOB_MAX_ID);
    VS_FUZZ_CHECK((j->input[0] == '/' || vs_job_input_is_url(j->input)) &&
                  strlen(j->input) <= VS_JOB_MAX_PATH);
    VS_FUZZ_CHECK(j->output[0] == '/' && strlen(j->output) <= VS_JOB_MAX_PATH);
    VS_FUZZ_CHECK(isfinite(j->offset) && j->offset >= 0);
    VS_FUZZ_CHECK(isfinite(j->duration) && j->duration > 0);
    VS_FUZZ_CHECK(isfinite(j->out_duration) && j->out_duration >= 0);
    VS_FUZZ_CHECK(j->n_seg >= 1 && j->n_seg <= VS_JOB_MAX_SEGMENTS && j->seg);
    VS_FUZZ_CHECK(j->seg[0].start == 0.0);
    for (size_t i = 0; i < j->n_seg; i++) {
        const vs_segment *s = &j->seg[i];
        VS_FUZZ_CHECK(isfinite(s->start) && isfinite(s->end) && s->end > s->start);
        VS_FUZZ_CHECK(s->speed >= 1.0 && s->speed <= VS_MAX_SPEED);
        VS_FUZZ_CHECK(s->silent == (s->speed != 1.0));
        if (i > 0)
            VS_FUZZ_CHECK(s->start == j->seg[i - 1].end);
    }
    VS_FUZZ_CHECK(fabs(j->seg[j->n_seg - 1].end - j->duration) <= 1e-6);
}

static void check_same(const vs_job *a, const vs_job *b)
{
    VS_FUZZ_CHECK(same_str(a->job_id, b->job_id) && same_str(a->run_id, b->run_id));
    VS_FUZZ_CHECK(same_str(a->input, b->input) && same_str(a->output, b->output));
    VS_FUZZ_CHECK(same_str(a->codec, b->codec) && same_str(a->signature, b->signature));
    VS_FUZZ_CHECK(a->offset == b->offset && a->duration == b->duration);
    VS_FUZZ_CHECK(a->out_duration == b->out_duration);
    VS_FUZZ_CHECK(a->indicator == b->indicator && a->overwrite == b->overwrite);
    VS_FUZZ_CHECK(a->n_seg == b->n_seg);
    for (size_t i = 0; i < a->n_seg; i++) {
        VS_FUZZ_CHECK(a->seg[i].start == b->seg[i].start);
        VS_FUZZ_CHECK(a->seg[i].end == b->seg[i].end);
        VS_FUZZ_CHECK(a->seg[i].speed == b->seg[i].speed);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    vs_job *j = NULL, *k = NULL;
    int rc = vs_job_parse((const char *)data, size, &j, err, sizeof err);
    VS_FUZZ_CHECK(vs_job_parse(vs_fuzz_guarded(data, size), size, &k, err, sizeof err) == rc);
    vs_job_free(&k);
    if (rc != 0) {
        VS_FUZZ_CHECK(j == NULL && memchr(err, '\0', sizeof err) && err[0] != '\0');
        return 0;
    }
    check_invariants(j);

    char *first = vs_job_to_json(j);
    VS_FUZZ_CHECK(first != NULL);
    if (vs_job_parse(first, strlen(first), &k, err, sizeof err) != 0) {
        fprintf(stderr, "own output refused: %s\n%s\n", err, first);
        VS_FUZZ_CHECK(!"the job reader accepts what the job writer writes");
    }
    check_same(j, k);
    char *second = vs_job_to_json(k);
    VS_FUZZ_CHECK(second != NULL && strcmp(first, second) == 0);

    /* Signing: a forged signature is refused, a fresh one accepted. */
    static const char key[] = "fuzz-key";
    int verified = vs_sign_verify(key, sizeof key - 1, j, err, sizeof err);
    (void)verified;
    if (vs_sign_job(key, sizeof key - 1, k, err, sizeof err) == 0)
        VS_FUZZ_CHECK(vs_sign_verify(key, sizeof key - 1, k, err, sizeof err) == 0);

    free(first);
    free(second);
    vs_job_free(&j);
    vs_job_free(&k);
    VS_FUZZ_CHECK(j == NULL && k == NULL);
    return 0;
}
