/*
 * storage_backend_gluster.c: the gluster (GlusterFS) storage pool backend
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A gluster pool is a directory of a Gluster volume, reached through
 * libgfapi (no FUSE mount); its volumes are the files of that directory.
 * The pool's callbacks and its connection are in storage_pool_gluster.c.
 */

#include <config.h>

#include "storage_backend.h"
#include "storage_gluster_sources.h"
#include "storage_pool_gluster.h"
#include "storage_pool_gluster_volumes.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static virStorageBackend virStorageBackendGluster = {
    .type = VIR_STORAGE_POOL_GLUSTER,

    .checkPool = virStoragePoolGlusterCheck,
    .startPool = virStoragePoolGlusterStart,
    .refreshPool = virStoragePoolGlusterRefresh,
    .stopPool = virStoragePoolGlusterStop,
    .findPoolSources = virStorageGlusterFindPoolSources,

    VIR_STORAGE_BACKEND_GLUSTER_VOL_CALLBACKS,
};


int virStorageBackendGlusterRegister(void);

int
virStorageBackendGlusterRegister(void)
{
    return virStorageBackendRegister(&virStorageBackendGluster);
}
