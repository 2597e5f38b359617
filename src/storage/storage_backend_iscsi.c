/*
 * storage_backend_iscsi.c: the iscsi storage pool backend
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An iscsi pool is a session of the kernel's iSCSI initiator to one
 * target (iscsiadm records of its own, bounded login); its volumes are
 * the target's LUNs.  The pool's callbacks are in storage_pool_iscsi.c,
 * iscsiadm and the session's sysfs in storage_iscsi_session.c, the LUNs
 * are listed and their data moved by the units the scsi pool shares.
 */

#include <config.h>

#include "storage_backend.h"
#include "storage_pool_iscsi.h"
#include "storage_pool_scsi_luns.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static virStorageBackend virStorageBackendISCSI = {
    .type = VIR_STORAGE_POOL_ISCSI,

    .findPoolSources = virStoragePoolISCSIFindSources,
    .checkPool = virStoragePoolISCSICheck,
    .startPool = virStoragePoolISCSIStart,
    .refreshPool = virStoragePoolISCSIRefresh,
    .stopPool = virStoragePoolISCSIStop,

    VIR_STORAGE_BACKEND_SCSI_LUN_VOL_CALLBACKS,
};


int virStorageBackendISCSIRegister(void);

int
virStorageBackendISCSIRegister(void)
{
    return virStorageBackendRegister(&virStorageBackendISCSI);
}
