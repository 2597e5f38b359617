/*
 * storage_pool_rbd.c: rbd pools, one cluster connection per active pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libvirt 9.0 connects to the cluster for every refresh and every volume
 * call and shuts the connection down after it.  Here a pool connects
 * once, at start, and keeps its connection while it is active: the
 * connections live in a table keyed by the pool's UUID, each holding
 * one reference for the table and one for each call using it.
 */

#include <config.h>

#include "storage_pool_rbd.h"
#include "storage_conn_table.h"
#include "storage_rbd_cluster.h"
#include "storage_rbd_image.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_rbd");

struct _virStoragePoolRBDConn {
    gint refs;
    char *name;             /* the pool's, for the log */
    rados_t cluster;
    rados_ioctx_t ioctx;
};


static void
virStoragePoolRBDConnFree(virStoragePoolRBDConn *conn)
{
    VIR_DEBUG("rbd pool '%s': closing its cluster connection", conn->name);
    virStorageRBDClusterClose(conn->cluster, conn->ioctx);
    g_free(conn->name);
    g_free(conn);
}


void
virStoragePoolRBDConnPut(virStoragePoolRBDConn *conn)
{
    if (conn && g_atomic_int_dec_and_test(&conn->refs))
        virStoragePoolRBDConnFree(conn);
}


static void
virStoragePoolRBDConnRef(virStoragePoolRBDConn *conn)
{
    g_atomic_int_inc(&conn->refs);
}


/* the connections of the active pools, by UUID */
static virStorageConnTable virStoragePoolRBDConns =
    VIR_STORAGE_CONN_TABLE_INIT(virStoragePoolRBDConnRef, virStoragePoolRBDConnPut);


rados_ioctx_t
virStoragePoolRBDConnIoctx(virStoragePoolRBDConn *conn)
{
    return conn->ioctx;
}


rados_t
virStoragePoolRBDConnCluster(virStoragePoolRBDConn *conn)
{
    return conn->cluster;
}


virStoragePoolRBDConn *
virStoragePoolRBDConnGet(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    virStoragePoolRBDConn *conn;

    if (!(conn = virStorageConnTableGet(&virStoragePoolRBDConns, def->uuid))) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("rbd pool '%s' is not connected to its Ceph cluster: start the pool first"),
                       def->name);
    }

    return conn;
}


static int
virStoragePoolRBDConnect(virStoragePoolDef *def)
{
    virStoragePoolRBDConn *conn = g_new0(virStoragePoolRBDConn, 1);

    if (virStorageRBDClusterConnect(def, &conn->cluster, &conn->ioctx) < 0) {
        g_free(conn);
        return -1;
    }

    conn->refs = 1;
    conn->name = g_strdup(def->name);
    virStorageConnTableSet(&virStoragePoolRBDConns, def->uuid, conn);
    return 0;
}


int
virStoragePoolRBDCheck(virStoragePoolObj *pool,
                       bool *active)
{
    /* Only a pool that was active when the daemon stopped (its state was
     * saved) is connected again; the others stay inactive. */
    if (!virStoragePoolObjIsActive(pool)) {
        *active = false;
        return 0;
    }

    if (virStoragePoolRBDConnect(virStoragePoolObjGetDef(pool)) < 0)
        return -1;

    *active = true;
    return 0;
}


int
virStoragePoolRBDStart(virStoragePoolObj *pool)
{
    return virStoragePoolRBDConnect(virStoragePoolObjGetDef(pool));
}


int
virStoragePoolRBDStop(virStoragePoolObj *pool)
{
    virStorageConnTableSet(&virStoragePoolRBDConns, virStoragePoolObjGetDef(pool)->uuid,
                           NULL);
    return 0;
}


static virStorageRBDImageAllocation
virStoragePoolRBDAllocationMode(virStoragePoolDef *def)
{
    if (def->refresh &&
        def->refresh->volume.allocation == VIR_STORAGE_VOL_DEF_REFRESH_ALLOCATION_CAPACITY)
        return VIR_STORAGE_RBD_IMAGE_ALLOCATION_CAPACITY;

    return VIR_STORAGE_RBD_IMAGE_ALLOCATION_REAL;
}


int
virStoragePoolRBDRefresh(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStoragePoolRBDConn) conn = NULL;
    g_autoptr(virStorageRBDImageList) images = NULL;
    size_t i;

    if (!(conn = virStoragePoolRBDConnGet(pool)))
        return -1;

    if (virStorageRBDClusterStat(def, conn->cluster, conn->ioctx) < 0)
        return -1;

    if (!(images = virStorageRBDImageReadAll(conn->ioctx, def->source.name,
                                             virStoragePoolRBDAllocationMode(def))))
        return -1;

    for (i = 0; i < images->nimages; i++) {
        g_autoptr(virStorageVolDef) vol = g_new0(virStorageVolDef, 1);

        vol->name = g_strdup(images->images[i].name);
        virStorageRBDImageApply(def->source.name, &images->images[i], vol);

        if (virStoragePoolObjAddVol(pool, vol) < 0) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("cannot add volume '%s' to rbd pool '%s'"),
                           vol->name, def->name);
            return -1;
        }
        vol = NULL;
    }

    VIR_DEBUG("rbd pool '%s': %zu images", def->name, images->nimages);
    return 0;
}
