/* handover.h - waiting jobs passed to other workers (internal).
 *
 * A job that waits here while another worker of the group has a free slot
 * (its heartbeat says so) is re-published unchanged to a partition that
 * worker holds, with header vs-hops counting hand-overs; a job whose
 * attempt failed here goes to another worker for the next one, carrying
 * its failed attempts in header vs-attempts. The original offset is
 * committed once the copy is stored. */
#ifndef VS_WORKER_HANDOVER_H
#define VS_WORKER_HANDOVER_H
#include "state.h"

#define VS_HOPS_HEADER     "vs-hops"
#define VS_ATTEMPTS_HEADER "vs-attempts" /* failed attempts, on a job passed on for a retry */

/* Hands at most one waiting job over (the next round sees it counted). */
void vs_handover_round(vs_worker *s);
/* Delivery report of a handed-over job or of a dead-letter copy. */
void vs_handover_delivered(void *ctx, uint64_t id, rd_kafka_resp_err_t err);

#endif
