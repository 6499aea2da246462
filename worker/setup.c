/* setup.c - what kind of worker this is; see setup.h. */
#define _GNU_SOURCE /* sched_getaffinity */
#include "setup.h"
#include "errstr.h"
#include "rules.h"

#include <sched.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>

#include "media/nvenc.h"
#include "log.h"

static void make_id(vs_worker *s, const char *wanted)
{
    if (gethostname(s->host, sizeof s->host) != 0)
        snprintf(s->host, sizeof s->host, "unknown");
    s->host[sizeof s->host - 1] = 0;
    if (wanted && *wanted) {
        snprintf(s->id, sizeof s->id, "%s", wanted);
        return;
    }
    unsigned r = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(&r, sizeof r, 1, f) != 1)
        r = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)s;
    if (f)
        fclose(f);
    snprintf(s->id, sizeof s->id, "%.80s:%d:%04x", s->host, (int)getpid(), r & 0xffff);
}

static void list_encoders(vs_worker *s)
{
    static const char *const cpu[] = {"libx264", "libx265", "libsvtav1", "libvpx-vp9"};
    static const char *const gpu[] = {"h264_nvenc", "hevc_nvenc"};
    size_t len = 0;
    s->encoders[0] = 0;
    for (int pass = 0; pass < 2; pass++) {
        const char *const *names = pass == 0 ? gpu : cpu;
        size_t n = pass == 0 ? 2 : 4;
        if (pass == 0 && !s->use_gpu)
            continue;
        if (pass == 1 && s->enc == VS_ENCODER_NVENC)
            continue;
        for (size_t i = 0; i < n; i++) {
            if (!avcodec_find_encoder_by_name(names[i]))
                continue;
            int w = snprintf(s->encoders + len, sizeof s->encoders - len, "%s%s",
                             len ? "," : "", names[i]);
            if (w < 0 || (size_t)w >= sizeof s->encoders - len)
                return;
            len += (size_t)w;
        }
    }
}

/* Test fault points, a comma list: "nvenc-busy" (the encoder open of a
 * job's first attempt fails with NVENC's session limit) and "slow:S"
 * (each attempt waits S seconds before encoding, like a long job). */
static int parse_fault(vs_worker *s, char *errstr, size_t errsz)
{
    if (!s->fault)
        return 0;
    char *copy = strdup(s->fault), *save = NULL;
    if (!copy) {
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *end;
        if (!strcmp(tok, "nvenc-busy")) {
            s->pipe_fault = "nvenc-busy";
        } else if (!strncmp(tok, "slow:", 5) && (s->slow_s = strtod(tok + 5, &end)) >= 0 &&
                   end != tok + 5 && !*end) {
            continue;
        } else {
            vs_set_err(errstr, errsz, "unknown fault point '%s' (nvenc-busy, slow:SECONDS)", tok);
            rc = -1;
            break;
        }
    }
    free(copy);
    return rc;
}

/* The cores this process may run on (taskset, cpusets), else the online ones. */
static int vs_usable_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Decides CPU or NVENC, and the slot count, as the options and the
 * machine say. */
static int choose_encoder(vs_worker *s, char *errstr, size_t errsz)
{
    char why[256] = "";
    enum vs_nvenc_probe_result g = VS_NVENC_NONE;
    if (s->o.encoder != VS_ENCODER_CPU)
        g = vs_nvenc_probe(s->pipe_fault, why, sizeof why);
    switch (s->o.encoder) {
    case VS_ENCODER_CPU:
        s->enc = VS_ENCODER_CPU;
        break;
    case VS_ENCODER_NVENC:
        if (g == VS_NVENC_NONE) {
            vs_set_err(errstr, errsz, "--encoder nvenc, but %s", why);
            return -1;
        }
        s->enc = VS_ENCODER_NVENC;
        s->use_gpu = 1;
        break;
    default:
        if (g == VS_NVENC_NONE) {
            vs_log(VS_LOG_INFO, "no GPU encoder opens (%s): using the CPU encoder", why);
            s->enc = VS_ENCODER_CPU;
        } else {
            s->enc = VS_ENCODER_AUTO;
            s->use_gpu = 1;
            if (g == VS_NVENC_BUSY)
                vs_log(VS_LOG_WARN, "NVENC is at its session limit right now; jobs wait for it");
        }
        break;
    }
    vs_rule_slots(vs_usable_cores(), s->use_gpu, s->o.gpu_sessions, s->o.parallel, s->o.threads,
                  &s->slots, &s->io.threads); /* after setup_http, which fills the rest of io */
    if (s->use_gpu && s->slots > s->o.gpu_sessions)
        vs_log(VS_LOG_WARN, "--parallel %d is above the %d NVENC sessions of this machine: "
               "jobs will wait for a session", s->slots, s->o.gpu_sessions);
    list_encoders(s);
    return 0;
}

void vs_worker_setup_id(vs_worker *s, const char *worker_id)
{
    make_id(s, worker_id);
}

int vs_worker_setup(vs_worker *s, char *errstr, size_t errsz)
{
    if (parse_fault(s, errstr, errsz) < 0 || choose_encoder(s, errstr, errsz) < 0)
        return -1;
    return 0;
}
