/* options.c - vs-broker's command line: topics, partitions, the number of
 * mock brokers, and the control channel for outage drills. */
#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/client.h"
#include "log.h"

static void usage(FILE *f)
{
    fprintf(f,
"Usage: vs-broker [options]\n"
"\n"
"Runs the embedded broker (librdkafka's mock cluster) on 127.0.0.1 until\n"
"SIGINT or SIGTERM, for trying a farm of several vs-worker / vs-produce\n"
"processes on ONE machine. Its first line on stdout is the bootstrap address\n"
"(127.0.0.1:PORT) to pass as --brokers.\n"
"\n"
"It keeps nothing on disk (everything is lost when it stops), keeps only\n"
"about 5 MiB per partition, and is not reachable from other machines.\n"
"A farm uses Apache Kafka.\n"
"\n"
"Options:\n"
"  --jobs-topic NAME       (default: " VS_KAFKA_JOBS_TOPIC ")\n"
"  --status-topic NAME     (default: " VS_KAFKA_STATUS_TOPIC ")\n"
"  --jobs-partitions N     (default: %d)\n"
"  --status-partitions N   (default: %d)\n"
"  --brokers N             mock brokers in the cluster, ids 1..N (default: 1)\n"
"  --control PATH          read outage commands, one per line, from PATH: a FIFO\n"
"                          (made when missing, removed at exit) or - for stdin\n"
"  -v, --verbose           more log output\n"
"  -h, --help              this help\n"
"  -V, --version           print the version\n"
"\n"
"Outage drills: a broker that is down closes its connections and refuses\n"
"new ones, as if its machine had gone; what it holds (messages, committed\n"
"offsets, groups) is kept and served again once it is up.\n"
"  SIGUSR1                 every broker goes down\n"
"  SIGUSR2                 every broker comes up again\n"
"  --control commands:\n"
"    down [ID]             broker ID (default: every broker) goes down\n"
"    up [ID]               broker ID (default: every broker) comes up again\n"
"    stop                  stop vs-broker, as SIGTERM does\n"
"  Each change is logged on stderr: \"brokers down: 1\", \"all brokers up\".\n"
"\n"
"Example: vs-broker --control /tmp/vs-ctl & ... echo down > /tmp/vs-ctl;\n"
"sleep 20; echo up > /tmp/vs-ctl   (or kill -USR1 / kill -USR2 its pid)\n",
        VS_KAFKA_JOBS_PARTITIONS, VS_KAFKA_STATUS_PARTITIONS);
}

static int parse_count(const char *opt, const char *arg, int *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end || v < 1 || v > 1000) {
        fprintf(stderr, "vs-broker: %s wants a number from 1 to 1000, got '%s'\n", opt, arg);
        return -1;
    }
    *out = (int)v;
    return 0;
}

int vs_broker_cli_parse(int argc, char **argv, vs_broker_cli *o)
{
    enum { OPT_JOBS = 256, OPT_STATUS, OPT_JP, OPT_SP, OPT_BROKERS, OPT_CONTROL };
    static const struct option longopts[] = {
        {"jobs-topic", required_argument, NULL, OPT_JOBS},
        {"status-topic", required_argument, NULL, OPT_STATUS},
        {"jobs-partitions", required_argument, NULL, OPT_JP},
        {"status-partitions", required_argument, NULL, OPT_SP},
        {"brokers", required_argument, NULL, OPT_BROKERS},
        {"control", required_argument, NULL, OPT_CONTROL},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(o, 0, sizeof(*o));
    o->verbosity = VS_LOG_INFO;
    while ((c = getopt_long(argc, argv, "vhV", longopts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case OPT_JOBS: o->broker.jobs_topic = optarg; break;
        case OPT_STATUS: o->broker.status_topic = optarg; break;
        case OPT_JP: rc = parse_count("--jobs-partitions", optarg, &o->broker.jobs_partitions); break;
        case OPT_SP: rc = parse_count("--status-partitions", optarg, &o->broker.status_partitions); break;
        case OPT_BROKERS: rc = parse_count("--brokers", optarg, &o->broker.brokers); break;
        case OPT_CONTROL:
            if (!*optarg) {
                fprintf(stderr, "vs-broker: --control wants a path or -\n");
                return -1;
            }
            o->control = optarg;
            break;
        case 'v': o->verbosity++; break;
        case 'h': usage(stdout); return 1;
        case 'V': printf("vs-broker %s\n", VS_VERSION); return 1;
        default: usage(stderr); return -1;
        }
        if (rc < 0)
            return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "vs-broker: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (o->verbosity > VS_LOG_DEBUG)
        o->verbosity = VS_LOG_DEBUG;
    return 0;
}
