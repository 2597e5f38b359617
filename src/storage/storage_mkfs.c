/*
 * storage_mkfs.c: making the file system of fs pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_mkfs.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static int
notYet(const char *what)
{
    virReportError(VIR_ERR_NO_SUPPORT, _("%s is not implemented yet"), what);
    return -1;
}

virCommand *
virStorageMkfsBuildCommand(const char *fstype, const char *device,
                           bool overwrite)
{
    notYet("mkfs");
    return NULL;
}
