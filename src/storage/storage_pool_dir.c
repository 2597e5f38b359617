/*
 * storage_pool_dir.c: pools whose volumes are the entries of a directory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_pool_dir.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static int
notYet(const char *what)
{
    virReportError(VIR_ERR_NO_SUPPORT, _("%s is not implemented yet"), what);
    return -1;
}

int virStoragePoolDirCheck(virStoragePoolObj *pool, bool *active) { *active = true; return 0; }
int virStoragePoolDirBuild(virStoragePoolObj *pool, unsigned int flags) { return notYet("build"); }
int virStoragePoolDirRefresh(virStoragePoolObj *pool) { return 0; }
int virStoragePoolDirDelete(virStoragePoolObj *pool, unsigned int flags) { return notYet("delete"); }
int virStoragePoolDirMakeTarget(virStoragePoolObj *pool) { return notYet("build"); }
