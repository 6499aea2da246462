/* test_summary_line.c - the producer's summary line (producer/summary_line.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "summary_line.h"

static void test_summary_line(void **state)
{
    static const struct {
        size_t total, ok, skipped, failed;
        const char *line;
    } t[] = {
        { 4, 2, 1, 1, "Done. 2/4 videos processed, 1 skipped, 1 failed." },
        { 4, 0, 4, 0, "Done. 0/4 videos processed, 4 skipped." },
        { 4, 4, 0, 0, "Done. 4/4 videos processed." },
        { 3, 1, 0, 2, "Done. 1/3 videos processed, 2 failed." },
        { 0, 0, 0, 0, "Done. 0/0 videos processed." },
    };
    char buf[128];
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        vs_summary_line(buf, sizeof buf, t[i].total, t[i].ok, t[i].skipped, t[i].failed);
        assert_string_equal(buf, t[i].line);
    }
    /* A short buffer is cut, still terminated. */
    char small[12];
    memset(small, 'x', sizeof small);
    vs_summary_line(small, sizeof small, 4, 2, 1, 1);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, "Done. 2/4 v", 11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_line),
    };
    return cmocka_run_group_tests_name("summary_line", tests, NULL, NULL);
}
