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
    int sys_errno;    /* errno of the last failure on the output folder, 0 = none */
} vs_mux;

/* Temporary names for an output: hidden, in the same folder (so rename is
 * atomic), shortened with a hash when NAME is long (output.h), so they fit
 * any legal output name. prefix is ".NAME.vs-<hash of job id>-", shared by every attempt
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
/* Trailer, flush to disk, then the final name: replacing a file there only
 * when overwrite. Returns 0, 1 when a file appeared at the final name
 * meanwhile and was left alone (errstr says so), < 0 on error. */
int vs_mux_finish(vs_mux *m, int overwrite, int64_t *bytes, char *errstr, size_t errsz);
/* Frees everything; removes the temporary file if it is still there. */
void vs_mux_close(vs_mux *m);

#endif
