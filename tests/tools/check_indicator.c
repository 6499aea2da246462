/* check_indicator.c - vs-check-indicator: is the fast-forward box there,
 * and only during silences?
 *
 * Usage: vs-check-indicator JOB.json WITH WITHOUT [-q]
 *
 * WITH and WITHOUT are outputs of the same job with indicator on and off;
 * same timeline, so picture k of one matches picture k of the other. SPEC
 * §4 wants a half-transparent dark box with an icon and the speed as text
 * in the top-left corner during silent segments only. This checks:
 *   - in the middle picture of the longest silent segment, a region of
 *     WITH is clearly darker than WITHOUT (the box): at least 0.5% of the
 *     picture, starting in the top-left quarter, inside the top-left half,
 *     wider than high (upright), mean luma lower by >= 20, with brighter
 *     pixels inside it (icon, text) - corner and shape judged on the
 *     picture as players show it, turned by its display matrix;
 *   - over the whole output, the box region is darkened in every picture of
 *     a silent segment and in no picture of a speech segment (pictures next
 *     to a segment boundary, +-1, are not judged).
 * Exit: 0 all good, 1 a check failed, 2 usage or unreadable files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "media/timeline.h"
#include "tmedia.h"

#define DARKER 25      /* luma drop that counts a pixel as part of the box */
#define BRIGHTER 25    /* luma rise that counts a pixel as icon or text */
#define BOX_DROP 20.0  /* the box's mean luma drop, at least */
#define ON_DROP 8.0    /* a picture shows the box when its region drops this much */
#define MAX_REPORT 15

/* Grabs one picture (luma, copied) by index. */
typedef struct grab {
    int64_t want;
    uint8_t *y;
    int w, h;
} grab;

static int grab_one(const vs_tmedia_pic *p, void *opaque)
{
    grab *g = opaque;
    if (p->index != g->want)
        return 0;
    if (!(g->y = malloc((size_t)p->w * p->h)))
        return -1;
    for (int r = 0; r < p->h; r++)
        memcpy(g->y + (size_t)r * p->w, p->y + (size_t)r * p->stride, (size_t)p->w);
    g->w = p->w;
    g->h = p->h;
    return 1;
}

/* Mean luma of a rectangle in every picture. */
typedef struct rmean {
    int x0, y0, x1, y1;
    double *mean;
    int64_t n, cap;
} rmean;

static int region_mean(const vs_tmedia_pic *p, void *opaque)
{
    rmean *r = opaque;
    if (r->n == r->cap) {
        int64_t ncap = r->cap ? r->cap * 2 : 1024;
        double *nm = realloc(r->mean, (size_t)ncap * sizeof *nm);
        if (!nm)
            return -1;
        r->mean = nm;
        r->cap = ncap;
    }
    int64_t sum = 0, cnt = 0;
    for (int y = r->y0; y < r->y1 && y < p->h; y++)
        for (int x = r->x0; x < r->x1 && x < p->w; x++, cnt++)
            sum += p->y[(size_t)y * p->stride + x];
    r->mean[r->n++] = cnt ? (double)sum / cnt : 0.0;
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "Usage: vs-check-indicator JOB.json WITH WITHOUT [-q]\n");
}

int main(int argc, char **argv)
{
    const char *arg[3] = {NULL, NULL, NULL};
    int nargs = 0, quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-q"))
            quiet = 1;
        else if (argv[i][0] == '-' || nargs == 3) {
            usage();
            return 2;
        } else
            arg[nargs++] = argv[i];
    }
    if (nargs != 3) {
        usage();
        return 2;
    }
    const char *job_path = arg[0], *with = arg[1], *without = arg[2];

    char err[1024];
    vs_job *job = NULL;
    vs_timeline tl = {0};
    vs_tmedia_vinfo info;
    grab gw = {0}, go = {0};
    rmean rw = {0}, ro = {0};
    int64_t judged = 0, on_silent = 0;
    int ret = 2;

    if (vs_job_load(job_path, &job, err, sizeof err) < 0 ||
        vs_timeline_init(&tl, job->seg, job->n_seg, err, sizeof err) < 0 ||
        vs_tmedia_video_scan(with, NULL, NULL, &info, err, sizeof err) < 0) {
        fprintf(stderr, "vs-check-indicator: %s\n", err);
        goto out;
    }
    if (info.fps_num <= 0 || info.fps_den <= 0) {
        fprintf(stderr, "vs-check-indicator: %s: no frame rate\n", with);
        goto out;
    }
    double fps = (double)info.fps_num / info.fps_den;

    /* The middle picture of the longest silent segment. */
    size_t longest = tl.n;
    for (size_t i = 0; i < tl.n; i++)
        if (job->seg[i].silent && (longest == tl.n ||
            tl.out_start[i + 1] - tl.out_start[i] > tl.out_start[longest + 1] - tl.out_start[longest]))
            longest = i;
    if (longest == tl.n) {
        fprintf(stderr, "vs-check-indicator: %s: the job has no silent segment\n", job_path);
        goto out;
    }
    int64_t k = (int64_t)floor((tl.out_start[longest] + tl.out_start[longest + 1]) / 2 * fps);
    gw.want = go.want = k;
    if (vs_tmedia_video_scan(with, grab_one, &gw, &info, err, sizeof err) < 0 ||
        vs_tmedia_video_scan(without, grab_one, &go, &info, err, sizeof err) < 0) {
        fprintf(stderr, "vs-check-indicator: %s\n", err);
        goto out;
    }
    if (!gw.y || !go.y || gw.w != go.w || gw.h != go.h) {
        fprintf(stderr, "vs-check-indicator: picture %lld missing or sizes differ\n",
                (long long)k);
        goto out;
    }
    ret = 0;
    int w = gw.w, h = gw.h;

    /* Find the box: pixels clearly darker with the indicator. */
    int bx0 = w, by0 = h, bx1 = -1, by1 = -1;
    int64_t dark = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int d = go.y[(size_t)y * w + x] - gw.y[(size_t)y * w + x];
            if (d < DARKER)
                continue;
            dark++;
            if (x < bx0) bx0 = x;
            if (x > bx1) bx1 = x;
            if (y < by0) by0 = y;
            if (y > by1) by1 = y;
        }
    if (dark < (int64_t)w * h / 200) {
        printf("FAIL: picture %lld (silent segment %zu, %.3gx): no dark box (%lld darker "
               "pixels)\n", (long long)k, longest, job->seg[longest].speed, (long long)dark);
        ret = 1;
        goto report;
    }
    bx1++;
    by1++;
    /* The box as players show the picture (turned clockwise). */
    int rot = info.rotation, sw = w, sh = h, sx0 = bx0, sy0 = by0, sx1 = bx1, sy1 = by1;
    if (rot == 90) {
        sw = h, sh = w, sx0 = h - by1, sx1 = h - by0, sy0 = bx0, sy1 = bx1;
    } else if (rot == 180) {
        sx0 = w - bx1, sx1 = w - bx0, sy0 = h - by1, sy1 = h - by0;
    } else if (rot == 270) {
        sw = h, sh = w, sx0 = by0, sx1 = by1, sy0 = w - bx1, sy1 = w - bx0;
    }
    if (sx0 >= sw / 4 || sy0 >= sh / 4 || sx1 > sw / 2 || sy1 > sh / 2) {
        printf("FAIL: picture %lld: the box [%d,%d)-[%d,%d) is not in the top-left corner "
               "of %dx%d as shown (turned %d degrees)\n", (long long)k, sx0, sy0, sx1, sy1,
               sw, sh, rot);
        ret = 1;
    }
    if (sx1 - sx0 <= sy1 - sy0) {
        printf("FAIL: picture %lld: the box is %dx%d as shown (turned %d degrees): not "
               "upright\n", (long long)k, sx1 - sx0, sy1 - sy0, rot);
        ret = 1;
    }
    int64_t sum_w = 0, sum_o = 0, bright = 0, area = (int64_t)(bx1 - bx0) * (by1 - by0);
    for (int y = by0; y < by1; y++)
        for (int x = bx0; x < bx1; x++) {
            int a = gw.y[(size_t)y * w + x], b = go.y[(size_t)y * w + x];
            sum_w += a;
            sum_o += b;
            if (a - b >= BRIGHTER)
                bright++;
        }
    double mw = (double)sum_w / area, mo = (double)sum_o / area;
    if (mo - mw < BOX_DROP) {
        printf("FAIL: picture %lld: box mean luma %.1f vs %.1f without indicator (needs a "
               "drop of %.0f)\n", (long long)k, mw, mo, BOX_DROP);
        ret = 1;
    }
    if (bright < 10) {
        printf("FAIL: picture %lld: no icon or text in the box (%lld brighter pixels)\n",
               (long long)k, (long long)bright);
        ret = 1;
    }

    /* Every picture: box only in silent segments. */
    rw.x0 = ro.x0 = bx0;
    rw.y0 = ro.y0 = by0;
    rw.x1 = ro.x1 = bx1;
    rw.y1 = ro.y1 = by1;
    if (vs_tmedia_video_scan(with, region_mean, &rw, &info, err, sizeof err) < 0 ||
        vs_tmedia_video_scan(without, region_mean, &ro, &info, err, sizeof err) < 0) {
        fprintf(stderr, "vs-check-indicator: %s\n", err);
        ret = 2;
        goto out;
    }
    int64_t n = rw.n < ro.n ? rw.n : ro.n, wrong = 0;
    size_t cur = 0;
    for (int64_t f = 0; f < n; f++) {
        double t = f / fps;
        size_t si = vs_timeline_segment_at(&tl, t, &cur);
        /* Skip pictures within one picture of a boundary. */
        if (fabs(t - tl.out_start[si]) <= 1.0 / fps + 1e-9 ||
            fabs(tl.out_start[si + 1] - t) <= 1.0 / fps + 1e-9)
            continue;
        judged++;
        int on = ro.mean[f] - rw.mean[f] >= ON_DROP;
        int want = job->seg[si].silent;
        on_silent += on && want;
        if (on != want) {
            if (wrong < MAX_REPORT)
                printf("FAIL: picture %lld (%.3f s, %s segment %zu): indicator %s (region "
                       "luma %.1f, %.1f without)\n", (long long)f, t,
                       want ? "silent" : "speech", si, on ? "shown" : "missing",
                       rw.mean[f], ro.mean[f]);
            wrong++;
        }
    }
    if (wrong) {
        printf("FAIL: %lld of %lld pictures show the indicator where they should not, or "
               "miss it\n", (long long)wrong, (long long)judged);
        ret = 1;
    }
report:
    if (!quiet || ret)
        printf("%s: %s: box [%d,%d)-[%d,%d) in %dx%d at picture %lld, %lld pictures judged, "
               "%lld with the box in silences\n", ret ? "FAIL" : "OK", with, bx0, by0, bx1,
               by1, w, h, (long long)k, (long long)judged, (long long)on_silent);
out:
    free(gw.y);
    free(go.y);
    free(rw.mean);
    free(ro.mean);
    vs_timeline_release(&tl);
    vs_job_free(&job);
    return ret;
}
