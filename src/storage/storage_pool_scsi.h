/*
 * storage_pool_scsi.h: scsi pools, the LUNs of one SCSI host
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The adapter names the host: <adapter type='scsi_host' name='hostN'/>,
 * <adapter type='scsi_host'><parentaddr unique_id='U'><address .../>
 * </parentaddr></adapter> (a PCI function and the host's unique_id), or
 * <adapter type='fc_host' wwnn wwpn [parent] [managed]/> (an NPIV vHBA,
 * made at start when it does not exist, storage_scsi_vhba.h).  Start
 * finds the host, refresh scans it and lists its LUNs
 * (storage_pool_scsi_luns.h), stop removes a managed vHBA.
 */

#pragma once

#include "storage_backend.h"

int virStoragePoolSCSICheck(virStoragePoolObj *pool, bool *active);
int virStoragePoolSCSIStart(virStoragePoolObj *pool);
int virStoragePoolSCSIRefresh(virStoragePoolObj *pool);
int virStoragePoolSCSIStop(virStoragePoolObj *pool);
