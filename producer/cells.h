/* cells.h - how many terminal cells UTF-8 text takes, and cutting it to a
 * number of cells, for the progress bars (names are the user's file names,
 * any language). A small table of its own rather than wcwidth(), so the
 * answer does not depend on the locale the producer was started in. */
#ifndef VS_PRODUCE_CELLS_H
#define VS_PRODUCE_CELLS_H
#include <stddef.h>

/* Cells one code point takes: 0 (combining marks, zero-width), 2 (East
 * Asian wide, most emoji) or 1. */
int vs_cells_of(unsigned cp);
/* Cells the UTF-8 string s takes (a byte that is not valid UTF-8: 1). */
size_t vs_cells_width(const char *s);
/* Copies s into out (sz bytes, always terminated) cut at a character
 * boundary to at most max cells; control characters become '?'. With
 * mark set, text that had to be cut ends in '~' (within max). Returns the
 * cells copied. */
size_t vs_cells_cut(char *out, size_t sz, const char *s, size_t max, int mark);

#endif
