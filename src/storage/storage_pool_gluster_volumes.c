/*
 * storage_pool_gluster_volumes.c: the volume callbacks of gluster pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What is done to a file is in the volume unit (storage_vol_gluster.c);
 * here each callback gets the pool's connection and what only the pool
 * knows:
 *
 *  - a clone's source must be a volume of this very pool (libvirt's
 *    driver also hands over volumes of other pools, of any type);
 *  - when a clone fails, libvirt's driver deletes the new volume by
 *    name (after a failed buildVol it does not).  The volume unit has
 *    removed what it made already, so whatever stands under that name
 *    then (an entry made by a client meanwhile) is someone else's: the
 *    clone marks the name and the delete that follows leaves it alone;
 *  - a stream holds the pool's connection (the file is open on it) and
 *    the volume's guard, the one file volumes take, until it ends.
 */

#include <config.h>

#include "storage_pool_gluster_volumes.h"
#include "storage_pool_gluster.h"
#include "storage_vol_gluster.h"
#include "storage_vol_gluster_stream.h"
#include "storage_vol_job.h"
#include "storage_vol_stream.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_gluster_volumes");


/* Names (the very strings of the definitions, shared by the driver's
 * copy and its own) of clones that failed, each marked only until the
 * delete the driver runs right after; under
 * virStoragePoolGlusterKeepLock. */
static GHashTable *virStoragePoolGlusterKeep;
static GMutex virStoragePoolGlusterKeepLock;

static void
virStoragePoolGlusterKeepMark(const char *name)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&virStoragePoolGlusterKeepLock);

    if (!virStoragePoolGlusterKeep)
        virStoragePoolGlusterKeep = g_hash_table_new(NULL, NULL);
    g_hash_table_add(virStoragePoolGlusterKeep, (gpointer) name);
}


/* Was @name marked?  Unmarks it. */
static bool
virStoragePoolGlusterKeepTake(const char *name)
{
    g_autoptr(GMutexLocker) locker G_GNUC_UNUSED = g_mutex_locker_new(&virStoragePoolGlusterKeepLock);

    return virStoragePoolGlusterKeep &&
           g_hash_table_remove(virStoragePoolGlusterKeep, name);
}


int
virStoragePoolGlusterCreateVol(virStoragePoolObj *pool,
                               virStorageVolDef *vol)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolGlusterConn) conn = NULL;

    if (!(conn = virStoragePoolGlusterConnGet(pool)))
        return -1;
    return virStorageVolGlusterDefine(virStoragePoolGlusterConnFS(conn), def->name,
                                      virStoragePoolGlusterConnDir(conn),
                                      &def->source, vol);
}


int
virStoragePoolGlusterBuildVol(virStoragePoolObj *pool,
                              virStorageVolDef *vol,
                              unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolGlusterConn) conn = NULL;

    if (!(conn = virStoragePoolGlusterConnGet(pool)))
        return -1;
    return virStorageVolGlusterBuild(virStoragePoolGlusterConnFS(conn), def->name,
                                     virStoragePoolGlusterConnDir(conn), vol, flags);
}


/* Is @vol a volume of @pool (which is unlocked)? */
static bool
virStoragePoolGlusterHasVol(virStoragePoolObj *pool,
                            virStorageVolDef *vol)
{
    bool found;

    virObjectLock(pool);
    found = virStorageVolDefFindByName(pool, vol->name) == vol;
    virObjectUnlock(pool);
    return found;
}


int
virStoragePoolGlusterBuildVolFrom(virStoragePoolObj *pool,
                                  virStorageVolDef *newvol,
                                  virStorageVolDef *origvol,
                                  unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolGlusterConn) conn = NULL;

    /* every failure is followed by the driver's delete */
    if (!virStoragePoolGlusterHasVol(pool, origvol)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' is not in gluster pool '%s': a gluster pool clones only its own volumes, upload the data into a new volume instead"),
                       origvol->name, def->name);
        virStoragePoolGlusterKeepMark(newvol->name);
        return -1;
    }

    if (!(conn = virStoragePoolGlusterConnGet(pool)) ||
        virStorageVolGlusterBuildFrom(virStoragePoolGlusterConnFS(conn), def->name,
                                      virStoragePoolGlusterConnDir(conn),
                                      newvol, origvol, flags) < 0) {
        virStoragePoolGlusterKeepMark(newvol->name);
        return -1;
    }
    return 0;
}


int
virStoragePoolGlusterRefreshVol(virStoragePoolObj *pool,
                                virStorageVolDef *vol)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolGlusterConn) conn = NULL;

    /* storage_vol_job.h: its job refreshes it when it ends */
    if (virStorageVolJobRunning(vol))
        return 0;

    if (!(conn = virStoragePoolGlusterConnGet(pool)))
        return -1;
    return virStorageVolGlusterRefresh(virStoragePoolGlusterConnFS(conn), def->name,
                                       virStoragePoolGlusterConnDir(conn),
                                       &def->source, vol);
}


int
virStoragePoolGlusterDeleteVol(virStoragePoolObj *pool,
                               virStorageVolDef *vol,
                               unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolGlusterConn) conn = NULL;

    if (virStoragePoolGlusterKeepTake(vol->name)) {
        VIR_DEBUG("entry '%s' of pool '%s' is not the failed build's: kept",
                  vol->name, def->name);
        return 0;
    }

    if (!(conn = virStoragePoolGlusterConnGet(pool)))
        return -1;
    return virStorageVolGlusterDelete(virStoragePoolGlusterConnFS(conn), def->name,
                                      virStoragePoolGlusterConnDir(conn), vol, flags);
}


int
virStoragePoolGlusterResizeVol(virStoragePoolObj *pool,
                               virStorageVolDef *vol,
                               unsigned long long capacity,
                               unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolGlusterConn) conn = NULL;

    if (!(conn = virStoragePoolGlusterConnGet(pool)))
        return -1;
    return virStorageVolGlusterResize(virStoragePoolGlusterConnFS(conn), def->name,
                                      virStoragePoolGlusterConnDir(conn), vol,
                                      capacity, flags);
}


int
virStoragePoolGlusterWipeVol(virStoragePoolObj *pool,
                             virStorageVolDef *vol,
                             unsigned int algorithm,
                             unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolGlusterConn) conn = NULL;

    if (!(conn = virStoragePoolGlusterConnGet(pool)))
        return -1;
    return virStorageVolGlusterWipe(virStoragePoolGlusterConnFS(conn), def->name,
                                    virStoragePoolGlusterConnDir(conn), vol,
                                    algorithm, flags);
}


static int
virStoragePoolGlusterStreamStart(virStoragePoolObj *pool,
                                 virStorageVolDef *vol,
                                 virStreamPtr stream,
                                 unsigned long long offset,
                                 unsigned long long len,
                                 bool upload,
                                 bool sparse)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolGlusterConn) conn = NULL;
    virStorageStreamTarget target = { 0 };

    if (!(conn = virStoragePoolGlusterConnGet(pool)))
        return -1;

    if (virStorageVolGlusterStreamTarget(virStoragePoolGlusterConnFS(conn), def->name,
                                         virStoragePoolGlusterConnDir(conn), vol,
                                         offset, len, upload, sparse, &target) < 0)
        return -1;

    return virStorageVolStreamOpenWithConn(pool, vol, stream, &target, upload,
                                           g_steal_pointer(&conn),
                                           (GDestroyNotify) virStoragePoolGlusterConnPut);
}


int
virStoragePoolGlusterUploadVol(virStoragePoolObj *pool,
                               virStorageVolDef *vol,
                               virStreamPtr stream,
                               unsigned long long offset,
                               unsigned long long len,
                               unsigned int flags)
{
    virCheckFlags(VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM, -1);

    return virStoragePoolGlusterStreamStart(pool, vol, stream, offset, len, true,
                                            flags & VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM);
}


int
virStoragePoolGlusterDownloadVol(virStoragePoolObj *pool,
                                 virStorageVolDef *vol,
                                 virStreamPtr stream,
                                 unsigned long long offset,
                                 unsigned long long len,
                                 unsigned int flags)
{
    virCheckFlags(VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM, -1);

    return virStoragePoolGlusterStreamStart(pool, vol, stream, offset, len, false,
                                            flags & VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM);
}
