/* setup.h - what kind of worker this is (internal): its id, its encoder
 * (CPU or NVENC, as the options and the machine say), its slot count and
 * its test fault points. Runs once, in vs_worker_start. */
#ifndef VS_WORKER_SETUP_H
#define VS_WORKER_SETUP_H
#include "state.h"

/* The worker id (given, or host:pid:random) and the host name. */
void vs_worker_setup_id(vs_worker *s, const char *worker_id);
/* Fault points, encoder and slots; after the Kafka clients exist (a bad
 * -X fails before any probing). Returns 0 or -1 with errstr. */
int vs_worker_setup(vs_worker *s, char *errstr, size_t errsz);

#endif
