/*
 * storage_pool_logical_namespace.h: the lvm XML namespace of logical pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"

#define VIR_STORAGE_POOL_LOGICAL_NAMESPACE_HREF \
    "http://libvirt-storage-backends.example/schemas/storagepool/logical/1.0"

/* <lvm:thinpool name='tp0'/>: thin volumes of the pool go in LVM thin
 * pool tp0 of the pool's volume group. */
typedef struct _virStoragePoolLogicalNSDef virStoragePoolLogicalNSDef;
struct _virStoragePoolLogicalNSDef {
    char *thinPool;
};

void
virStoragePoolLogicalNSDefFree(virStoragePoolLogicalNSDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePoolLogicalNSDef, virStoragePoolLogicalNSDefFree);

/* Registers the namespace for the logical pool type. */
int
virStoragePoolLogicalNamespaceRegister(void);

/* The thin pool the XML of @def names, or NULL. */
const char *
virStoragePoolLogicalThinPoolGet(const virStoragePoolDef *def);
