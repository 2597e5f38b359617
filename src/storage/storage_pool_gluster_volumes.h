/*
 * storage_pool_gluster_volumes.h: the volume callbacks of gluster pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each takes the pool's connection (storage_pool_gluster.h) for the time
 * of the call and hands its glfs_t and directory to the volume unit
 * (storage_vol_gluster.h, storage_vol_gluster_stream.h).  buildVol,
 * buildVolFrom, wipeVol, uploadVol and downloadVol run with the pool
 * unlocked, as storage_backend.h says; the connection is ref-counted, so
 * a pool stopped meanwhile does not pull it away.  A stream keeps the
 * connection, and the volume guarded (storage_vol_stream.h), until its
 * finish or abort.
 */

#pragma once

#include "storage_backend.h"

int virStoragePoolGlusterCreateVol(virStoragePoolObj *pool, virStorageVolDef *vol);
int virStoragePoolGlusterBuildVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                                  unsigned int flags);
int virStoragePoolGlusterBuildVolFrom(virStoragePoolObj *pool, virStorageVolDef *newvol,
                                      virStorageVolDef *origvol, unsigned int flags);
int virStoragePoolGlusterRefreshVol(virStoragePoolObj *pool, virStorageVolDef *vol);
int virStoragePoolGlusterDeleteVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                                   unsigned int flags);
int virStoragePoolGlusterResizeVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                                   unsigned long long capacity, unsigned int flags);
int virStoragePoolGlusterWipeVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                                 unsigned int algorithm, unsigned int flags);
int virStoragePoolGlusterUploadVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                                   virStreamPtr stream, unsigned long long offset,
                                   unsigned long long len, unsigned int flags);
int virStoragePoolGlusterDownloadVol(virStoragePoolObj *pool, virStorageVolDef *vol,
                                     virStreamPtr stream, unsigned long long offset,
                                     unsigned long long len, unsigned int flags);

/* Every volume callback of a gluster pool, for its backend table. */
#define VIR_STORAGE_BACKEND_GLUSTER_VOL_CALLBACKS \
    .createVol = virStoragePoolGlusterCreateVol, \
    .buildVol = virStoragePoolGlusterBuildVol, \
    .buildVolFrom = virStoragePoolGlusterBuildVolFrom, \
    .refreshVol = virStoragePoolGlusterRefreshVol, \
    .deleteVol = virStoragePoolGlusterDeleteVol, \
    .resizeVol = virStoragePoolGlusterResizeVol, \
    .wipeVol = virStoragePoolGlusterWipeVol, \
    .uploadVol = virStoragePoolGlusterUploadVol, \
    .downloadVol = virStoragePoolGlusterDownloadVol
