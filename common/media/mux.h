/* mux.h - output side: a temporary file in the output folder that becomes
 * the real name only when complete (SPEC §5). */
#ifndef VS_MUX_H
#define VS_MUX_H
#include <stddef.h>
#include <libavformat/avformat.h>

typedef struct vs_mux {
    AVFormatContext *oc;
    char *final_path;
    char *temp_path;  /* OUTDIR/.NAME.vs-<job>.part */
    int header_written;
} vs_mux;

/* Temporary name for an output: hidden, in the same folder (so rename is
 * atomic), derived from the job id so a retry of the same job finds and
 * replaces what a killed attempt left. Caller frees. */
char *vs_mux_temp_path(const char *final_path, const char *job_id);

/* Allocates the output context with the container chosen from the final
 * name's extension. Streams are added by the caller. */
int vs_mux_alloc(vs_mux *m, const char *final_path, const char *job_id,
                 char *errstr, size_t errsz);
/* Opens the temporary file and writes the header. */
int vs_mux_begin(vs_mux *m, char *errstr, size_t errsz);
/* Rescales pkt from tb to stream pkt->stream_index and writes it
 * (interleaved). Takes the packet's reference. */
int vs_mux_write(vs_mux *m, AVPacket *pkt, AVRational tb);
/* Trailer, flush to disk, rename to the final name. */
int vs_mux_finish(vs_mux *m, int64_t *bytes, char *errstr, size_t errsz);
/* Frees everything; removes the temporary file if it is still there. */
void vs_mux_close(vs_mux *m);

#endif
