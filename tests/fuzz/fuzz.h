/*
 * fuzz.h: what the fuzzing harnesses of tests/fuzz share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each harness NAME_fuzzer.c defines LLVMFuzzerTestOneInput() for one
 * parser of untrusted or tool-made input.  Built with -Dfuzzing=enabled
 * (clang), it is linked with libFuzzer; otherwise with fuzz_replay.c,
 * which runs it once on every file of the directories it is given (the
 * seed corpus tests/fuzz/NAME/ and the crash reproducers kept in
 * tests/fuzz/NAME/regressions/), so that meson test replays them.
 *
 * A harness aborts (fuzzAssert) when the parser breaks a promise its
 * header makes, so that a wrong result is caught like a crash.
 */

#pragma once

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* fuzz.c gives every harness an LLVMFuzzerInitialize that calls
 * fuzzInit(); a harness that needs more defines its own, which wins (the
 * one of fuzz.c is weak). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libvirt initialised once, its errors and warnings silenced (the
 * parsers refuse most inputs, and say so). */
void fuzzInit(void);

/* @data as a NUL-terminated string: what a parser of tool output sees
 * (it ends at the first NUL byte, as text read by virCommand does). */
char *fuzzString(const uint8_t *data, size_t size);

/* Aborts with a message naming the broken promise when @cond is false. */
#define fuzzAssert(cond) \
    do { \
        if (!(cond)) \
            fuzzFail(__FILE__, __LINE__, #cond); \
    } while (0)

G_NORETURN void fuzzFail(const char *file, int line, const char *what);
