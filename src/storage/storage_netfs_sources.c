/*
 * storage_netfs_sources.c: finding netfs pool sources
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_netfs_sources.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static int
notYet(const char *what)
{
    virReportError(VIR_ERR_NO_SUPPORT, _("%s is not implemented yet"), what);
    return -1;
}

char *
virStorageNetfsFindPoolSources(const char *srcSpec, unsigned int flags)
{
    notYet("find-storage-pool-sources");
    return NULL;
}


virCommand *
virStorageNetfsBuildShowmount(const char *host)
{
    notYet("showmount");
    return NULL;
}


int
virStorageNetfsParseShowmount(const char *output, const char *host,
                              virStoragePoolSourceList *list)
{
    return notYet("showmount");
}


virCommand *
virStorageNetfsBuildGlusterInfo(const char *host)
{
    notYet("gluster");
    return NULL;
}


int
virStorageNetfsParseGlusterInfo(const char *output, const char *host,
                                virStoragePoolSourceList *list)
{
    return notYet("gluster");
}
