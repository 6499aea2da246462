/* main.c - vs-worker: parse options, then either run one job file
 * (--job) or serve jobs from Kafka. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "run_local.h"

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: vs-worker --job FILE.json [options]\n"
        "\n"
        "Re-times one video as described by a job message (see docs/protocol.md)\n"
        "and exits: 0 on success (or when the output exists and overwrite is off),\n"
        "1 when the job failed, 2 for bad usage or a malformed job.\n"
        "\n"
        "Options:\n"
        "  --job FILE         run this job message and exit\n"
        "  --encoder NAME     auto (NVENC when it opens, else CPU), cpu or nvenc\n"
        "                     (default: auto)\n"
        "  -v, --verbose      more log output (repeat for debug)\n"
        "  -q, --quiet        errors only\n"
        "  -h, --help         this help\n"
        "  -V, --version      print the version\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"job", required_argument, NULL, 'j'},
        {"encoder", required_argument, NULL, 'e'},
        {"fault", required_argument, NULL, 'F'},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *job_file = NULL, *fault = NULL;
    enum vs_encoder_pref enc = VS_ENCODER_AUTO;
    int verbosity = VS_LOG_INFO, c;

    vs_log_set_prefix("vs-worker");
    while ((c = getopt_long(argc, argv, "vqhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': job_file = optarg; break;
        case 'e':
            if (!strcmp(optarg, "auto")) enc = VS_ENCODER_AUTO;
            else if (!strcmp(optarg, "cpu")) enc = VS_ENCODER_CPU;
            else if (!strcmp(optarg, "nvenc")) enc = VS_ENCODER_NVENC;
            else {
                fprintf(stderr, "vs-worker: --encoder must be auto, cpu or nvenc\n");
                return 2;
            }
            break;
        case 'F': fault = optarg; break;
        case 'v': verbosity++; break;
        case 'q': verbosity = VS_LOG_ERROR; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("vs-worker %s\n", VS_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vs-worker: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    vs_log_set_level(verbosity > VS_LOG_DEBUG ? VS_LOG_DEBUG : verbosity);
    vs_log_route_ffmpeg();
    if (!job_file) {
        usage(stderr);
        return 2;
    }
    return vs_run_local(job_file, enc, fault);
}
