/* options.c - vs-dash's command line (see options.h). */
#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static void usage(FILE *out)
{
    fprintf(out,
"usage: vs-dash --brokers HOST:PORT[,...] [options]\n"
"\n"
"Follows the farm's status topic and serves a read-only dashboard: the page\n"
"on /, the same as JSON on /api/state (docs/protocol.md), farm metrics for\n"
"Prometheus on /metrics. Runs until SIGINT/SIGTERM.\n"
"\n"
"  --brokers LIST     Kafka bootstrap servers (or VS_BROKERS)\n"
"  --status-topic T   status topic (default: %s)\n"
"  -X key=value       librdkafka property (TLS, SASL, ...), repeatable\n"
"  --listen [ADDR:]PORT  where to serve (default: %s; ADDR defaults to\n"
"                     127.0.0.1; PORT 0 = any free port, printed at start)\n"
"  --lookback S       read statuses from S seconds back (default: %.0f)\n"
"  --stale S          a worker without a heartbeat for S seconds is shown as\n"
"                     not alive (default: %.0f)\n"
"  -v, --verbose      more log output\n"
"  -q, --quiet        errors only\n"
"  -h, --help         this help\n"
"  -V, --version      print the version\n",
        VS_KAFKA_STATUS_TOPIC, VS_DASH_LISTEN, VS_DASH_LOOKBACK_S, VS_DASH_STALE_S);
}

enum { OPT_BROKERS = 256, OPT_STATUS_TOPIC, OPT_LISTEN, OPT_LOOKBACK, OPT_STALE };

static int seconds(const char *opt, const char *arg, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v > 0) || v > 86400 * 30) {
        fprintf(stderr, "vs-dash: %s wants seconds (> 0), got '%s'\n", opt, arg);
        return -1;
    }
    *out = v;
    return 0;
}

int vs_dash_cli_parse(int argc, char **argv, vs_dash_cli *o)
{
    static const struct option longopts[] = {
        {"brokers", required_argument, NULL, OPT_BROKERS},
        {"status-topic", required_argument, NULL, OPT_STATUS_TOPIC},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"lookback", required_argument, NULL, OPT_LOOKBACK},
        {"stale", required_argument, NULL, OPT_STALE},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    char err[512];
    int c;
    memset(o, 0, sizeof *o);
    o->listen = VS_DASH_LISTEN;
    o->lookback_s = VS_DASH_LOOKBACK_S;
    o->stale_s = VS_DASH_STALE_S;
    o->verbosity = VS_LOG_INFO;
    if (vs_kafka_conf_init(&o->kafka) < 0) {
        fprintf(stderr, "vs-dash: out of memory\n");
        return -1;
    }
    while ((c = getopt_long(argc, argv, "X:vqhV", longopts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case OPT_BROKERS:
            rc = vs_kafka_conf_set_brokers(&o->kafka, optarg, err, sizeof err);
            break;
        case OPT_STATUS_TOPIC:
            rc = vs_kafka_conf_set_topic(&o->kafka, VS_TOPIC_STATUS, optarg, err, sizeof err);
            break;
        case 'X':
            rc = vs_kafka_conf_add_prop(&o->kafka, optarg, err, sizeof err);
            break;
        case OPT_LISTEN: o->listen = optarg; break;
        case OPT_LOOKBACK:
            if (seconds("--lookback", optarg, &o->lookback_s) < 0)
                return -1;
            break;
        case OPT_STALE:
            if (seconds("--stale", optarg, &o->stale_s) < 0)
                return -1;
            break;
        case 'v': o->verbosity = VS_LOG_DEBUG; break;
        case 'q': o->verbosity = VS_LOG_ERROR; break;
        case 'h': usage(stdout); return 1;
        case 'V': printf("vs-dash %s\n", VS_VERSION); return 1;
        default:
            fprintf(stderr, "vs-dash: see vs-dash --help\n");
            return -1;
        }
        if (rc < 0) {
            fprintf(stderr, "vs-dash: %s\n", err);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vs-dash: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (!o->kafka.brokers) {
        fprintf(stderr, "vs-dash: --brokers (or VS_BROKERS) is required: it follows a farm\n");
        return -1;
    }
    return 0;
}

void vs_dash_cli_release(vs_dash_cli *o)
{
    vs_kafka_conf_release(&o->kafka);
}
