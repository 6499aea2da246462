/* options.c - vs-produce's command line: getopt_long into vs_produce_opts,
 * every number checked, every combination that cannot work refused here
 * with one line, so the run itself never meets a half-valid setup. */
#include "options.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "folder.h"
#include "http/client.h"
#include "log.h"

static void usage(FILE *f)
{
    fprintf(f,
"Usage: vs-produce --folder DIR -o OUT [options]\n"
"       vs-produce --detect -i FILE [-t DB] [-d S]\n"
"       vs-produce --create-topics --brokers LIST [--partitions N]\n"
"\n"
"Re-times every video of a recording session: speech plays at 1x, the\n"
"silences listed in the session's sidecar (*.vad.json) are fast-forwarded.\n"
"Each video becomes one job on the Kafka jobs topic; workers (vs-worker)\n"
"encode them and report on the status topic, which this program follows\n"
"until every video is done, then prints a summary.\n"
"\n"
"With no broker named (no --brokers, VS_BROKERS unset) it starts an embedded\n"
"broker and local workers in this process and does the whole job on this\n"
"machine. The embedded broker keeps nothing on disk and is for one machine\n"
"only; a farm of several machines uses Apache Kafka.\n"
"\n"
"Folder:\n"
"  --folder DIR            the session folder: every video in it is processed\n"
"                          (sorted by name)\n"
"  -o, --output OUT        output folder (created; must not be DIR); each output\n"
"                          keeps its input's file name\n"
"  --vad-json FILE         the sidecar to use (default: the one *.vad.json in DIR)\n"
"  --vad-master FILE       detect silences on FILE first (FFmpeg silencedetect),\n"
"                          write FILE's sidecar next to it (NAME.vad.json) and use it\n"
"  --overwrite             replace existing outputs (default: skip them)\n"
"  --indicator             draw a fast-forward box with the speed on silences\n"
"  --extensions LIST       video extensions, comma list, case-insensitive\n"
"                          (default: " VS_DEFAULT_EXTENSIONS ")\n"
"  --offset S              skip S seconds at the start of every input\n"
"  --process-duration S    process only S seconds of every input (after --offset)\n"
"  --codec NAME            output codec h264, hevc, av1 or vp9\n"
"                          (default: follow the input)\n"
"  --chunk S               split a video whose output lasts over 1.5 S seconds\n"
"                          into chunks of about S seconds of output that\n"
"                          workers encode at once, then join (MP4, MOV, MKV and\n"
"                          WebM outputs); 0 = never split (default: %g)\n"
"  --input-url BASE        jobs name their input as BASE/NAME (NAME percent-\n"
"                          encoded) instead of the path in DIR: workers download\n"
"                          it over http(s). DIR is still read here (the sidecar,\n"
"                          the names, the durations). No credentials in BASE:\n"
"                          workers take them from $VS_HTTP_BEARER or a netrc file\n"
"  --dry-run               print the job messages (one JSON object per line on\n"
"                          stdout) instead of publishing them; the output folder\n"
"                          is still checked and created\n"
"\n"
"Detection (--detect, --vad-master):\n"
"  --detect                only write the sidecar of -i FILE and exit\n"
"  -i, --input FILE        the recording to analyse with --detect\n"
"  -t, --threshold DB      silence is below this level in dB (default: -30)\n"
"  -d, --duration S        shortest silence reported, seconds (default: 2.0)\n"
"\n"
"Progress and result:\n"
"  --json                  print the summary as one JSON document on stdout\n"
"  --notify URL            when the batch ends, POST the JSON summary to URL\n"
"                          (http or https, TLS verified); tried again with\n"
"                          back-off; a failure is one line on stderr and does not\n"
"                          change the exit status; repeatable (at most %d)\n"
"  --notify-timeout S      give up on a --notify URL after S seconds\n"
"                          (default: %g)\n"
"  --progress MODE         auto (bars on a terminal, lines otherwise), bars,\n"
"                          lines or none (default: auto); progress goes to stderr\n"
"  --timeout S             give up after S seconds; unfinished videos count as\n"
"                          failed (default: no limit)\n"
"  --worker-wait S         warn when no worker has been heard of for S seconds\n"
"                          (default: 10)\n"
"\n"
"Farm:\n"
"  --brokers LIST          Kafka bootstrap servers (default: $VS_BROKERS; when\n"
"                          neither is set, the embedded broker)\n"
"  --jobs-topic NAME       jobs topic (default: " VS_KAFKA_JOBS_TOPIC ")\n"
"  --status-topic NAME     status topic (default: " VS_KAFKA_STATUS_TOPIC ")\n"
"  --group NAME            the workers' consumer group (default: " VS_KAFKA_GROUP ")\n"
"  -X KEY=VALUE            librdkafka property, passed through (TLS, SASL, ...)\n"
"  --create-topics         only create the jobs and status topics when missing\n"
"                          (Admin API) and exit: 0 created or already there, 2\n"
"                          when the brokers refused this client\n"
"  --partitions N          partitions of a jobs topic it creates (default: %d)\n"
"  --path-map FROM=TO      paths under FROM are written as TO in job messages\n"
"                          (the folder as the workers see it); repeatable\n"
"\n"
"Local workers (embedded broker only):\n"
"  --parallel N            job slots of the local workers (default: one per\n"
"                          core on CPU, the NVENC session limit on a GPU); 0\n"
"                          starts none and waits for vs-worker processes on\n"
"                          this machine\n"
"  --encoder NAME          auto (NVENC when it opens, else CPU), cpu or nvenc\n"
"  --upload TEMPLATE       the local workers PUT each finished output to this\n"
"                          URL ({name} = the output's file name; vs-worker\n"
"                          --upload on a farm); credentials from $VS_HTTP_BEARER\n"
"  --upload-remove         ... and remove the local copy once uploaded\n"
"\n"
"Environment:\n"
"  VS_BROKERS              bootstrap servers when --brokers is not given\n"
"  VS_NOTIFY_TOKEN         sent to --notify URLs as \"Authorization: Bearer\";\n"
"                          user and password may instead come from ~/.netrc\n"
"                          (or the file $NETRC names); never put them in the URL\n"
"  VS_JOB_KEY              sign every job (HMAC-SHA256) with this key; workers\n"
"                          configured with the same key refuse unsigned jobs\n"
"\n"
"General:\n"
"  -v, --verbose           more log output (repeat for debug)\n"
"  -q, --quiet             errors only\n"
"  -h, --help              this help\n"
"  -V, --version           print the version\n"
"\n"
"Exit status: 0 when every video was processed or skipped, 1 when any video\n"
"failed (the failed names are listed on stderr), 2 for bad usage or a setup\n"
"error (folder, sidecar, broker); a --notify failure does not change it.\n",
            VS_CHUNK_DEFAULT_S, VS_NOTIFY_MAX, VS_NOTIFY_TIMEOUT_S, VS_KAFKA_JOBS_PARTITIONS);
}

enum {
    OPT_FOLDER = 256, OPT_VAD_JSON, OPT_VAD_MASTER, OPT_OVERWRITE, OPT_INDICATOR,
    OPT_EXTENSIONS, OPT_OFFSET, OPT_PROCESS_DURATION, OPT_CODEC, OPT_DRY_RUN, OPT_CHUNK,
    OPT_DETECT, OPT_JSON, OPT_PROGRESS, OPT_TIMEOUT, OPT_WORKER_WAIT,
    OPT_BROKERS, OPT_JOBS_TOPIC, OPT_STATUS_TOPIC, OPT_GROUP, OPT_PATH_MAP,
    OPT_PARALLEL, OPT_ENCODER, OPT_NOTIFY, OPT_NOTIFY_TIMEOUT, OPT_INPUT_URL, OPT_CREATE_TOPICS, OPT_PARTITIONS, OPT_UPLOAD, OPT_UPLOAD_REMOVE,
};

static const struct option vs_longopts[] = {
    {"folder", required_argument, NULL, OPT_FOLDER},
    {"output", required_argument, NULL, 'o'},
    {"vad-json", required_argument, NULL, OPT_VAD_JSON},
    {"vad-master", required_argument, NULL, OPT_VAD_MASTER},
    {"overwrite", no_argument, NULL, OPT_OVERWRITE},
    {"indicator", no_argument, NULL, OPT_INDICATOR},
    {"extensions", required_argument, NULL, OPT_EXTENSIONS},
    {"offset", required_argument, NULL, OPT_OFFSET},
    {"process-duration", required_argument, NULL, OPT_PROCESS_DURATION},
    {"codec", required_argument, NULL, OPT_CODEC},
    {"chunk", required_argument, NULL, OPT_CHUNK},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"detect", no_argument, NULL, OPT_DETECT},
    {"input", required_argument, NULL, 'i'},
    {"threshold", required_argument, NULL, 't'},
    {"duration", required_argument, NULL, 'd'},
    {"json", no_argument, NULL, OPT_JSON},
    {"notify", required_argument, NULL, OPT_NOTIFY},
    {"notify-timeout", required_argument, NULL, OPT_NOTIFY_TIMEOUT},
    {"input-url", required_argument, NULL, OPT_INPUT_URL},
    {"create-topics", no_argument, NULL, OPT_CREATE_TOPICS},
    {"upload", required_argument, NULL, OPT_UPLOAD},
    {"upload-remove", no_argument, NULL, OPT_UPLOAD_REMOVE},
    {"partitions", required_argument, NULL, OPT_PARTITIONS},
    {"progress", required_argument, NULL, OPT_PROGRESS},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"worker-wait", required_argument, NULL, OPT_WORKER_WAIT},
    {"brokers", required_argument, NULL, OPT_BROKERS},
    {"jobs-topic", required_argument, NULL, OPT_JOBS_TOPIC},
    {"status-topic", required_argument, NULL, OPT_STATUS_TOPIC},
    {"group", required_argument, NULL, OPT_GROUP},
    {"path-map", required_argument, NULL, OPT_PATH_MAP},
    {"parallel", required_argument, NULL, OPT_PARALLEL},
    {"encoder", required_argument, NULL, OPT_ENCODER},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Parses a finite number for option NAME; min is inclusive. */
static int parse_num(const char *name, const char *s, double min, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (!*s || !end || *end || !isfinite(v) || v < min) {
        fprintf(stderr, "vs-produce: %s needs a number >= %g, not '%s'\n", name, min, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_int(const char *name, const char *s, int min, int max, int *out)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (!*s || !end || *end || v < min || v > max) {
        fprintf(stderr, "vs-produce: %s needs a whole number %d..%d, not '%s'\n",
                name, min, max, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Reports a refusal from the kafka configuration setters. */
static int kafka_err(int rc, const char *errstr)
{
    if (rc < 0)
        fprintf(stderr, "vs-produce: %s\n", errstr);
    return rc;
}

/* One option; returns 0, or -1 after reporting. */
static int apply(vs_produce_opts *o, int c, const char *arg)
{
    char err[256] = "";
    switch (c) {
    case OPT_FOLDER: o->folder = arg; return 0;
    case 'o': o->output = arg; return 0;
    case OPT_VAD_JSON: o->vad_json = arg; return 0;
    case OPT_VAD_MASTER: o->vad_master = arg; return 0;
    case OPT_OVERWRITE: o->overwrite = 1; return 0;
    case OPT_INDICATOR: o->indicator = 1; return 0;
    case OPT_EXTENSIONS: o->extensions = arg; return 0;
    case OPT_OFFSET: return parse_num("--offset", arg, 0, &o->offset);
    case OPT_PROCESS_DURATION:
        if (parse_num("--process-duration", arg, 0, &o->process_duration) < 0)
            return -1;
        if (o->process_duration <= 0) {
            fprintf(stderr, "vs-produce: --process-duration must be > 0\n");
            return -1;
        }
        return 0;
    case OPT_CODEC:
        if (strcmp(arg, "h264") && strcmp(arg, "hevc") && strcmp(arg, "av1") &&
            strcmp(arg, "vp9")) {
            fprintf(stderr, "vs-produce: --codec must be h264, hevc, av1 or vp9\n");
            return -1;
        }
        o->codec = arg;
        return 0;
    case OPT_DRY_RUN: o->dry_run = 1; return 0;
    case OPT_DETECT: o->detect_only = 1; return 0;
    case 'i': o->input = arg; return 0;
    case 't':
        if (parse_num("--threshold", arg, -200, &o->threshold_db) < 0)
            return -1;
        if (o->threshold_db > 0) {
            fprintf(stderr, "vs-produce: --threshold is in dB and must be <= 0\n");
            return -1;
        }
        return 0;
    case 'd':
        if (parse_num("--duration", arg, 0, &o->min_silence_s) < 0)
            return -1;
        if (o->min_silence_s <= 0) {
            fprintf(stderr, "vs-produce: --duration must be > 0\n");
            return -1;
        }
        return 0;
    case OPT_JSON: o->json = 1; return 0;
    case OPT_NOTIFY: {
        char why[256];
        if (o->n_notify == VS_NOTIFY_MAX) {
            fprintf(stderr, "vs-produce: at most %d --notify URLs\n", VS_NOTIFY_MAX);
            return -1;
        }
        if (vs_notify_check_url(arg, why, sizeof why) < 0) {
            fprintf(stderr, "vs-produce: %s\n", why);
            return -1;
        }
        o->notify[o->n_notify++] = arg;
        return 0;
    }
    case OPT_CREATE_TOPICS: o->create_topics = 1; return 0;
    case OPT_UPLOAD: {
        char why[256];
        if (vs_http_check_url(arg, why, sizeof why) < 0) {
            fprintf(stderr, "vs-produce: --upload: %s\n", why);
            return -1;
        }
        o->upload = arg;
        return 0;
    }
    case OPT_UPLOAD_REMOVE: o->upload_remove = 1; return 0;
    case OPT_PARTITIONS: {
        char *end;
        long n = strtol(arg, &end, 10);
        if (end == arg || *end || n < 1 || n > 10000) {
            fprintf(stderr, "vs-produce: --partitions needs a whole number 1..10000\n");
            return -1;
        }
        o->kafka.jobs_partitions = (int)n;
        return 0;
    }
    case OPT_INPUT_URL: {
        char why[256];
        if (vs_http_check_url(arg, why, sizeof why) < 0) {
            fprintf(stderr, "vs-produce: --input-url: %s\n", why);
            return -1;
        }
        if (strchr(arg, '?') || strchr(arg, '#')) {
            fprintf(stderr, "vs-produce: --input-url: a base URL without query or fragment\n");
            return -1;
        }
        o->input_url = arg;
        return 0;
    }
    case OPT_NOTIFY_TIMEOUT:
        if (parse_num("--notify-timeout", arg, 0, &o->notify_timeout_s) < 0)
            return -1;
        if (o->notify_timeout_s <= 0) {
            fprintf(stderr, "vs-produce: --notify-timeout needs a number > 0\n");
            return -1;
        }
        return 0;
    case OPT_PROGRESS:
        if (!strcmp(arg, "auto")) o->progress = VS_PROGRESS_AUTO;
        else if (!strcmp(arg, "bars")) o->progress = VS_PROGRESS_BARS;
        else if (!strcmp(arg, "lines")) o->progress = VS_PROGRESS_LINES;
        else if (!strcmp(arg, "none")) o->progress = VS_PROGRESS_NONE;
        else {
            fprintf(stderr, "vs-produce: --progress must be auto, bars, lines or none\n");
            return -1;
        }
        return 0;
    case OPT_TIMEOUT: return parse_num("--timeout", arg, 0, &o->timeout_s);
    case OPT_CHUNK: return parse_num("--chunk", arg, 0, &o->chunk_s);
    case OPT_WORKER_WAIT: return parse_num("--worker-wait", arg, 0, &o->worker_wait_s);
    case OPT_BROKERS:
        return kafka_err(vs_kafka_conf_set_brokers(&o->kafka, arg, err, sizeof err), err);
    case OPT_JOBS_TOPIC:
        return kafka_err(vs_kafka_conf_set_topic(&o->kafka, 0, arg, err, sizeof err), err);
    case OPT_STATUS_TOPIC:
        return kafka_err(vs_kafka_conf_set_topic(&o->kafka, 1, arg, err, sizeof err), err);
    case OPT_GROUP:
        return kafka_err(vs_kafka_conf_set_group(&o->kafka, arg, err, sizeof err), err);
    case 'X':
        return kafka_err(vs_kafka_conf_add_prop(&o->kafka, arg, err, sizeof err), err);
    case OPT_PATH_MAP:
        return kafka_err(vs_path_maps_add(&o->kafka.maps, arg, err, sizeof err), err);
    case OPT_PARALLEL: return parse_int("--parallel", arg, 0, 256, &o->parallel);
    case OPT_ENCODER:
        if (!strcmp(arg, "auto")) o->encoder = VS_ENCODER_AUTO;
        else if (!strcmp(arg, "cpu")) o->encoder = VS_ENCODER_CPU;
        else if (!strcmp(arg, "nvenc")) o->encoder = VS_ENCODER_NVENC;
        else {
            fprintf(stderr, "vs-produce: --encoder must be auto, cpu or nvenc\n");
            return -1;
        }
        return 0;
    case 'v': o->verbosity++; return 0;
    case 'q': o->verbosity = VS_LOG_ERROR; return 0;
    default: return -1;
    }
}

/* Combinations that cannot work. */
static int check(const vs_produce_opts *o)
{
    if (o->create_topics) {
        if (!o->kafka.brokers) {
            fprintf(stderr, "vs-produce: --create-topics needs --brokers (or VS_BROKERS)\n");
            return -1;
        }
        return 0;
    }
    if (o->detect_only) {
        if (!o->input) {
            fprintf(stderr, "vs-produce: --detect needs -i FILE\n");
            return -1;
        }
        if (o->folder || o->vad_master) {
            fprintf(stderr, "vs-produce: --detect writes one sidecar; "
                            "drop --folder / --vad-master\n");
            return -1;
        }
        return 0;
    }
    if (o->input) {
        fprintf(stderr, "vs-produce: -i is for --detect; a session is given with --folder\n");
        return -1;
    }
    if (!o->folder || !o->output) {
        fprintf(stderr, "vs-produce: --folder DIR and -o OUT are required "
                        "(see vs-produce --help)\n");
        return -1;
    }
    if ((o->upload || o->upload_remove) && (o->kafka.brokers || o->parallel == 0)) {
        fprintf(stderr, "vs-produce: --upload is for the local workers (no --brokers); "
                        "a farm's workers take vs-worker --upload\n");
        return -1;
    }
    if (o->upload_remove && !o->upload) {
        fprintf(stderr, "vs-produce: --upload-remove needs --upload\n");
        return -1;
    }
    if (o->vad_json && o->vad_master) {
        fprintf(stderr, "vs-produce: --vad-json and --vad-master exclude each other\n");
        return -1;
    }
    return 0;
}

enum vs_options_rc vs_options_parse(vs_produce_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->threshold_db = VS_DETECT_THRESHOLD_DB;
    o->min_silence_s = VS_DETECT_MIN_SILENCE_S;
    o->worker_wait_s = VS_WORKER_WAIT_S;
    o->notify_timeout_s = VS_NOTIFY_TIMEOUT_S;
    o->chunk_s = VS_CHUNK_DEFAULT_S;
    o->parallel = -1;
    o->verbosity = VS_LOG_INFO;
    if (vs_kafka_conf_init(&o->kafka) < 0) {
        fprintf(stderr, "vs-produce: out of memory\n");
        return VS_OPTIONS_USAGE;
    }
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:i:t:d:X:vqhV", vs_longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return VS_OPTIONS_EXIT;
        }
        if (c == 'V') {
            printf("vs-produce %s\n", VS_VERSION);
            return VS_OPTIONS_EXIT;
        }
        if (c == '?') {
            fprintf(stderr, "vs-produce: see vs-produce --help\n");
            return VS_OPTIONS_USAGE;
        }
        if (apply(o, c, optarg) < 0)
            return VS_OPTIONS_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "vs-produce: unexpected argument '%s'\n", argv[optind]);
        return VS_OPTIONS_USAGE;
    }
    if (o->verbosity > VS_LOG_DEBUG)
        o->verbosity = VS_LOG_DEBUG;
    return check(o) < 0 ? VS_OPTIONS_USAGE : VS_OPTIONS_RUN;
}

void vs_options_release(vs_produce_opts *o)
{
    if (!o)
        return;
    vs_kafka_conf_release(&o->kafka);
}
