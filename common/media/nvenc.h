/* media/nvenc.h - is there an NVENC encoder on this machine, and is it full?
 *
 * Consumer GPUs cap concurrent NVENC sessions per machine; the driver
 * refuses one more with "out of memory". The worker asks once at start-up
 * to choose its encoder and slot count (worker/setup.c); the machine-wide
 * session locks that keep jobs under the cap are worker/nvenc_lock.h. */
#ifndef VS_MEDIA_NVENC_H
#define VS_MEDIA_NVENC_H
#include <stddef.h>

/* What opening an NVENC encoder says about this machine. */
enum vs_nvenc_probe_result {
    VS_NVENC_NONE = 0,  /* no NVENC encoder opens: a CPU machine */
    VS_NVENC_OK,        /* an NVENC session opened (and was closed) */
    VS_NVENC_BUSY,      /* the driver refused with its session limit: a GPU, full */
};

/* Opens and closes a small h264_nvenc encoder. fault "nvenc-busy"
 * simulates a full GPU. why receives the reason for VS_NVENC_NONE. */
enum vs_nvenc_probe_result vs_nvenc_probe(const char *fault, char *why, size_t whysz);

#endif
