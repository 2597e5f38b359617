/*
 * storage_vol_job.c: volumes a job works on with the pool unlocked
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The rules are in storage_vol_job.h.
 */

#include <config.h>

#include "storage_vol_job.h"



bool
virStorageVolJobRunning(const virStorageVolDef *vol)
{
    return vol->building || vol->in_use > 0;
}


virStorageVolDef *
virStorageVolJobDefCopy(virStoragePoolObj *pool,
                        virStorageVolDef *vol)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autofree char *xml = NULL;
    virStorageVolDef *copy;

    if (!(xml = virStorageVolDefFormat(def, vol)))
        return NULL;

    if (!(copy = virStorageVolDefParse(def, xml, NULL, 0)))
        return NULL;

    /* what the formatter does not write */
    copy->type = vol->type;
    copy->target.nocow = vol->target.nocow;
    return copy;
}
