/* options.h - vs-dash's command line. */
#ifndef VS_DASH_OPTIONS_H
#define VS_DASH_OPTIONS_H
#include "kafka/client.h"

#define VS_DASH_LISTEN     "127.0.0.1:8090"
#define VS_DASH_LOOKBACK_S 3600.0
#define VS_DASH_STALE_S    30.0

typedef struct vs_dash_cli {
    vs_kafka_conf kafka;   /* brokers, status topic, -X (owned) */
    const char *listen;    /* [ADDR:]PORT (points into argv or a literal) */
    double lookback_s;     /* read the status topic from this long ago */
    double stale_s;        /* a worker silent this long is shown as not alive */
    int verbosity;
} vs_dash_cli;

/* Returns 0 to go on, 1 when done (--help, --version), -1 on bad usage
 * (message printed). */
int vs_dash_cli_parse(int argc, char **argv, vs_dash_cli *o);
void vs_dash_cli_release(vs_dash_cli *o);

#endif
