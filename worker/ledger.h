/* ledger.h - which job offsets may be committed (internal to the worker).
 *
 * Jobs of one partition run in parallel and finish in any order, but a
 * Kafka offset commit means "everything before this is done". The ledger
 * tracks, per assigned partition, the offsets handed to the service and
 * not yet in a final state; the offset that may be stored is the lowest
 * of those, or one past the last consumed when none is open. Each
 * assignment of a partition gets a new generation, so a job that started
 * under an earlier assignment never stores into a later one. */
#ifndef VS_WORKER_LEDGER_H
#define VS_WORKER_LEDGER_H
#include <stddef.h>
#include <stdint.h>

typedef struct vs_ledger vs_ledger;

vs_ledger *vs_ledger_new(void);
void vs_ledger_free(vs_ledger **l);

/* The partition was assigned: a new generation starts (returned). */
unsigned vs_ledger_assign(vs_ledger *l, int32_t partition);
/* The partition was revoked: its open offsets are forgotten. */
void vs_ledger_revoke(vs_ledger *l, int32_t partition);
/* Current generation of an assigned partition, 0 when not assigned. */
unsigned vs_ledger_gen(const vs_ledger *l, int32_t partition);

/* A message at offset was consumed: it is open until vs_ledger_close. */
int vs_ledger_open(vs_ledger *l, int32_t partition, int64_t offset);
/* The message reached a final state. Ignored when gen is not the
 * partition's current generation. Returns 1 when the storable offset of
 * the partition moved forward. */
int vs_ledger_close(vs_ledger *l, int32_t partition, unsigned gen, int64_t offset);
/* Storable offset of the partition (next offset to read after a restart),
 * or -1 when nothing may be stored yet. */
int64_t vs_ledger_storable(const vs_ledger *l, int32_t partition);
/* Number of open offsets of the partition. */
size_t vs_ledger_open_count(const vs_ledger *l, int32_t partition);

#endif
