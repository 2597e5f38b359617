/*
 * storage_vol_wipe.c: wiping file volumes
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

int
virStorageVolFileWipe(virStoragePoolObj *pool, virStorageVolDef *vol,
                      unsigned int algorithm, unsigned int flags)
{
    return notYet("vol-wipe");
}
