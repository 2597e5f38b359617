/*
 * storage_pool_rbd_namespace.h: the rbd XML namespace of rbd pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "storage_conf.h"

#define VIR_STORAGE_POOL_RBD_NAMESPACE_HREF \
    "http://libvirt.org/schemas/storagepool/rbd/1.0"

/* <rbd:config_opts><rbd:option name='...' value='...'/>...</rbd:config_opts>:
 * librados configuration options set on the pool's cluster handle before
 * it connects, in document order. */
typedef struct _virStoragePoolRBDConfigOpts virStoragePoolRBDConfigOpts;
struct _virStoragePoolRBDConfigOpts {
    size_t noptions;
    char **names;
    char **values;
};

void
virStoragePoolRBDConfigOptsFree(virStoragePoolRBDConfigOpts *opts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePoolRBDConfigOpts, virStoragePoolRBDConfigOptsFree);

/* Registers the namespace for the rbd pool type. */
int
virStoragePoolRBDNamespaceRegister(void);

/* The config options of @def, or NULL when the pool XML names none. */
const virStoragePoolRBDConfigOpts *
virStoragePoolRBDConfigOptsGet(const virStoragePoolDef *def);
