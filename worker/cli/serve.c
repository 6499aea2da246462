/* serve.c - the Kafka mode of vs-worker: start the service, wait for a
 * signal, stop it cleanly. The signal handler only counts signals; the
 * main thread turns them into vs_worker_stop / vs_worker_stop_now. */
#include "serve.h"
#include "metrics.h"
#include "health.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "log.h"

static volatile sig_atomic_t vs_signals = 0;

static void on_signal(int sig)
{
    (void)sig;
    if (vs_signals < 2)
        vs_signals++;
}

int vs_serve(const vs_worker_opts *opts, const char *metrics, const char *health_file)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[512];
    vs_worker *s = NULL;
    vs_metrics_server *ms = NULL;
    if (metrics && vs_metrics_start(metrics, &ms, err, sizeof err) < 0) {
        vs_log(VS_LOG_ERROR, "--metrics %s: %s", metrics, err);
        return 2;
    }
    if (vs_worker_start(opts, &s, err, sizeof err) < 0) {
        vs_log(VS_LOG_ERROR, "%s", err);
        vs_metrics_stop(&ms);
        return 2; /* a setup error: a bad -X, fault point, encoder */
    }
    if (ms)
        vs_metrics_attach(ms, s);
    int seen = 0, health_warned = 0;
    double last_hb = 0;
    while (!vs_worker_wait(s, 200)) {
        if (health_file) {
            vs_worker_stats hs;
            vs_worker_get_stats(s, &hs);
            if (hs.last_heartbeat > last_hb) {
                last_hb = hs.last_heartbeat;
                if (vs_health_touch(health_file, last_hb) < 0 && !health_warned++)
                    vs_log(VS_LOG_WARN, "--health-file %s: %s", health_file, strerror(errno));
            }
        }
        if (vs_signals > seen) {
            seen = vs_signals;
            if (seen == 1) {
                vs_log(VS_LOG_INFO, "signal: stopping (again to hand running jobs back now)");
                vs_worker_stop(s);
            } else {
                vs_worker_stop_now(s);
            }
        }
    }
    vs_metrics_stop(&ms);
    int code = 0;
    if (vs_worker_error(s, err, sizeof err) < 0)
        code = 1;
    vs_worker_stats st;
    vs_worker_get_stats(s, &st);
    vs_log(VS_LOG_INFO, "jobs: %ld done, %ld skipped, %ld failed (%ld messages refused), "
           "%ld retried, %ld handed to other workers, %ld handed back", st.done, st.skipped,
           st.failed, st.rejected, st.retried, st.handed_over, st.handed_back);
    if (vs_worker_free(&s) < 0) {
        vs_log(VS_LOG_ERROR, "some status messages were not delivered");
        code = 1;
    }
    return code;
}
