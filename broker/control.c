/* control.c - vs-broker's control channel: signals and text commands that
 * take the embedded cluster's brokers down and up (control.h).
 *
 * One poll() loop reads a signalfd and, when given, a command source. A
 * FIFO is opened read-write, so it never reports end-of-file when a writer
 * (`echo down > FIFO`) closes it; stdin is read until its end, after which
 * only signals are served. Every change is logged once with the resulting
 * state ("brokers down: 1", "all brokers up"), which is what a test or an
 * operator waits for. */
#include "control.h"
#include "errstr.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define VS_CONTROL_LINE 256

struct vs_control {
    int sfd;                       /* signalfd of the blocked signals */
    int cfd;                       /* command source, -1 = none (or ended) */
    int close_cfd;                 /* cfd is ours to close (not stdin) */
    char *fifo;                    /* FIFO made here, removed at close */
    int n;                         /* brokers, ids 1..n */
    unsigned char *down;           /* [id - 1]: taken down here */
    char line[VS_CONTROL_LINE];
    size_t len;
    int overlong;                  /* dropping the rest of a too long line */
};

static void control_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGUSR1);
    sigaddset(set, SIGUSR2);
}

int vs_control_block_signals(char *errstr, size_t errsz)
{
    sigset_t set;
    control_signals(&set);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
        vs_set_err(errstr, errsz, "cannot block signals: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int open_fifo(vs_control *c, const char *path, char *errstr, size_t errsz)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (errno != ENOENT || mkfifo(path, 0600) < 0) {
            vs_set_err(errstr, errsz, "--control %s: %s", path, strerror(errno));
            return -1;
        }
        if (!(c->fifo = strdup(path))) {
            unlink(path);
            vs_set_err(errstr, errsz, "out of memory");
            return -1;
        }
    } else if (!S_ISFIFO(st.st_mode)) {
        vs_set_err(errstr, errsz, "--control %s: exists and is not a FIFO", path);
        return -1;
    }
    /* Read-write: the FIFO always has a writer (us), so no end-of-file
     * between two commands, and open() does not wait for one. */
    c->cfd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (c->cfd < 0) {
        vs_set_err(errstr, errsz, "--control %s: %s", path, strerror(errno));
        return -1;
    }
    c->close_cfd = 1;
    return 0;
}

int vs_control_open(const char *path, int n_brokers, vs_control **out,
                    char *errstr, size_t errsz)
{
    sigset_t set;
    *out = NULL;
    vs_control *c = calloc(1, sizeof(*c));
    if (!c || !(c->down = calloc((size_t)(n_brokers > 0 ? n_brokers : 1), 1))) {
        free(c);
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    c->n = n_brokers > 0 ? n_brokers : 1;
    c->cfd = -1;
    control_signals(&set);
    c->sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (c->sfd < 0) {
        vs_set_err(errstr, errsz, "signalfd: %s", strerror(errno));
        goto fail;
    }
    if (path && !strcmp(path, "-"))
        c->cfd = STDIN_FILENO;
    else if (path && open_fifo(c, path, errstr, errsz) < 0)
        goto fail;
    *out = c;
    return 0;
fail:
    vs_control_close(&c);
    return -1;
}

void vs_control_close(vs_control **cp)
{
    vs_control *c = cp ? *cp : NULL;
    if (!c)
        return;
    if (c->sfd >= 0)
        close(c->sfd);
    if (c->close_cfd && c->cfd >= 0)
        close(c->cfd);
    if (c->fifo)
        unlink(c->fifo);
    free(c->fifo);
    free(c->down);
    free(c);
    *cp = NULL;
}

/* Logs the cluster's state after a change. */
static void log_state(const vs_control *c)
{
    char ids[512];
    size_t len = 0;
    ids[0] = 0;
    for (int i = 0; i < c->n; i++) {
        if (!c->down[i])
            continue;
        int k = snprintf(ids + len, sizeof ids - len, "%s%d", len ? "," : "", i + 1);
        if (k < 0 || (size_t)k >= sizeof ids - len)
            break;
        len += (size_t)k;
    }
    if (!len)
        vs_log(VS_LOG_INFO, "all brokers up");
    else
        vs_log(VS_LOG_INFO, "brokers down: %s (of %d); clients cannot reach them", ids, c->n);
}

/* Takes broker id (0 = every broker) down or up. */
static void set_state(vs_control *c, vs_broker *b, int id, int down)
{
    int from = id ? id : 1, to = id ? id : c->n;
    for (int i = from; i <= to; i++) {
        int rc = down ? vs_broker_set_down(b, i) : vs_broker_set_up(b, i);
        if (rc < 0)
            vs_log(VS_LOG_WARN, "broker %d: cannot bring it %s", i, down ? "down" : "up");
        else
            c->down[i - 1] = (unsigned char)down;
    }
    log_state(c);
}

/* One command line. Returns 1 for "stop", else 0. */
static int command(vs_control *c, vs_broker *b, char *line)
{
    char *save = NULL;
    char *verb = strtok_r(line, " \t\r", &save);
    char *arg = verb ? strtok_r(NULL, " \t\r", &save) : NULL;
    char *extra = arg ? strtok_r(NULL, " \t\r", &save) : NULL;
    if (!verb || verb[0] == '#')
        return 0;
    int id = 0;
    if (arg) {
        char *end;
        long v = strtol(arg, &end, 10);
        if (end == arg || *end || v < 1 || v > c->n) {
            vs_log(VS_LOG_WARN, "control: '%s %s': the broker id is 1 to %d", verb, arg, c->n);
            return 0;
        }
        id = (int)v;
    }
    if (!strcmp(verb, "stop") && !arg) {
        vs_log(VS_LOG_INFO, "control: stop");
        return 1;
    }
    if (extra || (strcmp(verb, "down") && strcmp(verb, "up"))) {
        vs_log(VS_LOG_WARN, "control: unknown command '%s' (down [ID], up [ID], stop)", verb);
        return 0;
    }
    set_state(c, b, id, !strcmp(verb, "down"));
    return 0;
}

/* Reads what the command source has. Returns 1 on "stop", -1 when the
 * source failed, else 0. */
static int read_commands(vs_control *c, vs_broker *b)
{
    char buf[512];
    ssize_t n = read(c->cfd, buf, sizeof buf);
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR)
            return 0;
        vs_log(VS_LOG_ERROR, "control: read: %s", strerror(errno));
        return -1;
    }
    if (n == 0) { /* stdin ended: signals only from now on */
        vs_log(VS_LOG_DEBUG, "control: end of commands");
        if (c->close_cfd)
            close(c->cfd);
        c->cfd = -1;
        return 0;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] != '\n') {
            if (c->len < sizeof c->line - 1)
                c->line[c->len++] = buf[i];
            else
                c->overlong = 1;
            continue;
        }
        c->line[c->len] = 0;
        int stop = 0;
        if (c->overlong)
            vs_log(VS_LOG_WARN, "control: a command longer than %d bytes was ignored",
                   VS_CONTROL_LINE - 1);
        else
            stop = command(c, b, c->line);
        c->len = 0;
        c->overlong = 0;
        if (stop)
            return 1;
    }
    return 0;
}

int vs_control_run(vs_control *c, vs_broker *b)
{
    for (;;) {
        struct pollfd p[2] = {{.fd = c->sfd, .events = POLLIN},
                              {.fd = c->cfd, .events = POLLIN}};
        int np = c->cfd >= 0 ? 2 : 1;
        if (poll(p, (nfds_t)np, -1) < 0) {
            if (errno == EINTR)
                continue;
            vs_log(VS_LOG_ERROR, "control: poll: %s", strerror(errno));
            return -1;
        }
        if (p[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(c->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
                if (si.ssi_signo == SIGUSR1) {
                    vs_log(VS_LOG_INFO, "SIGUSR1: every broker goes down");
                    set_state(c, b, 0, 1);
                } else if (si.ssi_signo == SIGUSR2) {
                    vs_log(VS_LOG_INFO, "SIGUSR2: every broker comes up");
                    set_state(c, b, 0, 0);
                } else {
                    return 0; /* SIGINT, SIGTERM */
                }
            }
        }
        if (np == 2 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            int rc = read_commands(c, b);
            if (rc != 0)
                return rc > 0 ? 0 : -1;
        }
    }
}
