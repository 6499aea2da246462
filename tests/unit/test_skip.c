/* test_skip.c - table tests of the rules that decide what the video
 * decoder may skip: the keyframe-jump rule (common/media/vjump.h) and the
 * non-reference rule (common/media/skip.h).
 *
 * Each row is one video packet as the pipeline sees it on reading it; the
 * rule answers send (with anything held), hold back, or jump (flush the
 * decoder, drop what is held, restart at this keyframe). A jump is only
 * exact when nothing sent or held is stamped at or after the keyframe and
 * the keyframe is not past the next needed time; each row that guards one
 * of those conditions fails if the condition is dropped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "media/skip.h"
#include "media/vjump.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NONE INT64_MIN
#define END INT64_MAX

static const char *act_name(enum vs_vjump_act a)
{
    switch (a) {
    case VS_VJUMP_SEND: return "send";
    case VS_VJUMP_HOLD: return "hold";
    case VS_VJUMP_JUMP: return "jump";
    }
    return "?";
}

static void test_decide(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        vs_vjump_in in; /* allowed, has_pts, key, pts, need, max_before, held, full */
        enum vs_vjump_act want;
    } rows[] = {
        {"skipping off (VS_NO_SKIP, unsupported codec, damage): sent",
         {0, 1, 1, 500, 1000, 100, 5, 0}, VS_VJUMP_SEND},
        {"no timestamp: sent", {1, 0, 1, 500, 1000, 100, 5, 0}, VS_VJUMP_SEND},
        {"every output frame emitted: sent (nothing to save)", {1, 1, 0, 500, END, 100, 0, 0},
         VS_VJUMP_SEND},
        {"inside a fast-forward, before the needed time: held", {1, 1, 0, 500, 1000, 400, 0, 0},
         VS_VJUMP_HOLD},
        {"keyframe before the needed time, all before it earlier: jump",
         {1, 1, 1, 500, 1000, 400, 3, 0}, VS_VJUMP_JUMP},
        {"keyframe exactly at the needed time (it is the picture shown): jump",
         {1, 1, 1, 1000, 1000, 900, 3, 0}, VS_VJUMP_JUMP},
        {"keyframe past the needed time: no jump, the held pictures may be shown",
         {1, 1, 1, 1001, 1000, 900, 3, 0}, VS_VJUMP_SEND},
        {"keyframe with a later picture already sent or held (B-frames across it): no jump",
         {1, 1, 1, 500, 1000, 600, 3, 0}, VS_VJUMP_HOLD},
        {"keyframe stamped like a picture already sent: no jump", {1, 1, 1, 500, 1000, 500, 3, 0},
         VS_VJUMP_HOLD},
        {"keyframe with nothing held: no jump (a flush would save nothing)",
         {1, 1, 1, 500, 1000, 400, 0, 0}, VS_VJUMP_HOLD},
        {"a packet past the needed time: no keyframe can come in time, send",
         {1, 1, 0, 1001, 1000, 400, 3, 0}, VS_VJUMP_SEND},
        {"a packet at the needed time: a later keyframe would be past it, send",
         {1, 1, 0, 1000, 1000, 400, 3, 0}, VS_VJUMP_SEND},
        {"a picture past the needed time already in the decoder: send",
         {1, 1, 0, 500, 1000, 1200, 3, 0}, VS_VJUMP_SEND},
        {"hold buffer full: send", {1, 1, 0, 500, 1000, 400, 4096, 1}, VS_VJUMP_SEND},
        {"a B-picture stamped before what was sent, still before the needed time: held",
         {1, 1, 0, 300, 1000, 400, 2, 0}, VS_VJUMP_HOLD},
        {"first packet after a jump (nothing before it): held", {1, 1, 0, 520, 1000, NONE, 0, 0},
         VS_VJUMP_HOLD},
    };
    for (size_t i = 0; i < N(rows); i++) {
        enum vs_vjump_act got = vs_vjump_decide(&rows[i].in);
        if (got != rows[i].want) {
            print_error("%s: got %s, want %s\n", rows[i].what, act_name(got), act_name(rows[i].want));
            fail();
        }
    }
}

static void test_nonref(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        vs_vskip_in in; /* allowed, has_pts, pts, first_ts, q, need */
        int want;
    } rows[] = {
        {"a later picture read, not past the first frame that could show it: skipped",
         {1, 1, 500, 100, 520, 530}, 1},
        {"the later picture exactly at that frame's time (it is shown instead): skipped",
         {1, 1, 500, 100, 530, 530}, 1},
        {"the later picture past that frame's time: this one may be shown, kept",
         {1, 1, 500, 100, 531, 530}, 0},
        {"no later picture read yet: kept", {1, 1, 500, 100, END, 530}, 0},
        {"that frame not found within the frames looked at: kept", {1, 1, 500, 100, 520, -1}, 0},
        {"skipping off (VS_NO_SKIP, codec, damage) or decoder not started: kept",
         {0, 1, 500, 100, 520, 530}, 0},
        {"no timestamp: kept", {1, 0, 500, 100, 520, 530}, 0},
        {"stamped at or before the decoder's first picture (start-up): kept",
         {1, 1, 100, 100, 120, 530}, 0},
    };
    for (size_t i = 0; i < N(rows); i++) {
        int got = vs_vskip_decide(&rows[i].in);
        if (got != rows[i].want) {
            print_error("%s: got %s, want %s\n", rows[i].what, got ? "skip" : "keep",
                        rows[i].want ? "skip" : "keep");
            fail();
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decide),
        cmocka_unit_test(test_nonref),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
