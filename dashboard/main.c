/* main.c - vs-dash: serve the dashboard, follow the status topic (waiting
 * for it when the brokers are not up yet), until SIGINT/SIGTERM.
 * Read-only: it never writes to Kafka nor joins a group. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "farm.h"
#include "http.h"
#include "log.h"
#include "options.h"
#include "reader.h"

static volatile sig_atomic_t vs_dash_stop;

static void on_signal(int sig)
{
    (void)sig;
    vs_dash_stop = 1;
}

int main(int argc, char **argv)
{
    vs_dash_cli o;
    char err[512];
    vs_farm *farm = NULL;
    vs_dash_reader *reader = NULL;
    vs_dash_http *http = NULL;
    int code = 1;

    vs_log_set_prefix("vs-dash");
    int rc = vs_dash_cli_parse(argc, argv, &o);
    if (rc != 0) {
        vs_dash_cli_release(&o);
        return rc > 0 ? 0 : 2;
    }
    vs_log_set_level(o.verbosity);
    vs_log_timestamps_auto();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (!(farm = vs_farm_new(o.stale_s))) {
        vs_log(VS_LOG_ERROR, "out of memory");
        goto out;
    }
    if (vs_dash_http_start(o.listen, farm, &http, err, sizeof err) < 0) {
        vs_log(VS_LOG_ERROR, "%s", err);
        code = 2;
        goto out;
    }
    /* The page is up at once; the status topic may come later (the
     * brokers or the topic are not there yet): try again every 5 s. */
    while (!vs_dash_stop && !reader) {
        if (vs_dash_reader_open(&o.kafka, farm, o.lookback_s, &reader, err, sizeof err) == 0)
            break;
        vs_log(VS_LOG_WARN, "%s; trying again in 5 s", err);
        for (int i = 0; i < 50 && !vs_dash_stop; i++)
            usleep(100000);
    }
    while (!vs_dash_stop)
        vs_dash_reader_poll(reader, 200);
    vs_log(VS_LOG_INFO, "stopping");
    code = 0;
out:
    vs_dash_http_stop(&http);
    vs_dash_reader_close(&reader);
    vs_farm_free(&farm);
    vs_dash_cli_release(&o);
    return code;
}
