/*
 * storage_vol_block.h: data of volumes that are block devices
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Upload, download, wipe and clone of volumes whose target is a block
 * device holding raw data (partitions; later logical volumes).  Upload,
 * download and wipe run with the pool unlocked, as their typedefs in
 * storage_backend.h say.
 */

#pragma once

#include "storage_backend.h"

int virStorageVolBlockUpload(virStoragePoolObj *pool, virStorageVolDef *vol,
                             virStreamPtr stream, unsigned long long offset,
                             unsigned long long len, unsigned int flags);
int virStorageVolBlockDownload(virStoragePoolObj *pool, virStorageVolDef *vol,
                               virStreamPtr stream, unsigned long long offset,
                               unsigned long long len, unsigned int flags);
int virStorageVolBlockWipe(virStoragePoolObj *pool, virStorageVolDef *vol,
                           unsigned int algorithm, unsigned int flags);
int virStorageVolBlockBuildFrom(virStoragePoolObj *pool,
                                virStorageVolDef *vol,
                                virStorageVolDef *inputvol,
                                unsigned int flags);

/* The data callbacks of every backend whose volumes are block devices. */
#define VIR_STORAGE_BACKEND_BLOCK_VOL_CALLBACKS \
    .buildVolFrom = virStorageVolBlockBuildFrom, \
    .uploadVol = virStorageVolBlockUpload, \
    .downloadVol = virStorageVolBlockDownload, \
    .wipeVol = virStorageVolBlockWipe
