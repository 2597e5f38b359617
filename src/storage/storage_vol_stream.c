/*
 * storage_vol_stream.c: uploading and downloading file volumes
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
virStorageVolFileUpload(virStoragePoolObj *pool, virStorageVolDef *vol,
                        virStreamPtr stream, unsigned long long offset,
                        unsigned long long len, unsigned int flags)
{
    return notYet("vol-upload");
}


int
virStorageVolFileDownload(virStoragePoolObj *pool, virStorageVolDef *vol,
                          virStreamPtr stream, unsigned long long offset,
                          unsigned long long len, unsigned int flags)
{
    return notYet("vol-download");
}
