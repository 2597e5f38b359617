/*
 * poolxml_fuzzer.c: pool XML with our fs and lvm namespaces
 * (src/conf/storage_pool_fs_namespace.c, storage_pool_logical_namespace.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A client defines a pool with any XML: libvirt's parser reads it with
 * our namespaces registered, as the daemon does.  What is accepted must
 * format, and the formatted XML must read back to the same text.
 */

#include <config.h>

#include "fuzz.h"
#include "storage_conf.h"
#include "storage_pool_fs_namespace.h"
#include "storage_pool_logical_namespace.h"


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED,
                     char ***argv G_GNUC_UNUSED)
{
    fuzzInit();
    if (virStoragePoolFSNamespaceRegister() < 0 ||
        virStoragePoolLogicalNamespaceRegister() < 0)
        fuzzFail(__FILE__, __LINE__, "namespaces registered");
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data,
                       size_t size)
{
    g_autofree char *xml = fuzzString(data, size);
    g_autoptr(virStoragePoolDef) def = NULL;
    g_autoptr(virStoragePoolDef) again = NULL;
    g_autofree char *formatted = NULL;
    g_autofree char *reformatted = NULL;
    const virStoragePoolFSMountOpts *opts;
    size_t i;

    if (!(def = virStoragePoolDefParse(xml, NULL, 0)))
        return 0;

    if ((opts = virStoragePoolFSMountOptsGet(def))) {
        for (i = 0; i < opts->noptions; i++)
            fuzzAssert(opts->options[i] != NULL);
    }
    (void) virStoragePoolLogicalThinPoolGet(def);

    fuzzAssert((formatted = virStoragePoolDefFormat(def)) != NULL);
    fuzzAssert((again = virStoragePoolDefParse(formatted, NULL, 0)) != NULL);
    fuzzAssert((reformatted = virStoragePoolDefFormat(again)) != NULL);
    fuzzAssert(STREQ(formatted, reformatted));
    return 0;
}
