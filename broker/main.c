/* main.c - vs-broker: run the embedded broker alone until SIGINT/SIGTERM.
 *
 * Prints the bootstrap address as its first line on stdout (flushed at
 * once, so a script can read it), then waits. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka/broker.h"
#include "kafka/client.h"
#include "log.h"

static volatile sig_atomic_t vs_stop = 0;

static void on_signal(int sig)
{
    (void)sig;
    vs_stop = 1;
}

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
"  --brokers N             mock brokers in the cluster (default: 1)\n"
"  -v, --verbose           more log output\n"
"  -h, --help              this help\n"
"  -V, --version           print the version\n",
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

int main(int argc, char **argv)
{
    enum { OPT_JOBS = 256, OPT_STATUS, OPT_JP, OPT_SP, OPT_BROKERS };
    static const struct option longopts[] = {
        {"jobs-topic", required_argument, NULL, OPT_JOBS},
        {"status-topic", required_argument, NULL, OPT_STATUS},
        {"jobs-partitions", required_argument, NULL, OPT_JP},
        {"status-partitions", required_argument, NULL, OPT_SP},
        {"brokers", required_argument, NULL, OPT_BROKERS},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    vs_broker_opts bo = {0};
    int verbosity = VS_LOG_INFO, c;

    vs_log_set_prefix("vs-broker");
    while ((c = getopt_long(argc, argv, "vhV", longopts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case OPT_JOBS: bo.jobs_topic = optarg; break;
        case OPT_STATUS: bo.status_topic = optarg; break;
        case OPT_JP: rc = parse_count("--jobs-partitions", optarg, &bo.jobs_partitions); break;
        case OPT_SP: rc = parse_count("--status-partitions", optarg, &bo.status_partitions); break;
        case OPT_BROKERS: rc = parse_count("--brokers", optarg, &bo.brokers); break;
        case 'v': verbosity++; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("vs-broker %s\n", VS_VERSION); return 0;
        default: usage(stderr); return 2;
        }
        if (rc < 0)
            return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "vs-broker: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    vs_log_set_level(verbosity > VS_LOG_DEBUG ? VS_LOG_DEBUG : verbosity);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[512];
    vs_broker *b = NULL;
    if (vs_broker_start(&bo, &b, err, sizeof err) < 0) {
        vs_log(VS_LOG_ERROR, "%s", err);
        return 1;
    }
    printf("%s\n", vs_broker_bootstrap(b));
    fflush(stdout);
    vs_log(VS_LOG_INFO, "embedded broker on %s: in memory only, this machine only "
           "(a farm uses Apache Kafka); Ctrl-C stops it", vs_broker_bootstrap(b));
    while (!vs_stop)
        pause();
    vs_log(VS_LOG_INFO, "stopping");
    vs_broker_stop(&b);
    return 0;
}
