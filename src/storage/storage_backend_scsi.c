/*
 * storage_backend_scsi.c: the scsi storage pool backend
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A scsi pool is the LUNs of one SCSI host (storage_pool_scsi.c); its
 * volumes cannot be created or deleted, only listed, and their data is
 * moved by the LUN volume callbacks (storage_pool_scsi_luns.h).
 */

#include <config.h>

#include "storage_backend.h"
#include "storage_pool_scsi.h"
#include "storage_pool_scsi_luns.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static virStorageBackend virStorageBackendSCSI = {
    .type = VIR_STORAGE_POOL_SCSI,

    .checkPool = virStoragePoolSCSICheck,
    .startPool = virStoragePoolSCSIStart,
    .refreshPool = virStoragePoolSCSIRefresh,
    .stopPool = virStoragePoolSCSIStop,

    VIR_STORAGE_BACKEND_SCSI_LUN_VOL_CALLBACKS,
};


int virStorageBackendSCSIRegister(void);

int
virStorageBackendSCSIRegister(void)
{
    return virStorageBackendRegister(&virStorageBackendSCSI);
}
