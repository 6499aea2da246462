/* options.h - vs-broker's command line. */
#ifndef VS_BROKER_OPTIONS_H
#define VS_BROKER_OPTIONS_H
#include "kafka/broker.h"

typedef struct vs_broker_cli {
    vs_broker_opts broker;   /* strings point into argv */
    const char *control;     /* --control: FIFO path, "-" = stdin, NULL = signals only */
    int verbosity;           /* a vs_log_level */
} vs_broker_cli;

/* Parses argv into o. Returns 0 to run, 1 when --help or --version was
 * printed (exit 0), -1 on bad usage (reason on stderr, exit 2). */
int vs_broker_cli_parse(int argc, char **argv, vs_broker_cli *o);

#endif
