/*
 * storage_blkid.c: probing signatures with libblkid
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_blkid.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static int
notYet(const char *what)
{
    virReportError(VIR_ERR_NO_SUPPORT, _("%s is not implemented yet"), what);
    return -1;
}

int virStorageBlkidFindSignature(const char *device, char **type) { return notYet("blkid"); }
int virStorageBlkidWipeSignatures(const char *device) { return notYet("blkid"); }
