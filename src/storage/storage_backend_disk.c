/*
 * storage_backend_disk.c: the disk storage pool backend
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A disk pool is a whole disk; its volumes are the partitions of its
 * table.  The table is read and written by our libparted helper
 * (storage_partition.c); the pool's callbacks are in storage_pool_disk.c,
 * the partitions' in storage_vol_partition.c, and the data of a partition
 * is moved by the block-device volume callbacks.
 */

#include <config.h>

#include "storage_backend.h"
#include "storage_pool_disk.h"
#include "storage_vol_partition.h"
#include "storage_vol_block.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static virStorageBackend virStorageBackendDisk = {
    .type = VIR_STORAGE_POOL_DISK,

    .checkPool = virStoragePoolDiskCheck,
    .startPool = virStoragePoolDiskStart,
    .buildPool = virStoragePoolDiskBuild,
    .refreshPool = virStoragePoolDiskRefresh,
    .deletePool = virStoragePoolDiskDelete,

    .createVol = virStorageVolPartitionCreate,
    .deleteVol = virStorageVolPartitionDelete,
    .resizeVol = virStorageVolPartitionResize,

    VIR_STORAGE_BACKEND_BLOCK_VOL_CALLBACKS,
};


int virStorageBackendDiskRegister(void);

int
virStorageBackendDiskRegister(void)
{
    return virStorageBackendRegister(&virStorageBackendDisk);
}
