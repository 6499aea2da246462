/* main.c - vs-worker: parse options, then check the health file
 * (--health-check), run one job file (--job) or serve jobs from Kafka
 * until a signal. */
#include <stdio.h>

#include "health.h"
#include "log.h"
#include "options.h"
#include "run_job.h"
#include "serve.h"

int main(int argc, char **argv)
{
    vs_worker_cli o;
    vs_log_set_prefix("vs-worker");
    int rc = vs_worker_cli_parse(argc, argv, &o);
    if (rc != 0) {
        vs_worker_cli_release(&o);
        return rc > 0 ? 0 : 2;
    }
    vs_log_set_level(o.verbosity > VS_LOG_DEBUG ? VS_LOG_DEBUG : o.verbosity);
    vs_log_route_ffmpeg();
    /* A worker's log usually ends up in a file or the journal: stamp it. */
    vs_log_timestamps_auto();

    int code;
    if (o.health_check)
        code = vs_health_check(o.health_check, o.max_age_s);
    else if (o.job_file)
        code = vs_run_job(o.job_file, o.service.encoder, o.service.fault, o.service.threads);
    else
        code = vs_serve(&o.service, o.metrics, o.health_file);
    vs_worker_cli_release(&o);
    return code;
}
