/* output.c - guarding the output name; see output.h. */
#define _GNU_SOURCE /* renameat2 */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "errstr.h"

uint64_t vs_output_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

char *vs_output_side_name(const char *final, const char *suffix, size_t reserve)
{
    const char *slash = strrchr(final, '/');
    size_t dirlen = slash ? (size_t)(slash - final) + 1 : 0;
    const char *base = final + dirlen;
    size_t blen = strlen(base), slen = strlen(suffix);
    /* "." BASE "." SUFFIX, plus what the caller appends. */
    size_t room = VS_OUTPUT_NAME_MAX > 2 + slen + reserve ? VS_OUTPUT_NAME_MAX - 2 - slen - reserve
                                                          : 0;
    char tag[24] = "";
    if (blen > room) {
        /* Keep the start of the name (people recognise it) and a hash of
         * all of it (two long names that start alike stay apart). Cut at a
         * UTF-8 character boundary. */
        snprintf(tag, sizeof tag, "~%016" PRIx64, vs_output_hash(base));
        blen = room > strlen(tag) ? room - strlen(tag) : 0;
        while (blen > 0 && ((unsigned char)base[blen] & 0xC0) == 0x80)
            blen--;
    }
    size_t sz = dirlen + 1 + blen + strlen(tag) + 1 + slen + 1;
    char *out = malloc(sz);
    if (out)
        snprintf(out, sz, "%.*s.%.*s%s.%s", (int)dirlen, final, (int)blen, base, tag, suffix);
    return out;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int vs_output_lock(const char *final, volatile int *cancel, int *waited,
                   char *errstr, size_t errsz)
{
    char *path = vs_output_side_name(final, "vs-lock", 0);
    if (waited)
        *waited = 0;
    if (!path) {
        errno = ENOMEM;
        vs_set_err(errstr, errsz, "out of memory");
        return -1;
    }
    int rc = -1;
    for (;;) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd < 0) {
            int e = errno;
            vs_set_err(errstr, errsz, "cannot create %s: %s", path, strerror(e));
            errno = e;
            break;
        }
        while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
            if (errno != EWOULDBLOCK) {
                int e = errno;
                vs_set_err(errstr, errsz, "cannot lock %s: %s", path, strerror(e));
                close(fd);
                errno = e;
                goto out;
            }
            if (waited)
                *waited = 1;
            if (cancel && *cancel) {
                close(fd);
                rc = -2;
                goto out;
            }
            nap_ms(200);
        }
        /* The holder before us may have removed the file after we opened
         * it: a lock on a removed file guards nothing, so open again. */
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
            a.st_dev == b.st_dev) {
            rc = fd;
            break;
        }
        close(fd);
    }
out:
    free(path);
    return rc;
}

void vs_output_unlock(const char *final, int fd)
{
    if (fd < 0)
        return;
    char *path = vs_output_side_name(final, "vs-lock", 0);
    if (path)
        unlink(path); /* while still holding it: see vs_output_lock */
    free(path);
    flock(fd, LOCK_UN);
    close(fd);
}

int vs_output_publish(const char *temp, const char *final, int overwrite)
{
    if (overwrite)
        return rename(temp, final);
    if (renameat2(AT_FDCWD, temp, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno == EEXIST) {
        unlink(temp);
        return 1;
    }
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    /* A file system without RENAME_NOREPLACE: link() refuses an existing
     * name just as well. */
    if (link(temp, final) == 0) {
        unlink(temp);
        return 0;
    }
    if (errno == EEXIST) {
        unlink(temp);
        return 1;
    }
    return -1;
}

int vs_output_err_is_jobs(int err)
{
    switch (err) {
    case ENAMETOOLONG:
    case EACCES:
    case EPERM:
    case EROFS:
    case ENOTDIR:
    case EISDIR:
    case ELOOP:
        return 1;
    default:
        return 0;
    }
}
