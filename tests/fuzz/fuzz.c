/*
 * fuzz.c: what the fuzzing harnesses of tests/fuzz share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "virerror.h"
#include "virlog.h"


static void
fuzzIgnoreError(void *opaque G_GNUC_UNUSED,
                virErrorPtr err G_GNUC_UNUSED)
{
}


void
fuzzInit(void)
{
    static bool done;

    if (done)
        return;
    done = true;

    if (virInitialize() < 0) {
        fprintf(stderr, "cannot initialize libvirt\n");
        abort();
    }
    virSetErrorFunc(NULL, fuzzIgnoreError);
    virLogSetDefaultPriority(VIR_LOG_ERROR);
}


/* The harnesses' initialiser unless one defines its own (fuzz.h). */
__attribute__((weak)) int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED,
                     char ***argv G_GNUC_UNUSED)
{
    fuzzInit();
    return 0;
}


char *
fuzzString(const uint8_t *data,
           size_t size)
{
    return g_strndup((const char *) data, size);
}


void
fuzzFail(const char *file,
         int line,
         const char *what)
{
    fprintf(stderr, "%s:%d: promise broken: %s\n", file, line, what);
    abort();
}
