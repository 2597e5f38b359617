/*
 * storage_vol_probe.c: reading what a volume file is
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_vol_probe.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

static int
notYet(const char *what)
{
    virReportError(VIR_ERR_NO_SUPPORT, _("%s is not implemented yet"), what);
    return -1;
}

int virStorageVolProbeQuiet(virStorageVolDef *vol) { return -ENOSYS; }
int virStorageVolProbe(virStorageVolDef *vol) { return notYet("probe"); }
