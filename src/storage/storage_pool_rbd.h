/*
 * storage_pool_rbd.h: rbd pools, one cluster connection per active pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <rados/librados.h>

#include "internal.h"
#include "virstorageobj.h"

/*
 * The connection of an active rbd pool to its cluster: a rados_t and an
 * I/O context on the pool's RADOS pool, made at start (or at the check
 * of a pool that was active when the daemon restarted) and kept until
 * stop.  It is ref-counted: a call that took it with
 * virStoragePoolRBDConnGet keeps it usable until its
 * virStoragePoolRBDConnPut, even if the pool is stopped meanwhile; the
 * last Put shuts it down.  Get and Put may be called with or without the
 * pool locked, from any thread.
 */
typedef struct _virStoragePoolRBDConn virStoragePoolRBDConn;

/* The connection of @pool, with a reference for the caller.  Reports
 * VIR_ERR_OPERATION_INVALID and returns NULL when the pool has none (it
 * is not active). */
virStoragePoolRBDConn *
virStoragePoolRBDConnGet(virStoragePoolObj *pool);

rados_ioctx_t
virStoragePoolRBDConnIoctx(virStoragePoolRBDConn *conn);

rados_t
virStoragePoolRBDConnCluster(virStoragePoolRBDConn *conn);

/* Drops the caller's reference; NULL is fine. */
void
virStoragePoolRBDConnPut(virStoragePoolRBDConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePoolRBDConn, virStoragePoolRBDConnPut);

/* The pool callbacks of storage_backend.h. */
int
virStoragePoolRBDCheck(virStoragePoolObj *pool,
                       bool *active);

int
virStoragePoolRBDStart(virStoragePoolObj *pool);

int
virStoragePoolRBDStop(virStoragePoolObj *pool);

int
virStoragePoolRBDRefresh(virStoragePoolObj *pool);
