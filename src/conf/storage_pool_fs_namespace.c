/*
 * storage_pool_fs_namespace.c: the fs XML namespace of fs and netfs pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_pool_fs_namespace.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

/* Placeholder until the namespace lands. */
int
virStoragePoolFSNamespaceRegister(void)
{
    return 0;
}


const virStoragePoolFSMountOpts *
virStoragePoolFSMountOptsGet(const virStoragePoolDef *def)
{
    return def->namespaceData;
}
