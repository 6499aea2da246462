/* mux.h - output side: a temporary file in the output folder that becomes
 * the real name only when complete (SPEC §5). */
#ifndef VS_MUX_H
#define VS_MUX_H
#include <stddef.h>
#include <libavformat/avformat.h>

typedef struct vs_mux {
    AVFormatContext *oc;
    char *final_path;
    char *temp_prefix; /* OUTDIR/.NAME.vs-<job hash>- : every attempt's */
    char *temp_path;  /* temp_prefix + <pid>-<random>.part: this attempt's */
    int lock_fd;      /* holds flock on temp_path while this attempt writes */
    int header_written;
} vs_mux;

/* Temporary names for an output: hidden, in the same folder (so rename is
 * atomic). prefix is ".NAME.vs-<hash of job id>-", shared by every attempt
 * of the job so a retry finds what a killed attempt left; each attempt
 * appends its own pid and a random tag, so two attempts running at once
 * (a worker cut off from the broker) never write the same file. Caller
 * frees. */
char *vs_mux_temp_prefix(const char *final_path, const char *job_id);

/* Allocates the output context with the container chosen from the final
 * name's extension. Streams are added by the caller. */
int vs_mux_alloc(vs_mux *m, const char *final_path, const char *job_id,
                 char *errstr, size_t errsz);
/* Removes temporaries of this job whose writer is gone (their flock is
 * free), creates this attempt's, locks it and writes the header. */
int vs_mux_begin(vs_mux *m, char *errstr, size_t errsz);
/* Rescales pkt from tb to stream pkt->stream_index and writes it
 * (interleaved). Takes the packet's reference. */
int vs_mux_write(vs_mux *m, AVPacket *pkt, AVRational tb);
/* Trailer, flush to disk, rename to the final name. */
int vs_mux_finish(vs_mux *m, int64_t *bytes, char *errstr, size_t errsz);
/* Frees everything; removes the temporary file if it is still there. */
void vs_mux_close(vs_mux *m);

#endif
