/* gpu.c - NVENC probe and machine-wide session slots (flock files). */
#include "kafka/gpu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavutil/error.h>

#include "folder.h"

enum vs_gpu_probe vs_gpu_probe(const char *fault, char *why, size_t whysz)
{
    if (fault && !strcmp(fault, "nvenc-busy"))
        return VS_GPU_BUSY;
    const AVCodec *c = avcodec_find_encoder_by_name("h264_nvenc");
    if (!c) {
        snprintf(why, whysz, "this FFmpeg has no h264_nvenc");
        return VS_GPU_NONE;
    }
    AVCodecContext *e = avcodec_alloc_context3(c);
    if (!e) {
        snprintf(why, whysz, "out of memory");
        return VS_GPU_NONE;
    }
    e->width = 256;
    e->height = 144;
    e->pix_fmt = AV_PIX_FMT_YUV420P;
    e->time_base = (AVRational){1, 25};
    e->framerate = (AVRational){25, 1};
    int ret = avcodec_open2(e, c, NULL);
    avcodec_free_context(&e);
    if (ret >= 0)
        return VS_GPU_OK;
    if (ret == AVERROR(ENOMEM))
        return VS_GPU_BUSY; /* OpenEncodeSessionEx: out of memory (10) */
    snprintf(why, whysz, "h264_nvenc does not open: %s", av_err2str(ret));
    return VS_GPU_NONE;
}

int vs_gpu_slot_acquire(const char *dir, int cap, int *fd, char *errstr, size_t errsz)
{
    *fd = -1;
    if (vs_mkdir_p(dir) < 0) {
        snprintf(errstr, errsz, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    errstr[0] = 0;
    for (int k = 0; k < cap; k++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/slot-%d", dir, k);
        /* 0666: every user's workers on the machine share the slots. */
        int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (f < 0) {
            snprintf(errstr, errsz, "cannot open %s: %s", path, strerror(errno));
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

void vs_gpu_slot_release(int *fd)
{
    if (!fd || *fd < 0)
        return;
    flock(*fd, LOCK_UN);
    close(*fd);
    *fd = -1;
}
