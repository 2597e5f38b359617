/*
 * partition_fuzzer.c: the disk module's reader of the partition
 * helper's JSON (src/storage/storage_partition.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The helper prints what libparted read from a disk whose table a guest
 * holding a partition may have written to.  The parsed table is used as
 * a pool refresh uses it: kernel names, volumes, the next number.
 */

#include <config.h>

#include "fuzz.h"
#include "storage_partition.h"
#include "storage_vol_partition.h"

#define FUZZ_DEVICE "/dev/loop7"


static void
fuzzPartition(const virStoragePartitionTable *table,
              const virStoragePartition *part)
{
    g_autofree char *kname = virStoragePartitionKernelName(FUZZ_DEVICE,
                                                           part->number);
    g_autofree char *path = g_strdup_printf("/dev/%s", kname);
    g_autoptr(virStorageVolDef) vol = NULL;

    fuzzAssert(part->number > 0);
    fuzzAssert(part->start <= part->end);
    fuzzAssert(virStoragePartitionNumberFromName(FUZZ_DEVICE, kname) ==
               part->number);
    fuzzAssert(virStoragePartitionFind(table, part->number) != NULL);

    vol = virStorageVolPartitionNew(table, part, FUZZ_DEVICE, path);
    fuzzAssert(vol->source.nextent == 1);
    (void) virStorageVolPartitionFormat(part);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data,
                       size_t size)
{
    g_autofree char *text = fuzzString(data, size);
    g_autoptr(virStoragePartitionTable) table = NULL;
    size_t i;

    if (!(table = virStoragePartitionTableParse(text, FUZZ_DEVICE)))
        return 0;

    fuzzAssert(table->device != NULL);
    fuzzAssert(table->sectorSize > 0);
    for (i = 0; i < table->npartitions; i++)
        fuzzPartition(table, &table->partitions[i]);
    for (i = 0; i < table->nfree; i++) {
        fuzzAssert(table->free[i].start <= table->free[i].end);
        fuzzAssert(table->free[i].kind != VIR_STORAGE_PARTITION_EXTENDED);
    }
    for (i = 0; i < VIR_STORAGE_PARTITION_LAST; i++)
        (void) virStoragePartitionNextNumber(table, i);
    return 0;
}
