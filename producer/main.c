/* main.c - vs-produce: parse options, then either write one sidecar
 * (--detect) or run a session folder through the farm; the exit code says
 * whether every video made it. */
#include <signal.h>
#include <string.h>

#include "log.h"
#include "options.h"
#include "run.h"

static volatile sig_atomic_t vs_stop = 0;

static void on_signal(int sig)
{
    (void)sig;
    vs_stop = 1;
}

int main(int argc, char **argv)
{
    vs_produce_opts opts;
    int rc;

    vs_log_set_prefix("vs-produce");
    switch (vs_options_parse(&opts, argc, argv)) {
    case VS_OPTIONS_EXIT: rc = VS_EXIT_OK; goto out;
    case VS_OPTIONS_USAGE: rc = VS_EXIT_SETUP; goto out;
    case VS_OPTIONS_RUN: break;
    }
    vs_log_set_level((enum vs_log_level)opts.verbosity);
    vs_log_route_ffmpeg();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND; /* a second signal ends the program at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (opts.create_topics)
        rc = vs_produce_create_topics(&opts);
    else if (opts.detect_only)
        rc = vs_produce_detect(&opts, &vs_stop);
    else
        rc = vs_produce_run(&opts, &vs_stop);
out:
    vs_options_release(&opts);
    return rc;
}
