/*
 * storage_pool_logical.h: pools that are LVM volume groups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "storage_backend.h"
#include "storage_lvm.h"

int virStoragePoolLogicalCheck(virStoragePoolObj *pool, bool *active);
int virStoragePoolLogicalStart(virStoragePoolObj *pool);
int virStoragePoolLogicalStop(virStoragePoolObj *pool);
int virStoragePoolLogicalBuild(virStoragePoolObj *pool, unsigned int flags);
int virStoragePoolLogicalRefresh(virStoragePoolObj *pool);
int virStoragePoolLogicalDelete(virStoragePoolObj *pool, unsigned int flags);
char *virStoragePoolLogicalFindSources(const char *srcSpec, unsigned int flags);

/* Runs the lvm2 command @cmd; when it fails, reports
 * VIR_ERR_OPERATION_FAILED with lvm2's own message, saying it was trying
 * to @what ("create volume 'a' in volume group 'vg'"). */
int virStorageLVMRun(virCommand *cmd, const char *what);

/* Runs and parses lvs of every LV of @vgname, or only @lvname. */
virStorageLVMLVList *virStorageLVMListLVs(const char *vgname,
                                          const char *lvname);

/* Runs and parses vgs of @vgname. */
virStorageLVMVGList *virStorageLVMListVG(const char *vgname);

/* Fills @vol (a block volume in pool @def) from @lv. */
void virStoragePoolLogicalLVToVol(virStoragePoolDef *def,
                                  const virStorageLVMLV *lv,
                                  virStorageVolDef *vol);
