/* fuzz.h - what the fuzz targets share: the libFuzzer entry point, an
 * assertion that aborts (so libFuzzer, and the plain regression runner,
 * report a broken property as a crash with the input that broke it), and
 * a guarded copy of the input for the libraries ASan cannot see into. */
#ifndef VS_FUZZ_H
#define VS_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define VS_FUZZ_CHECK(cond)                                                     \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, \
                    #cond);                                                     \
            abort();                                                            \
        }                                                                       \
    } while (0)

/* Largest input vs_fuzz_guarded copies (the sidecar bound, plus one). */
#define VS_FUZZ_GUARDED_MAX (16u * 1024 * 1024 + 1)

/* A copy of data[0..size) whose last byte sits right before a page that
 * cannot be read, so a read past the end faults even inside a library
 * built without ASan (the system's libcjson: every reader hands it a
 * buffer of exact length). The copy lives until the next call; inputs
 * larger than VS_FUZZ_GUARDED_MAX are returned as they are. */
static inline const char *vs_fuzz_guarded(const uint8_t *data, size_t size)
{
    static char *map;
    static size_t cap;
    if (!map) {
        long pg = sysconf(_SC_PAGESIZE);
        size_t page = pg > 0 ? (size_t)pg : 4096;
        cap = (VS_FUZZ_GUARDED_MAX + page - 1) / page * page;
        void *m = mmap(NULL, cap + page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        VS_FUZZ_CHECK(m != MAP_FAILED);
        map = m;
        VS_FUZZ_CHECK(mprotect(map + cap, page, PROT_NONE) == 0);
    }
    if (size > cap)
        return (const char *)data;
    char *p = map + cap - size;
    if (size)
        memcpy(p, data, size);
    return p;
}

#endif
