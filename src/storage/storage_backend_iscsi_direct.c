/*
 * storage_backend_iscsi_direct.c: the iscsi-direct storage pool backend
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An iscsi-direct pool is an iSCSI target reached from the daemon itself
 * through libiscsi (no kernel initiator, no iscsiadm); its volumes are
 * the target's disk LUNs.  The pool's callbacks and its session are in
 * storage_pool_iscsi_direct.c.
 */

#include <config.h>

#include "storage_backend.h"
#include "storage_pool_iscsi_direct.h"
#include "storage_pool_iscsi_direct_volumes.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static virStorageBackend virStorageBackendISCSIDirect = {
    .type = VIR_STORAGE_POOL_ISCSI_DIRECT,

    .checkPool = virStoragePoolISCSIDirectCheck,
    .startPool = virStoragePoolISCSIDirectStart,
    .refreshPool = virStoragePoolISCSIDirectRefresh,
    .stopPool = virStoragePoolISCSIDirectStop,
    .findPoolSources = virStoragePoolISCSIDirectFindSources,

    VIR_STORAGE_BACKEND_ISCSI_DIRECT_VOL_CALLBACKS,
};


int virStorageBackendISCSIDirectRegister(void);

int
virStorageBackendISCSIDirectRegister(void)
{
    return virStorageBackendRegister(&virStorageBackendISCSIDirect);
}
