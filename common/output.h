/* output.h - the output name is the user's: guarding it.
 *
 * Three rules keep a job from ever destroying a file or encoding twice:
 *  - hidden side files (the temporaries, the lock) always fit the folder's
 *    name limit: a long output name is shortened and a hash of it added;
 *  - only one attempt at a time writes an output, whatever job, producer
 *    or machine it comes from: it holds an flock() on a lock file beside
 *    the output for the whole encode (the kernel releases it when the
 *    holder dies, so a killed worker never blocks the next one);
 *  - without overwrite the finished file takes the real name only if none
 *    is there (renameat2 RENAME_NOREPLACE, else link + unlink): a file that
 *    appeared during the encode is never replaced.
 * Errors on the output folder are classified by whose fault they are: a
 * name too long, a folder that cannot be written or is read-only is the
 * job's own permanent error; a full disk or an I/O error is the worker's. */
#ifndef VS_OUTPUT_H
#define VS_OUTPUT_H
#include <stddef.h>
#include <stdint.h>

/* The longest file name a folder takes (NAME_MAX on Linux file systems). */
#define VS_OUTPUT_NAME_MAX 255

/* FNV-1a, 64 bits: a short stable tag for a name or id of any length. */
uint64_t vs_output_hash(const char *s);

/* DIR/.BASE.SUFFIX for the output FINAL, with BASE shortened and a hash of
 * the whole name added when the result would not fit VS_OUTPUT_NAME_MAX;
 * SUFFIX may leave `reserve` more bytes for the caller to append. Returns
 * a new string (caller frees), NULL on OOM. */
char *vs_output_side_name(const char *final, const char *suffix, size_t reserve);

/* Takes the output's lock (DIR/.BASE.vs-lock), waiting while another
 * attempt holds it; *cancel (may be NULL) stops the wait. Returns the
 * locked descriptor (>= 0), -1 with errstr (and errno) when the lock file
 * cannot be made, -2 when cancelled. *waited is set to 1 when it had to
 * wait (the output may exist now). */
int vs_output_lock(const char *final, volatile int *cancel, int *waited,
                   char *errstr, size_t errsz);
/* Removes the lock file and releases the lock. Accepts -1. */
void vs_output_unlock(const char *final, int fd);

/* Gives TEMP the name FINAL: replacing what is there when overwrite, else
 * only when nothing is. Returns 0, 1 when a file is at FINAL and was left
 * alone (TEMP is removed), -1 with errno on error. */
int vs_output_publish(const char *temp, const char *final, int overwrite);

/* 1 when errno err on the output folder is the job's own fault (a name too
 * long, permission denied, a read-only file system, a path through a
 * file): permanent, the worker is fine. 0 for the rest (full disk, I/O
 * error): transient, the worker's. */
int vs_output_err_is_jobs(int err);

#endif
