/* health.c - --health-file and --health-check; see health.h. The age is
 * the file's modification time: what the worker wrote is only a note for
 * people (its clock and the checker's are the same machine's). */
#include "health.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int vs_health_touch(const char *path, double unix_s)
{
    char tmp[4200], line[64];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int n = snprintf(line, sizeof line, "%.3f\n", unix_s);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (write(fd, line, (size_t)n) != n) {
        int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        return -1;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    return 0;
}

int vs_health_check(const char *path, double max_age_s)
{
    struct stat sb;
    struct timespec now;
    if (stat(path, &sb) < 0) {
        fprintf(stderr, "vs-worker: unhealthy: %s: %s (no heartbeat yet?)\n", path,
                strerror(errno));
        return 1;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    double age = (double)(now.tv_sec - sb.st_mtim.tv_sec) +
                 (double)(now.tv_nsec - sb.st_mtim.tv_nsec) / 1e9;
    if (age > max_age_s) {
        fprintf(stderr, "vs-worker: unhealthy: the last heartbeat was %.0f s ago "
                "(more than %.0f s)\n", age, max_age_s);
        return 1;
    }
    printf("healthy: last heartbeat %.1f s ago\n", age < 0 ? 0.0 : age);
    return 0;
}
