/* intake.h - a job message arrives at the worker (internal).
 *
 * The message is checked (a valid job, signed when the worker has a job
 * key, paths mapped and confined to the roots); a bad one is refused
 * (reject.h). A good one becomes a task, and the rules decide whether it
 * queues, is held for another worker, joins the same job running here or
 * is committed at once because it is final already. */
#ifndef VS_WORKER_INTAKE_H
#define VS_WORKER_INTAKE_H
#include "state.h"

void vs_intake(vs_worker *s, rd_kafka_message_t *m);

#endif
