/* options.h - the command line of vs-produce, parsed into one struct.
 *
 * Flags keep the original tool's names (--folder, --vad-json, --vad-master,
 * --overwrite, --indicator, --extensions, --offset, --process-duration,
 * -t/--threshold, -d/--duration); the farm flags (--brokers, topics,
 * group, -X, --path-map) are the ones vs-worker takes as well. */
#ifndef VS_PRODUCE_OPTIONS_H
#define VS_PRODUCE_OPTIONS_H
#include "kafka/client.h"
#include "media/pipeline.h"
#include "notify.h"

#define VS_DETECT_THRESHOLD_DB  (-30.0) /* silencedetect noise level */
#define VS_DETECT_MIN_SILENCE_S 2.0     /* shortest silence reported */
#define VS_WORKER_WAIT_S        10.0    /* no heartbeat this long: warn */
/* --chunk: 5 minutes of output per chunk: the cost of a chunk is not
 * measurable even at 30 s (docs/benchmarks.md "Chunks"), and an hour of
 * footage still makes 12 chunks. */
#define VS_CHUNK_DEFAULT_S      300.0

/* What vs_options_parse decided. */
enum vs_options_rc {
    VS_OPTIONS_RUN = 0,   /* go on with the run */
    VS_OPTIONS_EXIT = 1,  /* --help or --version was printed: exit 0 */
    VS_OPTIONS_USAGE = -1 /* bad usage, already reported: exit 2 */
};

enum vs_progress_mode {
    VS_PROGRESS_AUTO = 0, /* bars on a TTY, plain lines otherwise */
    VS_PROGRESS_BARS,
    VS_PROGRESS_LINES,
    VS_PROGRESS_NONE,
};

typedef struct vs_produce_opts {
    /* Strings point into argv, except inside `kafka`, which owns its own. */
    const char *folder;       /* --folder DIR */
    const char *output;       /* -o DIR */
    const char *vad_json;     /* --vad-json FILE */
    const char *vad_master;   /* --vad-master FILE: detect first */
    const char *input;        /* -i FILE: the recording for --detect */
    const char *extensions;   /* --extensions LIST, NULL = default */
    const char *codec;        /* --codec NAME, NULL = follow the input */
    double offset;            /* --offset S */
    double chunk_s;           /* --chunk S: output seconds per chunk, 0 = never split */
    double process_duration;  /* --process-duration S, 0 = whole input */
    double threshold_db;      /* -t/--threshold dB */
    double min_silence_s;     /* -d/--duration S */
    int overwrite, indicator;
    int detect_only;          /* --detect */
    int dry_run;              /* --dry-run: print jobs, publish nothing */
    int json;                 /* --json: summary as one JSON document */
    const char *notify[VS_NOTIFY_MAX]; /* --notify URL (repeatable) */
    size_t n_notify;
    double notify_timeout_s;  /* --notify-timeout S, per URL */
    int create_topics;        /* --create-topics: create the topics and exit */
    const char *input_url;    /* --input-url BASE: jobs name BASE/NAME, or NULL */
    const char *upload;       /* --upload TEMPLATE for the local workers, or NULL */
    int upload_remove;        /* --upload-remove (local workers) */
    double timeout_s;         /* --timeout S, 0 = no limit */
    double worker_wait_s;     /* --worker-wait S */
    int parallel;             /* --parallel N local slots, -1 = default */
    enum vs_encoder_pref encoder; /* local workers' encoder */
    enum vs_progress_mode progress;
    int verbosity;            /* a vs_log_level */
    vs_kafka_conf kafka;      /* farm configuration (owned) */
} vs_produce_opts;

/* Parses argv into o (which it initialises). Problems are reported on
 * stderr. Call vs_options_release afterwards in every case. */
enum vs_options_rc vs_options_parse(vs_produce_opts *o, int argc, char **argv);
/* Frees what o owns. Accepts NULL. */
void vs_options_release(vs_produce_opts *o);

#endif
