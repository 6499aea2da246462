/* kafka/gpu.h - NVENC sessions as machine-wide slots (internal to the worker service).
 *
 * Consumer GPUs cap concurrent NVENC sessions per machine, whatever
 * process opens them. Each session is a slot file LOCK_DIR/slot-K
 * (K < cap) held with flock() while a job encodes: every worker process
 * on the machine shares the same files, and a slot held by a process that
 * dies frees itself when the kernel closes its descriptor. */
#ifndef VS_KAFKA_GPU_H
#define VS_KAFKA_GPU_H
#include <stddef.h>

/* What opening an NVENC encoder says about this machine. */
enum vs_gpu_probe {
    VS_GPU_NONE = 0,  /* no NVENC encoder opens: a CPU machine */
    VS_GPU_OK,        /* an NVENC session opened (and was closed) */
    VS_GPU_BUSY,      /* the driver refused with its session limit: a GPU, full */
};

/* Opens and closes a small h264_nvenc encoder. fault "nvenc-busy"
 * simulates a full GPU. why receives the reason for VS_GPU_NONE. */
enum vs_gpu_probe vs_gpu_probe(const char *fault, char *why, size_t whysz);

/* Takes a free slot among 0..cap-1 in dir (created when missing).
 * Returns the slot index and its locked descriptor in *fd, or -1 when
 * every slot is held (or on error, with a reason in errstr). */
int vs_gpu_slot_acquire(const char *dir, int cap, int *fd, char *errstr, size_t errsz);
/* Releases a slot taken by vs_gpu_slot_acquire; clears *fd. */
void vs_gpu_slot_release(int *fd);

#endif
