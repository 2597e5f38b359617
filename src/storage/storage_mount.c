/*
 * storage_mount.c: mounting the source of fs and netfs pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_mount.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static int
notYet(const char *what)
{
    virReportError(VIR_ERR_NO_SUPPORT, _("%s is not implemented yet"), what);
    return -1;
}

char *
virStorageMountSourceString(const virStoragePoolDef *def)
{
    notYet("mount");
    return NULL;
}


virCommand *
virStorageMountBuildCommand(const virStoragePoolDef *def, const char *source)
{
    notYet("mount");
    return NULL;
}


virCommand *
virStorageUmountBuildCommand(const char *target)
{
    notYet("umount");
    return NULL;
}


int
virStorageMountInfoFindTarget(const char *text, const char *target,
                              char **source)
{
    return notYet("mountinfo");
}


int
virStorageMountIsMounted(const char *target)
{
    return notYet("mountinfo");
}
