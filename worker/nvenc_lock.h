/* nvenc_lock.h - NVENC sessions as machine-wide locks (internal to the worker).
 *
 * Consumer GPUs cap concurrent NVENC sessions per machine, whatever
 * process opens them. Each session is a lock file LOCK_DIR/slot-K
 * (K < cap) held with flock() while a job encodes: every worker process
 * on the machine shares the same files, and a lock held by a process that
 * dies frees itself when the kernel closes its descriptor. (The files
 * keep their historical names slot-K.) */
#ifndef VS_WORKER_NVENC_LOCK_H
#define VS_WORKER_NVENC_LOCK_H
#include <stddef.h>

/* Takes a free session lock among 0..cap-1 in dir (created when missing).
 * Returns the session index and its locked descriptor in *fd, or -1 when
 * every lock is held (or on error, with a reason in errstr). */
int vs_nvenc_lock_acquire(const char *dir, int cap, int *fd, char *errstr, size_t errsz);
/* Releases a lock taken by vs_nvenc_lock_acquire; clears *fd. */
void vs_nvenc_lock_release(int *fd);

#endif
