/*
 * storage_vol_file.c: volumes that are files in a directory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_vol_file.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static int
notYet(const char *what)
{
    virReportError(VIR_ERR_NO_SUPPORT, _("%s is not implemented yet"), what);
    return -1;
}

int virStorageVolFileCreate(virStoragePoolObj *pool, virStorageVolDef *vol) { return notYet("create"); }
int virStorageVolFileBuild(virStoragePoolObj *pool, virStorageVolDef *vol, unsigned int flags) { return notYet("build"); }
int virStorageVolFileRefresh(virStoragePoolObj *pool, virStorageVolDef *vol) { return notYet("refresh"); }
int virStorageVolFileDelete(virStoragePoolObj *pool, virStorageVolDef *vol, unsigned int flags) { return notYet("delete"); }
int virStorageVolFileResize(virStoragePoolObj *pool, virStorageVolDef *vol, unsigned long long capacity, unsigned int flags) { return notYet("resize"); }
