/* test_ledger.c - which job offsets may be committed: jobs of one
 * partition finish in any order, but the stored offset never passes a job
 * that is not final; generations keep an old assignment's jobs out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ledger.h"

static void test_out_of_order(void **state)
{
    vs_ledger *l = vs_ledger_new();
    assert_non_null(l);
    unsigned g = vs_ledger_assign(l, 3);
    assert_true(g > 0);
    assert_int_equal(vs_ledger_storable(l, 3), -1); /* nothing consumed */
    for (int64_t o = 10; o <= 12; o++)
        assert_int_equal(vs_ledger_open(l, 3, o), 0);
    assert_int_equal(vs_ledger_open_count(l, 3), 3);
    assert_int_equal(vs_ledger_storable(l, 3), 10);
    /* 12 then 11 finish first: 10 still holds the commit back (the
     * first close reports 10, "all before 10 done", as new) */
    assert_int_equal(vs_ledger_close(l, 3, g, 12), 1);
    assert_int_equal(vs_ledger_storable(l, 3), 10);
    assert_int_equal(vs_ledger_close(l, 3, g, 11), 0);
    assert_int_equal(vs_ledger_storable(l, 3), 10);
    /* 10 finishes: everything up to 12 is done */
    assert_int_equal(vs_ledger_close(l, 3, g, 10), 1);
    assert_int_equal(vs_ledger_storable(l, 3), 13);
    assert_int_equal(vs_ledger_open_count(l, 3), 0);
    vs_ledger_free(&l);
    assert_null(l);
}

static void test_moves_forward_once(void **state)
{
    vs_ledger *l = vs_ledger_new();
    unsigned g = vs_ledger_assign(l, 0);
    vs_ledger_open(l, 0, 5);
    vs_ledger_open(l, 0, 5); /* a redelivery while still open: once */
    assert_int_equal(vs_ledger_open_count(l, 0), 1);
    assert_int_equal(vs_ledger_close(l, 0, g, 5), 1);
    assert_int_equal(vs_ledger_close(l, 0, g, 5), 0); /* nothing new */
    vs_ledger_open(l, 0, 6);
    assert_int_equal(vs_ledger_close(l, 0, g, 6), 1);
    assert_int_equal(vs_ledger_storable(l, 0), 7);
    vs_ledger_free(&l);
}

static void test_generations(void **state)
{
    vs_ledger *l = vs_ledger_new();
    unsigned g1 = vs_ledger_assign(l, 1);
    vs_ledger_open(l, 1, 40);
    vs_ledger_revoke(l, 1);
    assert_int_equal(vs_ledger_gen(l, 1), 0);
    assert_int_equal(vs_ledger_storable(l, 1), -1);
    assert_int_equal(vs_ledger_open(l, 1, 41), -1); /* not assigned */
    /* Assigned again: a job of the first assignment cannot store here. */
    unsigned g2 = vs_ledger_assign(l, 1);
    assert_true(g2 != g1);
    vs_ledger_open(l, 1, 40);
    assert_int_equal(vs_ledger_close(l, 1, g1, 40), 0);
    assert_int_equal(vs_ledger_storable(l, 1), 40);
    assert_int_equal(vs_ledger_close(l, 1, g2, 40), 1);
    assert_int_equal(vs_ledger_storable(l, 1), 41);
    /* Unknown partitions */
    assert_int_equal(vs_ledger_gen(l, 99), 0);
    assert_int_equal(vs_ledger_close(l, 99, g2, 1), 0);
    vs_ledger_free(&l);
}

static void test_many_partitions(void **state)
{
    vs_ledger *l = vs_ledger_new();
    unsigned g[64];
    for (int p = 0; p < 64; p++) {
        g[p] = vs_ledger_assign(l, p);
        for (int64_t o = 0; o < 20; o++)
            vs_ledger_open(l, p, o);
    }
    for (int p = 0; p < 64; p++)
        for (int64_t o = 19; o >= 0; o--)
            vs_ledger_close(l, p, g[p], o);
    for (int p = 0; p < 64; p++)
        assert_int_equal(vs_ledger_storable(l, p), 20);
    vs_ledger_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_moves_forward_once),
        cmocka_unit_test(test_generations),
        cmocka_unit_test(test_many_partitions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
