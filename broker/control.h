/* control.h - vs-broker's control channel, for outage drills and tests.
 *
 * SIGUSR1 takes every broker of the embedded cluster down, SIGUSR2 brings
 * them all up again; with a command source (a FIFO, or stdin) the lines
 * "down [ID]", "up [ID]" and "stop" do the same per broker. SIGINT and
 * SIGTERM end the run. Signals are read through a signalfd, so there is no
 * signal handler and no global flag: they must be blocked in every thread,
 * hence vs_control_block_signals() before the broker starts its threads. */
#ifndef VS_BROKER_CONTROL_H
#define VS_BROKER_CONTROL_H
#include <stddef.h>

#include "kafka/broker.h"

typedef struct vs_control vs_control;

/* Blocks SIGINT, SIGTERM, SIGUSR1 and SIGUSR2 in the calling thread (and
 * the threads it starts later). Call it first thing in main. 0 or -1. */
int vs_control_block_signals(char *errstr, size_t errsz);

/* Opens the channel for a cluster of n_brokers brokers (ids 1..n).
 * path: NULL for signals only, "-" for commands on stdin, else a FIFO
 * (made with mode 0600 when missing, and then removed by vs_control_close;
 * an existing path must be a FIFO). Returns 0 and a new channel, or -1
 * with errstr. */
int vs_control_open(const char *path, int n_brokers, vs_control **out,
                    char *errstr, size_t errsz);

/* Serves signals and commands against b until SIGINT, SIGTERM or "stop".
 * Returns 0, or -1 when the channel itself failed (logged). */
int vs_control_run(vs_control *c, vs_broker *b);

/* Closes the channel (removes a FIFO it made). Accepts NULL, clears the
 * pointer. */
void vs_control_close(vs_control **c);

#endif
