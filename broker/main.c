/* main.c - vs-broker: run the embedded broker alone until SIGINT/SIGTERM.
 *
 * Prints the bootstrap address as its first line on stdout (flushed at
 * once, so a script can read it), then serves the control channel
 * (control.h: SIGUSR1 / SIGUSR2 and --control commands take the brokers
 * down and up) until it is told to stop. */
#include <signal.h>
#include <stdio.h>

#include "control.h"
#include "kafka/broker.h"
#include "log.h"
#include "options.h"

int main(int argc, char **argv)
{
    vs_broker_cli o;
    char err[512];
    vs_broker *b = NULL;
    vs_control *ctl = NULL;
    int code = 1;

    vs_log_set_prefix("vs-broker");
    int rc = vs_broker_cli_parse(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    vs_log_set_level(o.verbosity);

    /* Before the broker starts its threads, so they inherit the mask. */
    signal(SIGPIPE, SIG_IGN);
    if (vs_control_block_signals(err, sizeof err) < 0 ||
        vs_control_open(o.control, o.broker.brokers, &ctl, err, sizeof err) < 0) {
        vs_log(VS_LOG_ERROR, "%s", err);
        return 2;
    }
    if (vs_broker_start(&o.broker, &b, err, sizeof err) < 0) {
        vs_log(VS_LOG_ERROR, "%s", err);
        goto out;
    }
    printf("%s\n", vs_broker_bootstrap(b));
    fflush(stdout);
    vs_log(VS_LOG_INFO, "embedded broker on %s: in memory only, this machine only "
           "(a farm uses Apache Kafka); Ctrl-C stops it", vs_broker_bootstrap(b));
    code = vs_control_run(ctl, b) < 0 ? 1 : 0;
    vs_log(VS_LOG_INFO, "stopping");
out:
    vs_broker_stop(&b);
    vs_control_close(&ctl);
    return code;
}
