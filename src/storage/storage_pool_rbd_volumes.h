/*
 * storage_pool_rbd_volumes.h: the volume callbacks of rbd pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each takes the pool's cluster connection (storage_pool_rbd.h) for the
 * time of the call and hands its I/O context to the volume unit
 * (storage_vol_rbd.h, storage_vol_rbd_stream.h).  buildVol, buildVolFrom,
 * wipeVol, uploadVol and downloadVol run with the pool unlocked, as
 * storage_backend.h says; the connection is ref-counted, so a pool
 * stopped meanwhile does not pull it away.  A stream keeps the
 * connection, and the volume guarded (storage_vol_stream.h), until its
 * finish or abort.
 */

#pragma once

#include "storage_backend.h"

int virStoragePoolRBDCreateVol(virStoragePoolObj *pool, virStorageVolDef *vol);
int virStoragePoolRBDBuildVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                              unsigned int flags);
int virStoragePoolRBDBuildVolFrom(virStoragePoolObj *pool, virStorageVolDef *newvol,
                                  virStorageVolDef *origvol, unsigned int flags);
int virStoragePoolRBDRefreshVol(virStoragePoolObj *pool, virStorageVolDef *vol);
int virStoragePoolRBDDeleteVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                               unsigned int flags);
int virStoragePoolRBDResizeVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                               unsigned long long capacity, unsigned int flags);
int virStoragePoolRBDWipeVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                             unsigned int algorithm, unsigned int flags);
int virStoragePoolRBDUploadVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                               virStreamPtr stream, unsigned long long offset,
                               unsigned long long len, unsigned int flags);
int virStoragePoolRBDDownloadVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                                 virStreamPtr stream, unsigned long long offset,
                                 unsigned long long len, unsigned int flags);

/* Every volume callback of an rbd pool, for its backend table. */
#define VIR_STORAGE_BACKEND_RBD_VOL_CALLBACKS \
    .createVol = virStoragePoolRBDCreateVol, \
    .buildVol = virStoragePoolRBDBuildVol, \
    .buildVolFrom = virStoragePoolRBDBuildVolFrom, \
    .refreshVol = virStoragePoolRBDRefreshVol, \
    .deleteVol = virStoragePoolRBDDeleteVol, \
    .resizeVol = virStoragePoolRBDResizeVol, \
    .wipeVol = virStoragePoolRBDWipeVol, \
    .uploadVol = virStoragePoolRBDUploadVol, \
    .downloadVol = virStoragePoolRBDDownloadVol
