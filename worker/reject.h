/* reject.h - a message on the jobs topic that the worker will not run (internal).
 *
 * Publishes a failed status (rejected, under the job id the message
 * carries, else its key, else TOPIC/PARTITION@OFFSET), copies the message
 * to the dead-letter topic with the reason in headers, and stores its
 * offset once the copy is delivered. */
#ifndef VS_WORKER_REJECT_H
#define VS_WORKER_REJECT_H
#include "state.h"

#define VS_DEAD_MAX_BYTES (64 * 1024)    /* payload kept on the dead-letter topic */

/* job: the parsed job when there is one, else NULL. */
void vs_reject(vs_worker *s, const rd_kafka_message_t *m, unsigned gen, const vs_job *job,
               const char *why);
/* A dead-letter copy was delivered (or failed for good): returns 1 when id
 * was one, after storing its offset. */
int vs_reject_delivered(vs_worker *s, uint64_t id, rd_kafka_resp_err_t err);
void vs_reject_free_all(vs_worker *s);

#endif
