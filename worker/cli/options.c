/* options.c - vs-worker's command line and --help. */
#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "log.h"

static void usage(FILE *f)
{
    fprintf(f,
"Usage: vs-worker --job FILE.json [options]      run one job and exit\n"
"       vs-worker [--brokers LIST] [options]      serve jobs from Kafka\n"
"       vs-worker --health-check PATH [--max-age S]   is that worker alive?\n"
"\n"
"With --job: re-times one video as described by a job message (see\n"
"docs/protocol.md) and exits: 0 on success (or when the output exists and\n"
"overwrite is off), 1 when the job failed, 2 for bad usage or a malformed job.\n"
"\n"
"Without --job: joins the consumer group of the jobs topic and runs up to\n"
"--parallel jobs at once until SIGINT or SIGTERM. It publishes started,\n"
"progress (about once a second), done / skipped / failed and a heartbeat to\n"
"the status topic. A job's offset is committed only once the job is final,\n"
"so a job is never lost: on a stop, running jobs get --grace seconds, then\n"
"go back to the queue uncommitted (a second signal hands them back at once).\n"
"Exit: 0 after a clean stop, 1 when the worker gave up (fatal Kafka error) or\n"
"status messages were not delivered, 2 for bad usage or a setup error (a bad\n"
"-X property, --encoder nvenc without NVENC).\n"
"\n"
"Kafka:\n"
"  --brokers LIST     bootstrap servers, host:port[,...] (default: $VS_BROKERS).\n"
"                     For one machine, `vs-broker` prints an address to use;\n"
"                     a farm uses Apache Kafka.\n"
"  --jobs-topic NAME  (default: " VS_KAFKA_JOBS_TOPIC ")\n"
"  --status-topic NAME (default: " VS_KAFKA_STATUS_TOPIC ")\n"
"  --group NAME       consumer group of the workers (default: " VS_KAFKA_GROUP ")\n"
"  -X KEY=VALUE       librdkafka property, passed straight through (TLS, SASL,\n"
"                     tuning, e.g. -X security.protocol=SSL); repeatable\n"
"  --path-map FROM=TO rewrite job paths that start with FROM to start with TO,\n"
"                     for a machine that mounts the NAS elsewhere; repeatable\n"
"  --dead-letter-topic NAME  where refused job messages are copied, with the\n"
"                     reason in headers (default: the jobs topic + \"" VS_KAFKA_DEAD_SUFFIX "\")\n"
"\n"
"Security:\n"
"  --root DIR         jobs may only read and write under DIR; repeatable, added\n"
"                     to the folders of $VS_ROOTS (DIR:DIR). With neither, the\n"
"                     working directory. A job naming a path elsewhere (also\n"
"                     through \"..\" or a symlink) is refused, and the path is\n"
"                     never opened. --job FILE is not confined.\n"
"  VS_JOB_KEY         (environment) when set, only jobs signed with this key\n"
"                     (vs-produce signs with the same variable) are run\n"
"\n"
"Work:\n"
"  --parallel N       jobs at once (default: one per core with the CPU\n"
"                     encoder, the --gpu-sessions cap with NVENC)\n"
"  --threads N        codec threads of each job's video decoder and CPU\n"
"                     encoder (default: the cores shared out between the\n"
"                     slots, at least 1; --job: every core)\n"
"  --encoder NAME     auto (NVENC when it opens, else the CPU encoder; a machine\n"
"                     without the NVIDIA driver is a CPU machine), cpu or nvenc\n"
"                     (default: auto)\n"
"  --gpu-sessions N   NVENC sessions this machine allows, shared by every worker\n"
"                     process on it (default: %d)\n"
"  --gpu-lock-dir DIR where the per-session lock files live (default: %s)\n"
"  --gpu-backoff S    after NVENC refused a session, run fewer jobs for S\n"
"                     seconds (default: %.0f)\n"
"  --grace S          on SIGINT/SIGTERM, let running jobs finish for S seconds\n"
"                     (default: %.0f)\n"
"  --worker-id ID     name in status messages (default: host:pid:random)\n"
"  --metrics [ADDR:]PORT  serve Prometheus metrics on http://ADDR:PORT/metrics\n"
"                     (default: off; ADDR defaults to 127.0.0.1, PORT 0 = any)\n"
"  --heartbeat S      seconds between heartbeats (default: %.0f)\n"
"  --max-attempts N   a job whose attempts fail N times (I/O error, busy GPU,\n"
"                     a worker lost mid-job) is reported failed (default: %d);\n"
"                     bad input fails at once\n"
"  --fail-streak N    after N failed attempts in a row here, take no job for\n"
"                     --fail-pause seconds (default: %d; 0 = never pause)\n"
"  --fail-pause S     (default: %.0f, at most %.0f)\n"
"  --health-file PATH rewrite PATH after every heartbeat, for --health-check\n"
"                     (default: $VS_HEALTH_FILE; the worker image sets it)\n"
"\n"
"Health (Docker HEALTHCHECK, Kubernetes liveness probe):\n"
"  --health-check PATH [--max-age S]  exit 0 when the worker writing PATH\n"
"                     (--health-file) sent a heartbeat less than S seconds ago\n"
"                     (default: %.0f), else 1; talks to nothing else\n"
"\n"
"HTTP (inputs named http:// or https:// are downloaded first; see\n"
"docs/operations.md). TLS peers are always verified.\n"
"  --scratch DIR      where downloads go while their job runs; must lie inside\n"
"                     the roots (default: ROOT/.vs-scratch of the first root,\n"
"                     made at the first download); a download is removed when\n"
"                     its job ends, however it ends\n"
"  --max-download SIZE  refuse inputs bigger than SIZE bytes (K, M, G, T\n"
"                     suffixes: powers of 1024; default: no limit)\n"
"  --upload TEMPLATE  PUT each finished output to this URL (a WebDAV folder, a\n"
"                     pre-signed object-store URL); {name} is replaced by the\n"
"                     output's file name, percent-encoded. The done status\n"
"                     carries the URL without its query\n"
"  --upload-remove    remove the local output once it is uploaded\n"
"  --http-timeout S   one download or upload, every try (default: %.0f)\n"
"  --http-stall S     a transfer under %ld bytes/s for S seconds has stalled and\n"
"                     is tried again (default: %.0f)\n"
"  --http-tries N     tries of a download or upload (default: %d); 5xx, 408,\n"
"                     429, timeouts, stalls and cut connections are tried again,\n"
"                     404, 403 and the size limit fail the job at once\n"
"  --http-ca FILE     trust these CAs instead of the system's\n"
"  --netrc-file FILE  user and password per host, netrc format\n"
"  VS_HTTP_BEARER     (environment) sent as \"Authorization: Bearer ...\";\n"
"                     never logged, never in a job message\n"
"\n"
"  -v, --verbose      more log output (repeat for debug)\n"
"  -q, --quiet        errors only\n"
"  -h, --help         this help\n"
"  -V, --version      print the version\n",
        VS_GPU_SESSIONS, VS_GPU_LOCK_DIR, VS_GPU_BACKOFF_S, VS_GRACE_S, VS_HEARTBEAT_S,
        VS_MAX_ATTEMPTS, VS_FAIL_STREAK, VS_FAIL_PAUSE_S, VS_FAIL_PAUSE_MAX_S,
        VS_HEALTH_MAX_AGE_S, VS_HTTP_TIMEOUT_S, VS_HTTP_STALL_BPS, VS_HTTP_STALL_S,
        VS_HTTP_TRIES);
}

enum {
    OPT_JOB = 256, OPT_ENCODER, OPT_FAULT, OPT_BROKERS, OPT_JOBS_TOPIC, OPT_STATUS_TOPIC,
    OPT_GROUP, OPT_PATH_MAP, OPT_PARALLEL, OPT_THREADS, OPT_GPU_SESSIONS, OPT_GPU_LOCK_DIR,
    OPT_GPU_BACKOFF, OPT_GRACE, OPT_WORKER_ID, OPT_HEARTBEAT, OPT_ROOT, OPT_MAX_ATTEMPTS,
    OPT_FAIL_STREAK, OPT_FAIL_PAUSE, OPT_DEAD_TOPIC, OPT_METRICS, OPT_HEALTH_FILE,
    OPT_HEALTH_CHECK, OPT_MAX_AGE, OPT_SCRATCH, OPT_MAX_DOWNLOAD, OPT_UPLOAD,
    OPT_UPLOAD_REMOVE, OPT_HTTP_TIMEOUT, OPT_HTTP_STALL, OPT_HTTP_TRIES, OPT_HTTP_CA,
    OPT_NETRC_FILE,
};

/* "123", "4K", "2G" (powers of 1024) into bytes. */
static int parse_size(const char *opt, const char *arg, long long *out)
{
    char *end;
    double v = strtod(arg, &end);
    double mul = 1;
    switch (*end) {
    case 'k': case 'K': mul = 1024.0; end++; break;
    case 'm': case 'M': mul = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mul = 1024.0 * 1024 * 1024; end++; break;
    case 't': case 'T': mul = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (end == arg || *end || !(v >= 1) || v * mul > 9e18) {
        fprintf(stderr, "vs-worker: %s wants a size in bytes (K, M, G, T suffixes), "
                "got '%s'\n", opt, arg);
        return -1;
    }
    *out = (long long)(v * mul);
    return 0;
}

static int parse_int(const char *opt, const char *arg, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end || v < lo || v > hi) {
        fprintf(stderr, "vs-worker: %s wants a whole number from %d to %d, got '%s'\n",
                opt, lo, hi, arg);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int parse_seconds(const char *opt, const char *arg, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v >= 0) || v > 86400 * 7) {
        fprintf(stderr, "vs-worker: %s wants seconds (0 or more), got '%s'\n", opt, arg);
        return -1;
    }
    *out = v;
    return 0;
}

static int kafka_err(int rc, const char *err)
{
    if (rc < 0)
        fprintf(stderr, "vs-worker: %s\n", err);
    return rc;
}

int vs_worker_cli_parse(int argc, char **argv, vs_worker_cli *o)
{
    static const struct option longopts[] = {
        {"job", required_argument, NULL, OPT_JOB},
        {"encoder", required_argument, NULL, OPT_ENCODER},
        {"fault", required_argument, NULL, OPT_FAULT},
        {"brokers", required_argument, NULL, OPT_BROKERS},
        {"jobs-topic", required_argument, NULL, OPT_JOBS_TOPIC},
        {"status-topic", required_argument, NULL, OPT_STATUS_TOPIC},
        {"group", required_argument, NULL, OPT_GROUP},
        {"path-map", required_argument, NULL, OPT_PATH_MAP},
        {"parallel", required_argument, NULL, OPT_PARALLEL},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"gpu-sessions", required_argument, NULL, OPT_GPU_SESSIONS},
        {"gpu-lock-dir", required_argument, NULL, OPT_GPU_LOCK_DIR},
        {"gpu-backoff", required_argument, NULL, OPT_GPU_BACKOFF},
        {"grace", required_argument, NULL, OPT_GRACE},
        {"worker-id", required_argument, NULL, OPT_WORKER_ID},
        {"heartbeat", required_argument, NULL, OPT_HEARTBEAT},
        {"metrics", required_argument, NULL, OPT_METRICS},
        {"root", required_argument, NULL, OPT_ROOT},
        {"max-attempts", required_argument, NULL, OPT_MAX_ATTEMPTS},
        {"fail-streak", required_argument, NULL, OPT_FAIL_STREAK},
        {"fail-pause", required_argument, NULL, OPT_FAIL_PAUSE},
        {"dead-letter-topic", required_argument, NULL, OPT_DEAD_TOPIC},
        {"health-file", required_argument, NULL, OPT_HEALTH_FILE},
        {"health-check", required_argument, NULL, OPT_HEALTH_CHECK},
        {"max-age", required_argument, NULL, OPT_MAX_AGE},
        {"scratch", required_argument, NULL, OPT_SCRATCH},
        {"max-download", required_argument, NULL, OPT_MAX_DOWNLOAD},
        {"upload", required_argument, NULL, OPT_UPLOAD},
        {"upload-remove", no_argument, NULL, OPT_UPLOAD_REMOVE},
        {"http-timeout", required_argument, NULL, OPT_HTTP_TIMEOUT},
        {"http-stall", required_argument, NULL, OPT_HTTP_STALL},
        {"http-tries", required_argument, NULL, OPT_HTTP_TRIES},
        {"http-ca", required_argument, NULL, OPT_HTTP_CA},
        {"netrc-file", required_argument, NULL, OPT_NETRC_FILE},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    char err[512];
    int c;

    memset(o, 0, sizeof(*o));
    o->verbosity = VS_LOG_INFO;
    o->service.encoder = VS_ENCODER_AUTO;
    o->service.grace_s = -1;
    if (vs_kafka_conf_init(&o->kafka) < 0) {
        fprintf(stderr, "vs-worker: out of memory\n");
        return -1;
    }
    o->service.kafka = &o->kafka;
    o->roots = calloc((size_t)argc + 1, sizeof(*o->roots));
    if (!o->roots) {
        fprintf(stderr, "vs-worker: out of memory\n");
        return -1;
    }
    o->service.roots = o->roots;
    const char *env = getenv("VS_ROOTS");
    o->service.roots_env = env && *env ? env : NULL;
    env = getenv("VS_JOB_KEY");
    o->service.job_key = env && *env ? env : NULL;
    env = getenv("VS_HTTP_BEARER");
    o->service.http.bearer = env && *env ? env : NULL;
    o->max_age_s = VS_HEALTH_MAX_AGE_S;
    env = getenv("VS_HEALTH_FILE");
    o->health_file = env && *env ? env : NULL;
    while ((c = getopt_long(argc, argv, "X:vqhV", longopts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case OPT_JOB: o->job_file = optarg; break;
        case OPT_ENCODER:
            if (!strcmp(optarg, "auto")) o->service.encoder = VS_ENCODER_AUTO;
            else if (!strcmp(optarg, "cpu")) o->service.encoder = VS_ENCODER_CPU;
            else if (!strcmp(optarg, "nvenc")) o->service.encoder = VS_ENCODER_NVENC;
            else {
                fprintf(stderr, "vs-worker: --encoder must be auto, cpu or nvenc\n");
                rc = -1;
            }
            break;
        case OPT_FAULT: o->service.fault = optarg; break;
        case OPT_METRICS: o->metrics = optarg; break;
        case OPT_BROKERS:
            rc = kafka_err(vs_kafka_conf_set_brokers(&o->kafka, optarg, err, sizeof err), err);
            break;
        case OPT_JOBS_TOPIC:
            rc = kafka_err(vs_kafka_conf_set_topic(&o->kafka, 0, optarg, err, sizeof err), err);
            break;
        case OPT_STATUS_TOPIC:
            rc = kafka_err(vs_kafka_conf_set_topic(&o->kafka, 1, optarg, err, sizeof err), err);
            break;
        case OPT_GROUP:
            rc = kafka_err(vs_kafka_conf_set_group(&o->kafka, optarg, err, sizeof err), err);
            break;
        case 'X':
            rc = kafka_err(vs_kafka_conf_add_prop(&o->kafka, optarg, err, sizeof err), err);
            break;
        case OPT_PATH_MAP:
            rc = kafka_err(vs_path_maps_add(&o->kafka.maps, optarg, err, sizeof err), err);
            break;
        case OPT_PARALLEL:
            rc = parse_int("--parallel", optarg, 1, 256, &o->service.parallel);
            break;
        case OPT_THREADS:
            rc = parse_int("--threads", optarg, 1, 256, &o->service.threads);
            break;
        case OPT_GPU_SESSIONS:
            rc = parse_int("--gpu-sessions", optarg, 1, 256, &o->service.gpu_sessions);
            break;
        case OPT_GPU_LOCK_DIR: o->service.gpu_lock_dir = optarg; break;
        case OPT_GPU_BACKOFF:
            rc = parse_seconds("--gpu-backoff", optarg, &o->service.gpu_backoff_s);
            break;
        case OPT_GRACE: rc = parse_seconds("--grace", optarg, &o->service.grace_s); break;
        case OPT_WORKER_ID:
            if (!*optarg || strlen(optarg) > 100) {
                fprintf(stderr, "vs-worker: --worker-id wants 1 to 100 characters\n");
                rc = -1;
            }
            o->service.worker_id = optarg;
            break;
        case OPT_HEARTBEAT:
            rc = parse_seconds("--heartbeat", optarg, &o->service.heartbeat_s);
            break;
        case OPT_ROOT: o->roots[o->service.n_roots++] = optarg; break;
        case OPT_MAX_ATTEMPTS:
            rc = parse_int("--max-attempts", optarg, 1, 100, &o->service.max_attempts);
            break;
        case OPT_FAIL_STREAK:
            rc = parse_int("--fail-streak", optarg, 0, 1000, &o->service.fail_streak);
            if (rc == 0 && o->service.fail_streak == 0)
                o->service.fail_streak = -1; /* never */
            break;
        case OPT_FAIL_PAUSE:
            rc = parse_seconds("--fail-pause", optarg, &o->service.fail_pause_s);
            if (rc == 0 && (o->service.fail_pause_s < 1 ||
                            o->service.fail_pause_s > VS_FAIL_PAUSE_MAX_S)) {
                fprintf(stderr, "vs-worker: --fail-pause wants 1 to %.0f seconds\n",
                        VS_FAIL_PAUSE_MAX_S);
                rc = -1;
            }
            break;
        case OPT_DEAD_TOPIC:
            rc = kafka_err(vs_kafka_conf_set_topic(&o->kafka, VS_TOPIC_DEAD, optarg, err,
                                                   sizeof err), err);
            break;
        case OPT_HEALTH_FILE: o->health_file = optarg; break;
        case OPT_HEALTH_CHECK: o->health_check = optarg; break;
        case OPT_MAX_AGE:
            rc = parse_seconds("--max-age", optarg, &o->max_age_s);
            break;
        case OPT_SCRATCH: o->service.scratch_dir = optarg; break;
        case OPT_MAX_DOWNLOAD:
            rc = parse_size("--max-download", optarg, &o->service.http.max_bytes);
            break;
        case OPT_UPLOAD: o->service.upload = optarg; break;
        case OPT_UPLOAD_REMOVE: o->service.upload_remove = 1; break;
        case OPT_HTTP_TIMEOUT:
            rc = parse_seconds("--http-timeout", optarg, &o->service.http.timeout_s);
            break;
        case OPT_HTTP_STALL:
            rc = parse_seconds("--http-stall", optarg, &o->service.http.stall_s);
            break;
        case OPT_HTTP_TRIES:
            rc = parse_int("--http-tries", optarg, 1, 100, &o->service.http.tries);
            break;
        case OPT_HTTP_CA: o->service.http.ca_file = optarg; break;
        case OPT_NETRC_FILE: o->service.http.netrc_file = optarg; break;
        case 'v': o->verbosity++; break;
        case 'q': o->verbosity = VS_LOG_ERROR; break;
        case 'h': usage(stdout); return 1;
        case 'V': printf("vs-worker %s\n", VS_VERSION); return 1;
        default: usage(stderr); return -1;
        }
        if (rc < 0)
            return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "vs-worker: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (o->service.upload_remove && !o->service.upload) {
        fprintf(stderr, "vs-worker: --upload-remove needs --upload\n");
        return -1;
    }
    if (!o->job_file && !o->health_check && !o->kafka.brokers) {
        fprintf(stderr, "vs-worker: name a broker (--brokers or VS_BROKERS), or run one "
                "job with --job FILE (see --help)\n");
        return -1;
    }
    return 0;
}

void vs_worker_cli_release(vs_worker_cli *o)
{
    free(o->roots);
    o->roots = NULL;
    vs_kafka_conf_release(&o->kafka);
}
