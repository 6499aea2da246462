/* fuzz_status.c - libFuzzer target of the status reader (vs_status_parse).
 *
 * Beyond "no crash, no leak, no undefined behaviour": an accepted status
 * has a known kind, NUL-terminated strings and a fraction in [0, 1], and
 * vs_status_to_json writes it into a message the reader accepts again
 * with the same kind, strings and integers (numbers are written rounded,
 * so doubles are not compared). The message is read once more from a
 * guarded copy (fuzz.h). */
#include "fuzz.h"

#include <string.h>

#include "status.h"

#define TERMINATED(f) (memchr((f), '\0', sizeof(f)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    vs_status a, b;
    int rc = vs_status_parse((const char *)data, size, &a, err, sizeof err);
    VS_FUZZ_CHECK(vs_status_parse(vs_fuzz_guarded(data, size), size, &b, err, sizeof err) == rc);
    if (rc != 0) {
        VS_FUZZ_CHECK(memchr(err, '\0', sizeof err) && err[0] != '\0');
        return 0;
    }
    VS_FUZZ_CHECK(a.kind >= VS_ST_STARTED && a.kind <= VS_ST_HEARTBEAT);
    VS_FUZZ_CHECK(strcmp(vs_status_kind_str(a.kind), "unknown") != 0);
    VS_FUZZ_CHECK(TERMINATED(a.run_id) && TERMINATED(a.job_id) && TERMINATED(a.worker));
    VS_FUZZ_CHECK(TERMINATED(a.host) && TERMINATED(a.file) && TERMINATED(a.encoder));
    VS_FUZZ_CHECK(TERMINATED(a.error) && TERMINATED(a.encoders) && TERMINATED(a.version));
    VS_FUZZ_CHECK(TERMINATED(a.group) && TERMINATED(a.partitions));
    VS_FUZZ_CHECK(a.fraction >= 0 && a.fraction <= 1);

    char *s = vs_status_to_json(&a);
    VS_FUZZ_CHECK(s != NULL);
    if (vs_status_parse(s, strlen(s), &b, err, sizeof err) != 0) {
        fprintf(stderr, "own output refused: %s\n%s\n", err, s);
        VS_FUZZ_CHECK(!"the status reader accepts what the status writer writes");
    }
    VS_FUZZ_CHECK(a.kind == b.kind);
    VS_FUZZ_CHECK(strcmp(a.run_id, b.run_id) == 0 && strcmp(a.job_id, b.job_id) == 0);
    VS_FUZZ_CHECK(strcmp(a.worker, b.worker) == 0 && strcmp(a.host, b.host) == 0);
    VS_FUZZ_CHECK(strcmp(a.file, b.file) == 0 && strcmp(a.encoder, b.encoder) == 0);
    VS_FUZZ_CHECK(strcmp(a.error, b.error) == 0 && strcmp(a.encoders, b.encoders) == 0);
    VS_FUZZ_CHECK(strcmp(a.version, b.version) == 0 && strcmp(a.group, b.group) == 0);
    VS_FUZZ_CHECK(strcmp(a.partitions, b.partitions) == 0);
    VS_FUZZ_CHECK(a.frames == b.frames && a.bytes == b.bytes);
    VS_FUZZ_CHECK(a.slots == b.slots && a.busy == b.busy && a.stopping == b.stopping);
    free(s);
    return 0;
}
