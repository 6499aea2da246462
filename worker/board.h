/* board.h - the job board: jobs and workers as the status topic shows them (internal).
 *
 * Every worker also reads the status topic, so it knows which jobs are
 * finished or running somewhere (a job redelivered after a rebalance or a
 * crash is then not run twice) and which other workers have free slots
 * and which jobs-topic partitions they hold (a full worker hands a waiting
 * job to an idle one instead of sitting on it). The reader is a plain
 * consumer (no group, no commits) that starts `lookback` seconds back and
 * reports when it has caught up with the topic as it was at start. */
#ifndef VS_WORKER_BOARD_H
#define VS_WORKER_BOARD_H
#include <stddef.h>
#include <stdint.h>
#include "kafka/client.h"

typedef struct vs_board vs_board;

/* What the status topic says about a job. */
enum vs_board_job {
    VS_BOARD_UNKNOWN = 0, /* never seen, or handed back (retry): may run */
    VS_BOARD_RUNNING,     /* started or progressing recently on `worker` */
    VS_BOARD_FINAL,       /* done, skipped or failed (by `worker`) */
};

/* Creates the reader. self: this worker's id. Returns 0 or -1 with errstr. */
int vs_board_open(const vs_kafka_conf *c, const char *self, double lookback_s,
                 vs_board **out, char *errstr, size_t errsz);
void vs_board_close(vs_board **f);

/* Reads whatever arrived, waiting at most timeout_ms for the first
 * message. Returns the number of status messages read. */
int vs_board_poll(vs_board *f, int timeout_ms);
/* 1 once every partition was read up to where it ended at start. */
int vs_board_caught_up(const vs_board *f);

/* State of job_id. A job counts as running while its last started /
 * progress message is younger than live_s. worker (may be NULL) gets the
 * id of the worker concerned. */
enum vs_board_job vs_board_job_state(vs_board *f, const char *job_id, double live_s,
                                   char *worker, size_t wsz);

/* Failed attempts of job_id so far: the highest "attempts" its status
 * messages carried, plus one when its last news is a started / progress
 * older than live_s (that worker went away without a result). why (may
 * be NULL) gets the last reason. Refused messages (failed + rejected)
 * are not counted: their id may be anybody's. */
int vs_board_job_attempts(vs_board *f, const char *job_id, double live_s,
                         char *why, size_t whysz);

/* Picks another worker of `group` whose heartbeat is younger than
 * fresh_s, that is not stopping, takes jobs (slots > 0), is not on
 * avoid_host (NULL: any host; NVENC sessions are per machine, so a worker
 * waiting for one skips its own machine) and holds a partition of the
 * jobs topic. With need_free it must also have a free slot (slots - busy
 * - jobs recently handed to it); without, the one with the most free
 * slots wins. Returns one of its partitions (round robin) and its id in
 * worker, or -1. */
int32_t vs_board_pick_peer(vs_board *f, const char *group, double fresh_s,
                          const char *avoid_host, int need_free, char *worker, size_t wsz);
/* Counts a job handed to worker against its free slots until its next
 * heartbeats show it (a few seconds). */
void vs_board_note_handoff(vs_board *f, const char *worker);

#endif
