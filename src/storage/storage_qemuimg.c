/*
 * storage_qemuimg.c: pure builders of qemu-img command lines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_qemuimg.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static int
notYet(const char *what)
{
    virReportError(VIR_ERR_NO_SUPPORT, _("%s is not implemented yet"), what);
    return -1;
}

virCommand *
virStorageQemuImgBuildCreate(const char *qemuimg, virStorageVolDef *vol,
                             const char *secretPath, unsigned int flags)
{
    notYet("qemu-img create");
    return NULL;
}


virCommand *
virStorageQemuImgBuildConvert(const char *qemuimg, virStorageVolDef *vol,
                              virStorageVolDef *inputvol,
                              const char *secretPath, unsigned int flags)
{
    notYet("qemu-img convert");
    return NULL;
}


virCommand *
virStorageQemuImgBuildResize(const char *qemuimg, virStorageVolDef *vol,
                             unsigned long long capacity, bool shrink,
                             bool preallocate, const char *secretPath)
{
    notYet("qemu-img resize");
    return NULL;
}


char *
virStorageQemuImgFind(void)
{
    notYet("qemu-img");
    return NULL;
}
