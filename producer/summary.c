/* summary.c - what a run did, in the original tool's words.
 *
 * Text: one line per file (state, time, attempts, worker, reason), then
 * "Done. 2/4 videos processed, 1 skipped, 1 failed." with zero counts
 * left out (vs_summary_line). JSON: one document with the same counts and
 * a per-file array whose `worker` is always a string ("" when no worker
 * touched the file, e.g. an output skipped before publishing). */
#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "summary_line.h"
#include "log.h"

static double round3(double v)
{
    return isfinite(v) ? round(v * 1000.0) / 1000.0 : 0.0;
}

int vs_summary_exit_code(const vs_batch *b)
{
    vs_batch_counts c;
    vs_batch_count(b, &c);
    return c.failed || c.queued || c.running ? 1 : 0;
}

static void line_for(const vs_file *f, char *buf, size_t sz)
{
    char att[32] = "";
    if (f->attempts > 0)
        snprintf(att, sizeof att, "%d attempt%s", f->attempts, f->attempts == 1 ? "" : "s");
    switch (f->state) {
    case VS_FILE_DONE:
        snprintf(buf, sz, "done     %7.1f s  %-10s %s", f->seconds, att, f->worker);
        break;
    case VS_FILE_SKIPPED:
        if (f->worker[0] && f->error[0])
            snprintf(buf, sz, "skipped  %s (seen by %s)", f->error, f->worker);
        else if (f->worker[0])
            snprintf(buf, sz, "skipped  output exists (seen by %s)", f->worker);
        else
            snprintf(buf, sz, "skipped  output exists");
        break;
    case VS_FILE_FAILED:
        if (f->worker[0])
            snprintf(buf, sz, "failed   %-10s %s: %s", att, f->worker, f->error);
        else
            snprintf(buf, sz, "failed   %s", f->error);
        break;
    default:
        snprintf(buf, sz, "%s", vs_file_state_str(f->state));
        break;
    }
}

static int print_text(const vs_batch *b, FILE *out)
{
    char line[1024], done[256];
    vs_batch_counts c;
    size_t w = 0;

    for (size_t i = 0; i < b->n; i++) {
        size_t l = strlen(b->files[i].name);
        if (l > w)
            w = l;
    }
    if (w > 40)
        w = 40;
    for (size_t i = 0; i < b->n; i++) {
        line_for(&b->files[i], line, sizeof line);
        fprintf(out, "  %-*s  %s\n", (int)w, b->files[i].name, line);
    }
    vs_batch_count(b, &c);
    vs_summary_line(done, sizeof done, c.total, c.done, c.skipped, c.failed);
    fprintf(out, "%s\n", done);
    return 0;
}

static cJSON *file_json(const vs_file *f)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    if (!cJSON_AddStringToObject(o, "file", f->name) ||
        !cJSON_AddStringToObject(o, "input", f->input) ||
        !cJSON_AddStringToObject(o, "output", f->output) ||
        !cJSON_AddStringToObject(o, "state", vs_file_state_str(f->state)) ||
        !cJSON_AddStringToObject(o, "worker", f->worker) ||
        !cJSON_AddNumberToObject(o, "attempts", f->attempts) ||
        !cJSON_AddNumberToObject(o, "seconds", round3(f->seconds)) ||
        !(vs_file_output_id(f) ? cJSON_AddStringToObject(o, "job_id", vs_file_output_id(f))
                               : cJSON_AddNullToObject(o, "job_id")) ||
        !(f->state == VS_FILE_DONE ? cJSON_AddNumberToObject(o, "out_duration",
                                                             round3(f->out_duration))
                                   : cJSON_AddNullToObject(o, "out_duration")) ||
        !(f->encoder[0] ? cJSON_AddStringToObject(o, "encoder", f->encoder)
                        : cJSON_AddNullToObject(o, "encoder")) ||
        !(f->state == VS_FILE_FAILED || (f->state == VS_FILE_SKIPPED && f->error[0])
              ? cJSON_AddStringToObject(o, "error", f->error)
                                     : cJSON_AddNullToObject(o, "error"))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

char *vs_summary_json(const vs_batch *b, double wall_s)
{
    char done[256];
    vs_batch_counts c;
    char *text = NULL;

    vs_batch_count(b, &c);
    vs_summary_line(done, sizeof done, c.total, c.done, c.skipped, c.failed);
    cJSON *root = cJSON_CreateObject();
    if (!root || !cJSON_AddStringToObject(root, "run_id", b->run_id) ||
        !cJSON_AddStringToObject(root, "output_folder", b->out_dir) ||
        !cJSON_AddStringToObject(root, "sidecar", b->sidecar) ||
        !cJSON_AddNumberToObject(root, "total", (double)c.total) ||
        !cJSON_AddNumberToObject(root, "processed", (double)c.done) ||
        !cJSON_AddNumberToObject(root, "skipped", (double)c.skipped) ||
        !cJSON_AddNumberToObject(root, "failed", (double)c.failed) ||
        !cJSON_AddNumberToObject(root, "seconds", round3(wall_s)) ||
        !cJSON_AddStringToObject(root, "summary", done))
        goto out;
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    if (!files)
        goto out;
    for (size_t i = 0; i < b->n; i++) {
        cJSON *f = file_json(&b->files[i]);
        if (!f || !cJSON_AddItemToArray(files, f)) {
            cJSON_Delete(f);
            goto out;
        }
    }
    text = cJSON_Print(root);
out:
    if (!text)
        vs_log(VS_LOG_ERROR, "cannot build the JSON summary (out of memory)");
    cJSON_Delete(root);
    return text;
}

static int print_json(const vs_batch *b, double wall_s, FILE *out)
{
    char *text = vs_summary_json(b, wall_s);
    if (!text)
        return -1;
    fprintf(out, "%s\n", text);
    free(text);
    return 0;
}

int vs_summary_print(const vs_batch *b, int json, double wall_s, FILE *out)
{
    int rc = json ? print_json(b, wall_s, out) : print_text(b, out);
    /* Each failure was said once as it happened; the table has the reasons. */
    if (fflush(out) != 0)
        rc = -1;
    return rc;
}
