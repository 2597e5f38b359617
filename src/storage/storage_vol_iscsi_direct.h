/*
 * storage_vol_iscsi_direct.h: the LUNs of an iscsi-direct pool as
 * volumes: named, wiped, streamed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every function takes the pool's login (storage_iscsi_direct_session.h)
 * and opens a session of its own for the time of the call (or of the
 * stream), never a pool object.
 */

#pragma once

#include "storage_conf.h"
#include "storage_iscsi_direct_lun.h"
#include "storage_stream.h"

/* Name, key, target path (as libvirt 9.0 gives them: "unit:0:0:LUN",
 * "ip-PORTAL-iscsi-IQN-lun-LUN"), type, capacity and allocation of the
 * volume of LUN @info. */
void
virStorageVolISCSIDirectApply(const virStorageISCSIDirectLogin *login,
                              const virStorageISCSIDirectLun *info,
                              virStorageVolDef *vol);

/* Wipes the LUN of @vol: 'zero' (and 'trim' on a thin LUN) by WRITE SAME
 * (with UNMAP where the LUN has it).  Reports. */
int
virStorageVolISCSIDirectWipe(const virStorageISCSIDirectLogin *login,
                             virStorageVolDef *vol,
                             unsigned int algorithm,
                             unsigned int flags);

/* Fills @target for an upload into or a download from the LUN of @vol,
 * on a session of its own; @offset and @len as virStorageVolUpload takes
 * them, checked against the LUN's size (an upload never goes past its
 * end).  Reports. */
int
virStorageVolISCSIDirectStreamTarget(const virStorageISCSIDirectLogin *login,
                                     virStorageVolDef *vol,
                                     unsigned long long offset,
                                     unsigned long long len,
                                     bool upload,
                                     bool sparse,
                                     virStorageStreamTarget *target);
