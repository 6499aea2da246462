/* test_cells.c - terminal cells of UTF-8 names (producer/cells.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cells.h"

static void test_width(void **state)
{
    static const struct {
        const char *s;
        size_t cells;
    } t[] = {
        { "", 0 },
        { "angle1.mp4", 10 },
        { "caf\xc3\xa9.mp4", 8 },                    /* é, one code point */
        { "cafe\xcc\x81.mp4", 8 },                   /* e + combining acute */
        { "\xe6\x97\xa5\xe6\x9c\xac.mp4", 8 },       /* 日本: two wide */
        { "\xed\x95\x9c.mkv", 6 },                   /* 한: Hangul, wide */
        { "\xf0\x9f\x8e\xac.mov", 6 },               /* 🎬: emoji, wide */
        { "a\xffz", 3 },                             /* a stray byte: one cell */
        { "\xe6\x97", 2 },                           /* cut sequence: a cell per byte */
        { "tab\there", 8 },                          /* a control: shown as '?' */
    };
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        assert_int_equal(vs_cells_width(t[i].s), t[i].cells);
}

static void test_cut(void **state)
{
    static const struct {
        const char *s;
        size_t max;
        int mark;
        const char *out;
        size_t cells;
    } t[] = {
        { "angle1.mp4", 24, 1, "angle1.mp4", 10 },
        { "angle1.mp4", 6, 1, "angle~", 6 },
        { "angle1.mp4", 6, 0, "angle1", 6 },
        /* a wide character is never split: 日本語 cut to 5 cells */
        { "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, 0, "\xe6\x97\xa5\xe6\x9c\xac", 4 },
        { "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, 1, "\xe6\x97\xa5\xe6\x9c\xac~", 5 },
        { "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4, 1, "\xe6\x97\xa5~", 3 },
        /* combining marks stay with their letter */
        { "cafe\xcc\x81s", 4, 0, "cafe\xcc\x81", 4 },
        { "a\nb", 3, 0, "a?b", 3 },
        { "a\xffz", 3, 0, "a?z", 3 },
    };
    char out[64];
    (void)state;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t c = vs_cells_cut(out, sizeof out, t[i].s, t[i].max, t[i].mark);
        assert_string_equal(out, t[i].out);
        assert_int_equal(c, t[i].cells);
        assert_true(vs_cells_width(out) == c);
    }
    /* A small buffer: cut at a character boundary, terminated. */
    char small[5];
    vs_cells_cut(small, sizeof small, "\xe6\x97\xa5\xe6\x9c\xac", 10, 0);
    assert_string_equal(small, "\xe6\x97\xa5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_width),
        cmocka_unit_test(test_cut),
    };
    return cmocka_run_group_tests_name("cells", tests, NULL, NULL);
}
