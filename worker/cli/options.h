/* options.h - vs-worker's command line. */
#ifndef VS_WORKER_OPTIONS_H
#define VS_WORKER_OPTIONS_H
#include "kafka/client.h"
#include "worker.h"

typedef struct vs_worker_cli {
    const char *job_file;     /* --job: run one job file and exit */
    vs_kafka_conf kafka;      /* farm configuration (owned) */
    vs_worker_opts service;  /* Kafka mode; .kafka points at kafka above, .roots at roots */
    const char **roots;       /* --root values (point into argv; the array is owned) */
    int verbosity;
    const char *metrics;      /* --metrics [ADDR:]PORT, or NULL (points into argv) */
    const char *health_file;  /* --health-file: touched at each heartbeat, or NULL */
    const char *health_check; /* --health-check FILE: only check it and exit */
    double max_age_s;         /* --max-age for --health-check */
} vs_worker_cli;

/* Parses argv. Returns 0 to go on, 1 when the program is done (--help,
 * --version: exit 0), or -1 on bad usage (message printed: exit 2). */
int vs_worker_cli_parse(int argc, char **argv, vs_worker_cli *o);
void vs_worker_cli_release(vs_worker_cli *o);

#endif
