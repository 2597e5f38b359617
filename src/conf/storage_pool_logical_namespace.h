/*
 * storage_pool_logical_namespace.h: the lvm XML namespace of logical pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"

/* The namespace URI: a UUID URN (RFC 4122, section 3) minted for this
 * project, so that it names our namespace for ever without squatting a
 * domain we do not own.  docs/pools/logical.rst documents it. */
#define VIR_STORAGE_POOL_LOGICAL_NAMESPACE_HREF \
    "urn:uuid:fcd4cee9-111b-4922-96b0-1ade8aed05b8"

/* The placeholder URI modules before 2026-12 wrote: still read, so that a
 * pool defined with it keeps its thin pool; written back with the URI
 * above when libvirt saves the pool's XML. */
#define VIR_STORAGE_POOL_LOGICAL_NAMESPACE_HREF_OLD \
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
