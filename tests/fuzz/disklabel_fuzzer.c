/*
 * disklabel_fuzzer.c: the partition helper reading a disk's table, and
 * the disk module reading what the helper printed
 * (src/storage/parthelper/parthelper_ops.c, parthelper_table.c,
 * parthelper_json.c; src/storage/storage_partition.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A guest given an extended partition (or a whole disk pool's disk
 * through another pool) writes partition tables.  The input becomes a
 * 'disk' image file that the helper's read runs on, as it does on a
 * pool's disk: libparted probes the label and the file systems, the
 * helper writes JSON, and that JSON must be what the module reads.
 * The helper is GPL-3.0+ as a binary (libparted); so is this harness.
 */

#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "parthelper_error.h"
#include "parthelper_ops.h"
#include "storage_partition.h"
#include "virfile.h"

#define FUZZ_DISK "disk"

static char *fuzzDir;
static char *fuzzPath;


static void
fuzzCleanup(void)
{
    if (fuzzPath)
        unlink(fuzzPath);
    if (fuzzDir)
        rmdir(fuzzDir);
}


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED,
                     char ***argv G_GNUC_UNUSED)
{
    g_autoptr(GError) err = NULL;

    fuzzInit();
    if (!(fuzzDir = g_dir_make_tmp("disklabel-fuzzer-XXXXXX", &err))) {
        fprintf(stderr, "cannot make a private directory: %s\n", err->message);
        abort();
    }
    fuzzPath = g_build_filename(fuzzDir, FUZZ_DISK, NULL);
    atexit(fuzzCleanup);
    phExceptionInstall(PH_ACCESS_READ);
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data,
                       size_t size)
{
    g_autoptr(virStoragePartitionTable) table = NULL;
    g_autofree char *json = NULL;
    VIR_AUTOCLOSE fd = -1;
    size_t i;

    if ((fd = open(fuzzPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
        safewrite(fd, data, size) != (ssize_t) size)
        fuzzFail(__FILE__, __LINE__, "the disk image is written");
    VIR_FORCE_CLOSE(fd);

    if (phRead(fuzzPath, &json) < 0)
        return 0;

    /* whatever the helper prints about a disk, the module reads */
    fuzzAssert(json != NULL);
    fuzzAssert((table = virStoragePartitionTableParse(json, fuzzPath)) != NULL);
    fuzzAssert(table->size <= size);
    for (i = 0; i < table->npartitions; i++)
        fuzzAssert(table->partitions[i].number > 0);
    return 0;
}
