/* workers.c - latest heartbeat per worker, and the partition order that
 * spreads a session's jobs over them (see workers.h). */
#include "workers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VS_WORKER_MAX_PARTS 128

typedef struct worker {
    char id[128];
    int32_t parts[VS_WORKER_MAX_PARTS];
    size_t n_parts;
    int slots, busy;
    int stopping;
    double seen;     /* wall-clock seconds of the last heartbeat */
} worker;

struct vs_workers {
    char *group;
    worker *w;
    size_t n;
};

vs_workers *vs_workers_new(const char *group)
{
    vs_workers *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->w = calloc(VS_WORKERS_MAX, sizeof *w->w);
    w->group = strdup(group ? group : "");
    if (!w->w || !w->group) {
        vs_workers_free(&w);
        return NULL;
    }
    return w;
}

void vs_workers_free(vs_workers **wp)
{
    if (!wp || !*wp)
        return;
    free((*wp)->w);
    free((*wp)->group);
    free(*wp);
    *wp = NULL;
}

/* "0,3,7" -> parts; anything malformed ends the list. */
static void parse_parts(worker *k, const char *s)
{
    k->n_parts = 0;
    while (*s && k->n_parts < VS_WORKER_MAX_PARTS) {
        char *end = NULL;
        long p = strtol(s, &end, 10);
        if (end == s || p < 0 || p > INT32_MAX)
            break;
        k->parts[k->n_parts++] = (int32_t)p;
        s = end;
        if (*s != ',')
            break;
        s++;
    }
}

int vs_workers_heartbeat(vs_workers *w, const vs_status *st, double now, int from_past)
{
    if (!w || st->kind != VS_ST_HEARTBEAT || !st->worker[0])
        return 0;
    if (st->group[0] && w->group[0] && strcmp(st->group, w->group) != 0)
        return 0; /* another group's worker does not take our jobs */
    double seen = now;
    if (from_past) {
        seen = st->ts < now ? st->ts : now;
        if (now - seen > VS_WORKERS_FRESH_S)
            return 0; /* stale (or no ts at all) */
    }
    size_t i = 0;
    while (i < w->n && strcmp(w->w[i].id, st->worker) != 0)
        i++;
    int is_new = i == w->n;
    if (is_new) {
        if (w->n == VS_WORKERS_MAX)
            return 0;
        w->n++;
        memset(&w->w[i], 0, sizeof w->w[i]);
        snprintf(w->w[i].id, sizeof w->w[i].id, "%s", st->worker);
    }
    worker *k = &w->w[i];
    if (seen < k->seen)
        return 0; /* older than what we have */
    k->seen = seen;
    k->slots = st->slots;
    k->busy = st->busy;
    k->stopping = st->stopping;
    parse_parts(k, st->partitions);
    return is_new;
}

static int live(const worker *k, double now)
{
    return !k->stopping && now - k->seen <= VS_WORKERS_FRESH_S;
}

size_t vs_workers_alive(const vs_workers *w, double now)
{
    size_t n = 0;
    for (size_t i = 0; w && i < w->n; i++)
        n += live(&w->w[i], now);
    return n;
}

static int contains(const int32_t *a, size_t n, int32_t v)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] == v)
            return 1;
    return 0;
}

size_t vs_workers_partition_order(const vs_workers *w, double now, int n_parts,
                                  int32_t *order, size_t cap)
{
    size_t n = 0, next[VS_WORKERS_MAX] = { 0 };
    int any = 0;

    if (!w || n_parts <= 0)
        return 0;
    /* Turns: each live worker gives max(free slots, 1) of its partitions,
     * cycling through them, until each has given every partition once. */
    for (int more = 1; more && n < cap;) {
        more = 0;
        for (size_t i = 0; i < w->n && n < cap; i++) {
            const worker *k = &w->w[i];
            if (!live(k, now) || k->n_parts == 0)
                continue;
            int take = k->slots - k->busy;
            if (take < 1)
                take = 1;
            for (int t = 0; t < take && next[i] < k->n_parts && n < cap; t++) {
                int32_t p = k->parts[next[i]++];
                if (p < n_parts) {
                    order[n++] = p;
                    any = 1;
                }
            }
            if (next[i] < k->n_parts)
                more = 1;
        }
    }
    if (!any)
        return 0;
    /* Partitions nobody live holds go last (a worker may pick them up). */
    for (int32_t p = 0; p < n_parts && n < cap; p++)
        if (!contains(order, n, p))
            order[n++] = p;
    return n;
}
