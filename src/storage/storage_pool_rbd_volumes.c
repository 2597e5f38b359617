/*
 * storage_pool_rbd_volumes.c: the volume callbacks of rbd pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What is done to an image is in the volume unit (storage_vol_rbd.c);
 * here each callback gets the pool's connection and what only the pool
 * knows:
 *
 *  - a clone's source must be a volume of this very pool (libvirt's
 *    driver also hands over volumes of other pools, of any type);
 *  - when a clone fails, libvirt's driver deletes the new volume by
 *    name.  If the clone failed because an image of that name appeared
 *    on the cluster after createVol looked, that image is someone
 *    else's: the clone marks the name and the delete that follows
 *    leaves the image alone;
 *  - a stream holds the pool's connection (the image is open on it) and
 *    the volume's guard, the one file volumes take, until it ends.
 */

#include <config.h>

#include "storage_pool_rbd_volumes.h"
#include "storage_pool_rbd.h"
#include "storage_vol_job.h"
#include "storage_vol_rbd.h"
#include "storage_vol_rbd_stream.h"
#include "storage_vol_stream.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_rbd_volumes");


/* Names (the very strings of the definitions, shared by the driver's
 * copy and its own) of clones that failed on an image of someone
 * else's; under virStoragePoolRBDKeepLock. */
static GHashTable *virStoragePoolRBDKeep;
static GMutex virStoragePoolRBDKeepLock;

static void
virStoragePoolRBDKeepMark(const char *name)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&virStoragePoolRBDKeepLock);

    if (!virStoragePoolRBDKeep)
        virStoragePoolRBDKeep = g_hash_table_new(NULL, NULL);
    g_hash_table_add(virStoragePoolRBDKeep, (gpointer) name);
}


/* Was @name marked?  Unmarks it. */
static bool
virStoragePoolRBDKeepTake(const char *name)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&virStoragePoolRBDKeepLock);

    return virStoragePoolRBDKeep &&
           g_hash_table_remove(virStoragePoolRBDKeep, name);
}


/* Allocation as the pool's <refresh><volume allocation=/> asks. */
static virStorageRBDImageAllocation
virStoragePoolRBDVolAllocation(virStoragePoolDef *def)
{
    if (def->refresh &&
        def->refresh->volume.allocation == VIR_STORAGE_VOL_DEF_REFRESH_ALLOCATION_CAPACITY)
        return VIR_STORAGE_RBD_IMAGE_ALLOCATION_CAPACITY;
    return VIR_STORAGE_RBD_IMAGE_ALLOCATION_REAL;
}


int
virStoragePoolRBDCreateVol(virStoragePoolObj *pool,
                           virStorageVolDef *vol)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolRBDConn) conn = NULL;

    if (!(conn = virStoragePoolRBDConnGet(pool)))
        return -1;
    return virStorageVolRBDDefine(virStoragePoolRBDConnIoctx(conn), def->name, vol);
}


int
virStoragePoolRBDBuildVol(virStoragePoolObj *pool,
                          virStorageVolDef *vol,
                          unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolRBDConn) conn = NULL;

    if (!(conn = virStoragePoolRBDConnGet(pool)))
        return -1;
    return virStorageVolRBDBuild(virStoragePoolRBDConnIoctx(conn), def->name,
                                 vol, flags);
}


/* Is @vol a volume of @pool (which is unlocked)? */
static bool
virStoragePoolRBDHasVol(virStoragePoolObj *pool,
                        virStorageVolDef *vol)
{
    bool found;

    virObjectLock(pool);
    found = virStorageVolDefFindByName(pool, vol->name) == vol;
    virObjectUnlock(pool);
    return found;
}


int
virStoragePoolRBDBuildVolFrom(virStoragePoolObj *pool,
                              virStorageVolDef *newvol,
                              virStorageVolDef *origvol,
                              unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolRBDConn) conn = NULL;
    bool existed = false;

    if (!virStoragePoolRBDHasVol(pool, origvol)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' is not in rbd pool '%s': an rbd pool clones only its own volumes, upload the data into a new volume instead"),
                       origvol->name, def->name);
        return -1;
    }

    if (!(conn = virStoragePoolRBDConnGet(pool)))
        return -1;

    if (virStorageVolRBDBuildFrom(virStoragePoolRBDConnIoctx(conn), def->name,
                                  newvol, origvol, flags, &existed) < 0) {
        if (existed)
            virStoragePoolRBDKeepMark(newvol->name);
        return -1;
    }
    return 0;
}


int
virStoragePoolRBDRefreshVol(virStoragePoolObj *pool,
                            virStorageVolDef *vol)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolRBDConn) conn = NULL;

    /* storage_vol_job.h: its job refreshes it when it ends */
    if (virStorageVolJobRunning(vol))
        return 0;

    if (!(conn = virStoragePoolRBDConnGet(pool)))
        return -1;
    return virStorageVolRBDRefresh(virStoragePoolRBDConnIoctx(conn), def->name, vol,
                                   virStoragePoolRBDVolAllocation(def));
}


int
virStoragePoolRBDDeleteVol(virStoragePoolObj *pool,
                           virStorageVolDef *vol,
                           unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolRBDConn) conn = NULL;

    if (virStoragePoolRBDKeepTake(vol->name)) {
        VIR_DEBUG("image '%s' of pool '%s' is not the failed clone's: kept",
                  vol->name, def->name);
        return 0;
    }

    if (!(conn = virStoragePoolRBDConnGet(pool)))
        return -1;
    return virStorageVolRBDDelete(virStoragePoolRBDConnIoctx(conn), def->name,
                                  vol, flags);
}


int
virStoragePoolRBDResizeVol(virStoragePoolObj *pool,
                           virStorageVolDef *vol,
                           unsigned long long capacity,
                           unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolRBDConn) conn = NULL;

    if (!(conn = virStoragePoolRBDConnGet(pool)))
        return -1;
    return virStorageVolRBDResize(virStoragePoolRBDConnIoctx(conn), def->name,
                                  vol, capacity, flags);
}


int
virStoragePoolRBDWipeVol(virStoragePoolObj *pool,
                         virStorageVolDef *vol,
                         unsigned int algorithm,
                         unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolRBDConn) conn = NULL;

    if (!(conn = virStoragePoolRBDConnGet(pool)))
        return -1;
    return virStorageVolRBDWipe(virStoragePoolRBDConnIoctx(conn), def->name,
                                vol, algorithm, flags);
}


static int
virStoragePoolRBDStreamStart(virStoragePoolObj *pool,
                             virStorageVolDef *vol,
                             virStreamPtr stream,
                             unsigned long long offset,
                             unsigned long long len,
                             bool upload,
                             bool sparse)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolRBDConn) conn = NULL;
    virStorageStreamTarget target = { 0 };

    if (!(conn = virStoragePoolRBDConnGet(pool)))
        return -1;

    if (virStorageVolRBDStreamTarget(virStoragePoolRBDConnIoctx(conn), def->name,
                                     vol, offset, len, upload, sparse, &target) < 0)
        return -1;

    return virStorageVolStreamOpenWithConn(pool, vol, stream, &target, upload,
                                           g_steal_pointer(&conn),
                                           (GDestroyNotify) virStoragePoolRBDConnPut);
}


int
virStoragePoolRBDUploadVol(virStoragePoolObj *pool,
                           virStorageVolDef *vol,
                           virStreamPtr stream,
                           unsigned long long offset,
                           unsigned long long len,
                           unsigned int flags)
{
    virCheckFlags(VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM, -1);

    return virStoragePoolRBDStreamStart(pool, vol, stream, offset, len, true,
                                        flags & VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM);
}


int
virStoragePoolRBDDownloadVol(virStoragePoolObj *pool,
                             virStorageVolDef *vol,
                             virStreamPtr stream,
                             unsigned long long offset,
                             unsigned long long len,
                             unsigned int flags)
{
    virCheckFlags(VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM, -1);

    return virStoragePoolRBDStreamStart(pool, vol, stream, offset, len, false,
                                        flags & VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM);
}
