/*
 * storage_backend_fs.c: the dir, fs and netfs storage pool backends
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The three backends share their volume callbacks: every volume is a file
 * (or directory) in the pool's target directory.  They differ in how the
 * directory comes to exist: dir pools just have it, fs pools mount a
 * local block device on it, netfs pools a network share.
 */

#include <config.h>

#include "storage_backend.h"
#include "storage_pool_dir.h"
#include "storage_pool_mount.h"
#include "storage_vol_file.h"
#include "storage_vol_clone.h"
#include "storage_vol_stream.h"
#include "storage_vol_wipe.h"
#include "storage_netfs_sources.h"
#include "storage_pool_fs_namespace.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static virStorageBackend virStorageBackendDir = {
    .type = VIR_STORAGE_POOL_DIR,

    .checkPool = virStoragePoolDirCheck,
    .startPool = virStoragePoolDirStart,
    .buildPool = virStoragePoolDirBuild,
    .refreshPool = virStoragePoolDirRefresh,
    .deletePool = virStoragePoolDirDelete,

    VIR_STORAGE_BACKEND_FILE_VOL_CALLBACKS,
};

static virStorageBackend virStorageBackendFs = {
    .type = VIR_STORAGE_POOL_FS,

    .checkPool = virStoragePoolMountCheck,
    .startPool = virStoragePoolMountStart,
    .buildPool = virStoragePoolFsBuild,
    .refreshPool = virStoragePoolDirRefresh,
    .stopPool = virStoragePoolMountStop,
    .deletePool = virStoragePoolDirDelete,

    VIR_STORAGE_BACKEND_FILE_VOL_CALLBACKS,
};

static virStorageBackend virStorageBackendNetfs = {
    .type = VIR_STORAGE_POOL_NETFS,

    .findPoolSources = virStorageNetfsFindPoolSources,
    .checkPool = virStoragePoolMountCheck,
    .startPool = virStoragePoolMountStart,
    .buildPool = virStoragePoolDirBuild,
    .refreshPool = virStoragePoolNetfsRefresh,
    .stopPool = virStoragePoolMountStop,
    .deletePool = virStoragePoolDirDelete,

    VIR_STORAGE_BACKEND_FILE_VOL_CALLBACKS,
};


int virStorageBackendFsRegister(void);

int
virStorageBackendFsRegister(void)
{
    if (virStorageBackendRegister(&virStorageBackendDir) < 0 ||
        virStorageBackendRegister(&virStorageBackendFs) < 0 ||
        virStorageBackendRegister(&virStorageBackendNetfs) < 0)
        return -1;

    return virStoragePoolFSNamespaceRegister();
}
