/*
 * storage_backend_logical.c: the logical (LVM) storage pool backend
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A logical pool is an LVM volume group; its volumes are its LVs, thick
 * or thin.  The pool's callbacks are in storage_pool_logical.c, the LVs'
 * in storage_vol_lv.c, the lvm2 command lines and reports in
 * storage_lvm.c, and the data of an LV is moved by the block-device
 * volume callbacks.
 */

#include <config.h>

#include "storage_backend.h"
#include "storage_pool_logical.h"
#include "storage_pool_logical_namespace.h"
#include "storage_vol_lv.h"
#include "storage_vol_block.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static virStorageBackend virStorageBackendLogical = {
    .type = VIR_STORAGE_POOL_LOGICAL,

    .findPoolSources = virStoragePoolLogicalFindSources,
    .checkPool = virStoragePoolLogicalCheck,
    .startPool = virStoragePoolLogicalStart,
    .buildPool = virStoragePoolLogicalBuild,
    .refreshPool = virStoragePoolLogicalRefresh,
    .stopPool = virStoragePoolLogicalStop,
    .deletePool = virStoragePoolLogicalDelete,

    .createVol = virStorageVolLVCreate,
    .refreshVol = virStorageVolLVRefresh,
    .deleteVol = virStorageVolLVDelete,
    .resizeVol = virStorageVolLVResize,
    .wipeVol = virStorageVolLVWipe,

    /* the block-device data callbacks, but for wipe (thin LVs discard) */
    .buildVolFrom = virStorageVolBlockBuildFrom,
    .uploadVol = virStorageVolBlockUpload,
    .downloadVol = virStorageVolBlockDownload,
};


int virStorageBackendLogicalRegister(void);

int
virStorageBackendLogicalRegister(void)
{
    if (virStorageBackendRegister(&virStorageBackendLogical) < 0)
        return -1;

    return virStoragePoolLogicalNamespaceRegister();
}
