/* nvenc_lock.c - machine-wide NVENC session locks (flock files); see nvenc_lock.h. */
#include "nvenc_lock.h"
#include "errstr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folder.h"


int vs_nvenc_lock_acquire(const char *dir, int cap, int *fd, char *errstr, size_t errsz)
{
    *fd = -1;
    if (vs_mkdir_p(dir) < 0) {
        vs_set_err(errstr, errsz, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    errstr[0] = 0;
    for (int k = 0; k < cap; k++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/slot-%d", dir, k);
        /* 0666: every user's workers on the machine share the locks. */
        int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (f < 0) {
            vs_set_err(errstr, errsz, "cannot open %s: %s", path, strerror(errno));
            continue;
        }
        fchmod(f, 0666); /* umask may have narrowed it; best effort */
        if (flock(f, LOCK_EX | LOCK_NB) == 0) {
            *fd = f;
            return k;
        }
        close(f);
    }
    return -1;
}

void vs_nvenc_lock_release(int *fd)
{
    if (!fd || *fd < 0)
        return;
    flock(*fd, LOCK_UN);
    close(*fd);
    *fd = -1;
}
