/*
 * storage_pool_gluster.h: gluster pools, one libgfapi connection per
 * active pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glusterfs/api/glfs.h>

#include "internal.h"
#include "virstorageobj.h"

/*
 * The connection of an active gluster pool to its Gluster volume: a
 * glfs_t made at start (or at the check of a pool that was active when
 * the daemon restarted) and kept until stop, and the pool's directory in
 * the volume.  It is ref-counted: a call that took it with
 * virStoragePoolGlusterConnGet keeps it usable until its
 * virStoragePoolGlusterConnPut, even if the pool is stopped meanwhile;
 * the last Put releases the glfs_t on a background thread (glfs_fini
 * takes seconds), so neither a stop nor a Put ever waits for it.  Get
 * and Put may be called with or without the pool locked, from any
 * thread; a glfs_t may be used by several threads at once.
 */
typedef struct _virStoragePoolGlusterConn virStoragePoolGlusterConn;

/* The connection of @pool, with a reference for the caller.  Reports
 * VIR_ERR_OPERATION_INVALID and returns NULL when the pool has none (it
 * is not active). */
virStoragePoolGlusterConn *
virStoragePoolGlusterConnGet(virStoragePoolObj *pool);

glfs_t *
virStoragePoolGlusterConnFS(virStoragePoolGlusterConn *conn);

/* The pool's directory inside the volume, as gfapi paths take it: "/" or
 * "/sub/dir" (no trailing '/'). */
const char *
virStoragePoolGlusterConnDir(virStoragePoolGlusterConn *conn);

/* Drops the caller's reference; NULL is fine. */
void
virStoragePoolGlusterConnPut(virStoragePoolGlusterConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePoolGlusterConn, virStoragePoolGlusterConnPut);

/* The pool callbacks of storage_backend.h. */
int
virStoragePoolGlusterCheck(virStoragePoolObj *pool,
                           bool *active);

int
virStoragePoolGlusterStart(virStoragePoolObj *pool);

int
virStoragePoolGlusterStop(virStoragePoolObj *pool);

int
virStoragePoolGlusterRefresh(virStoragePoolObj *pool);
