/*
 * storage_pool_iscsi_direct_volumes.h: the volume callbacks of
 * iscsi-direct pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each takes the pool's login (storage_pool_iscsi_direct.h) for the time
 * of the call and hands it to the volume unit (storage_vol_iscsi_direct.h),
 * which logs in on a session of its own.  A stream keeps the pool's
 * connection and the volume's guard (storage_vol_stream.h) until its
 * finish or abort.  The LUNs are the target's: no create, delete or
 * resize.
 */

#pragma once

#include "storage_backend.h"

int virStoragePoolISCSIDirectWipeVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                                     unsigned int algorithm, unsigned int flags);
int virStoragePoolISCSIDirectUploadVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                                       virStreamPtr stream, unsigned long long offset,
                                       unsigned long long len, unsigned int flags);
int virStoragePoolISCSIDirectDownloadVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                                         virStreamPtr stream, unsigned long long offset,
                                         unsigned long long len, unsigned int flags);

/* Every volume callback of an iscsi-direct pool, for its backend table. */
#define VIR_STORAGE_BACKEND_ISCSI_DIRECT_VOL_CALLBACKS \
    .wipeVol = virStoragePoolISCSIDirectWipeVol, \
    .uploadVol = virStoragePoolISCSIDirectUploadVol, \
    .downloadVol = virStoragePoolISCSIDirectDownloadVol
