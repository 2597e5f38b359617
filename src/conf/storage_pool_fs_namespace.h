/*
 * storage_pool_fs_namespace.h: the fs XML namespace of fs and netfs pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"

#define VIR_STORAGE_POOL_FS_NAMESPACE_HREF \
    "http://libvirt.org/schemas/storagepool/fs/1.0"

/* <fs:mount_opts><fs:option name='...'/>...</fs:mount_opts> */
typedef struct _virStoragePoolFSMountOpts virStoragePoolFSMountOpts;
struct _virStoragePoolFSMountOpts {
    size_t noptions;
    char **options;
};

void
virStoragePoolFSMountOptsFree(virStoragePoolFSMountOpts *opts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePoolFSMountOpts, virStoragePoolFSMountOptsFree);

/* Registers the namespace for the fs and netfs pool types. */
int
virStoragePoolFSNamespaceRegister(void);

/* The mount options of @def, or NULL when the pool XML names none. */
const virStoragePoolFSMountOpts *
virStoragePoolFSMountOptsGet(const virStoragePoolDef *def);
