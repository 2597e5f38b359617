/*
 * mountinfo_fuzzer.c: the readers of /proc/self/mountinfo
 * (src/storage/storage_mount.c, storage_vol_partition.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The kernel writes the table, but mount points and sources are names
 * users, guests (FUSE) and network servers chose, escaped by the kernel.
 */

#include <config.h>

#include "fuzz.h"
#include "storage_mount.h"
#include "storage_vol_partition.h"


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED,
                     char ***argv G_GNUC_UNUSED)
{
    fuzzInit();
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data,
                       size_t size)
{
    static const char *const targets[] = {
        "/", "/tmp/mount-gl/mnt 2", "/tmp/mount-gl/mnt1/", "/var/lib/libvirt/images",
    };
    g_autofree char *text = fuzzString(data, size);
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(targets); i++) {
        g_autofree char *source = NULL;
        int rc = virStorageMountInfoFindTarget(text, targets[i], &source);

        fuzzAssert(rc == 0 || rc == 1);
        fuzzAssert(rc == 0 || source != NULL);
    }

    g_free(virStorageVolPartitionFindMount(text, 254, 0));
    g_free(virStorageVolPartitionFindMount(text, 7, 1));
    return 0;
}
