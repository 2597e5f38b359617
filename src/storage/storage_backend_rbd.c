/*
 * storage_backend_rbd.c: the rbd (Ceph RBD) storage pool backend
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An rbd pool is a RADOS pool of a Ceph cluster, reached through librados
 * and librbd (no ceph.conf, no rbd CLI); its volumes are RBD images.  The
 * pool's callbacks and its cluster connection are in storage_pool_rbd.c.
 */

#include <config.h>

#include "storage_backend.h"
#include "storage_pool_rbd.h"
#include "storage_pool_rbd_volumes.h"
#include "storage_pool_rbd_namespace.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static virStorageBackend virStorageBackendRBD = {
    .type = VIR_STORAGE_POOL_RBD,

    .checkPool = virStoragePoolRBDCheck,
    .startPool = virStoragePoolRBDStart,
    .refreshPool = virStoragePoolRBDRefresh,
    .stopPool = virStoragePoolRBDStop,

    VIR_STORAGE_BACKEND_RBD_VOL_CALLBACKS,
};


int virStorageBackendRBDRegister(void);

int
virStorageBackendRBDRegister(void)
{
    if (virStorageBackendRegister(&virStorageBackendRBD) < 0)
        return -1;

    return virStoragePoolRBDNamespaceRegister();
}
