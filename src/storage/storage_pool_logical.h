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

/* Runs the lvm2 command @cmd within VIR_STORAGE_LVM_TIME_LIMIT; when it
 * fails, reports VIR_ERR_OPERATION_FAILED with lvm2's own message, saying
 * it was trying to @what ("create volume 'a' in volume group 'vg'"); when
 * it is stopped at the limit, VIR_ERR_OPERATION_TIMEOUT. */
int virStorageLVMRun(virCommand *cmd, const char *what);

/* As virStorageLVMRun, but returns lvm2's exit status (@out and @errbuf,
 * if not NULL, get its stdout and stderr); -1 with an error reported
 * only when it could not be run or was stopped at the limit. */
int virStorageLVMRunStatus(virCommand *cmd, const char *what,
                           char **out, char **errbuf);

/* Runs and parses lvs of every LV of @vgname, or only @lvname. */
virStorageLVMLVList *virStorageLVMListLVs(const char *vgname,
                                          const char *lvname);

/* Runs and parses vgs of @vgname. */
virStorageLVMVGList *virStorageLVMListVG(const char *vgname);

/* Fills @vol (a block volume in pool @def) from @lv. */
void virStoragePoolLogicalLVToVol(virStoragePoolDef *def,
                                  const virStorageLVMLV *lv,
                                  virStorageVolDef *vol);
