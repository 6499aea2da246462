/* make_job.c - vs-make-job: one job message for one video, for the tests.
 *
 * Usage: vs-make-job --input VIDEO --output OUT --sidecar FILE.vad.json
 *                    [--indicator] [--overwrite] [--codec NAME]
 *                    [--offset S] [--process-duration S] [--job-id ID]
 *                    [--chunks N]
 *
 * Plans VIDEO the way vs-produce does (probe the container duration, take
 * the window, plan the sidecar's silences, SPEC §3) with the same library
 * calls, and prints the job JSON on stdout: the media tests drive
 * vs-worker --job without needing the producer or a broker. With
 * --chunks N it prints the video split the way vs-produce --chunk does
 * (chunk.h): N chunk jobs, then the join job, one per line.
 * Exit: 0, or 2 with a one-line reason on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "folder.h"
#include "job.h"
#include "plan.h"
#include "media/probe.h"
#include "sidecar.h"

static void usage(void)
{
    fprintf(stderr,
            "Usage: vs-make-job --input VIDEO --output OUT --sidecar FILE.vad.json\n"
            "                   [--indicator] [--overwrite] [--codec NAME] [--offset S]\n"
            "                   [--process-duration S] [--job-id ID] [--chunks N]\n");
}

static int print_split(const vs_job *job, int n)
{
    vs_job **parts = calloc((size_t)n + 1, sizeof *parts);
    int ret = 2;
    if (!parts || vs_chunk_split(job, job->job_id, n, parts, &parts[n]) < 0) {
        fprintf(stderr, "vs-make-job: cannot split into %d chunks\n", n);
        free(parts);
        return 2;
    }
    for (int i = 0; i <= n; i++) {
        char *json = vs_job_to_json(parts[i]);
        if (!json)
            goto out;
        printf("%s\n", json);
        free(json);
    }
    ret = 0;
out:
    for (int i = 0; i <= n; i++)
        vs_job_free(&parts[i]);
    free(parts);
    return ret;
}

int main(int argc, char **argv)
{
    const char *input = NULL, *output = NULL, *sidecar = NULL, *codec = NULL;
    const char *job_id = NULL;
    double offset = 0.0, process = 0.0;
    int indicator = 0, overwrite = 0, chunks = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--indicator")) {
            indicator = 1;
        } else if (!strcmp(a, "--overwrite")) {
            overwrite = 1;
        } else if (v && !strcmp(a, "--input")) {
            input = v, i++;
        } else if (v && !strcmp(a, "--output")) {
            output = v, i++;
        } else if (v && !strcmp(a, "--sidecar")) {
            sidecar = v, i++;
        } else if (v && !strcmp(a, "--codec")) {
            codec = v, i++;
        } else if (v && !strcmp(a, "--job-id")) {
            job_id = v, i++;
        } else if (v && !strcmp(a, "--chunks")) {
            chunks = atoi(v), i++;
        } else if (v && !strcmp(a, "--offset")) {
            offset = atof(v), i++;
        } else if (v && !strcmp(a, "--process-duration")) {
            process = atof(v), i++;
        } else {
            usage();
            return 2;
        }
    }
    if (!input || !output || !sidecar) {
        usage();
        return 2;
    }

    char err[1024], warn[512] = "";
    vs_sidecar *sc = NULL;
    vs_plan *plan = NULL;
    vs_job *job = NULL;
    char *in_abs = vs_abspath(input), *out_abs = vs_abspath(output), *json = NULL;
    double dur;
    int ret = 2;

    if (!in_abs || !out_abs) {
        fprintf(stderr, "vs-make-job: out of memory\n");
        goto out;
    }
    if (vs_sidecar_load(sidecar, &sc, err, sizeof err) < 0 ||
        vs_probe_duration(in_abs, &dur, err, sizeof err) < 0 ||
        vs_plan_build(sc->silences, sc->n_silences, sc->analyzed_duration,
                      vs_plan_window(dur, offset, process), &plan, warn, sizeof warn,
                      err, sizeof err) < 0) {
        fprintf(stderr, "vs-make-job: %s\n", err);
        goto out;
    }
    if (warn[0])
        fprintf(stderr, "vs-make-job: warning: %s\n", warn);
    const char *base = strrchr(in_abs, '/') ? strrchr(in_abs, '/') + 1 : in_abs;
    if (!(job = vs_job_new(job_id ? job_id : base, "media-test", in_abs, out_abs, offset, plan))) {
        fprintf(stderr, "vs-make-job: out of memory\n");
        goto out;
    }
    job->indicator = indicator;
    job->overwrite = overwrite;
    if (codec && !(job->codec = strdup(codec))) {
        fprintf(stderr, "vs-make-job: out of memory\n");
        goto out;
    }
    if (chunks > 0) {
        ret = print_split(job, chunks);
        goto out;
    }
    if (!(json = vs_job_to_json(job))) {
        fprintf(stderr, "vs-make-job: cannot serialise the job\n");
        goto out;
    }
    printf("%s\n", json);
    ret = 0;
out:
    free(json);
    vs_job_free(&job);
    vs_plan_free(&plan);
    vs_sidecar_free(&sc);
    free(in_abs);
    free(out_abs);
    return ret;
}
