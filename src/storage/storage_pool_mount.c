/*
 * storage_pool_mount.c: fs and netfs pools, a directory on a mount
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_pool_mount.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static int
notYet(const char *what)
{
    virReportError(VIR_ERR_NO_SUPPORT, _("%s is not implemented yet"), what);
    return -1;
}

int virStoragePoolMountCheck(virStoragePoolObj *pool, bool *active) { *active = false; return 0; }
int virStoragePoolMountStart(virStoragePoolObj *pool) { return notYet("start"); }
int virStoragePoolMountStop(virStoragePoolObj *pool) { return notYet("stop"); }
int virStoragePoolFsBuild(virStoragePoolObj *pool, unsigned int flags) { return notYet("build"); }
int virStoragePoolNetfsBuild(virStoragePoolObj *pool, unsigned int flags) { return notYet("build"); }
