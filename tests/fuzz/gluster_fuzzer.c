/*
 * gluster_fuzzer.c: the parser of 'gluster --xml volume info'
 * (src/storage/storage_gluster_sources.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The volume list comes from whichever gluster server the client named:
 * it is read, and the sources found are formatted as the
 * find-storage-pool-sources answer is.
 */

#include <config.h>

#include "fuzz.h"
#include "storage_gluster_sources.h"

#define FUZZ_HOST "gluster.example.com"


int
LLVMFuzzerTestOneInput(const uint8_t *data,
                       size_t size)
{
    g_autofree char *text = fuzzString(data, size);
    g_autoptr(virStoragePoolSourceList) list = g_new0(virStoragePoolSourceList, 1);
    g_autofree char *xml = NULL;

    list->type = VIR_STORAGE_POOL_NETFS;
    if (virStorageGlusterParseVolumeInfo(text, FUZZ_HOST, VIR_STORAGE_POOL_NETFS, list) < 0)
        return 0;

    fuzzAssert((xml = virStoragePoolSourceListFormat(list)) != NULL);
    return 0;
}
