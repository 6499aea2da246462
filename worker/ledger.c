/* ledger.c - open job offsets per partition; see ledger.h. */
#include "ledger.h"

#include <stdlib.h>
#include <string.h>

typedef struct part {
    int32_t partition;
    unsigned gen;       /* 0 = not assigned */
    int64_t next;       /* one past the highest consumed offset, -1 = none */
    int64_t stored;     /* last storable offset reported, -1 = none */
    int64_t *open;      /* sorted ascending */
    size_t n_open, cap_open;
} part;

struct vs_ledger {
    part *p;
    size_t n, cap;
    unsigned next_gen;
};

vs_ledger *vs_ledger_new(void)
{
    vs_ledger *l = calloc(1, sizeof(*l));
    if (l)
        l->next_gen = 1;
    return l;
}

void vs_ledger_free(vs_ledger **lp)
{
    if (!lp || !*lp)
        return;
    for (size_t i = 0; i < (*lp)->n; i++)
        free((*lp)->p[i].open);
    free((*lp)->p);
    free(*lp);
    *lp = NULL;
}

static part *find(const vs_ledger *l, int32_t partition)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->p[i].partition == partition)
            return &l->p[i];
    return NULL;
}

unsigned vs_ledger_assign(vs_ledger *l, int32_t partition)
{
    part *p = find(l, partition);
    if (!p) {
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 16;
            part *grown = realloc(l->p, cap * sizeof(*grown));
            if (!grown)
                return 0;
            l->p = grown;
            l->cap = cap;
        }
        p = &l->p[l->n++];
        memset(p, 0, sizeof(*p));
        p->partition = partition;
    }
    p->gen = l->next_gen++;
    p->next = -1;
    p->stored = -1;
    p->n_open = 0;
    return p->gen;
}

void vs_ledger_revoke(vs_ledger *l, int32_t partition)
{
    part *p = find(l, partition);
    if (p) {
        p->gen = 0;
        p->n_open = 0;
        p->next = p->stored = -1;
    }
}

unsigned vs_ledger_gen(const vs_ledger *l, int32_t partition)
{
    const part *p = find(l, partition);
    return p ? p->gen : 0;
}

int vs_ledger_open(vs_ledger *l, int32_t partition, int64_t offset)
{
    part *p = find(l, partition);
    if (!p || !p->gen)
        return -1;
    if (p->n_open == p->cap_open) {
        size_t cap = p->cap_open ? p->cap_open * 2 : 8;
        int64_t *grown = realloc(p->open, cap * sizeof(*grown));
        if (!grown)
            return -1;
        p->open = grown;
        p->cap_open = cap;
    }
    size_t i = p->n_open;
    while (i > 0 && p->open[i - 1] > offset)
        i--;
    if (i > 0 && p->open[i - 1] == offset)
        return 0; /* already open (redelivered while still held) */
    memmove(&p->open[i + 1], &p->open[i], (p->n_open - i) * sizeof(int64_t));
    p->open[i] = offset;
    p->n_open++;
    if (offset + 1 > p->next)
        p->next = offset + 1;
    return 0;
}

int64_t vs_ledger_storable(const vs_ledger *l, int32_t partition)
{
    const part *p = find(l, partition);
    if (!p || !p->gen)
        return -1;
    return p->n_open ? p->open[0] : p->next;
}

int vs_ledger_close(vs_ledger *l, int32_t partition, unsigned gen, int64_t offset)
{
    part *p = find(l, partition);
    if (!p || !p->gen || p->gen != gen)
        return 0;
    for (size_t i = 0; i < p->n_open; i++) {
        if (p->open[i] == offset) {
            memmove(&p->open[i], &p->open[i + 1], (p->n_open - i - 1) * sizeof(int64_t));
            p->n_open--;
            break;
        }
    }
    int64_t s = vs_ledger_storable(l, partition);
    if (s > p->stored) {
        p->stored = s;
        return 1;
    }
    return 0;
}

size_t vs_ledger_open_count(const vs_ledger *l, int32_t partition)
{
    const part *p = find(l, partition);
    return p && p->gen ? p->n_open : 0;
}
