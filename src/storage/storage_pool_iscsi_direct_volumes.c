/*
 * storage_pool_iscsi_direct_volumes.c: the volume callbacks of
 * iscsi-direct pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_pool_iscsi_direct_volumes.h"
#include "storage_pool_iscsi_direct.h"
#include "storage_vol_iscsi_direct.h"
#include "storage_vol_stream.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE


int
virStoragePoolISCSIDirectWipeVol(virStoragePoolObj *pool,
                                 virStorageVolDef *vol,
                                 unsigned int algorithm,
                                 unsigned int flags)
{
    g_autoptr(virStoragePoolISCSIDirectConn) conn = NULL;

    if (!(conn = virStoragePoolISCSIDirectConnGet(pool)))
        return -1;
    return virStorageVolISCSIDirectWipe(virStoragePoolISCSIDirectConnLogin(conn),
                                        vol, algorithm, flags);
}


static int
virStoragePoolISCSIDirectStreamStart(virStoragePoolObj *pool,
                                     virStorageVolDef *vol,
                                     virStreamPtr stream,
                                     unsigned long long offset,
                                     unsigned long long len,
                                     bool upload,
                                     bool sparse)
{
    g_autoptr(virStoragePoolISCSIDirectConn) conn = NULL;
    virStorageStreamTarget target = { 0 };

    if (!(conn = virStoragePoolISCSIDirectConnGet(pool)))
        return -1;

    if (virStorageVolISCSIDirectStreamTarget(virStoragePoolISCSIDirectConnLogin(conn),
                                             vol, offset, len, upload, sparse,
                                             &target) < 0)
        return -1;

    return virStorageVolStreamOpenWithConn(pool, vol, stream, &target, upload,
                                           g_steal_pointer(&conn),
                                           (GDestroyNotify) virStoragePoolISCSIDirectConnPut);
}


int
virStoragePoolISCSIDirectUploadVol(virStoragePoolObj *pool,
                                   virStorageVolDef *vol,
                                   virStreamPtr stream,
                                   unsigned long long offset,
                                   unsigned long long len,
                                   unsigned int flags)
{
    virCheckFlags(VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM, -1);

    return virStoragePoolISCSIDirectStreamStart(pool, vol, stream, offset, len, true,
                                                flags & VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM);
}


int
virStoragePoolISCSIDirectDownloadVol(virStoragePoolObj *pool,
                                     virStorageVolDef *vol,
                                     virStreamPtr stream,
                                     unsigned long long offset,
                                     unsigned long long len,
                                     unsigned int flags)
{
    virCheckFlags(VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM, -1);

    return virStoragePoolISCSIDirectStreamStart(pool, vol, stream, offset, len, false,
                                                flags & VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM);
}
